"""Celery tasks of online payments: thin, they take ids and call the service."""

from __future__ import annotations

from celery import shared_task

from invoices.payments.notifications import online_payment_reversal_notify


@shared_task(soft_time_limit=60, time_limit=90)  # a handful of e-mails
def online_payment_reversal_notify_task(online_payment_id: int, handled: str) -> None:
    online_payment_reversal_notify(online_payment_id=online_payment_id, handled=handled)
