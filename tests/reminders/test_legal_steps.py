"""Legal steps by e-mail count like posted ones, and the engine never goes past a legal step early."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from collection.legal import collection_costs_for_consumer_letter, fourteen_day_term, notice_of_default_term
from outstanding.calendar import local_today
from outstanding.services import organization_defaults_install
from reminders import engine
from reminders.models import Channel, DunningSettings, Flow, Reminder, ReminderItem, ReminderStatus, StepKind
from reminders.services import dispatch
from reminders.services.legal_dates import legal_dates_record
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def organization(org_a):  # type: ignore[no-untyped-def]
    organization_defaults_install(org_a.organization)
    DunningSettings.objects.for_organization(org_a.organization).update(dynamic_flows=False)
    return org_a.organization


def legal_dates(reminder: Reminder) -> tuple[dt.date | None, ...]:
    reminder.refresh_from_db()
    return reminder.sent_date, reminder.presumed_receipt_date, reminder.term_end_date, reminder.costs_chargeable_from


def planned(organization, kind: str, *, debtor_kind: str, channel: str = Channel.EMAIL) -> Reminder:  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization, kind=debtor_kind, emails=["klant@example.test"])
    invoice = InvoiceFactory(debtor=debtor, amount=Decimal("480.00"))
    reminder = Reminder.objects.for_organization(organization).create(
        organization=organization, debtor=debtor, channel=channel, kind=kind, tone="formal",
        planned_date=local_today(organization.time_zone), total_open_amount=invoice.open_amount,
    )  # fmt: skip
    ReminderItem.objects.for_organization(organization).create(
        organization=organization, reminder=reminder, invoice=invoice, step_kind=kind, step_day=17,
        channel=channel, open_amount=invoice.open_amount,
    )  # fmt: skip
    return reminder


def test_a_fourteen_day_letter_sent_by_email_records_its_legal_dates(smtp_sink, organization) -> None:  # type: ignore[no-untyped-def]
    reminder = planned(organization, StepKind.FOURTEEN_DAY_LETTER, debtor_kind="b2c")
    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT
    today = local_today(organization.time_zone)
    term = fourteen_day_term(today, "email")
    assert legal_dates(reminder) == (today, term.presumed_receipt_date, term.term_end, term.first_day_costs_chargeable)
    # the e-mail's own term wording and the costs it stated: 15 % of 480.00
    assert reminder.collection_costs == collection_costs_for_consumer_letter([Decimal("480.00")], on=today)
    assert reminder.collection_costs == Decimal("72.00")
    assert "bij u is bezorgd" in smtp_sink.received[0].message.get_body(("plain",)).get_content()


def test_a_notice_of_default_sent_by_email_records_its_term(smtp_sink, organization) -> None:  # type: ignore[no-untyped-def]
    DunningSettings.objects.for_organization(organization).update(payment_term_days_notice=10)
    reminder = planned(organization, StepKind.NOTICE_OF_DEFAULT, debtor_kind="b2b")
    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT
    today = local_today(organization.time_zone)
    term = notice_of_default_term(today, "email", 10)
    assert legal_dates(reminder) == (today, term.presumed_receipt_date, term.term_end, term.first_day_costs_chargeable)
    assert reminder.collection_costs is None


def test_a_plain_reminder_gets_only_its_sending_day(smtp_sink, organization) -> None:  # type: ignore[no-untyped-def]
    reminder = planned(organization, StepKind.REMINDER, debtor_kind="b2b")
    dispatch.reminder_send(reminder.pk)
    assert legal_dates(reminder) == (local_today(organization.time_zone), None, None, None)


def test_a_consumer_whose_14_day_letter_went_by_email_only_is_handed_over_after_the_term(organization) -> None:  # type: ignore[no-untyped-def]
    flow = Flow.objects.for_organization(organization).get(debtor_kind="b2c", variant="standard")
    flow.steps.filter(kind=StepKind.FOURTEEN_DAY_LETTER).update(channels=[Channel.EMAIL])
    consumer = DebtorFactory(organization=organization, kind="b2c")
    # Thursday 1 October 2026 is day +17: with three reminders behind it, the 14-day letter is next
    invoice = InvoiceFactory(debtor=consumer, issue_date=D(2026, 8, 15), due_date=D(2026, 9, 14))
    for day, step_day, channels in ((D(2026, 9, 14), -2, ["email"]), (D(2026, 9, 17), 3, ["email", "sms"]),
                                    (D(2026, 9, 24), 10, ["email", "sms"])):  # fmt: skip
        for channel in channels:
            sent = Reminder.objects.for_organization(organization).create(
                organization=organization, debtor=consumer, channel=channel, kind="reminder", planned_date=day,
                status=ReminderStatus.SENT, sent_date=day,
            )  # fmt: skip
            step = flow.steps.get(days_after_due=step_day)
            ReminderItem.objects.for_organization(organization).create(
                organization=organization, reminder=sent, invoice=invoice, step=step, step_kind="reminder",
                step_day=step_day, channel=channel, open_amount=invoice.open_amount,
            )  # fmt: skip
    letter_day = D(2026, 10, 1)
    [letter_id] = engine.plan(organization, letter_day).created_reminder_ids
    letter = Reminder.objects.for_organization(organization).get(pk=letter_id)
    assert (letter.kind, letter.channel) == (StepKind.FOURTEEN_DAY_LETTER, Channel.EMAIL)
    # sent as the e-mail channel records it: received the same Thursday, 14 days end Thursday 15 October
    letter.status = ReminderStatus.SENT
    letter.save(update_fields=["status"])
    legal_dates_record(reminder=letter, sent_date=letter_day, channel="email")
    assert legal_dates(letter)[1:] == (D(2026, 10, 1), D(2026, 10, 15), D(2026, 10, 16))
    # day +40 is Saturday 24 October: the hand-over goes on Monday the 26th, not before
    for day in (D(2026, 10, 15), D(2026, 10, 23)):
        assert engine.plan(organization, day, dry_run=True).messages == []
    [hand_over] = engine.plan(organization, D(2026, 10, 26), dry_run=True).messages
    assert hand_over.kind == StepKind.HAND_OVER


def test_a_fourteen_day_letter_not_yet_sent_holds_the_hand_over(organization) -> None:  # type: ignore[no-untyped-def]
    """Printed but not posted, or bounced: the term has not started, so nothing comes after it."""
    consumer = DebtorFactory(organization=organization, kind="b2c")
    invoice = InvoiceFactory(debtor=consumer, issue_date=D(2026, 1, 1), due_date=D(2026, 2, 1))
    for status in (ReminderStatus.PRINTED, ReminderStatus.NEEDS_ATTENTION):
        Reminder.objects.for_organization(organization).filter(debtor=consumer).delete()
        letter = Reminder.objects.for_organization(organization).create(
            organization=organization, debtor=consumer, channel="letter", kind=StepKind.FOURTEEN_DAY_LETTER,
            planned_date=D(2026, 3, 2), status=status,
        )  # fmt: skip
        ReminderItem.objects.for_organization(organization).create(
            organization=organization, reminder=letter, invoice=invoice, step_kind=StepKind.FOURTEEN_DAY_LETTER,
            step_day=17, channel="letter", open_amount=invoice.open_amount,
        )  # fmt: skip
        assert engine.plan(organization, D(2026, 6, 1), dry_run=True).messages == []
