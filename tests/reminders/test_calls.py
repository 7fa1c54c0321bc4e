"""The call list: which phone reminders are on it, what each logged outcome does, and the CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from invoices.models import InvoiceStatus
from reminders import engine
from reminders.models import CallOutcome, CallOutcomeKind, Channel, Reminder, ReminderStatus
from reminders.selectors import calls as call_selectors
from reminders.services import calls
from reminders.services.defaults import organization_defaults_create
from tests.factories import TODAY, DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

YESTERDAY, TOMORROW = TODAY - dt.timedelta(days=1), TODAY + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages and CSV headers in English (the msgids); the Dutch catalogue is checked elsewhere."""
    with translation.override("en"):
        yield


@pytest.fixture
def debtor(org_a):
    return DebtorFactory(
        organization=org_a.organization, name="Bakkerij de Vries", phones=["+31201234567", "0612345678"]
    )


@pytest.fixture
def call(make_reminder, debtor) -> Reminder:
    invoices = (
        InvoiceFactory(debtor=debtor, number="F2001", amount=Decimal("1500.00")),
        InvoiceFactory(debtor=debtor, number="F2002", amount=Decimal("250.50")),
    )
    return make_reminder(debtor, invoices=invoices, channel=Channel.PHONE)


def stored(organization, message: str) -> str:
    """A text the service keeps for a person to read: in the organization's language, not the request's."""
    with translation.override(organization.default_language):
        return translation.gettext(message)


def phone_call(make_reminder, debtor, *invoices, planned_date: dt.date = TODAY, **fields: object) -> Reminder:
    reminder = make_reminder(
        debtor, invoices=invoices or (InvoiceFactory(debtor=debtor),), channel=Channel.PHONE, **fields
    )
    reminder.planned_date = planned_date
    reminder.save()
    return reminder


def log(org_a, debtor, outcome: str, **kwargs: Any) -> list[CallOutcome]:
    return calls.call_outcome_log(
        organization=org_a.organization, debtor=debtor, today=TODAY, outcome=outcome, user=org_a.member, **kwargs
    )


def reload(reminder: Reminder) -> Reminder:
    reminder.refresh_from_db()
    return reminder


# --- The list ---------------------------------------------------------------------------------------


def test_the_list_holds_only_todays_due_phone_calls_of_this_organization(make_reminder, org_a, org_b) -> None:
    def phone(organization, name: str, planned_date: dt.date = TODAY, **fields: object) -> Reminder:
        debtor = DebtorFactory(organization=organization, name=name)
        return phone_call(make_reminder, debtor, planned_date=planned_date, **fields)

    phone(org_a.organization, "Vandaag")
    phone(org_a.organization, "Gisteren", planned_date=YESTERDAY)
    phone(org_a.organization, "Morgen", planned_date=TOMORROW)
    phone(org_a.organization, "Al gebeld", status=ReminderStatus.SENT)
    phone(org_a.organization, "Aandacht", status=ReminderStatus.NEEDS_ATTENTION)
    phone(org_b.organization, "Andere organisatie")
    email_debtor = DebtorFactory(organization=org_a.organization, name="E-mail")
    make_reminder(email_debtor, invoices=(InvoiceFactory(debtor=email_debtor),), channel=Channel.EMAIL)
    tasks = call_selectors.call_list(organization=org_a.organization, today=TODAY)
    assert [task.debtor.name for task in tasks] == ["Gisteren", "Vandaag"]


def test_a_debtor_is_called_once_for_all_their_calls(make_reminder, debtor) -> None:
    older = InvoiceFactory(debtor=debtor, number="F1999", amount=Decimal("10.00"))
    phone_call(make_reminder, debtor, older, planned_date=YESTERDAY)
    phone_call(
        make_reminder,
        debtor,
        InvoiceFactory(debtor=debtor, number="F2001", amount=Decimal("1500.00")),
        InvoiceFactory(debtor=debtor, number="F2002", amount=Decimal("250.50")),
    )
    [task] = call_selectors.call_list(organization=debtor.organization, today=TODAY)
    assert len(task.reminders) == 2 and task.planned_date == YESTERDAY
    assert [invoice.number for invoice in task.invoices] == ["F1999", "F2001", "F2002"]
    assert task.total == Decimal("1760.50")


def test_an_invoice_paid_since_planning_is_not_on_the_list(call, debtor) -> None:
    paid = call.items.get(invoice__number="F2002").invoice
    paid.open_amount, paid.status = Decimal("0.00"), InvoiceStatus.PAID
    paid.save()
    [task] = call_selectors.call_list(organization=debtor.organization, today=TODAY)
    assert [invoice.number for invoice in task.invoices] == ["F2001"] and task.total == Decimal("1500.00")


