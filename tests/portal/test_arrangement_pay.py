"""Paying an arrangement's terms from the portal: the schedule e-mail's pay link per term, each paying
exactly that term through the real Mollie client against tests/fake_mollie.py, and the abuse cases."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client

from collection.models import Arrangement, ArrangementStatus
from collection.selectors.arrangements import arrangement_progress
from collection.services import arrangement_approve, arrangement_propose
from collection.services.arrangement_execution import GRACE_DAYS, arrangements_run
from invoices.models import Invoice, OnlinePayment, PaymentSource
from invoices.services import payment_record
from outstanding.models import Organization, Role
from tests.collection.arrangement_builders import limits, open_invoice, portal_link
from tests.factories import TODAY, DebtorFactory, MembershipFactory, OrganizationFactory
from tests.fake_mollie import FakeMollie

pytestmark = pytest.mark.django_db

D = Decimal
WEBHOOK = "/hooks/mollie/"


@pytest.fixture
def mollie(settings) -> Iterator[FakeMollie]:
    fake = FakeMollie().start()
    settings.MOLLIE_API_KEY = ""
    settings.MOLLIE_PLATFORM_KEY_FALLBACK = False
    settings.MOLLIE_API_ENDPOINT = fake.url
    yield fake
    fake.stop()


def with_key(organization: Organization, key: str) -> Organization:
    organization.mollie_api_key = key
    organization.save(update_fields=["mollie_api_key"])
    return organization


@pytest.fixture
def organization(mollie):
    organization = with_key(OrganizationFactory(name="Alpha Groothandel B.V."), mollie.api_key)
    limits(organization, max_terms=6, minimum="25.00")
    return organization


@pytest.fixture
def debtor(organization):
    return DebtorFactory(
        organization=organization, name="Bakkerij Jansen", emails=["boekhouding@jansen.test"], language="en"
    )


@pytest.fixture
def invoices(debtor) -> list[Invoice]:
    return [open_invoice(debtor, "F-1", "100.00"), open_invoice(debtor, "F-2", "50.01")]


def approve(organization, debtor, invoices, capture, term_count: int = 3) -> Arrangement:  # type: ignore[no-untyped-def]
    user = MembershipFactory(organization=organization, role=Role.MEMBER).user
    with capture(execute=True):
        arrangement = arrangement_propose(
            organization=organization,
            debtor=debtor,
            invoices=invoices,
            term_count=term_count,
            debtor_note="",
            today=TODAY,
        )
        arrangement_approve(arrangement=arrangement, user=user)
    arrangement.refresh_from_db()
    return arrangement


@pytest.fixture
def approved(organization, debtor, invoices, django_capture_on_commit_callbacks) -> Arrangement:
    """150.01 in three terms: 50.00, 50.00, 50.01."""
    return approve(organization, debtor, invoices, django_capture_on_commit_callbacks)


def schedule_email(debtor) -> mail.EmailMessage:  # type: ignore[no-untyped-def]
    [message] = [message for message in mail.outbox if message.to == list(debtor.emails)]
    return message


def pay_links(body: str) -> list[str]:
    return re.findall(r"http://localhost:8000(/p/[\w-]+/arrangement/[0-9a-f-]+/terms/\d+/)", body)


def form_of(html: str) -> tuple[str, str]:
    """(action, form token) of the term page's pay form."""
    action = re.search(r'<form method="post" action="([^"?]+)', html)
    token = re.search(r'name="form_token" value="([^"]+)"', html)
    assert action and token, "the page has no pay form"
    return action.group(1), token.group(1)


def paid_at_mollie(mollie: FakeMollie, checkout_url: str) -> str:
    """Pay at the fake checkout and deliver Mollie's webhook to us; returns the Mollie id."""
    mollie_id = checkout_url.rstrip("/").rsplit("/", 1)[1]
    mollie.set_status(mollie_id, "paid")
    assert Client().post(WEBHOOK, {"id": mollie_id}).status_code == 200
    return mollie_id


def progress_of(arrangement: Arrangement):  # type: ignore[no-untyped-def]
    return arrangement_progress(organization=arrangement.organization, arrangements=[arrangement])[arrangement.pk]


def created_at_mollie(mollie: FakeMollie) -> list[dict]:  # type: ignore[type-arg]
    return [request.body for request in mollie.requests_to("POST", "/v2/payments")]  # type: ignore[misc]


# --- the schedule e-mail and its links ---------------------------------------------------------------------


