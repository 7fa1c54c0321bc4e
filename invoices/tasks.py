"""Celery tasks of the invoices app: thin wrappers that take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from invoices.imports.services import import_jobs_release_stale, import_run_queued
from invoices.models import ImportJob
from outstanding.models import Organization
from outstanding.storage import orphan_files_sweep


# The largest file commits in about a minute; at the soft limit import_run rolls back and fails the job.
@shared_task(soft_time_limit=600, time_limit=660)
def import_run_task(organization_id: int, job_id: int) -> str:
    """Commit a large confirmed import (queued by ``import_confirm``); progress goes to the cache."""
    organization = Organization.objects.get(pk=organization_id)
    job = ImportJob.objects.for_organization(organization).get(pk=job_id)
    return import_run_queued(job=job).status


@shared_task(soft_time_limit=60, time_limit=90)
def import_jobs_release_stale_task() -> int:
    """Beat: imports whose worker died end as failed, never stuck on "Importing"."""
    return import_jobs_release_stale()


@shared_task(soft_time_limit=15 * 60, time_limit=16 * 60)
def orphan_files_sweep_task() -> int:
    """Beat, hourly: stored files no row points to (a refused or killed upload's leftovers) are deleted."""
    return orphan_files_sweep().files
