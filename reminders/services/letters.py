"""The daily print batch: every planned letter of an organization as one PDF to print and post.

:func:`letter_batch_create` runs each morning after the dunning run (beat, ``reminders.tasks``), on
demand from the letters page and from ``manage.py letter_batch``. It takes every planned letter up to
the day that is not in a batch yet, prints them as one document (one page break per letter), stores it
on a :class:`LetterBatch`, keeps each letter's own pages and words on its reminder and marks the
letters *printed*. A printed letter has not been sent: it counts as sent, and a 14-day letter's or a
notice of default's term starts, only from the day the creditor marks the batch posted
(:func:`letter_batch_posted`). Under a per-organization lock: two runs never print the same letter
twice, and a second run with nothing new creates nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from invoices.models import InvoiceStatus
from outstanding.calendar import local_today
from outstanding.models import Organization, User
from reminders.channels import letter as layout
from reminders.models import Channel, LetterBatch, Reminder, ReminderStatus
from reminders.rendering import RenderedMessage, TemplateOverBudget, payment_term_days, render_reminder
from reminders.selectors.letters import letters_waiting
from reminders.services.activation import reminder_hold_reason
from reminders.services.legal_dates import legal_dates_record
from reminders.services.payment_references import reminder_bundle_reference
from reminders.services.portal_links import portal_link_redacted, reminder_portal_link

logger = logging.getLogger(__name__)


LETTER_BATCH_LOCK_NAMESPACE = 7_302  # pg_advisory_xact_lock(namespace, organization id); dunning uses 7_301


# Stored on the reminder in the organization's language (see _stored_error); marked here for translation.
NO_ADDRESS_ERROR = gettext_noop(
    "The debtor has no complete postal address (street, postal code and city); add it and retry."
)


NOTHING_OPEN_ERROR = gettext_noop("Every invoice in this letter was paid or closed before it was printed.")


RENDER_FAILED_ERROR = gettext_noop("The letter could not be rendered: %(error)s")


@dataclass(frozen=True)
class _Printable:
    reminder: Reminder
    message: RenderedMessage
    letter: layout.Letter


def _stored_error(organization: Organization, message: str, **values: str) -> str:
    """A reason a person must act on, in the organization's language (as dispatch stores its errors)."""
    with translation.override(organization.default_language):
        text = _(message)
    return text % values if values else text


