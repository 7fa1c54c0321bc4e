"""Reads for letters: what waits to be printed, the print batches and their letters."""

from __future__ import annotations

import datetime as dt
import logging

from django.db.models import Count, Q, QuerySet

from outstanding.models import Organization
from reminders.models import Channel, LetterBatch, Reminder, ReminderStatus

logger = logging.getLogger(__name__)


def letters_waiting(*, organization: Organization, date: dt.date | None = None) -> QuerySet[Reminder]:
    """Planned letters not printed yet (up to ``date`` when given), in print order."""
    letters = Reminder.objects.for_organization(organization).filter(
        channel=Channel.LETTER, status=ReminderStatus.PLANNED, letter_batch__isnull=True
    )
    if date is not None:
        letters = letters.filter(planned_date__lte=date)
    # Registered letters first (they go to the post office counter), then by postal code for the sorting.
    return letters.select_related("debtor", "organization").order_by(
        "-registered", "debtor__country", "debtor__postal_code", "debtor__name", "pk"
    )


def letter_batches(*, organization: Organization) -> QuerySet[LetterBatch]:
    """Newest first, each with ``registered_count``: registered letters go to a post office counter."""
    return (
        LetterBatch.objects.for_organization(organization)
        .annotate(registered_count=Count("letters", filter=Q(letters__registered=True)))
        .order_by("-date", "-created_at")
    )


def letters_in_batch(*, batch: LetterBatch) -> QuerySet[Reminder]:
    return (
        Reminder.objects.for_organization(batch.organization)
        .filter(letter_batch=batch)
        .select_related("debtor")
        .order_by("-registered", "debtor__country", "debtor__postal_code", "debtor__name", "pk")
    )
