"""Celery tasks for accounting connectors: thin wrappers that take ids and call the sync service.

Discovered through ``app.autodiscover_tasks(related_name="connector_tasks")`` in outstanding/celery.py;
beat runs :func:`connectors_sync_all` every hour.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone

from invoices.connectors.selectors import connection_is_ready, connections_to_sync
from invoices.connectors.sync import connection_sync
from invoices.models import AccountingConnection

logger = logging.getLogger(__name__)

# A run cut short by the request budget continues after the package's rate-limit window (5 minutes).
CONTINUE_AFTER = 5 * 60


@shared_task(soft_time_limit=60, time_limit=90)
def connectors_sync_all() -> int:
    """Beat, hourly: one task per active connection, so one failure does not stop the others."""
    connection_ids = connections_to_sync()
    for connection_id in connection_ids:
        try:
            connection_sync_task.delay(connection_id)
        except SoftTimeLimitExceeded:
            # Out of time: the connections not queued now are queued by the next hourly run.
            logger.warning("connector.fan_out_stopped", extra={"total": len(connection_ids)})
            break
        except Exception:
            # The broker refused this one (or, run eagerly, the sync itself crashed): carry on with the rest.
            logger.exception("connector.enqueue_failed", extra={"connection": connection_id})
    return len(connection_ids)


# A sync pulls one budget of requests and may wait out the package's rate limit; at the soft limit
# connection_sync rolls back, records the failure and the next run starts from the same cursor.
@shared_task(soft_time_limit=600, time_limit=660)
def connection_sync_task(connection_id: int) -> str:
    # Cross-tenant lookup by primary key: the id comes from our own scheduler or a creditor's own page.
    connection = AccountingConnection.unscoped.select_related("organization").filter(pk=connection_id).first()
    if connection is None or not connection_is_ready(connection):
        return "skipped"
    result = connection_sync(connection=connection, now=timezone.now())
    if result.ok and result.has_more:
        connection_sync_task.apply_async((connection_id,), countdown=CONTINUE_AFTER)
    return result.summary()
