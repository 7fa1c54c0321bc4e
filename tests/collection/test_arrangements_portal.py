"""The portal's arrangement page: choose invoices and terms, calculate, propose, see the decision."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail
from django.test import Client
from django.utils import dateformat, timezone, translation

from collection.models import Arrangement, ArrangementStatus
from collection.services import arrangement_first_due_date, arrangement_propose, arrangement_reject
from invoices.models import Invoice
from outstanding.calendar import local_today
from portal.models import PortalAccess
from portal.services import portal_access_revoke
from portal.views.form_token import portal_form_token
from tests.collection.arrangement_builders import limits, open_invoice, portal_link
from tests.factories import TODAY, DebtorFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

WRONG_TOKEN = "/p/" + "A" * 32 + "/"


@pytest.fixture
def organization():
    organization = OrganizationFactory(name="Alpha Groothandel B.V.")
    limits(organization, max_terms=6, minimum="25.00")
    return organization


@pytest.fixture
def debtor(organization):
    return DebtorFactory(organization=organization, name="Bakkerij Jansen", language="en")


@pytest.fixture
def invoices(debtor) -> list[Invoice]:
    return [open_invoice(debtor, "F-1", "100.00"), open_invoice(debtor, "F-2", "50.01")]


@pytest.fixture
def link(debtor, invoices) -> str:
    return portal_link(debtor)


def form_token(debtor) -> str:  # type: ignore[no-untyped-def]
    access = PortalAccess.objects.for_organization(debtor.organization).filter(debtor=debtor).latest("created_at")
    return portal_form_token(access)


def post(client: Client, link: str, debtor, invoices, *, terms: str = "3", action: str = "submit", **extra):  # type: ignore[no-untyped-def]
    data = {
        "form_token": form_token(debtor),
        "invoice": [str(invoice.public_id) for invoice in invoices],
        "terms": terms,
        "note": "Graag in delen.",
        "action": action,
        **extra,
    }
    return client.post(f"{link}arrangement/propose/", data)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return response.content.decode()


def term_date(months_after_first: int) -> dt.date:
    """A term's due date for a proposal made today (the portal runs on the real clock)."""
    return arrangement_first_due_date(local_today()) + relativedelta(months=months_after_first)


def english_date(day: dt.date) -> str:
    with translation.override("en"):
        return dateformat.format(day, "j F Y")


def selected_terms(html: str) -> str:
    match = re.search(r'<option value="(\d+)" selected>', html)
    return match.group(1) if match else ""


def test_the_home_page_links_to_the_arrangement_page(client, link) -> None:
    html = text(client.get(link))
    assert 'id="arrangement-link"' in html and f"{link}arrangement/?lang=en" in html


def test_the_home_page_has_no_link_when_the_organization_takes_no_proposals(client, organization, link) -> None:
    limits(organization, max_terms=0)
    assert 'id="arrangement-link"' not in text(client.get(link))


def test_the_page_ticks_every_open_invoice_and_offers_only_term_counts_within_the_limits(
    client, link, invoices
) -> None:
    response = client.get(f"{link}arrangement/")
    html = text(response)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex, nofollow" and response["Referrer-Policy"] == "no-referrer"
    assert html.count(" checked>") == 2
    assert 'id="arrangement-terms"' in html and 'id="arrangement-submit"' in html
    # 150.01: six terms of 25.00 (and 25.01) is the most; all six allowed
    options = re.findall(r'<option value="(\d+)"', html)
    assert options == ["1", "2", "3", "4", "5", "6"]
    assert "€150.01" in html


def test_fewer_invoices_ticked_offer_fewer_terms_and_calculate_shows_the_schedule(
    client, link, debtor, invoices
) -> None:
    response = post(client, link, debtor, invoices[:1], terms="4", action="calculate")
    html = text(response)
    assert response.status_code == 200
    assert re.findall(r'<option value="(\d+)"', html) == ["1", "2", "3", "4"]  # 100.00 / 4 = 25.00
    assert selected_terms(html) == "4"
    assert html.count("€25.00") >= 4 and english_date(term_date(3)) in html  # the fourth term
    assert not Arrangement.objects.for_organization(debtor.organization).exists()  # calculating stores nothing


def test_calculate_with_too_many_terms_explains_the_minimum(client, link, debtor, invoices) -> None:
    html = text(post(client, link, debtor, invoices[:1], terms="5", action="calculate"))
    assert "Each term must be at least €25.00; with 5 terms a term would be €20.00." in html


def test_sending_stores_the_proposal_and_redirects_to_its_status(client, link, debtor, invoices) -> None:
    response = post(client, link, debtor, invoices, terms="3")
    assert response.status_code == 303 and response["Location"] == f"{link}arrangement/?lang=en"
    arrangement = Arrangement.objects.for_organization(debtor.organization).get()
    assert arrangement.term_count == 3 and arrangement.total == Decimal("150.01")
    assert arrangement.debtor_note == "Graag in delen."
    html = text(client.get(response["Location"]))
    assert "Proposed" in html and "€50.01" in html and english_date(term_date(2)) in html
    assert 'id="arrangement-withdraw"' in html
    # the invoices are in the proposal now: nothing left to propose
    assert 'id="arrangement-submit"' not in html


