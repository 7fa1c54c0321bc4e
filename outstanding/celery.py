"""The one Celery app. The beat schedule lives here, in code."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outstanding.settings")

app = Celery("outstanding")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Times are Europe/Amsterdam (CELERY_TIMEZONE). Later issues add the daily dunning run and syncs.
app.conf.beat_schedule = {}
