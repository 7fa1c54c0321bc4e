"""Writes around the dunning engine: runs (recorded for staff) and their sending."""

from __future__ import annotations

import datetime as dt
import logging
import traceback

from django.utils import timezone

from outstanding.models import Organization
from reminders import dispatch, engine
from reminders.models import DunningRun

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
