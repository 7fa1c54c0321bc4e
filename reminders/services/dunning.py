"""Writes around the dunning engine: runs (recorded for staff), settings, and cancelling a message."""

from __future__ import annotations

import datetime as dt
import logging
import traceback

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outstanding.models import Organization
from reminders import engine
from reminders.models import (
    DunningRun,
    DunningSettings,
    Reminder,
    ReminderItem,
    ReminderStatus,
)
from reminders.services import dispatch

logger = logging.getLogger(__name__)


def dunning_run(*, organization: Organization, today: dt.date, send_now: bool = False) -> engine.PlanResult:
    """Plan today's reminders of one organization and queue (or with ``send_now``, send) them.

    The run is recorded as a ``DunningRun`` whether it succeeds or fails, so staff see failures in
    the admin; the exception is raised again for the caller (the beat task logs it and moves on).
    """
    run = DunningRun.objects.create(organization=organization, date=today)
    try:
        result = engine.plan(organization, today)
        if send_now:
            for reminder_id in result.created_reminder_ids:
                dispatch.reminder_send(reminder_id)
        else:
            dispatch.reminders_enqueue(result.created_reminder_ids)
    except Exception:
        run.error = traceback.format_exc()[-4000:]
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "finished_at"])
        logger.exception("dunning.failed", extra={"organization": organization.pk, "today": str(today)})
        raise
    run.succeeded = True
    run.reminders_created = len(result.created_reminder_ids)
    run.summary = result.summary()[:300]
    run.finished_at = timezone.now()
    run.save(update_fields=["succeeded", "reminders_created", "summary", "finished_at"])
    return result


def dunning_settings_update(*, settings: DunningSettings, **fields: object) -> DunningSettings:
    if fields.get("is_paused") and not str(fields.get("pause_reason", "")).strip():
        raise ValidationError({"pause_reason": _("Give a reason for pausing all reminders.")})
    if not fields.get("is_paused"):
        fields.update(pause_reason="", paused_until=None)
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    return settings


def reminder_cancel(*, reminder: Reminder) -> Reminder:
    """Stop a message that has not gone out.

    Its invoices stay in their flow: the step is freed, so they come up again on the next sending day
    (to silence a debtor, pause the debtor or the invoice instead). The cancelled row keeps the
    invoice numbers it held, so the timeline still tells what was stopped.
    """
    if reminder.status not in (ReminderStatus.PLANNED, ReminderStatus.FAILED, ReminderStatus.NEEDS_ATTENTION):
        raise ValidationError(_("Only a message that has not gone out can be cancelled."))
    with transaction.atomic():
        items = ReminderItem.objects.for_organization(reminder.organization).filter(reminder=reminder)
        numbers = ", ".join(items.order_by("invoice__number").values_list("invoice__number", flat=True))
        reminder.status = ReminderStatus.CANCELLED
        reminder.error = _("Cancelled before sending. Invoices: %(numbers)s") % {"numbers": numbers}
        reminder.save(update_fields=["status", "error", "updated_at"])
        items.delete()
    return reminder
