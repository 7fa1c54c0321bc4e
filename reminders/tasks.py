"""Celery tasks: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import Task, shared_task

from outstanding.calendar import local_today
from outstanding.models import Organization
from reminders.services import dispatch, letters
from reminders.services import dunning as dunning_services
from reminders.services import flows as flow_services


def for_each_organization(task: Task) -> int:
    """Fan out: one task per organization, so one organization's failure does not stop the others."""
    organization_ids = list(Organization.objects.values_list("pk", flat=True))
    for organization_id in organization_ids:
        task.delay(organization_id)
    return len(organization_ids)


@shared_task
def dunning_run_all() -> int:
    """Beat, every morning."""
    return for_each_organization(dunning_run_organization)


@shared_task
def dunning_run_organization(organization_id: int) -> str:
    organization = Organization.objects.get(pk=organization_id)
    result = dunning_services.dunning_run(organization=organization, today=local_today(organization.time_zone))
    return result.summary()


@shared_task(bind=True, max_retries=dispatch.MAX_ATTEMPTS)
def reminder_send_task(self, reminder_id: int) -> str:  # type: ignore[no-untyped-def]
    outcome = dispatch.reminder_send(reminder_id)
    # Run eagerly (tests, CELERY_TASK_ALWAYS_EAGER) a retry would raise into the caller; the
    # requeue sweep picks the failed row up instead.
    if outcome.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task
def stale_sending_release_task() -> int:
    return dispatch.stale_sending_release()


@shared_task
def reminders_requeue_due_task() -> int:
    """E-mails and SMS no worker picked up, and failed ones whose retry is due (a lost task loses nothing)."""
    return dispatch.reminders_requeue_due()


@shared_task
def flow_variants_update_all() -> int:
    """Beat, every night before the dunning run: score each organization's debtors."""
    return for_each_organization(flow_variants_update_organization)


@shared_task
def flow_variants_update_organization(organization_id: int) -> int:
    organization = Organization.objects.get(pk=organization_id)
    today = local_today(organization.time_zone)
    return flow_services.debtor_flow_variants_update(organization=organization, today=today)


@shared_task
def letter_batches_create_all() -> int:
    """Beat, every morning after the dunning run: each organization's print batch."""
    return for_each_organization(letter_batch_create_organization)


@shared_task
def letter_batch_create_organization(organization_id: int) -> str:
    organization = Organization.objects.get(pk=organization_id)
    batch = letters.letter_batch_create(organization=organization, date=local_today(organization.time_zone))
    return f"{batch.letter_count} letters" if batch else "no letters"