def test_each_call_comes_with_its_script(call, debtor) -> None:
    [task] = call_selectors.call_list(organization=debtor.organization, today=TODAY)
    [script] = task.scripts
    assert "F2001" in script and "1.750,50" in script


# --- Outcomes ---------------------------------------------------------------------------------------


def test_reaching_the_debtor_marks_the_call_made(org_a, call, debtor) -> None:
    [outcome] = log(org_a, debtor, CallOutcomeKind.REACHED, note="Betaalt vandaag.")
    assert outcome.reminder == call and outcome.created_by == org_a.member and outcome.note == "Betaalt vandaag."
    call = reload(call)
    assert call.status == ReminderStatus.LOGGED and call.sent_at is not None and call.sent_date == TODAY
    assert call.recipient == "+31201234567, 0612345678" and call.body == "Betaalt vandaag."
    assert call_selectors.call_list(organization=org_a.organization, today=TODAY) == []


def test_a_promise_pauses_the_debtors_open_invoices_until_that_day(org_a, call, debtor) -> None:
    disputed = InvoiceFactory(debtor=debtor, is_paused=True, pause_reason="disputed")
    paid = InvoiceFactory(debtor=debtor, status=InvoiceStatus.PAID)
    promised = dt.date(2026, 12, 10)
    [outcome] = log(org_a, debtor, CallOutcomeKind.PROMISE, promised_date=promised)
    assert outcome.promised_date == promised
    assert reload(call).status == ReminderStatus.LOGGED
    reason = stored(org_a.organization, calls.PROMISE_PAUSE_REASON)
    for item in call.items.all():
        invoice = item.invoice
        invoice.refresh_from_db()
        assert invoice.is_paused and invoice.pause_reason == reason and invoice.paused_until == promised
    disputed.refresh_from_db()
    paid.refresh_from_db()
    assert disputed.pause_reason == "disputed" and disputed.paused_until is None
    assert not paid.is_paused


def test_the_engine_waits_for_a_promised_payment_and_resumes_the_day_after(org_a, call, debtor) -> None:
    organization_defaults_create(org_a.organization)
    # Thursday 3 December: the flow's next step (day +10) follows the call (day +3, 26 November) by
    # seven days; the day after is a sending day too
    promised = dt.date(2026, 12, 3)

    def planned_for(day: dt.date) -> bool:
        messages = engine.plan(org_a.organization, day, dry_run=True).messages
        return any(message.debtor_id == debtor.pk for message in messages)

    assert planned_for(promised)  # without the promise the flow goes on
    log(org_a, debtor, CallOutcomeKind.PROMISE, promised_date=promised)
    assert not planned_for(promised)
    assert planned_for(promised + dt.timedelta(days=1))


@pytest.mark.parametrize(
    ("promised_date", "message"),
    [(None, "Give the date"), (YESTERDAY, "in the past"), (TODAY + dt.timedelta(days=400), "arrangement")],
)
def test_a_promise_needs_a_sensible_date_and_changes_nothing_without_one(org_a, call, debtor, promised_date, message):
    with pytest.raises(ValidationError, match=message):
        log(org_a, debtor, CallOutcomeKind.PROMISE, promised_date=promised_date)
    assert reload(call).status == ReminderStatus.PLANNED
    assert not CallOutcome.objects.for_organization(org_a.organization).exists()
    assert not any(item.invoice.is_paused for item in call.items.select_related("invoice"))


def test_no_answer_keeps_the_call_on_the_list(org_a, call, debtor) -> None:
    log(org_a, debtor, CallOutcomeKind.NO_ANSWER)
    call = reload(call)
    assert call.status == ReminderStatus.PLANNED and call.attempts == 1
    [task] = call_selectors.call_list(organization=org_a.organization, today=TODAY)
    assert task.unanswered == 1 and task.last_outcome.outcome == CallOutcomeKind.NO_ANSWER  # type: ignore[union-attr]


def test_the_third_unanswered_call_needs_a_person(org_a, call, debtor) -> None:
    for _ in range(call_selectors.MAX_UNANSWERED_CALLS - 1):
        log(org_a, debtor, CallOutcomeKind.NO_ANSWER)
    assert reload(call).status == ReminderStatus.PLANNED
    log(org_a, debtor, CallOutcomeKind.NO_ANSWER)
    call = reload(call)
    expected = stored(org_a.organization, calls.NO_ANSWER_ERROR) % {"count": 3}
    assert call.status == ReminderStatus.NEEDS_ATTENTION and call.error == expected
    assert call_selectors.call_list(organization=org_a.organization, today=TODAY) == []


