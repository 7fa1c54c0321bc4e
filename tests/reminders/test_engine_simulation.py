"""Sixty days of daily dunning runs on a fixture organization with a fixed clock.

The expected messages are worked out by hand from the default flows (reminders/defaults.py), the
ATW calendar of spring 2026 (Good Friday 3 April, Easter Monday 6 April, King's Day Monday 27 April,
Liberation Day 5 May, Ascension 14 May), the minimum of three days between two contacts, bundling,
pauses, a payment, and the 14-day letter's term (sent Thursday 16 April by post: presumed received
Saturday 18 April, term ends Monday 4 May, costs chargeable from Tuesday 5 May).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from invoices.models import Debtor, DebtorKind, Invoice
from invoices.services import payment_record
from outstanding.calendar import is_atw_holiday
from outstanding.services import organization_defaults_install
from reminders import engine
from reminders.models import DunningSettings, Reminder, ReminderStatus
from reminders.services.legal_dates import legal_dates_record
from tests.factories import DebtorFactory, InvoiceFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

START = dt.date(2026, 3, 23)  # a Monday
DAYS = 60
D = dt.date

R, N, F14, FIN, H = "reminder", "notice_of_default", "fourteen_day_letter", "final_notice", "hand_over"

EXPECTED = sorted([
    # A (business, two invoices due Thu 26 March, always bundled)
    (D(2026, 3, 23), "A", "email", R, ("A1", "A2")),  # day -3
    (D(2026, 3, 30), "A", "email", R, ("A1", "A2")),  # day +3 is Sunday 29 March
    (D(2026, 4, 7), "A", "email", R, ("A1", "A2")),  # day +10 is Easter Sunday, Monday is a holiday
    (D(2026, 4, 7), "A", "sms", R, ("A1", "A2")),
    (D(2026, 4, 13), "A", "email", N, ("A1", "A2")),  # day +17 is Sunday 12 April
    (D(2026, 4, 13), "A", "letter", N, ("A1", "A2")),
    # day +28 (23 April) waits for the notice's term: by e-mail received 13 April, 14 days end on King's
    # Day 27 April, so 28 April; by post received Wednesday 15 April, term ends 29 April: from 30 April
    (D(2026, 4, 30), "A", "email", FIN, ("A1", "A2")),
    (D(2026, 4, 30), "A", "phone", FIN, ("A1", "A2")),
    (D(2026, 5, 6), "A", "email", H, ("A1", "A2")),  # day +40 is 5 May: a holiday every year under the ATW
    # B (business, pays on 8 April and leaves the flow)
    (D(2026, 3, 30), "B", "email", R, ("B1",)),  # day -3 is Sunday 29 March
    (D(2026, 4, 7), "B", "email", R, ("B1",)),  # day +3 is Saturday 4 April
    # C (consumer: two invoices; the minimum gap spaces the contacts; one 14-day letter for both)
    (D(2026, 3, 30), "C", "email", R, ("C1",)),  # C1 day -2 is Saturday 28 March
    (D(2026, 4, 2), "C", "email", R, ("C1", "C2")),  # C2's day -2 (31 March) waited for the 3-day gap
    (D(2026, 4, 2), "C", "sms", R, ("C1",)),
    (D(2026, 4, 7), "C", "email", R, ("C2",)),  # C2 day +3 is Sunday 5 April, Monday a holiday
    (D(2026, 4, 7), "C", "sms", R, ("C2",)),
    (D(2026, 4, 10), "C", "email", R, ("C1",)),  # C1 day +10 (9 April) waited for the gap
    (D(2026, 4, 10), "C", "sms", R, ("C1",)),
    (D(2026, 4, 13), "C", "email", R, ("C2",)),  # C2 day +10 is Sunday 12 April
    (D(2026, 4, 13), "C", "sms", R, ("C2",)),
    (D(2026, 4, 16), "C", "letter", F14, ("C1", "C2")),  # C1 day +17: every overdue invoice in one letter
    (D(2026, 4, 16), "C", "email", F14, ("C1", "C2")),
    (D(2026, 5, 11), "C", "email", H, ("C1",)),  # C1 day +40 is Saturday 9 May; term ran out 4 May
    (D(2026, 5, 15), "C", "email", H, ("C2",)),  # C2 day +40 (12 May) waited for the gap; 14 May Ascension
    # D (business, invoice paused by a dispute until 20 April: resumes at the latest step its age reached)
    (D(2026, 4, 21), "D", "email", N, ("D1",)),
    (D(2026, 4, 21), "D", "letter", N, ("D1",)),
    # the notice's term: e-mail received 21 April, term ends on Liberation Day 5 May, so 6 May; letter
    # received Thursday 23 April, term ends 7 May. On 8 May its age has reached the hand-over: the final
    # notice, a plain step, is skipped (catching up skips plain steps, never a legal one)
    (D(2026, 5, 8), "D", "email", H, ("D1",)),
    # E (business, due Monday 6 April: day -3 is Good Friday, then the weekend and Easter Monday)
    (D(2026, 4, 7), "E", "email", R, ("E1",)),
    (D(2026, 4, 10), "E", "email", R, ("E1",)),  # day +3 (9 April) waited for the gap
    (D(2026, 4, 16), "E", "email", R, ("E1",)),
    (D(2026, 4, 16), "E", "sms", R, ("E1",)),
    (D(2026, 4, 23), "E", "email", N, ("E1",)),
    (D(2026, 4, 23), "E", "letter", N, ("E1",)),
    # day +28 (4 May) waits for the notice's term: the letter posted Thursday 23 April is received
    # Saturday 25 April, 14 days end Saturday 9 May, so Monday 11 May (ATW): from Tuesday 12 May
    (D(2026, 5, 12), "E", "email", FIN, ("E1",)),
    (D(2026, 5, 12), "E", "phone", FIN, ("E1",)),
    (D(2026, 5, 18), "E", "email", H, ("E1",)),  # day +40 is Saturday 16 May
])  # fmt: skip


@pytest.fixture
def organization():  # type: ignore[no-untyped-def]
    organization = OrganizationFactory()
    organization_defaults_install(organization)
    # Continue by age: the latest step an invoice's age reached (the gentle start has its own
    # simulation in test_go_live_simulation.py).
    DunningSettings.objects.for_organization(organization).update(dynamic_flows=False, backlog_start="by_age")
    return organization


def invoice(debtor: Debtor, number: str, due: dt.date, **fields: object) -> Invoice:
    return InvoiceFactory(debtor=debtor, number=number, issue_date=due - dt.timedelta(days=30), due_date=due, **fields)


@pytest.fixture
def ledger(organization):  # type: ignore[no-untyped-def]
    debtors = {
        name: DebtorFactory(organization=organization, name=name, kind=kind)
        for name, kind in (("A", "b2b"), ("B", "b2b"), ("C", "b2c"), ("D", "b2b"), ("E", "b2b"))
    }
    invoice(debtors["A"], "A1", D(2026, 3, 26))
    invoice(debtors["A"], "A2", D(2026, 3, 26), amount=Decimal("2500.00"))
    invoice(debtors["B"], "B1", D(2026, 4, 1))
    invoice(debtors["C"], "C1", D(2026, 3, 30), amount=Decimal("150.00"))
    invoice(debtors["C"], "C2", D(2026, 4, 2), amount=Decimal("200.00"))
    invoice(debtors["D"], "D1", D(2026, 3, 26), is_paused=True, pause_reason="dispute", paused_until=D(2026, 4, 20))
    invoice(debtors["E"], "E1", D(2026, 4, 6))
    assert debtors["C"].kind == DebtorKind.CONSUMER
    return debtors


def mark_sent(reminder_ids: list[int], today: dt.date) -> None:
    """Stand-in for the channels: every planned message goes out the same day (letters are posted
    that day); the legal dates are stored as posting and the e-mail channel store them."""
    for reminder in Reminder.unscoped.filter(pk__in=reminder_ids):
        reminder.status = ReminderStatus.SENT
        reminder.save(update_fields=["status"])
        legal_dates_record(
            reminder=reminder, sent_date=today, channel="post" if reminder.channel == "letter" else "email"
        )


def simulate(organization, ledger) -> list[tuple]:  # type: ignore[no-untyped-def]
    for offset in range(DAYS):
        today = START + dt.timedelta(days=offset)
        if today == D(2026, 4, 8):
            b1 = Invoice.objects.for_organization(organization).get(number="B1")
            payment_record(organization=organization, invoice=b1, amount=b1.amount, date=today)
        result = engine.plan(organization, today)
        mark_sent(result.created_reminder_ids, today)
    reminders = Reminder.objects.for_organization(organization).select_related("debtor").prefetch_related("items")
    return sorted(
        (
            reminder.planned_date, reminder.debtor.name, reminder.channel, reminder.kind,
            tuple(sorted(item.invoice.number for item in reminder.items.select_related("invoice"))),
        )
        for reminder in reminders
    )  # fmt: skip


def test_sixty_days_of_runs_produce_exactly_the_expected_messages(organization, ledger) -> None:  # type: ignore[no-untyped-def]
    assert simulate(organization, ledger) == EXPECTED


def test_nothing_is_planned_on_weekends_or_holidays_and_never_twice_a_day(organization, ledger) -> None:  # type: ignore[no-untyped-def]
    messages = simulate(organization, ledger)
    assert all(day.weekday() < 5 and not is_atw_holiday(day) for day, *_rest in messages)
    keys = [(day, debtor, channel) for day, debtor, channel, *_rest in messages]
    assert len(keys) == len(set(keys))


def test_a_second_run_on_the_same_day_creates_nothing(organization, ledger) -> None:  # type: ignore[no-untyped-def]
    first = engine.plan(organization, START)
    again = engine.plan(organization, START)
    assert first.created_reminder_ids and again.created_reminder_ids == []
    assert again.messages == []


def test_a_dry_run_tells_what_would_go_out_and_writes_nothing(organization, ledger) -> None:  # type: ignore[no-untyped-def]
    preview = engine.plan(organization, D(2026, 3, 30), dry_run=True)
    assert not Reminder.objects.for_organization(organization).exists()
    debtor_names = dict(Debtor.objects.for_organization(organization).values_list("pk", "name"))
    planned = sorted((debtor_names[m.debtor_id], m.channel, m.kind) for m in preview.messages)
    # A's day +3 and C1's day -2 and B1's day -3; A's day -3 was never sent, so only the latest step goes
    assert planned == [("A", "email", R), ("B", "email", R), ("C", "email", R)]
    assert preview.created_reminder_ids == []


def test_the_fourteen_day_letter_states_costs_on_the_sum_of_the_principals(organization, ledger) -> None:  # type: ignore[no-untyped-def]
    simulate(organization, ledger)
    letter = Reminder.objects.for_organization(organization).get(kind=F14, channel="letter")
    assert letter.total_open_amount == Decimal("350.00")  # 150.00 + 200.00 in one letter


def test_a_consumer_is_not_handed_over_before_the_term_has_run_out(organization, ledger) -> None:  # type: ignore[no-untyped-def]
    for offset in range(DAYS):
        today = START + dt.timedelta(days=offset)
        result = engine.plan(organization, today)
        # the letters are "sent" but their term is left unknown: hand-over must wait
        Reminder.unscoped.filter(pk__in=result.created_reminder_ids).update(status=ReminderStatus.SENT)
    handed_over = Reminder.objects.for_organization(organization).filter(debtor__name="C", kind=H)
    assert not handed_over.exists()


def test_a_non_sending_weekday_moves_the_step_to_the_next_allowed_day(organization, ledger) -> None:  # type: ignore[no-untyped-def]
    DunningSettings.objects.for_organization(organization).update(send_weekdays=[1, 3])  # Tuesday, Thursday
    assert engine.plan(organization, START).sending_day is False  # a Monday
    result = engine.plan(organization, START + dt.timedelta(days=1))
    assert result.sending_day and result.created_reminder_ids


def test_an_organization_wide_pause_sends_nothing_until_it_ends(organization, ledger) -> None:  # type: ignore[no-untyped-def]
    DunningSettings.objects.for_organization(organization).update(
        is_paused=True, pause_reason="holiday", paused_until=START + dt.timedelta(days=1)
    )
    assert engine.plan(organization, START).created_reminder_ids == []
    assert engine.plan(organization, START + dt.timedelta(days=2)).created_reminder_ids


def test_an_explicit_flow_of_the_wrong_kind_is_ignored(organization) -> None:  # type: ignore[no-untyped-def]
    """A debtor that became a consumer keeps the consumer flow (with its 14-day letter)."""
    from reminders.models import Flow

    business_firm = Flow.objects.for_organization(organization).get(debtor_kind="b2b", variant="firm")
    consumer = DebtorFactory(organization=organization, kind="b2c", flow=business_firm)
    invoice(consumer, "K1", START - dt.timedelta(days=1))
    result = engine.plan(organization, START)
    # the business "firm" flow would send an e-mail and an SMS in a firm tone on day +1; the consumer
    # flow's latest step due is its friendly e-mail of day -2
    assert [(m.channel, m.tone) for m in result.messages] == [("email", "friendly")]
