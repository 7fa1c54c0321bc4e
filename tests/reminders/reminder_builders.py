"""Reminders with their invoices, built the way the engine writes them (for rendering and legal tests)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from invoices.models import Debtor, Invoice
from reminders.models import Channel, Reminder, ReminderItem, StepKind, Tone
from tests.factories import TODAY, InvoiceFactory


def reminder_with_invoices(
    debtor: Debtor,
    amounts: Sequence[str] = ("121.00",),
    *,
    kind: str = StepKind.REMINDER,
    tone: str = Tone.FRIENDLY,
    channel: str = Channel.EMAIL,
    planned_date: dt.date = TODAY,
    invoices: Sequence[Invoice] = (),
) -> Reminder:
    """One reminder to ``debtor`` listing new invoices of ``amounts`` (or the given ``invoices``)."""
    invoices = list(invoices) or [InvoiceFactory(debtor=debtor, amount=Decimal(amount)) for amount in amounts]
    reminder = Reminder.objects.create(
        organization=debtor.organization,
        debtor=debtor,
        channel=channel,
        kind=kind,
        tone=tone,
        planned_date=planned_date,
        language=debtor.language,
    )
    for invoice in invoices:
        ReminderItem.objects.create(
            organization=debtor.organization,
            reminder=reminder,
            invoice=invoice,
            step_kind=kind,
            step_day=(planned_date - invoice.due_date).days,
            channel=channel,
            open_amount=invoice.open_amount,
        )
    return reminder
