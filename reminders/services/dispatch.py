"""Sending planned reminders: claim, render, deliver, record. Never twice, never lost.

A worker *claims* a reminder by moving it from planned/failed to ``sending`` under
``SELECT ... FOR UPDATE SKIP LOCKED`` (two workers never hold the same row), then renders and delivers
outside the transaction, then records the outcome. A temporary failure goes back to ``failed`` with a
retry after a growing delay; after ``MAX_ATTEMPTS`` or on a permanent failure it ends as
``needs_attention`` for a person to look at. A worker that dies mid-send leaves ``sending`` behind:
:func:`stale_sending_release` turns those into ``needs_attention`` rather than risk a second message.
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from types import ModuleType

from celery import current_app
from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from invoices.models import InvoiceStatus
from outstanding.calendar import local_today
from outstanding.models import Language
from reminders.channels import PermanentFailure, TemporaryFailure
from reminders.models import Channel, Reminder, ReminderStatus
from reminders.rendering import RenderedMessage, TemplateOverBudget, render_reminder
from reminders.services.activation import reminder_hold_reason
from reminders.services.legal_dates import legal_dates_record
from reminders.services.payment_references import reminder_bundle_reference
from reminders.services.portal_links import portal_link_redacted, reminder_portal_link

logger = logging.getLogger(__name__)


# Channels a worker delivers. Letters go out in the daily print batch, calls via the call list.
AUTOMATIC_CHANNELS = (Channel.EMAIL, Channel.SMS)


MAX_ATTEMPTS = 5
SEND_TASK = "reminders.tasks.reminder_send_task"


RETRY_DELAYS = (60, 5 * 60, 30 * 60, 2 * 60 * 60)  # seconds before attempt 2, 3, 4, 5


STALE_AFTER = dt.timedelta(minutes=30)


# A queued task or its scheduled retry normally runs well within this; after it the row is queued again.
REQUEUE_GRACE = dt.timedelta(minutes=15)


# Older reminders are not sent late by the sweep; they stay visible as planned/failed for a person.
REQUEUE_MAX_AGE = dt.timedelta(days=1)


@dataclass(frozen=True)
class SendOutcome:
    status: str
    retry_in: int | None = None


def channel_module(channel: str) -> ModuleType:
    return importlib.import_module(f"reminders.channels.{channel}")


def reminders_enqueue(reminder_ids: Iterable[int]) -> None:
    """After the surrounding transaction commits, queue the e-mails and SMS among ``reminder_ids``."""
    ids = list(reminder_ids)
    if not ids:
        return

    def enqueue() -> None:
        # By name from the Celery registry: the task module sits on top of this one and imports it.
        reminder_send_task = current_app.tasks[SEND_TASK]
        # unscoped: ids come from the engine or a scoped service, possibly of several organizations.
        automatic = Reminder.unscoped.filter(pk__in=ids, channel__in=AUTOMATIC_CHANNELS).values_list("pk", flat=True)
        for reminder_id in automatic:
            try:
                reminder_send_task.delay(reminder_id)
            except SoftTimeLimitExceeded:
                raise  # the calling task's time is up: the rest stays planned for the requeue sweep
            except Exception:
                # The broker is down, or (eager mode) the task ran here and asked for a retry: the row
                # stays planned or failed and reminders_requeue_due picks it up; the others still go.
                logger.exception("reminder.enqueue_failed", extra={"reminder": reminder_id})

    # robust: a broker hiccup (or an eager retry) must not turn a committed plan into a failed run
    transaction.on_commit(enqueue, robust=True)


def _claim(reminder_id: int) -> Reminder | None:
    with transaction.atomic():
        # unscoped: a worker serves every organization; the reminder carries its own.
        reminder = (
            Reminder.unscoped.select_for_update(skip_locked=True)
            .filter(
                pk=reminder_id,
                status__in=(ReminderStatus.PLANNED, ReminderStatus.FAILED),
                channel__in=AUTOMATIC_CHANNELS,
            )
            .first()
        )
        if reminder is None:
            return None
        reminder.status = ReminderStatus.SENDING
        reminder.attempts += 1
        reminder.save(update_fields=["status", "attempts", "updated_at"])
    return reminder


def reminder_send(reminder_id: int) -> SendOutcome:
    """Send one reminder now. Returns what happened; ``retry_in`` when it should be tried again."""
    reminder = _claim(reminder_id)
    if reminder is None:
        return SendOutcome("skipped")  # sent already, being sent, cancelled, or not a worker's channel
    # Reasons a creditor acts on ("no phone number") are stored in the organization's language.
    with translation.override(reminder.organization.default_language):
        if not _has_open_invoices(reminder):
            return _cancelled(reminder, _("Not sent: every invoice in it was paid or credited before it went out."))
    # The go-live gate: switched off, or a fact the message needs (the IBAN) is missing: a person looks.
    if hold_reason := reminder_hold_reason(reminder.organization):
        return _held(reminder, hold_reason)
    try:
        with translation.override(reminder.organization.default_language):
            # A link of its own per message (only its hash is kept), committed before it goes out.
            message = render_reminder(
                reminder,
                portal_url=reminder_portal_link(reminder=reminder),
                bundle_reference=reminder_bundle_reference(reminder=reminder),
            )
            reference = channel_module(reminder.channel).deliver(reminder, message)
    except TemporaryFailure as exc:
        return _failed(reminder, str(exc), temporary=True)
    except TemplateOverBudget as exc:
        return _over_budget(reminder, exc)
    except SoftTimeLimitExceeded:
        # The task's time ran out mid-send (a hanging provider): it may have gone out, so no retry.
        return _failed(reminder, _stopped_while_sending(reminder.organization.default_language), temporary=False)
    except PermanentFailure as exc:
        return _failed(reminder, str(exc), temporary=False)
    except Exception as exc:  # a bug must not leave the row in "sending" nor lose it
        logger.exception("reminder.send_crashed", extra={"reminder": reminder.pk})
        return _failed(reminder, f"{type(exc).__name__}: {exc}", temporary=True)
    _record_sent(reminder, message, reference)
    logger.info("reminder.sent", extra={"reminder": reminder.pk, "channel": reminder.channel})
    return SendOutcome(ReminderStatus.SENT)


def _has_open_invoices(reminder: Reminder) -> bool:
    """Paid and credited invoices leave the flow at once, also between planning and sending."""
    return reminder.items.filter(invoice__status=InvoiceStatus.OPEN, invoice__open_amount__gt=0).exists()


def _cancelled(reminder: Reminder, reason: str) -> SendOutcome:
    reminder.status = ReminderStatus.CANCELLED
    reminder.error = reason
    reminder.save(update_fields=["status", "error", "updated_at"])
    logger.info("reminder.cancelled", extra={"reminder": reminder.pk})
    return SendOutcome(ReminderStatus.CANCELLED)


def _held(reminder: Reminder, reason: str) -> SendOutcome:
    reminder.status = ReminderStatus.NEEDS_ATTENTION
    reminder.error = reason
    reminder.save(update_fields=["status", "error", "updated_at"])
    logger.warning("reminder.held", extra={"reminder": reminder.pk})
    return SendOutcome(ReminderStatus.NEEDS_ATTENTION)


def _record_sent(reminder: Reminder, message: RenderedMessage, reference: str) -> None:
    """Keep what the debtor received: for an SMS that is the short text, not the e-mail's; with the
    portal link's token masked (the copy is for the creditor, the working link was the debtor's)."""
    is_sms = reminder.channel == Channel.SMS
    portal_url = str(message.context.get("portal_url") or "")
    reminder.status = ReminderStatus.SENT
    reminder.sent_at = timezone.now()
    reminder.sent_date = local_today(reminder.organization.time_zone)  # the legal sending day
    reminder.provider_reference = str(reference or "")[:200]
    reminder.recipient = message.recipient[:300]
    reminder.subject = "" if is_sms else portal_link_redacted(message.subject, portal_url)[:300]
    reminder.body = portal_link_redacted(message.sms if is_sms else message.text, portal_url)
    reminder.error = ""
    reminder.save(
        update_fields=[
            "status",
            "sent_at",
            "sent_date",
            "provider_reference",
            "recipient",
            "subject",
            "body",
            "error",
            "updated_at",
        ]
    )
    if reminder.channel == Channel.EMAIL:
        # A notice of default or 14-day letter by e-mail is received on the sending day when that is a
        # business day; its term counts from there, exactly as for a posted letter (DOMAIN.md §3).
        legal_dates_record(
            reminder=reminder, sent_date=reminder.sent_date, channel="email", collection_costs=message.collection_costs
        )


def _over_budget(reminder: Reminder, exc: TemplateOverBudget) -> SendOutcome:
    """The organization's template went over a render limit with this debtor's data: a person changes
    the template; the other reminders are sent as usual."""
    with translation.override(reminder.organization.default_language):
        reason = _("Not sent. %(reason)s. Change the template, then send it again.") % {"reason": exc.reason()}
    logger.warning("reminder.render_over_budget", extra={"reminder": reminder.pk, "part": exc.part})
    return _failed(reminder, reason, temporary=False)


def _stopped_while_sending(language: str) -> str:
    with translation.override(language):
        return _("The worker stopped while sending; check whether it arrived before sending again.")


def _failed(reminder: Reminder, error: str, *, temporary: bool) -> SendOutcome:
    retry = temporary and reminder.attempts < MAX_ATTEMPTS
    reminder.status = ReminderStatus.FAILED if retry else ReminderStatus.NEEDS_ATTENTION
    reminder.error = error[:2000]
    reminder.save(update_fields=["status", "error", "updated_at"])
    logger.warning("reminder.failed", extra={"reminder": reminder.pk, "attempt": reminder.attempts, "retry": retry})
    delay = int(_retry_delay(reminder.attempts).total_seconds()) if retry else None
    return SendOutcome(reminder.status, delay)


def stale_sending_release(now: dt.datetime | None = None) -> int:
    """Reminders stuck in ``sending`` (a worker died) need a person: it may or may not have gone out."""
    cutoff = (now or timezone.now()) - STALE_AFTER
    # unscoped: beat releases stuck rows of every organization at once, one update per language.
    stuck = Reminder.unscoped.filter(status=ReminderStatus.SENDING, updated_at__lt=cutoff)
    released = 0
    for language in Language.values:
        reason = _stopped_while_sending(language)
        released += stuck.filter(organization__default_language=language).update(
            status=ReminderStatus.NEEDS_ATTENTION, error=reason, updated_at=timezone.now()
        )
    return released


def reminder_retry(*, reminder: Reminder) -> Reminder:
    """A person looked at a reminder that needs attention and wants it sent again."""
    if reminder.status not in (ReminderStatus.NEEDS_ATTENTION, ReminderStatus.FAILED):
        return reminder
    reminder.status = ReminderStatus.PLANNED
    reminder.attempts = 0
    reminder.save(update_fields=["status", "attempts", "updated_at"])
    reminders_enqueue([reminder.pk])
    return reminder


def reminders_requeue_due(now: dt.datetime | None = None) -> int:
    """Queue again the e-mails and SMS whose task got lost: the queue lives in Redis, the truth in PostgreSQL.

    Planned ones that no worker claimed within :data:`REQUEUE_GRACE`, and failed ones whose retry is
    that much overdue. The claim makes a duplicate task harmless. Returns how many were queued.
    """
    now = now or timezone.now()
    # unscoped: beat sweeps every organization at once.
    candidates = Reminder.unscoped.filter(
        channel__in=AUTOMATIC_CHANNELS,
        created_at__gte=now - REQUEUE_MAX_AGE,
        updated_at__lt=now - REQUEUE_GRACE,
        status__in=(ReminderStatus.PLANNED, ReminderStatus.FAILED),
    ).values_list("pk", "status", "attempts", "updated_at")
    due = [
        pk
        for pk, status, attempts, updated_at in candidates
        if status == ReminderStatus.PLANNED or updated_at + _retry_delay(attempts) + REQUEUE_GRACE <= now
    ]
    reminders_enqueue(due)
    return len(due)


def _retry_delay(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=RETRY_DELAYS[min(max(attempts, 1), len(RETRY_DELAYS)) - 1])
