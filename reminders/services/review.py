"""The stored week ahead (:mod:`reminders.selectors.review`): planned again by a worker when the
organization is too big to plan while the creditor waits, and the change log kept short."""

from __future__ import annotations

import datetime as dt
import logging

from celery import current_app
from django.core.cache import cache
from django.db import connection
from kombu.exceptions import OperationalError

from outstanding.models import Organization
from reminders.selectors import changes
from reminders.selectors import review as review_selectors

logger = logging.getLogger(__name__)

REFRESH_TASK = "reminders.tasks.review_week_refresh_task"
# While a worker plans an organization's week no second one is asked to; after this long it may be.
REFRESH_LOCK_SECONDS = 10 * 60


def _lock_key(organization_id: int, today: dt.date) -> str:
    return f"review:refreshing:{organization_id}:{today.isoformat()}"


def week_refresh_request(*, organization: Organization, today: dt.date) -> bool:
    """Ask a worker to plan the organization's week of ``today``; False when one is already at it."""
    if not cache.add(_lock_key(organization.pk, today), True, REFRESH_LOCK_SECONDS):
        return False
    try:
        current_app.tasks[REFRESH_TASK].delay(organization.pk, today.isoformat())
    except OperationalError:  # the broker is away: the page still shows the last week; ask again next load
        cache.delete(_lock_key(organization.pk, today))
        logger.warning("review.refresh_not_queued", extra={"organization": organization.pk}, exc_info=True)
        return False
    return True


def week_refresh(*, organization: Organization, today: dt.date) -> review_selectors.StoredWeek:
    """Plan and store the week (the worker's side of :func:`week_refresh_request`)."""
    try:
        stored = review_selectors.week_plan_store(organization=organization, today=today)
    finally:
        cache.delete(_lock_key(organization.pk, today))
    logger.info(
        "review.week_planned",
        extra={"organization": organization.pk, "today": str(today), "seconds": round(stored.seconds, 2)},
    )
    return stored


def plan_changes_sweep() -> int:
    """Forget changes older than any stored week can be (it is then out of date by its age anyway)."""
    with connection.cursor() as cursor:
        cursor.execute(changes.SWEEP_SQL, {"seconds": 2 * changes.STORE_SECONDS})
        return cursor.rowcount
