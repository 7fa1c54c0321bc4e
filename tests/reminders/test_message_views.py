"""Everything sent is visible: the page of one message, its letter PDF, and the timeline that links to it."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import formats, translation
from pypdf import PdfReader

from invoices.models import DebtorKind
from outstanding.calendar import local_today
from outstanding.money import format_money
from reminders.models import CallOutcomeKind, Channel, Reminder, ReminderStatus, StepKind
from reminders.services import calls, letters
from tests.factories import TODAY, DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

MONDAY, WEDNESDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"  # the pages in English (the msgids)


def url(name: str, organization, *args: object) -> str:
    return reverse(name, args=[organization.public_id, *args])


def short(day: dt.date) -> str:
    with translation.override("en"):
        return formats.date_format(day, "SHORT_DATE_FORMAT")


def page(client, reminder: Reminder) -> str:
    response = client.get(url("reminder_detail", reminder.organization, reminder.public_id))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def debtor(org_a):
    return DebtorFactory(organization=org_a.organization, name="Jansen Bouw B.V.", emails=["boekhouding@jansen.test"])


@pytest.fixture
def email(make_reminder, debtor) -> Reminder:
    """An e-mail as dispatch records it once it went out, with a body that tries to inject HTML."""
    invoice = InvoiceFactory(debtor=debtor, number="F3001")
    return make_reminder(
        debtor,
        invoices=(invoice,),
        status=ReminderStatus.SENT,
        sent_date=TODAY,
        recipient="boekhouding@jansen.test",
        subject="Herinnering factuur F3001",
        body="Beste klant,\n<script>alert(1)</script> graag € 121,00 betalen.",
        error="",
    )


@pytest.fixture
def posted_letter(make_reminder, org_a) -> Reminder:
    """A 14-day letter printed on Monday and posted on Wednesday, through the real services."""
    consumer = DebtorFactory(organization=org_a.organization, kind=DebtorKind.CONSUMER, name="P. de Vries")
    reminder = make_reminder(consumer, invoices=(InvoiceFactory(debtor=consumer),), channel=Channel.LETTER)
    reminder.kind, reminder.planned_date = StepKind.FOURTEEN_DAY_LETTER, MONDAY
    reminder.save()
    reminder.items.update(step_kind=StepKind.FOURTEEN_DAY_LETTER, step_day=17)
    batch = letters.letter_batch_create(organization=org_a.organization, date=MONDAY)
    assert batch is not None
    letters.letter_batch_posted(batch=batch, user=org_a.member, posted_date=WEDNESDAY, today=TODAY)
    reminder.refresh_from_db()
    return reminder


@pytest.fixture
def logged_call(make_reminder, org_a, debtor) -> Reminder:
    reminder = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),), channel=Channel.PHONE)
    calls.call_outcome_log(
        organization=org_a.organization,
        debtor=debtor,
        today=TODAY,
        outcome=CallOutcomeKind.PROMISE,
        promised_date=dt.date(2026, 12, 4),
        note="Betaalt na de salarisbetaling.",
        user=org_a.member,
    )
    reminder.refresh_from_db()
    return reminder


# --- The message page -------------------------------------------------------------------------------


def test_the_page_shows_what_was_sent_to_whom_and_when(email, viewer_client) -> None:
    content = page(viewer_client, email)
    for expected in ("E-mail", "Reminder", "Sent", short(TODAY), "boekhouding@jansen.test"):
        assert expected in content, expected
    assert "Herinnering factuur F3001" in content
    assert "F3001" in content and format_money(Decimal("121.00"), "EUR", "en") in content


def test_the_body_is_shown_as_plain_escaped_text(email, viewer_client) -> None:
    content = page(viewer_client, email)
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content


def test_a_delivery_error_is_shown(email, viewer_client) -> None:
    email.status, email.error = ReminderStatus.NEEDS_ATTENTION, "recipient refused (SMTP 550)"
    email.save()
    content = page(viewer_client, email)
    assert "Needs attention" in content and "recipient refused (SMTP 550)" in content


def test_a_posted_letter_shows_its_legal_dates_and_the_costs_it_stated(posted_letter, viewer_client) -> None:
    content = page(viewer_client, posted_letter)
    for day in (
        posted_letter.sent_date,
        posted_letter.presumed_receipt_date,
        posted_letter.term_end_date,
        posted_letter.costs_chargeable_from,
    ):
        assert short(day) in content  # type: ignore[arg-type]
    assert posted_letter.sent_date == WEDNESDAY and posted_letter.collection_costs == Decimal("40.00")
    assert "Presumed receipt" in content and "Collection costs chargeable from" in content
    assert format_money(posted_letter.collection_costs, "EUR", "en") in content
    assert "Posted on" in content and "P. de Vries" in content


def test_a_letter_links_to_its_stored_pdf_through_the_app_and_never_the_media_folder(
    posted_letter, viewer_client, settings
) -> None:
    content = page(viewer_client, posted_letter)
    pdf_url = url("reminder_pdf", posted_letter.organization, posted_letter.public_id)
    assert pdf_url in content and settings.MEDIA_URL not in content
    response = viewer_client.get(pdf_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages)
    assert "P. de Vries" in text


def test_a_message_without_a_pdf_has_none_to_serve(email, viewer_client) -> None:
    assert viewer_client.get(url("reminder_pdf", email.organization, email.public_id)).status_code == 404


def test_a_logged_call_shows_its_outcome_promise_and_note(logged_call, viewer_client) -> None:
    content = page(viewer_client, logged_call)
    assert "Logged" in content and "Promise to pay" in content
    assert short(dt.date(2026, 12, 4)) in content and "Betaalt na de salarisbetaling." in content


def test_a_planned_message_says_its_text_is_not_fixed_yet(make_reminder, debtor, viewer_client) -> None:
    planned = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),))
    assert "Not sent yet" in page(viewer_client, planned)


# --- The timeline -----------------------------------------------------------------------------------


def test_the_debtor_timeline_links_every_message_and_shows_the_call(email, logged_call, debtor, viewer_client):
    content = viewer_client.get(url("debtor_detail", debtor.organization, debtor.public_id)).content.decode()
    for reminder in (email, logged_call):
        assert url("reminder_detail", debtor.organization, reminder.public_id) in content
    assert "Promise to pay" in content and "Betaalt na de salarisbetaling." in content
    assert short(dt.date(2026, 12, 4)) in content


def test_the_invoice_timeline_shows_the_legal_dates_inline(posted_letter, viewer_client) -> None:
    invoice = posted_letter.items.get().invoice
    content = viewer_client.get(url("invoice_detail", invoice.organization, invoice.public_id)).content.decode()
    assert url("reminder_detail", invoice.organization, posted_letter.public_id) in content
    assert f"presumed received {short(posted_letter.presumed_receipt_date)}" in content  # type: ignore[arg-type]
    assert f"term ends {short(posted_letter.term_end_date)}" in content  # type: ignore[arg-type]
    assert f"costs chargeable from {short(posted_letter.costs_chargeable_from)}" in content  # type: ignore[arg-type]


def test_the_timeline_shows_the_hold_on_the_debtor_and_the_invoice(email, debtor, viewer_client) -> None:
    debtor.is_paused, debtor.pause_reason, debtor.paused_until = True, "In gesprek over een regeling", None
    debtor.save()
    invoice = email.items.get().invoice
    until = local_today() + dt.timedelta(days=9)  # the page compares with the real today
    invoice.is_paused, invoice.pause_reason, invoice.paused_until = True, "Betwist", until
    invoice.save()
    content = viewer_client.get(url("invoice_detail", invoice.organization, invoice.public_id)).content.decode()
    assert "Invoice on hold" in content and "Betwist" in content and short(until) in content
    assert "Debtor on hold" in content and "In gesprek over een regeling" in content


def test_a_hold_that_ended_is_not_shown(email, debtor, viewer_client) -> None:
    debtor.is_paused, debtor.pause_reason, debtor.paused_until = True, "Vakantie", TODAY - dt.timedelta(days=30)
    debtor.save()
    content = viewer_client.get(url("debtor_detail", debtor.organization, debtor.public_id)).content.decode()
    assert "Debtor on hold" not in content


# --- Outsiders --------------------------------------------------------------------------------------


def test_an_outsider_gets_404_for_the_message_and_its_pdf(posted_letter, outsider_client) -> None:
    organization = posted_letter.organization
    for name in ("reminder_detail", "reminder_pdf"):
        assert outsider_client.get(url(name, organization, posted_letter.public_id)).status_code == 404


def test_another_organizations_message_answers_404_on_ones_own_pages(org_b, posted_letter, outsider_client) -> None:
    own = org_b.organization
    for name in ("reminder_detail", "reminder_pdf"):
        assert outsider_client.get(url(name, own, posted_letter.public_id)).status_code == 404


def test_the_reminders_overview_opens_each_message(email, viewer_client) -> None:
    content = viewer_client.get(url("reminder_overview", email.organization)).content.decode()
    assert url("reminder_detail", email.organization, email.public_id) in content
