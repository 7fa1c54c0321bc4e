"""The one Celery app. The beat schedule lives here, in code."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outstanding.settings")

app = Celery("outstanding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# invoices/connector_tasks.py (accounting connectors) lives beside invoices/tasks.py.
app.autodiscover_tasks(related_name="connector_tasks")
# invoices/payments/tasks.py (online payments): a package inside the invoices app.
app.autodiscover_tasks(["invoices.payments"])

# Times are Europe/Amsterdam (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    # Before the dunning run, so the run uses this morning's flow variants (reminders.scoring).
    "flow-variants-daily": {"task": "reminders.tasks.flow_variants_update_all", "schedule": crontab(hour=5, minute=30)},
    "dunning-daily": {"task": "reminders.tasks.dunning_run_all", "schedule": crontab(hour=6, minute=30)},
    # Payment arrangements (collection.services.arrangement_execution): before the dunning run, so the
    # invoices of an arrangement broken this morning are planned again the same day.
    "arrangements-daily": {"task": "collection.tasks.arrangements_run_all", "schedule": crontab(hour=6, minute=0)},
    # After the dunning run: invoices that reached their hand-over step this morning go to collection
    # (collection.services.dossiers), pre-collection terms that ran out move to amicable collection.
    "dossiers-daily": {"task": "collection.tasks.dossiers_daily_task", "schedule": crontab(hour=6, minute=45)},
    # After the dunning run has planned the day's letters: one PDF per organization to print.
    "letter-batches-daily": {
        "task": "reminders.tasks.letter_batches_create_all",
        "schedule": crontab(hour=7, minute=0),
    },
    # The change log behind the review page's stored weeks ahead (reminders.selectors.review).
    "plan-changes-sweep": {"task": "reminders.tasks.plan_changes_sweep_task", "schedule": crontab(hour=3, minute=10)},
    "reminders-stale-sending": {"task": "reminders.tasks.stale_sending_release_task", "schedule": 15 * 60},
    "imports-release-stale": {"task": "invoices.tasks.import_jobs_release_stale_task", "schedule": 30 * 60},
    # Files of refused or killed uploads that no row points to (outstanding/storage.py), off the full hour.
    "storage-orphans-sweep": {"task": "invoices.tasks.orphan_files_sweep_task", "schedule": crontab(minute=41)},
    "reminders-requeue-due": {"task": "reminders.tasks.reminders_requeue_due_task", "schedule": 15 * 60},
    # The Monday e-mail (outstanding.weekly_summary): hourly, each organization on its first run on or
    # after Monday 07:00 in its own time zone; once per member per week however often it runs.
    "weekly-summaries": {"task": "outstanding.tasks.weekly_summaries_due_task", "schedule": crontab(minute=3)},
    # Accounting connectors: hourly, off the full hour; one task per active connection.
    "connectors-sync-hourly": {"task": "invoices.connector_tasks.connectors_sync_all", "schedule": crontab(minute=17)},
}