def test_the_schedule_e_mail_has_one_pay_link_per_term_and_each_pays_exactly_that_term(
    client, mollie, approved, debtor
) -> None:
    message = schedule_email(debtor)
    links = pay_links(message.body)
    assert [link.rsplit("/terms/", 1)[1] for link in links] == ["1/", "2/", "3/"]
    assert "50.00" in message.body and "50.01" in message.body

    for number, (link, amount) in enumerate(zip(links, ["50.00", "50.00", "50.01"], strict=True), start=1):
        page = client.get(link)
        assert page.status_code == 200 and page["Referrer-Policy"] == "no-referrer"
        action, token = form_of(page.content.decode())
        response = client.post(action, {"form_token": token})
        assert response.status_code == 303
        assert created_at_mollie(mollie)[-1]["amount"] == {"currency": "EUR", "value": amount}
        paid_at_mollie(mollie, response["Location"])
        terms = progress_of(approved).terms
        assert [term.is_paid for term in terms] == [index < number for index in range(3)]

    assert len(created_at_mollie(mollie)) == 3
    invoices = Invoice.objects.for_organization(approved.organization).order_by("number")
    assert [invoice.open_amount for invoice in invoices] == [D("0.00"), D("0.00")]
    arrangements_run(organization=approved.organization, today=TODAY)
    approved.refresh_from_db()
    assert approved.status == ArrangementStatus.COMPLETED


def test_opening_a_pay_link_starts_no_payment(client, mollie, approved, debtor) -> None:
    """Mail scanners follow links: only the page's button (a POST) goes to Mollie."""
    for link in pay_links(schedule_email(debtor).body):
        assert client.get(link).status_code == 200
    assert created_at_mollie(mollie) == []
    assert not OnlinePayment.objects.for_organization(approved.organization).exists()


def test_without_online_payment_the_e_mail_has_the_schedule_but_no_pay_links(
    organization, debtor, invoices, django_capture_on_commit_callbacks
) -> None:
    with_key(organization, "")
    approve(organization, debtor, invoices, django_capture_on_commit_callbacks)

    body = schedule_email(debtor).body
    assert pay_links(body) == [] and "50.01" in body


def test_a_part_payment_leaves_the_rest_of_the_term_to_pay(client, mollie, approved, invoices) -> None:
    payment_record(
        organization=approved.organization,
        invoice=invoices[0],
        amount=D("20.00"),
        date=TODAY,
        source=PaymentSource.BANK,
        reference="bank-1",
    )
    link = portal_link(approved.debtor)
    page = client.get(f"{link}arrangement/{approved.public_id}/terms/1/")
    action, token = form_of(page.content.decode())

    client.post(action, {"form_token": token})

    assert created_at_mollie(mollie)[-1]["amount"] == {"currency": "EUR", "value": "30.00"}


# --- the portal's arrangement page ---------------------------------------------------------------------------


def test_the_arrangement_page_shows_paid_and_open_per_term_with_a_pay_button_per_open_term(
    client, mollie, approved, invoices
) -> None:
    payment_record(
        organization=approved.organization,
        invoice=invoices[0],
        amount=D("60.00"),
        date=TODAY,
        source=PaymentSource.BANK,
        reference="bank-1",
    )
    html = client.get(f"{portal_link(approved.debtor)}arrangement/").content.decode()

    assert 'data-testid="term-paid"' in html
    assert 'data-testid="term-partly-paid"' in html and "€10.00" in html and "€40.00" in html
    assert 'id="term-pay-1"' not in html
    assert 'id="term-pay-2"' in html and 'id="term-pay-3"' in html


# --- abuse ---------------------------------------------------------------------------------------------------


def test_a_paid_term_cannot_be_paid_again(client, mollie, approved, debtor) -> None:
    link = pay_links(schedule_email(debtor).body)[0]
    action, token = form_of(client.get(link).content.decode())
    paid_at_mollie(mollie, client.post(action, {"form_token": token})["Location"])

    page = client.get(link)
    again = client.post(action, {"form_token": token})

    assert 'data-testid="term-is-paid"' in page.content.decode() and 'id="term-pay"' not in page.content.decode()
    assert again.status_code == 400 and 'id="term-error"' in again.content.decode()
    assert len(created_at_mollie(mollie)) == 1


def test_another_debtors_arrangement_is_a_404(client, mollie, organization, approved) -> None:
    other = DebtorFactory(organization=organization, name="Other")
    other_link = portal_link(other)
    path = f"{other_link}arrangement/{approved.public_id}/terms/1/"

    assert client.get(path).status_code == 404
    assert client.post(f"{path}pay/", {"form_token": "x"}).status_code == 404
    assert created_at_mollie(mollie) == []


def test_another_organizations_arrangement_is_a_404(client, mollie, approved) -> None:
    elsewhere = with_key(OrganizationFactory(name="Beta Installaties B.V."), mollie.api_key)
    stranger = DebtorFactory(organization=elsewhere, name="Stranger")
    path = f"{portal_link(stranger)}arrangement/{approved.public_id}/terms/1/"

    assert client.get(path).status_code == 404
    assert client.post(f"{path}pay/", {"form_token": "x"}).status_code == 404
    assert created_at_mollie(mollie) == []