def test_a_missing_form_token_is_refused_and_keeps_the_choice(client, link, debtor, invoices) -> None:
    response = post(client, link, debtor, invoices[:1], terms="2", form_token="")
    html = text(response)
    assert response.status_code == 400
    assert "This page was open too long" in html
    assert selected_terms(html) == "2"
    assert html.count(" checked>") == 1 and "Graag in delen." in html
    assert not Arrangement.objects.for_organization(debtor.organization).exists()


def test_a_stale_form_token_is_refused(client, link, debtor, invoices, monkeypatch) -> None:
    token = form_token(debtor)
    monkeypatch.setattr("portal.views.form_token.FORM_TOKEN_MAX_AGE_SECONDS", -1)
    response = post(client, link, debtor, invoices, form_token=token)
    assert response.status_code == 400 and "This page was open too long" in text(response)
    assert not Arrangement.objects.for_organization(debtor.organization).exists()


def test_another_links_form_token_is_refused(client, link, debtor, invoices, organization) -> None:
    other = DebtorFactory(organization=organization)
    portal_link(other)
    response = post(client, link, debtor, invoices, form_token=form_token(other))
    assert response.status_code == 400


def test_one_term_more_than_allowed_is_refused_with_the_reason(client, link, debtor, invoices) -> None:
    response = post(client, link, debtor, invoices, terms="7")
    assert response.status_code == 400
    assert not Arrangement.objects.for_organization(debtor.organization).exists()


def test_another_debtors_invoice_is_refused(client, link, debtor, invoices, organization) -> None:
    other = open_invoice(DebtorFactory(organization=organization), "F-OTHER", "300.00")
    response = post(client, link, debtor, [invoices[0], other])
    assert response.status_code == 400 and "cannot be paid in terms here" in text(response)
    assert "F-OTHER" not in text(response)
    assert not Arrangement.objects.for_organization(organization).exists()


def test_a_wrong_token_answers_404(client) -> None:
    assert client.get(f"{WRONG_TOKEN}arrangement/").status_code == 404
    assert client.post(f"{WRONG_TOKEN}arrangement/propose/", {}).status_code == 404


def test_a_revoked_link_answers_404(client, link, debtor, invoices) -> None:
    token = form_token(debtor)
    portal_access_revoke(debtor=debtor)
    assert client.get(f"{link}arrangement/").status_code == 404
    assert post(client, link, debtor, invoices, form_token=token).status_code == 404


def test_an_expired_link_answers_404(client, link, debtor) -> None:
    PortalAccess.objects.for_organization(debtor.organization).update(expires_at=timezone.now())
    assert client.get(f"{link}arrangement/").status_code == 404


def test_the_page_is_not_there_when_the_organization_takes_no_proposals(client, organization, link) -> None:
    limits(organization, max_terms=0)
    assert client.get(f"{link}arrangement/").status_code == 404


def test_the_page_is_not_there_when_nothing_is_open(client, organization) -> None:
    debtor = DebtorFactory(organization=organization)
    assert client.get(f"{portal_link(debtor)}arrangement/").status_code == 404


def test_a_rejection_shows_the_creditors_note(client, link, debtor, invoices) -> None:
    arrangement = arrangement_propose(
        organization=debtor.organization, debtor=debtor, invoices=invoices, term_count=2, debtor_note="", today=TODAY
    )
    user = MembershipFactory(organization=debtor.organization).user
    arrangement_reject(arrangement=arrangement, user=user, note="Liever in twee maanden.")
    html = text(client.get(f"{link}arrangement/"))
    assert "Rejected" in html and "Liever in twee maanden." in html
    assert 'id="arrangement-submit"' in html  # the invoices may be proposed again


def test_the_debtor_withdraws_an_open_proposal(client, link, debtor, invoices) -> None:
    post(client, link, debtor, invoices)
    arrangement = Arrangement.objects.for_organization(debtor.organization).get()
    response = client.post(f"{link}arrangement/{arrangement.public_id}/withdraw/", {"form_token": form_token(debtor)})
    assert response.status_code == 303
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.WITHDRAWN
    assert not Invoice.objects.for_organization(debtor.organization).filter(is_paused=True).exists()


def test_another_debtors_arrangement_cannot_be_withdrawn(client, link, debtor, organization) -> None:
    other = DebtorFactory(organization=organization)
    theirs = arrangement_propose(
        organization=organization,
        debtor=other,
        invoices=[open_invoice(other, "F-THEIRS", "200.00")],
        term_count=2,
        debtor_note="",
        today=TODAY,
    )
    response = client.post(f"{link}arrangement/{theirs.public_id}/withdraw/", {"form_token": form_token(debtor)})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == ArrangementStatus.PROPOSED


def test_a_get_on_the_form_urls_is_not_allowed(client, link) -> None:
    assert client.get(f"{link}arrangement/propose/").status_code == 405


def test_a_proposal_from_the_portal_emails_the_creditors_members(
    client, link, debtor, invoices, django_capture_on_commit_callbacks
) -> None:
    member = MembershipFactory(organization=debtor.organization).user
    with django_capture_on_commit_callbacks(execute=True):
        post(client, link, debtor, invoices)
    assert [message.to for message in mail.outbox] == [[member.email]]
