"""The portal pages through the test client: what a debtor sees, and what nobody else can."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from invoices.models import InvoiceStatus
from portal.models import PortalAccess
from portal.services import portal_access_revoke, portal_link_issue
from reminders.models import Reminder, ReminderStatus, StepKind
from tests.factories import TODAY, DebtorFactory, InvoiceFactory
from tests.portal.conftest import portal_path
from tests.reminders.reminder_builders import reminder_with_invoices

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% the invoice\n"


@pytest.fixture
def debtor(org_a):
    return DebtorFactory(organization=org_a.organization, name="Jansen Bouw B.V.")


@pytest.fixture
def invoices(debtor):
    older = InvoiceFactory(
        debtor=debtor,
        number="F-OLD",
        issue_date=TODAY - dt.timedelta(days=90),
        due_date=TODAY - dt.timedelta(days=60),
        amount=Decimal("1000.00"),
        open_amount=Decimal("400.00"),
    )
    in_message = InvoiceFactory(
        debtor=debtor,
        number="F-MSG",
        issue_date=TODAY - dt.timedelta(days=40),
        due_date=TODAY - dt.timedelta(days=10),
        amount=Decimal("121.00"),
    )
    in_message.pdf.save("f-msg.pdf", ContentFile(PDF), save=True)
    InvoiceFactory(debtor=debtor, number="F-PAID", status=InvoiceStatus.PAID)
    return older, in_message


@pytest.fixture
def link(debtor, invoices) -> str:
    return portal_path(portal_link_issue(organization=debtor.organization, debtor=debtor, invoice_ids=[invoices[1].pk]))


@pytest.fixture(autouse=True)
def _frozen_today(monkeypatch):
    """The page computes days overdue on the organization's local date: pin it to the factories' TODAY."""
    monkeypatch.setattr("portal.views.pages.local_today", lambda time_zone="Europe/Amsterdam": TODAY)


def test_the_page_lists_what_is_open_with_the_messages_invoices_first_and_the_total(client, link):
    response = client.get(link)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("F-MSG") < html.index("F-OLD")  # the message's invoice first, then the rest
    assert "F-PAID" not in html
    assert "In het bericht dat u ontving" in html or "In the message you received" in html
    assert "€\xa0521,00" in html  # 400.00 + 121.00, Dutch by default
    assert "€\xa01.000,00" in html and "€\xa0400,00" in html
    assert ">60<" in html and ">10<" in html  # days overdue
    assert "Jansen Bouw B.V." in html


def test_the_page_speaks_english_when_asked(client, link):
    html = client.get(link + "?lang=en").content.decode()

    assert '<html lang="en">' in html
    assert "€521.00" in html
    assert 'href="?lang=nl"' in html


def test_the_page_shows_only_this_debtors_invoices(client, link, debtor):
    other = DebtorFactory(organization=debtor.organization)
    InvoiceFactory(debtor=other, number="F-OTHER")

    assert "F-OTHER" not in client.get(link).content.decode()


def test_the_page_loads_nothing_from_elsewhere_and_has_no_inline_script_or_style(client, link):
    html = client.get(link).content.decode()

    assert "<script" not in html and "style=" not in html and "<style" not in html
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_every_portal_answer_carries_the_privacy_headers(client, link, invoices, settings):
    settings.PORTAL_RATE_LIMIT = "3/minute"
    pdf_url = f"{link}invoices/{invoices[1].public_id}/pdf/"
    answers = [client.get(link), client.get(pdf_url), client.get("/p/wrong-token-wrong-token-wrong/"), client.get(link)]

    assert [answer.status_code for answer in answers] == [200, 200, 404, 429]
    for answer in answers:
        assert answer["X-Robots-Tag"] == "noindex, nofollow"
        assert answer["Referrer-Policy"] == "no-referrer"
        assert "no-store" in answer["Cache-Control"]
        assert not answer.cookies  # no session, no CSRF cookie: nothing ties visits together


def not_found_page(client: Client, path: str) -> tuple[int, bytes]:
    response = client.get(path)
    return response.status_code, response.content


def test_wrong_expired_revoked_and_malformed_tokens_answer_the_same_404(client, debtor, invoices, link):
    expired = portal_path(portal_link_issue(organization=debtor.organization, debtor=debtor))
    PortalAccess.objects.for_organization(debtor.organization).filter(invoice_ids=[]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    wrong = "/p/" + "A" * 32 + "/"
    malformed = "/p/%3Cscript%3E/"
    first = not_found_page(client, wrong)
    assert first[0] == 404

    assert not_found_page(client, expired) == first
    assert not_found_page(client, malformed) == first
    assert client.get(link).status_code == 200
    portal_access_revoke(debtor=debtor)
    assert not_found_page(client, link) == first


def test_the_invoice_pdf_is_served_to_its_own_debtor(client, link, invoices):
    response = client.get(f"{link}invoices/{invoices[1].public_id}/pdf/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_another_debtors_invoice_pdf_answers_404(client, link, debtor):
    other = DebtorFactory(organization=debtor.organization)
    theirs = InvoiceFactory(debtor=other)
    theirs.pdf.save("theirs.pdf", ContentFile(PDF), save=True)
    wrong = client.get("/p/" + "A" * 32 + "/")

    response = client.get(f"{link}invoices/{theirs.public_id}/pdf/")

    assert (response.status_code, response.content) == (404, wrong.content)


def test_another_organizations_link_opens_nothing_of_this_organization(client, org_b, invoices):
    stranger = DebtorFactory(organization=org_b.organization)
    their_link = portal_path(portal_link_issue(organization=org_b.organization, debtor=stranger))
    wrong = client.get("/p/" + "A" * 32 + "/")

    pdf = client.get(f"{their_link}invoices/{invoices[1].public_id}/pdf/")
    page = client.get(their_link).content.decode()

    assert (pdf.status_code, pdf.content) == (404, wrong.content)
    assert "F-MSG" not in page and "F-OLD" not in page and "Jansen" not in page


def test_an_invoice_without_a_pdf_answers_404(client, link, invoices):
    assert client.get(f"{link}invoices/{invoices[0].public_id}/pdf/").status_code == 404


def test_the_portal_only_reads(client, link):
    response = client.post(link)

    assert response.status_code == 405


def test_the_rate_limit_refuses_the_request_just_past_it_per_address(client, link, settings):
    settings.PORTAL_RATE_LIMIT = "5/minute"

    allowed = [client.get(link).status_code for _ in range(5)]
    past = client.get(link)
    elsewhere = client.get(link, REMOTE_ADDR="192.0.2.7")

    assert allowed == [200] * 5
    assert past.status_code == 429
    assert "Too many requests" in past.content.decode() or "Te veel verzoeken" in past.content.decode()
    assert elsewhere.status_code == 200


def test_the_default_limit_is_60_a_minute(client, link):
    statuses = [client.get("/p/" + "B" * 32 + "/").status_code for _ in range(60)]

    assert statuses == [404] * 60
    assert client.get(link).status_code == 429  # a valid token does not buy more requests


def test_the_timeline_shows_what_was_sent_when_with_its_legal_dates(client, link, debtor, invoices):
    notice = reminder_with_invoices(
        debtor, invoices=[invoices[0]], kind=StepKind.FOURTEEN_DAY_LETTER, planned_date=TODAY - dt.timedelta(days=20)
    )
    Reminder.objects.for_organization(debtor.organization).filter(pk=notice.pk).update(
        status=ReminderStatus.SENT,
        sent_date=TODAY - dt.timedelta(days=20),
        term_end_date=TODAY - dt.timedelta(days=5),
        collection_costs=Decimal("40.00"),
        costs_chargeable_from=TODAY - dt.timedelta(days=4),
    )
    reminder_with_invoices(debtor, invoices=[invoices[1]])  # planned, not sent: not on the timeline

    html = client.get(link + "?lang=en").content.decode()

    timeline = html[html.index("What we sent you") :]
    assert "6 November 2026" in timeline  # sent
    assert "Payment term ends on 21 November 2026." in timeline
    assert "Collection costs of €40.00 may be charged from 22 November 2026." in timeline
    assert "F-OLD" in timeline and "F-MSG" not in timeline


def test_the_statement_of_account_is_a_pdf_of_what_is_open(client, link):
    response = client.get(f"{link}statement.pdf?lang=en")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages).replace("\xa0", " ")
    assert "Statement of account" in text and "Jansen Bouw B.V." in text
    assert "F-OLD" in text and "F-MSG" in text and "F-PAID" not in text
    assert "€521.00" in text


def test_the_statement_of_a_wrong_token_answers_404(client):
    assert client.get("/p/" + "A" * 32 + "/statement.pdf").status_code == 404


def test_the_page_costs_the_same_queries_for_many_invoices_and_messages(
    client, link, debtor, django_assert_max_num_queries
):
    for _ in range(30):
        invoice = InvoiceFactory(debtor=debtor)
        reminder_with_invoices(debtor, invoices=[invoice], planned_date=TODAY - dt.timedelta(days=_ + 1))
    Reminder.objects.for_organization(debtor.organization).update(status=ReminderStatus.SENT)

    with django_assert_max_num_queries(8):
        assert client.get(link).status_code == 200