def letter_batch_create(*, organization: Organization, date: dt.date) -> LetterBatch | None:
    """Print every planned letter of ``organization`` up to ``date`` as one batch; None when there is none.

    A letter that cannot be printed (no postal address, nothing open any more, its text fails to
    render) is left out and marked for a person's attention with the reason; the rest go out. The letters
    are rendered with ``date`` as their day, the date they carry.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LETTER_BATCH_LOCK_NAMESPACE, organization.pk])
        # The go-live gate, checked once for the batch: reminders switched off, or a fact every letter
        # needs (the IBAN) is missing; on the facts as stored now, not as the caller loaded them.
        hold_reason = reminder_hold_reason(Organization.objects.get(pk=organization.pk))
        printable = [
            item
            for reminder in letters_waiting(organization=organization, date=date).select_for_update(of=("self",))
            if (item := _prepare(reminder, date, hold_reason=hold_reason)) is not None
        ]
        if not printable:
            return None
        pdf, each = layout.letters_pdf_each([item.letter for item in printable], organization=organization)
        batch = LetterBatch(organization=organization, date=date, letter_count=len(printable))
        batch.pdf.save(f"letters-{date.isoformat()}.pdf", ContentFile(pdf), save=False)
        batch.save()
        for item, letter_pdf in zip(printable, each, strict=True):
            _mark_printed(item, batch, letter_pdf)
    logger.info(
        "letters.batch_created", extra={"organization": organization.pk, "batch": batch.pk, "letters": len(printable)}
    )
    return batch


def _prepare(reminder: Reminder, date: dt.date, *, hold_reason: str) -> _Printable | None:
    if hold_reason:
        _needs_attention(reminder, hold_reason)
        return None
    if not layout.has_postal_address(reminder.debtor):
        _needs_attention(reminder, _stored_error(reminder.organization, NO_ADDRESS_ERROR))
        return None
    if not _has_open_invoices(reminder):
        reminder.status = ReminderStatus.CANCELLED
        reminder.error = _stored_error(reminder.organization, NOTHING_OPEN_ERROR)
        reminder.save(update_fields=["status", "error", "updated_at"])
        return None
    try:
        with transaction.atomic():  # a savepoint: a database error here must not break the batch's transaction
            # The printed link and its QR code; rolled back with the batch if printing fails.
            message = render_reminder(
                reminder,
                today=date,
                portal_url=reminder_portal_link(reminder=reminder),
                bundle_reference=reminder_bundle_reference(reminder=reminder),
            )
            letter = layout.letter_build(reminder=reminder, message=message, date=date)
    except SoftTimeLimitExceeded:
        raise  # the task's time is up: the batch rolls back and every letter waits for the next run
    except TemplateOverBudget as exc:  # the template explodes on this debtor's data: the others go on
        logger.warning("letters.render_over_budget", extra={"reminder": reminder.pk, "part": exc.part})
        with translation.override(reminder.organization.default_language):
            reason = exc.reason()
        _needs_attention(reminder, _stored_error(reminder.organization, RENDER_FAILED_ERROR, error=reason))
        return None
    except Exception as exc:  # one broken template must not stop the other letters
        logger.exception("letters.render_failed", extra={"reminder": reminder.pk})
        error = f"{type(exc).__name__}: {exc}"
        _needs_attention(reminder, _stored_error(reminder.organization, RENDER_FAILED_ERROR, error=error))
        return None
    return _Printable(reminder, message, letter)


def _has_open_invoices(reminder: Reminder) -> bool:
    return reminder.items.filter(invoice__status=InvoiceStatus.OPEN, invoice__open_amount__gt=0).exists()


def _needs_attention(reminder: Reminder, error: str) -> None:
    reminder.status = ReminderStatus.NEEDS_ATTENTION
    reminder.error = error[:2000]
    reminder.save(update_fields=["status", "error", "updated_at"])
    logger.warning("letters.needs_attention", extra={"reminder": reminder.pk})


def _mark_printed(item: _Printable, batch: LetterBatch, letter_pdf: bytes) -> None:
    """Keep what the letter says and its pages; it is sent (and its legal dates run) once posted. The
    pages carry the working portal link; the words kept for the creditor have its token masked."""
    reminder = item.reminder
    portal_url = item.letter.portal_url
    reminder.status = ReminderStatus.PRINTED
    reminder.letter_batch = batch
    reminder.recipient = ", ".join(item.letter.address_lines)[:300]
    reminder.subject = portal_link_redacted(item.message.subject, portal_url)[:300]
    reminder.body = portal_link_redacted(item.message.text, portal_url)
    reminder.total_open_amount = item.letter.total_amount  # what the printed letter asks for
    reminder.collection_costs = item.message.collection_costs  # what the printed letter states
    reminder.error = ""
    reminder.pdf.save(f"letter-{reminder.public_id}.pdf", ContentFile(letter_pdf), save=False)
    reminder.save(
        update_fields=[
            "status",
            "letter_batch",
            "recipient",
            "subject",
            "body",
            "total_open_amount",
            "collection_costs",
            "error",
            "pdf",
            "updated_at",
        ]
    )


def letter_batch_posted(
    *, batch: LetterBatch, user: User | None, posted_date: dt.date, today: dt.date | None = None
) -> LetterBatch:
    """The creditor posted ``batch`` on ``posted_date``: its letters are sent from that day.

    Each printed letter becomes sent and gets its legal dates counted from the posting day (a 14-day
    letter's term runs from the day after presumed receipt of the *posted* letter, art. 6:96 lid 6 BW),
    with the collection costs the printed letter stated. Marking the same day again changes nothing;
    another day, a day before the batch was printed or a day still to come is refused.
    """
    today = today or local_today(batch.organization.time_zone)
    _validate_posted_date(batch, posted_date, today)
    with transaction.atomic():
        locked = LetterBatch.objects.for_organization(batch.organization).select_for_update().get(pk=batch.pk)
        if locked.posted_date is not None:
            if locked.posted_date != posted_date:
                raise ValidationError(
                    _("This batch was marked posted on %(date)s already.") % {"date": _day(locked.posted_date)}
                )
            return locked
        locked.posted_date, locked.posted_at, locked.posted_by = posted_date, timezone.now(), user
        locked.save(update_fields=["posted_date", "posted_at", "posted_by"])
        printed = Reminder.objects.for_organization(batch.organization).filter(
            letter_batch=locked, status=ReminderStatus.PRINTED
        )
        count = 0
        notice_days = payment_term_days(batch.organization)
        for reminder in printed.select_related("organization").select_for_update(of=("self",)):
            _mark_sent(reminder, posted_date, notice_days=notice_days)
            count += 1
    logger.info("letters.batch_posted", extra={"batch": locked.pk, "letters": count, "posted": str(posted_date)})
    return locked


def _validate_posted_date(batch: LetterBatch, posted_date: dt.date, today: dt.date) -> None:
    if posted_date < batch.date:
        raise ValidationError(
            _("A batch printed on %(date)s cannot have been posted before that day.") % {"date": _day(batch.date)}
        )
    if posted_date > today:
        raise ValidationError(_("The posting day cannot lie in the future."))


def _day(date: dt.date) -> str:
    return formats.date_format(date, "SHORT_DATE_FORMAT")


def _mark_sent(reminder: Reminder, posted_date: dt.date, *, notice_days: int) -> None:
    reminder.status = ReminderStatus.SENT
    reminder.sent_at = timezone.now()
    reminder.save(update_fields=["status", "sent_at", "updated_at"])
    # The posting day is the sending day: presumed receipt and the first chargeable day count from it.
    legal_dates_record(
        reminder=reminder,
        sent_date=posted_date,
        channel="post",
        collection_costs=reminder.collection_costs,
        notice_days=notice_days,
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
    # The bundle's reference, as the printed letter will ask for it (the same set, the same reference).
    message = render_reminder(reminder, today=date, bundle_reference=reminder_bundle_reference(reminder=reminder))
    letter = layout.letter_build(reminder=reminder, message=message, date=date)
    return layout.letters_pdf([letter], organization=reminder.organization)
