"""Writes on accounting connections: connect, choose the administration, disconnect, queue a sync.

Tokens are stored here and nowhere else; they are never logged and never rendered.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from invoices.connectors import provider_get
from invoices.connectors.base import TokenSet
from invoices.models import AccountingConnection, ConnectionStatus
from outstanding.models import Organization

logger = logging.getLogger(__name__)


@transaction.atomic
def accounting_connection_connect(
    *, organization: Organization, provider: str, tokens: TokenSet
) -> AccountingConnection:
    """Store the tokens of a new connection, or of a reconnection (same row: administration and cursor kept)."""
    provider_get(provider)  # refuse names no connector answers to
    connection = (
        AccountingConnection.objects.for_organization(organization)
        .select_for_update()
        .filter(provider=provider)
        .first()
    )
    if connection is None:
        connection = AccountingConnection(organization=organization, provider=provider)
    connection.access_token = tokens.access_token
    connection.refresh_token = tokens.refresh_token
    connection.status = ConnectionStatus.ACTIVE
    connection.last_error = ""
    connection.last_error_at = None
    connection.save()
    logger.info("connector.connected", extra={"connection": connection.pk, "organization": organization.pk})
    return connection


def accounting_connection_account_choose(*, connection: AccountingConnection, account_id: str) -> AccountingConnection:
    """Import from ``account_id`` (validated by the caller against the package's own list).

    Another administration than before starts from an empty cursor: its versions mean nothing here.
    """
    if account_id != connection.account_id:
        connection.account_id = account_id
        connection.cursor = {}
    connection.status = ConnectionStatus.ACTIVE
    connection.last_error = ""
    connection.save(update_fields=["account_id", "cursor", "status", "last_error"])
    logger.info("connector.account_chosen", extra={"connection": connection.pk})
    return connection


def accounting_connection_disconnect(*, connection: AccountingConnection) -> AccountingConnection:
    """Stop syncing and forget the tokens. Imported debtors, invoices and payments stay."""
    connection.status = ConnectionStatus.DISCONNECTED
    connection.access_token = ""
    connection.refresh_token = ""
    connection.save(update_fields=["status", "access_token", "refresh_token"])
    logger.info("connector.disconnected", extra={"connection": connection.pk})
    return connection


def accounting_connection_sync_enqueue(*, connection: AccountingConnection) -> None:
    """Sync soon, after the current transaction commits (the task reads the committed row)."""
    from invoices.connector_tasks import connection_sync_task

    connection_id = connection.pk
    transaction.on_commit(lambda: connection_sync_task.delay(connection_id))
    logger.info("connector.sync_queued", extra={"connection": connection_id, "at": timezone.now().isoformat()})
