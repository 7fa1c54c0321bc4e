"""Celery tasks: thin wrappers that take ids and call services."""

from __future__ import annotations

from celery import shared_task

from outstanding.calendar import local_today
from outstanding.models import Organization
from reminders import dispatch, services


@shared_task
def dunning_run_all() -> int:
    """Beat, every morning: one task per organization, so one failure does not stop the others."""
    organization_ids = list(Organization.objects.values_list("pk", flat=True))
    for organization_id in organization_ids:
        dunning_run_organization.delay(organization_id)
    return len(organization_ids)


@shared_task
def dunning_run_organization(organization_id: int) -> str:
    organization = Organization.objects.get(pk=organization_id)
    result = services.dunning_run(organization=organization, today=local_today(organization.time_zone))
    return result.summary()


@shared_task(bind=True, max_retries=dispatch.MAX_ATTEMPTS)
def reminder_send_task(self, reminder_id: int) -> str:  # type: ignore[no-untyped-def]
    outcome = dispatch.reminder_send(reminder_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@shared_task
def stale_sending_release_task() -> int:
    return dispatch.stale_sending_release()
