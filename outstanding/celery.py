"""The one Celery app. The beat schedule lives here, in code."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outstanding.settings")

app = Celery("outstanding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Times are Europe/Amsterdam (CELERY_TIMEZONE).
app.conf.beat_schedule = {
    "dunning-daily": {"task": "reminders.tasks.dunning_run_all", "schedule": crontab(hour=6, minute=30)},
    "reminders-stale-sending": {"task": "reminders.tasks.stale_sending_release_task", "schedule": 15 * 60},
}
