"""Building blocks for dossier tests: the reminders a dossier builds on, written as the dunning writes them."""

from __future__ import annotations

import datetime as dt

from invoices.models import Debtor, Invoice
from outstanding.models import Organization
from reminders.models import Reminder, ReminderItem, ReminderStatus, StepKind
from reminders.services.legal_dates import legal_dates_record


def sent_step(
    organization: Organization, debtor: Debtor, invoices: list[Invoice], *, kind: str, sent: dt.date,
    channel: str = "email",
) -> Reminder:  # fmt: skip
    """A reminder of ``kind`` about ``invoices`` that went out on ``sent``, with its legal dates stored."""
    reminder = Reminder.objects.for_organization(organization).create(
        organization=organization, debtor=debtor, channel=channel, kind=kind, planned_date=sent,
        status=ReminderStatus.SENT,
    )  # fmt: skip
    for invoice in invoices:
        ReminderItem.objects.for_organization(organization).create(
            organization=organization, reminder=reminder, invoice=invoice, step_kind=kind, step_day=30,
            channel=channel, open_amount=invoice.open_amount,
        )  # fmt: skip
    legal_dates_record(reminder=reminder, sent_date=sent, channel="post" if channel == "letter" else "email")
    return reminder


def fourteen_day_letter(organization: Organization, debtor: Debtor, invoices: list[Invoice], sent: dt.date) -> Reminder:
    return sent_step(organization, debtor, invoices, kind=StepKind.FOURTEEN_DAY_LETTER, sent=sent)


def hand_over(organization: Organization, debtor: Debtor, invoices: list[Invoice], sent: dt.date) -> Reminder:
    return sent_step(organization, debtor, invoices, kind=StepKind.HAND_OVER, sent=sent)