def test_a_wrong_number_needs_a_person_and_is_noted_on_the_debtor(org_a, call, debtor) -> None:
    debtor.notes = "Klant sinds 2019."
    debtor.save()
    log(org_a, debtor, CallOutcomeKind.WRONG_NUMBER, note="Nummer bestaat niet.")
    call = reload(call)
    assert call.status == ReminderStatus.NEEDS_ATTENTION and call.error == stored(
        org_a.organization, calls.WRONG_NUMBER_ERROR
    )
    debtor.refresh_from_db()
    flag = stored(org_a.organization, "%(date)s: phone number %(phones)s reported wrong on the call list.") % {
        "date": "2026-11-26",
        "phones": "+31201234567, 0612345678",
    }
    assert debtor.notes == f"Klant sinds 2019.\n{flag}"


def test_a_second_outcome_for_a_call_already_logged_is_refused(org_a, call, debtor) -> None:
    log(org_a, debtor, CallOutcomeKind.REACHED)
    with pytest.raises(ValidationError, match="no call to log"):
        log(org_a, debtor, CallOutcomeKind.NO_ANSWER)
    assert CallOutcome.objects.for_organization(org_a.organization).count() == 1


def test_a_call_planned_for_tomorrow_cannot_be_logged_today(org_a, make_reminder, debtor) -> None:
    phone_call(make_reminder, debtor, planned_date=TOMORROW)
    with pytest.raises(ValidationError):
        log(org_a, debtor, CallOutcomeKind.REACHED)


def test_an_unknown_outcome_or_a_long_note_is_refused(org_a, call, debtor) -> None:
    with pytest.raises(ValidationError):
        log(org_a, debtor, "hung_up")
    with pytest.raises(ValidationError):
        log(org_a, debtor, CallOutcomeKind.REACHED, note="x" * (calls.NOTE_MAX_LENGTH + 1))
    assert reload(call).status == ReminderStatus.PLANNED


def test_a_logged_call_covers_every_call_of_that_debtor_on_the_list(org_a, make_reminder, debtor) -> None:
    older = phone_call(make_reminder, debtor, planned_date=YESTERDAY)
    call = phone_call(make_reminder, debtor)
    outcomes = log(org_a, debtor, CallOutcomeKind.REACHED)
    assert {outcome.reminder for outcome in outcomes} == {call, older}
    assert reload(older).status == reload(call).status == ReminderStatus.LOGGED


# --- CSV export -------------------------------------------------------------------------------------


def rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM that tells Excel it is UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_the_csv_has_one_row_per_debtor_in_dutch_excel_format(org_a, call, debtor) -> None:
    data = call_selectors.call_list_csv(call_selectors.call_list(organization=org_a.organization, today=TODAY))
    header, row = rows(data)
    assert header[:5] == ["Debtor", "Phone numbers", "Invoices", "Open", "Planned for"]
    assert row[:6] == ["Bakkerij de Vries", "+31201234567, 0612345678", "F2001, F2002", "1750,50", "26-11-2026", "0"]
    assert "F2001" in row[6]  # the script
    assert b";" in data.splitlines()[0] and data.endswith(b"\r\n")


def test_the_csv_neutralises_cells_a_spreadsheet_would_run_as_a_formula(org_a, make_reminder) -> None:
    debtor = DebtorFactory(
        organization=org_a.organization, name='=HYPERLINK("http://evil.test","klik")', phones=["+31 6 1234 5678"]
    )
    make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),), channel=Channel.PHONE)
    _header, row = rows(
        call_selectors.call_list_csv(call_selectors.call_list(organization=org_a.organization, today=TODAY))
    )
    assert row[0] == """'=HYPERLINK("http://evil.test","klik")"""
    assert row[1] == "+31 6 1234 5678"  # a phone number stays as it is


def test_an_empty_list_exports_only_the_header(org_a) -> None:
    assert len(rows(call_selectors.call_list_csv([]))) == 1


def test_stored_texts_follow_the_organizations_language_not_the_request(org_a, call, debtor) -> None:
    org_a.organization.default_language = "en"
    org_a.organization.save()
    log(org_a, debtor, CallOutcomeKind.PROMISE, promised_date=TOMORROW)
    invoice = call.items.first().invoice  # type: ignore[union-attr]
    invoice.refresh_from_db()
    assert invoice.pause_reason == "payment promised"
    assert reload(call).subject == "Promise to pay"


def test_a_logged_call_is_logged_not_sent_and_no_longer_planned(org_a, call, debtor) -> None:
    log(org_a, debtor, CallOutcomeKind.REACHED)
    assert not Reminder.objects.for_organization(org_a.organization).filter(status=ReminderStatus.SENT).exists()
    assert call_selectors.calls_due(organization=org_a.organization, today=TODAY).count() == 0
