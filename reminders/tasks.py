"""Celery tasks: thin wrappers that take ids and call services.

Every task states its own soft and hard time limit (``CELERY_TASK_SOFT_TIME_LIMIT`` is only the
fallback). At the soft limit Celery raises ``SoftTimeLimitExceeded`` inside the task: a task that
works through many items stops there cleanly, logs how far it got and leaves the rest to its next run;
the hard limit kills a task that did not stop.
"""

from __future__ import annotations

import datetime as dt
import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded

from outstanding.calendar import local_today
from outstanding.models import Organization
from reminders.selectors import review as review_selectors
from reminders.services import dispatch, letters
from reminders.services import dunning as dunning_services
from reminders.services import flows as flow_services
from reminders.services import review as review_services

logger = logging.getLogger(__name__)

# Fanning out or sweeping is a query and a loop of enqueues: seconds, even for thousands of rows.
FAN_OUT_LIMITS = {"soft_time_limit": 60, "time_limit": 90}
# One organization's planning or scoring: one SQL statement each, seconds for a large organization.
ORGANIZATION_LIMITS = {"soft_time_limit": 300, "time_limit": 330}
# One message: a render (bounded to about a second) and one call to the mail or SMS provider.
SEND_LIMITS = {"soft_time_limit": 60, "time_limit": 90}
# One organization's print batch: every letter rendered and laid out as PDF in one transaction.
LETTER_BATCH_LIMITS = {"soft_time_limit": 900, "time_limit": 960}


def for_each_organization(task: Task) -> int:
    """Fan out: one task per organization, so one organization's failure does not stop the others."""
    organization_ids = list(Organization.objects.values_list("pk", flat=True))
    queued = 0
    try:
        for organization_id in organization_ids:
            task.delay(organization_id)
            queued += 1
    except SoftTimeLimitExceeded:
        logger.warning(
            "tasks.fan_out_stopped", extra={"task": task.name, "queued": queued, "total": len(organization_ids)}
        )
    return queued


@shared_task(**FAN_OUT_LIMITS)
def dunning_run_all() -> int:
    """Beat, every morning."""
    return for_each_organization(dunning_run_organization)


@shared_task(**ORGANIZATION_LIMITS)
def dunning_run_organization(organization_id: int) -> str:
    organization = Organization.objects.get(pk=organization_id)
    today = local_today(organization.time_zone)
    try:
        result = dunning_services.dunning_run(organization=organization, today=today)
    except SoftTimeLimitExceeded:
        # The planning transaction rolled back (the run is recorded as failed): nothing half-planned.
        logger.warning("dunning.time_limit", extra={"organization": organization_id})
        return "stopped at the time limit"
    if not review_selectors.plans_quickly(organization):  # a big one's review page, ready when it is read
        review_services.week_refresh_request(organization=organization, today=today)
    return result.summary()


@shared_task(bind=True, max_retries=dispatch.MAX_ATTEMPTS, **SEND_LIMITS)
def reminder_send_task(self, reminder_id: int) -> str:  # type: ignore[no-untyped-def]
    outcome = dispatch.reminder_send(reminder_id)
    # Run eagerly (tests, CELERY_TASK_ALWAYS_EAGER) a retry would raise into the caller; the
    # requeue sweep picks the failed row up instead.
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task(**FAN_OUT_LIMITS)
def stale_sending_release_task() -> int:
    return dispatch.stale_sending_release()


@shared_task(**FAN_OUT_LIMITS)
def reminders_requeue_due_task() -> int:
    """E-mails and SMS no worker picked up, and failed ones whose retry is due (a lost task loses nothing)."""
    try:
        return dispatch.reminders_requeue_due()
    except SoftTimeLimitExceeded:
        # Those not queued yet are still due: the next sweep (every 15 minutes) queues them.
        logger.warning("reminders.requeue_time_limit")
        return 0


@shared_task(**FAN_OUT_LIMITS)
def flow_variants_update_all() -> int:
    """Beat, every night before the dunning run: score each organization's debtors."""
    return for_each_organization(flow_variants_update_organization)


@shared_task(**ORGANIZATION_LIMITS)
def flow_variants_update_organization(organization_id: int) -> int:
    organization = Organization.objects.get(pk=organization_id)
    today = local_today(organization.time_zone)
    try:
        return flow_services.debtor_flow_variants_update(organization=organization, today=today)
    except SoftTimeLimitExceeded:
        # Scoring is idempotent: debtors not rescored keep yesterday's variant until the next night.
        logger.warning("flow_variants.time_limit", extra={"organization": organization_id})
        return 0


@shared_task(**FAN_OUT_LIMITS)
def letter_batches_create_all() -> int:
    """Beat, every morning after the dunning run: each organization's print batch."""
    return for_each_organization(letter_batch_create_organization)


@shared_task(**LETTER_BATCH_LIMITS)
def letter_batch_create_organization(organization_id: int) -> str:
    organization = Organization.objects.get(pk=organization_id)
    try:
        batch = letters.letter_batch_create(organization=organization, date=local_today(organization.time_zone))
    except SoftTimeLimitExceeded:
        # The batch is one transaction: it rolled back, every letter is still planned for the next batch.
        logger.warning("letters.batch_time_limit", extra={"organization": organization_id})
        return "stopped at the time limit"
    return f"{batch.letter_count} letters" if batch else "no letters"


# One organization's week ahead: seven plannings, about a minute for 200,000 open invoices.
REVIEW_LIMITS = {"soft_time_limit": 600, "time_limit": 660}


@shared_task(**REVIEW_LIMITS)
def review_week_refresh_task(organization_id: int, today: str) -> float:
    """Plan an organization's week ahead for the review page (one too big to plan in a request)."""
    organization = Organization.objects.get(pk=organization_id)
    return review_services.week_refresh(organization=organization, today=dt.date.fromisoformat(today)).seconds


@shared_task(**FAN_OUT_LIMITS)
def plan_changes_sweep_task() -> int:
    """Beat, nightly: the change log behind the stored weeks ahead stays short."""
    return review_services.plan_changes_sweep()
