"""Portal tasks: thin, they take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from portal.services.notifications import thread_entry_notification_send


@shared_task(soft_time_limit=60, time_limit=90)  # a few e-mails
def thread_entry_notification_task(entry_id: int) -> int:
    return thread_entry_notification_send(entry_id=entry_id)