def test_a_term_that_does_not_exist_is_a_404(client, mollie, approved) -> None:
    link = portal_link(approved.debtor)
    assert client.get(f"{link}arrangement/{approved.public_id}/terms/4/").status_code == 404
    assert client.post(f"{link}arrangement/{approved.public_id}/terms/0/pay/").status_code == 404


def test_a_post_without_the_pages_form_token_starts_nothing(client, mollie, approved) -> None:
    path = f"{portal_link(approved.debtor)}arrangement/{approved.public_id}/terms/1/pay/"

    responses = [client.post(path, {}), client.post(path, {"form_token": "forged"})]

    assert [response.status_code for response in responses] == [400, 400]
    assert created_at_mollie(mollie) == []


def test_a_broken_arrangement_cannot_be_paid_in_terms(
    client, mollie, approved, django_capture_on_commit_callbacks
) -> None:
    due = progress_of(approved).terms[0].due_date
    with django_capture_on_commit_callbacks(execute=True):
        arrangements_run(organization=approved.organization, today=due + dt.timedelta(days=GRACE_DAYS + 1))
    link = portal_link(approved.debtor)
    page = client.get(f"{link}arrangement/{approved.public_id}/terms/2/")

    response = client.post(f"{link}arrangement/{approved.public_id}/terms/2/pay/", {"form_token": _token(client, link)})

    assert page.status_code == 200 and 'id="term-pay"' not in page.content.decode()
    assert response.status_code == 400
    assert created_at_mollie(mollie) == []


def _token(client: Client, link: str) -> str:
    """A valid form token of ``link`` (the arrangement page carries one)."""
    match = re.search(r'name="form_token" value="([^"]+)"', client.get(f"{link}arrangement/").content.decode())
    assert match
    return match.group(1)


def test_a_proposals_terms_cannot_be_paid(client, mollie, organization, debtor, invoices) -> None:
    proposal = arrangement_propose(
        organization=organization, debtor=debtor, invoices=invoices, term_count=3, debtor_note="", today=TODAY
    )
    path = f"{portal_link(debtor)}arrangement/{proposal.public_id}/terms/1/"

    assert client.get(path).status_code == 404
    assert client.post(f"{path}pay/", {"form_token": "x"}).status_code == 404
    assert created_at_mollie(mollie) == []


def test_a_dossiers_terms_pay_the_whole_claim_online_beyond_the_invoices_principal(
    client, mollie, organization, debtor, django_capture_on_commit_callbacks
) -> None:
    """Within a dossier the terms cover principal, interest and costs: the last term is paid online even
    though the invoice's own open amount is paid off by then, and the paid dossier closes as such."""
    from collection.models import DossierClosure, DossierStage
    from collection.selectors.statements import dossier_statement_on
    from collection.services import dossier_open, dossiers_settle
    from collection.services.arrangements import arrangement_make
    from outstanding.calendar import local_today

    today = local_today(organization.time_zone)
    organization.dossier_pre_collection = False
    organization.save()
    invoice = open_invoice(debtor, "F-9", "600.00")
    Invoice.objects.for_organization(organization).filter(pk=invoice.pk).update(
        issue_date=today - dt.timedelta(days=90), due_date=today - dt.timedelta(days=60)
    )
    invoice.refresh_from_db()
    dossier = dossier_open(organization=organization, debtor=debtor, invoices=[invoice], today=today, origin="manual")
    claim = dossier_statement_on(organization=organization, dossier=dossier, on=today).statement.outstanding
    assert claim > D("690.00")  # 600 + 90 costs + interest
    user = MembershipFactory(organization=organization, role=Role.MEMBER).user
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        arrangement = arrangement_make(
            organization=organization, debtor=debtor, invoices=[invoice], term_count=2, first_due_date=today,
            user=user, today=today, dossier=dossier,
        )  # fmt: skip
    assert arrangement.total == claim
    links = pay_links(schedule_email(debtor).body)
    amounts = [term.amount for term in arrangement.terms.order_by("number")]
    for link, amount in zip(links, amounts, strict=True):
        action, token = form_of(client.get(link).content.decode())
        response = client.post(action, {"form_token": token})
        assert response.status_code == 303
        assert created_at_mollie(mollie)[-1]["amount"] == {"currency": "EUR", "value": f"{amount:.2f}"}
        paid_at_mollie(mollie, response["Location"])
    invoice.refresh_from_db()
    assert invoice.open_amount == D("0.00") and sum(p.amount for p in invoice.payments.all()) == claim
    arrangements_run(organization=organization, today=today)
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.COMPLETED
    [closed] = dossiers_settle(organization=organization, today=today)
    assert closed.stage == DossierStage.CLOSED and closed.closure == DossierClosure.ARRANGEMENT_COMPLETED
