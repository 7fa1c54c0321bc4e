"""Reads for the reminders pages: timelines, what needs attention, the week ahead."""

from __future__ import annotations

import uuid

from django.db.models import Prefetch, QuerySet

from invoices.models import Debtor, Invoice
from outstanding.models import Organization
from reminders.models import CallOutcome, Reminder, ReminderItem, ReminderStatus

ATTENTION = (ReminderStatus.NEEDS_ATTENTION, ReminderStatus.FAILED)


def reminder_list(
    *, organization: Organization, status: str = "", channel: str = "", debtor: Debtor | None = None,
    invoice: Invoice | None = None,
) -> QuerySet[Reminder]:  # fmt: skip
    """Reminders newest first, with their debtor and invoices (two queries, whatever the page size)."""
    reminders = Reminder.objects.for_organization(organization).select_related("debtor")
    if status == "attention":
        reminders = reminders.filter(status__in=ATTENTION)
    elif status in ReminderStatus.values:
        reminders = reminders.filter(status=status)
    if channel:
        reminders = reminders.filter(channel=channel)
    if debtor is not None:
        reminders = reminders.filter(debtor=debtor)
    if invoice is not None:
        reminders = reminders.filter(items__invoice=invoice)
    items = ReminderItem.objects.for_organization(organization).select_related("invoice").order_by("invoice__number")
    return reminders.prefetch_related(Prefetch("items", queryset=items)).order_by("-planned_date", "-id")


def attention_count(*, organization: Organization) -> int:
    return Reminder.objects.for_organization(organization).filter(status__in=ATTENTION).count()


def reminder_timeline(
    *, organization: Organization, debtor: Debtor | None = None, invoice: Invoice | None = None
) -> QuerySet[Reminder]:
    """The messages about a debtor or an invoice, newest first, each with its invoices and call outcomes."""
    outcomes = CallOutcome.objects.for_organization(organization).order_by("-created_at")
    return reminder_list(organization=organization, debtor=debtor, invoice=invoice).prefetch_related(
        Prefetch("call_outcomes", queryset=outcomes)
    )


def reminder_detail(*, organization: Organization, reminder_id: uuid.UUID | str) -> Reminder:
    """One message of ``organization`` with all it showed; raises ``Reminder.DoesNotExist`` for any other."""
    items = (
        ReminderItem.objects.for_organization(organization)
        .select_related("invoice")
        .order_by("invoice__due_date", "invoice__number")
    )
    outcomes = CallOutcome.objects.for_organization(organization).select_related("created_by").order_by("-created_at")
    return (
        Reminder.objects.for_organization(organization)
        .select_related("debtor", "letter_batch")
        .prefetch_related(Prefetch("items", queryset=items), Prefetch("call_outcomes", queryset=outcomes))
        .get(public_id=reminder_id)
    )
