"""The daily print batch: every planned letter of an organization as one PDF to print and post.

:func:`letter_batch_create` runs each morning after the dunning run (beat, ``reminders.tasks``) and on
demand from the letters page. It takes every planned letter up to the day that is not in a batch yet,
prints them as one document (one page break per letter), stores it on a :class:`LetterBatch` and marks
the letters sent on that day. A 14-day letter (veertiendagenbrief) gets its legal dates recorded with
the batch's date as the day of posting. Under a per-organization lock: two runs never print the same
letter twice, and a second run with nothing new creates nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoices.models import InvoiceStatus
from outstanding.models import Organization
from reminders.channels import letter as layout
from reminders.models import Channel, LetterBatch, Reminder, ReminderStatus, StepKind
from reminders.rendering import RenderedMessage, render_reminder
from reminders.selectors.letters import letters_waiting
from reminders.services.legal_dates import legal_dates_record

logger = logging.getLogger(__name__)


LETTER_BATCH_LOCK_NAMESPACE = 7_302  # pg_advisory_xact_lock(namespace, organization id); dunning uses 7_301


NO_ADDRESS_ERROR = "The debtor has no complete postal address (street, postal code and city); add it and retry."


NOTHING_OPEN_ERROR = "Every invoice in this letter was paid or closed before it was printed."


@dataclass(frozen=True)
class _Printable:
    reminder: Reminder
    message: RenderedMessage
    letter: layout.Letter


def letter_batch_create(*, organization: Organization, date: dt.date) -> LetterBatch | None:
    """Print every planned letter of ``organization`` up to ``date`` as one batch; None when there is none.

    A letter that cannot be printed (no postal address, nothing open any more, its text fails to
    render) is left out and marked for a person's attention with the reason; the rest go out. The letters
    are rendered with ``date`` as their day, the date they carry.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LETTER_BATCH_LOCK_NAMESPACE, organization.pk])
        printable = [
            item
            for reminder in letters_waiting(organization=organization, date=date).select_for_update(of=("self",))
            if (item := _prepare(reminder, date)) is not None
        ]
        if not printable:
            return None
        pdf = layout.letters_pdf([item.letter for item in printable], organization=organization)
        batch = LetterBatch(organization=organization, date=date, letter_count=len(printable))
        batch.pdf.save(f"letters-{date.isoformat()}.pdf", ContentFile(pdf), save=False)
        batch.save()
        for item in printable:
            _mark_sent(item, batch, date)
    logger.info(
        "letters.batch_created", extra={"organization": organization.pk, "batch": batch.pk, "letters": len(printable)}
    )
    return batch


def _prepare(reminder: Reminder, date: dt.date) -> _Printable | None:
    if not layout.has_postal_address(reminder.debtor):
        _needs_attention(reminder, NO_ADDRESS_ERROR)
        return None
    if not _has_open_invoices(reminder):
        reminder.status = ReminderStatus.CANCELLED
        reminder.error = NOTHING_OPEN_ERROR
        reminder.save(update_fields=["status", "error", "updated_at"])
        return None
    try:
        with transaction.atomic():  # a savepoint: a database error here must not break the batch's transaction
            message = render_reminder(reminder, today=date)
            letter = layout.letter_build(reminder=reminder, message=message, date=date)
    except Exception as exc:  # one broken template must not stop the other letters
        logger.exception("letters.render_failed", extra={"reminder": reminder.pk})
        _needs_attention(reminder, f"The letter could not be rendered: {type(exc).__name__}: {exc}")
        return None
    return _Printable(reminder, message, letter)


def _has_open_invoices(reminder: Reminder) -> bool:
    return reminder.items.filter(invoice__status=InvoiceStatus.OPEN, invoice__open_amount__gt=0).exists()


def _needs_attention(reminder: Reminder, error: str) -> None:
    reminder.status = ReminderStatus.NEEDS_ATTENTION
    reminder.error = error[:2000]
    reminder.save(update_fields=["status", "error", "updated_at"])
    logger.warning("letters.needs_attention", extra={"reminder": reminder.pk})


def _mark_sent(item: _Printable, batch: LetterBatch, date: dt.date) -> None:
    reminder = item.reminder
    reminder.status = ReminderStatus.SENT
    reminder.sent_at = timezone.now()
    reminder.letter_batch = batch
    reminder.recipient = ", ".join(item.letter.address_lines)[:300]
    reminder.subject = item.message.subject[:300]
    reminder.body = item.message.text
    reminder.total_open_amount = item.letter.total_amount  # what the printed letter asks for
    reminder.error = ""
    reminder.save(
        update_fields=[
            "status",
            "sent_at",
            "letter_batch",
            "recipient",
            "subject",
            "body",
            "total_open_amount",
            "error",
            "updated_at",
        ]
    )
    if reminder.kind == StepKind.FOURTEEN_DAY_LETTER:
        # The batch's date is the day of posting: presumed receipt and the cost date count from it.
        legal_dates_record(
            reminder=reminder, sent_date=date, channel="post", collection_costs=item.message.collection_costs
        )


def letter_registered_set(*, reminder: Reminder, registered: bool) -> Reminder:
    """Send a planned letter as registered mail (aangetekend), or not; only before it is printed."""
    if reminder.channel != Channel.LETTER:
        raise ValidationError(_("Only letters can be sent as registered mail."))
    if reminder.status != ReminderStatus.PLANNED or reminder.letter_batch_id is not None:
        raise ValidationError(_("This letter has been printed already; registered mail can no longer be changed."))
    if reminder.registered != registered:
        reminder.registered = registered
        reminder.save(update_fields=["registered", "updated_at"])
    return reminder


def letter_batch_downloaded(*, batch: LetterBatch) -> LetterBatch:
    """Remember the first download: the list shows which batches still need printing."""
    if batch.downloaded_at is None:
        batch.downloaded_at = timezone.now()
        batch.save(update_fields=["downloaded_at"])
    return batch


def letter_preview_pdf(*, reminder: Reminder, date: dt.date) -> bytes:
    """One letter as it would be printed on ``date`` (dated the batch's day once it is in one)."""
    if reminder.channel != Channel.LETTER:
        raise ValidationError(_("Only letters have a printed version."))
    if reminder.letter_batch is not None:
        date = reminder.letter_batch.date
    letter = layout.letter_build(reminder=reminder, message=render_reminder(reminder, today=date), date=date)
    return layout.letters_pdf([letter], organization=reminder.organization)
