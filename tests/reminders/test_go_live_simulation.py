"""Ninety days after a go-live with a year of backlog, with a fixed clock.

A new organization imports a mixed backlog (businesses and consumers; invoices from 5 to 400 days
overdue, two not yet due, one paid halfway), switches reminders on on Monday 14 September 2026 and
lets the engine run every day. The expected messages are worked out by hand from the default
standard flows (reminders/services/defaults.py), the gentle start (every invoice with no earlier
message starts at its flow's first step; each later step follows the previous contact by the flow's
interval), the minimum of three days between two contacts, and the legal terms (DOMAIN.md §3: post is
received on the second delivery day after posting, no delivery on Sunday or Monday; e-mail on the
sending day; 14 days from receipt; the next step only from the day after the term). There are no
public holidays between 14 September and 12 December 2026.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from invoices.models import Debtor, Invoice
from invoices.services import payment_record
from outstanding.services import organization_defaults_install
from reminders import engine
from reminders.models import DunningSettings, Reminder, ReminderStatus
from reminders.rendering import render_reminder
from reminders.services.legal_dates import legal_dates_record
from tests.factories import DebtorFactory, InvoiceFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

D = dt.date
GO_LIVE = D(2026, 9, 14)  # a Monday
DAYS = 90
R, N, F14, FIN, H = "reminder", "notice_of_default", "fourteen_day_letter", "final_notice", "hand_over"

EXPECTED = sorted([
    # A, a business: A1 400 and A2 5 days overdue, no message ever; A3 due Sunday 25 October.
    (D(2026, 9, 14), "A", "email", R, ("A1", "A2")),  # the first step (day -3), whatever their age
    (D(2026, 9, 21), "A", "email", R, ("A1", "A2")),  # day +3: six days after day -3 is Sunday 20th
    (D(2026, 9, 28), "A", "email", R, ("A1", "A2")),  # day +10, seven days later
    (D(2026, 9, 28), "A", "sms", R, ("A1", "A2")),
    (D(2026, 10, 5), "A", "email", N, ("A1", "A2")),  # day +17
    (D(2026, 10, 5), "A", "letter", N, ("A1", "A2")),
    # the final notice is due 16 October, but the notice's term runs out first: by post received
    # Wednesday 7 October, 14 days end Wednesday 21 October
    (D(2026, 10, 22), "A", "email", FIN, ("A1", "A2")),
    (D(2026, 10, 22), "A", "phone", FIN, ("A1", "A2")),
    # A3's first reminder (day -3) was due on 22 October, but it is not yet due and that day's
    # message is a final notice: it waits, and the three-day gap makes it Monday 26 October
    (D(2026, 10, 26), "A", "email", R, ("A3",)),
    (D(2026, 11, 2), "A", "email", R, ("A3",)),  # day +3: six days later is Sunday 1 November
    (D(2026, 11, 5), "A", "email", H, ("A1", "A2")),  # due 3 November, after A3's message of the 2nd
    (D(2026, 11, 9), "A", "email", R, ("A3",)),
    (D(2026, 11, 9), "A", "sms", R, ("A3",)),
    (D(2026, 11, 16), "A", "email", N, ("A3",)),
    (D(2026, 11, 16), "A", "letter", N, ("A3",)),
    # due 27 November; the letter posted Monday 16 November is received Wednesday 18th, term ends 2 December
    (D(2026, 12, 3), "A", "email", FIN, ("A3",)),
    (D(2026, 12, 3), "A", "phone", FIN, ("A3",)),
    # (A3's hand-over, twelve days later, falls after the ninety days)
    # B, a business: B2 60 days overdue; B1 due Thursday 24 September
    (D(2026, 9, 14), "B", "email", R, ("B2",)),
    (D(2026, 9, 21), "B", "email", R, ("B1", "B2")),  # B1's day -3 and B2's day +3, one bundle
    (D(2026, 9, 28), "B", "email", R, ("B1", "B2")),
    (D(2026, 9, 28), "B", "sms", R, ("B2",)),
    # B2's notice of default; B1 (overdue, at its day +10 reminder) comes along as "also open"
    (D(2026, 10, 5), "B", "email", N, ("B1", "B2")),
    (D(2026, 10, 5), "B", "letter", N, ("B2",)),
    (D(2026, 10, 5), "B", "sms", R, ("B1",)),
    (D(2026, 10, 12), "B", "email", N, ("B1",)),
    (D(2026, 10, 12), "B", "letter", N, ("B1",)),
    (D(2026, 10, 22), "B", "email", FIN, ("B2",)),  # B2's notice term, as A's
    (D(2026, 10, 22), "B", "phone", FIN, ("B2",)),
    # B1's notice: the letter posted Monday 12 October is received on the 14th, term ends the 28th
    (D(2026, 10, 29), "B", "email", FIN, ("B1",)),
    (D(2026, 10, 29), "B", "phone", FIN, ("B1",)),
    (D(2026, 11, 3), "B", "email", H, ("B2",)),
    (D(2026, 11, 10), "B", "email", H, ("B1",)),
    # C, a consumer: C1 200 days overdue; C2 30 days overdue and paid halfway
    (D(2026, 9, 14), "C", "email", R, ("C1", "C2")),
    (D(2026, 9, 21), "C", "email", R, ("C1", "C2")),  # day +3: five days after day -2 is Saturday
    (D(2026, 9, 21), "C", "sms", R, ("C1", "C2")),
    (D(2026, 9, 28), "C", "email", R, ("C1", "C2")),
    (D(2026, 9, 28), "C", "sms", R, ("C1", "C2")),
    (D(2026, 10, 5), "C", "letter", F14, ("C1", "C2")),
    (D(2026, 10, 5), "C", "email", F14, ("C1", "C2")),
    (D(2026, 10, 28), "C", "email", H, ("C1", "C2")),  # 23 days later; the term ended 21 October
    # D, a consumer: D1 20 days overdue; D2 due Friday 9 October
    (D(2026, 9, 14), "D", "email", R, ("D1",)),
    (D(2026, 9, 21), "D", "email", R, ("D1",)),
    (D(2026, 9, 21), "D", "sms", R, ("D1",)),
    (D(2026, 9, 28), "D", "email", R, ("D1",)),
    (D(2026, 9, 28), "D", "sms", R, ("D1",)),
    (D(2026, 10, 5), "D", "letter", F14, ("D1",)),  # D2 is not overdue: not in the 14-day letter
    (D(2026, 10, 5), "D", "email", F14, ("D1",)),
    (D(2026, 10, 8), "D", "email", R, ("D2",)),  # day -2 (7 October) waited for the gap
    (D(2026, 10, 13), "D", "email", R, ("D2",)),
    (D(2026, 10, 13), "D", "sms", R, ("D2",)),
    (D(2026, 10, 20), "D", "email", R, ("D2",)),
    (D(2026, 10, 20), "D", "sms", R, ("D2",)),
    (D(2026, 10, 27), "D", "letter", F14, ("D2",)),
    (D(2026, 10, 27), "D", "email", F14, ("D2",)),
    (D(2026, 10, 30), "D", "email", H, ("D1",)),  # due 28 October, after D2's letter of the 27th
    # D2's letter posted Tuesday 27 October is received Thursday 29th; 23 days after it is 19 November
    (D(2026, 11, 19), "D", "email", H, ("D2",)),
])  # fmt: skip


@pytest.fixture
def organization():  # type: ignore[no-untyped-def]
    organization = OrganizationFactory(reminders_active=False)
    organization_defaults_install(organization)
    DunningSettings.objects.for_organization(organization).update(dynamic_flows=False)
    return organization


def invoice(debtor: Debtor, number: str, days_overdue: int, amount: str = "100.00") -> Invoice:
    due = GO_LIVE - dt.timedelta(days=days_overdue)
    return InvoiceFactory(
        debtor=debtor, number=number, issue_date=due - dt.timedelta(days=30), due_date=due, amount=Decimal(amount)
    )


@pytest.fixture
def backlog(organization):  # type: ignore[no-untyped-def]
    debtors = {
        name: DebtorFactory(organization=organization, name=name, kind=kind)
        for name, kind in (("A", "b2b"), ("B", "b2b"), ("C", "b2c"), ("D", "b2c"))
    }
    invoice(debtors["A"], "A1", 400)
    invoice(debtors["A"], "A2", 5)
    invoice(debtors["A"], "A3", -41)  # due Sunday 25 October
    invoice(debtors["B"], "B1", -10)  # due Thursday 24 September
    invoice(debtors["B"], "B2", 60)
    invoice(debtors["C"], "C1", 200, "250.00")
    c2 = invoice(debtors["C"], "C2", 30, "300.00")
    payment_record(organization=organization, invoice=c2, amount=Decimal("150.00"), date=GO_LIVE - dt.timedelta(days=9))
    invoice(debtors["D"], "D1", 20)
    invoice(debtors["D"], "D2", -25)  # due Friday 9 October
    return debtors


def send_all(reminder_ids: list[int], today: dt.date) -> None:
    """Stand-in for the channels: every planned message goes out that day, letters are posted that
    day; the legal dates are recorded as posting and the e-mail channel record them."""
    for reminder in Reminder.unscoped.filter(pk__in=reminder_ids):
        reminder.status = ReminderStatus.SENT
        reminder.save(update_fields=["status"])
        legal_dates_record(
            reminder=reminder, sent_date=today, channel="post" if reminder.channel == "letter" else "email"
        )


def go_live_and_run(organization) -> None:  # type: ignore[no-untyped-def]
    # Before going live nothing is planned, however overdue the backlog.
    assert engine.plan(organization, GO_LIVE - dt.timedelta(days=3)).created_reminder_ids == []
    assert not Reminder.objects.for_organization(organization).exists()
    DunningSettings.objects.for_organization(organization).update(reminders_active=True)
    for offset in range(DAYS):
        today = GO_LIVE + dt.timedelta(days=offset)
        send_all(engine.plan(organization, today).created_reminder_ids, today)


def messages(organization) -> list[tuple]:  # type: ignore[no-untyped-def]
    reminders = Reminder.objects.for_organization(organization).select_related("debtor")
    return sorted(
        (
            reminder.planned_date, reminder.debtor.name, reminder.channel, reminder.kind,
            tuple(sorted(item.invoice.number for item in reminder.items.select_related("invoice"))),
        )
        for reminder in reminders
    )  # fmt: skip


@pytest.fixture
def simulated(organization, backlog):  # type: ignore[no-untyped-def]
    go_live_and_run(organization)
    return organization


def test_ninety_days_after_go_live_produce_exactly_the_expected_messages(simulated) -> None:  # type: ignore[no-untyped-def]
    assert messages(simulated) == EXPECTED


def test_every_debtors_first_message_is_a_friendly_reminder(simulated) -> None:  # type: ignore[no-untyped-def]
    reminders = Reminder.objects.for_organization(simulated).select_related("debtor").order_by("planned_date", "id")
    first: dict[str, Reminder] = {}
    for reminder in reminders:
        first.setdefault(reminder.debtor.name, reminder)
    assert {name: (r.kind, r.tone) for name, r in first.items()} == dict.fromkeys("ABCD", (R, "friendly"))


def test_every_hand_over_follows_the_legal_step_of_the_debtors_kind_after_its_term(simulated) -> None:  # type: ignore[no-untyped-def]
    reminders = Reminder.objects.for_organization(simulated).select_related("debtor").prefetch_related("items")
    hand_overs = [reminder for reminder in reminders if reminder.kind == H]
    assert len(hand_overs) == 6
    for hand_over in hand_overs:
        legal_kind = F14 if hand_over.debtor.kind == "b2c" else N
        for item in hand_over.items.all():
            legal = [
                reminder
                for reminder in reminders
                if reminder.kind == legal_kind and item.invoice_id in {i.invoice_id for i in reminder.items.all()}
            ]
            assert legal, (hand_over, item.invoice_id)
            assert all(
                r.status == ReminderStatus.SENT and r.costs_chargeable_from <= hand_over.planned_date for r in legal
            )


def test_the_texts_tell_the_truth_about_history_and_keep_severities_apart(simulated) -> None:  # type: ignore[no-untyped-def]
    reminders = Reminder.objects.for_organization(simulated)
    first = reminders.get(debtor__name="A", planned_date=GO_LIVE, channel="email")
    first_text = render_reminder(first, today=first.planned_date).text
    assert "Ondanks" not in first_text and "eerder" not in first_text
    # B's notice of default on 5 October is about B2; B1 is listed apart, as also open
    notice = reminders.get(debtor__name="B", planned_date=D(2026, 10, 5), channel="email")
    message = render_reminder(notice, today=notice.planned_date)
    demanded, rest = message.text.split("Daarnaast staat nog open")
    also_open = rest.split("Totaal verder openstaand")[0]
    assert "B2" in demanded and "B1" not in demanded
    assert "B1" in also_open and "B2" not in also_open
    # three e-mails about B2 went out before (14, 21 and 28 September)
    assert "herinneringen" in message.text and "28 september 2026" in message.text
    assert [invoice["number"] for invoice in message.context["invoices"]] == ["B2"]


def test_the_fourteen_day_letter_states_costs_on_the_open_sum_and_its_dates(simulated) -> None:  # type: ignore[no-untyped-def]
    letter = Reminder.objects.for_organization(simulated).get(debtor__name="C", kind=F14, channel="letter")
    # 250.00 + the 150.00 still open on C2: 15 % of 400.00 (DOMAIN.md §2)
    assert letter.collection_costs == Decimal("60.00")
    assert (letter.sent_date, letter.presumed_receipt_date, letter.term_end_date, letter.costs_chargeable_from) == (
        D(2026, 10, 5), D(2026, 10, 7), D(2026, 10, 21), D(2026, 10, 22)
    )  # fmt: skip


def test_continue_by_age_catches_up_but_never_skips_a_legal_step(organization, backlog) -> None:  # type: ignore[no-untyped-def]
    DunningSettings.objects.for_organization(organization).update(backlog_start="by_age")
    go_live_and_run(organization)
    on_go_live = {(name, channel, kind) for day, name, channel, kind, _ in messages(organization) if day == GO_LIVE}
    # A1 (400 days) is past its hand-over day, but its first message is the notice of default
    assert ("A", "email", N) in on_go_live and ("A", "letter", N) in on_go_live
    assert ("C", "letter", F14) in on_go_live  # a consumer's 14-day letter, never skipped
    assert not any(kind in (FIN, H) for _, _, kind in on_go_live)
    hand_overs = [(day, name) for day, name, channel, kind, _ in messages(organization) if kind == H]
    # A's notice by post on Monday 14 September is received Wednesday 16th; its term ends 30 September
    assert (D(2026, 10, 1), "A") in hand_overs
