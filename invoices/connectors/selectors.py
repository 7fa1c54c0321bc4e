"""Reads on accounting connections. Every function takes the organization explicitly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext

from invoices.connectors import PROVIDERS, Provider
from invoices.models import AccountingConnection, ConnectionStatus
from outstanding.models import Organization


@dataclass(frozen=True)
class ConnectorRow:
    """One package on the settings page: can it be offered here, and how is it connected."""

    provider: Provider
    configured: bool
    connection: AccountingConnection | None
    missing_settings: tuple[str, ...]

    @property
    def is_connected(self) -> bool:
        return self.connection is not None and self.connection.status != ConnectionStatus.DISCONNECTED

    @property
    def is_ready(self) -> bool:
        return self.is_connected and connection_is_ready(self.connection)  # type: ignore[arg-type]

    @property
    def can_connect(self) -> bool:
        """Offer (re)connecting: set up here, and not connected or no longer accepted by the package."""
        if not self.configured:
            return False
        connection = self.connection
        return not self.is_connected or connection.status == ConnectionStatus.ERROR or not connection.access_token  # type: ignore[union-attr]

    @property
    def last_error(self) -> str:
        """The stored msgid in the reader's language."""
        return gettext(self.connection.last_error) if self.connection and self.connection.last_error else ""

    @property
    def last_sync_at(self) -> dt.datetime | None:
        return self.connection.last_sync_at if self.connection else None


def connection_is_ready(connection: AccountingConnection) -> bool:
    """Connected, with a token and an administration: something a sync can run for."""
    return (
        connection.status != ConnectionStatus.DISCONNECTED
        and bool(connection.access_token)
        and bool(connection.account_id)
    )


def connector_rows(*, organization: Organization) -> list[ConnectorRow]:
    connections = {
        connection.provider: connection for connection in AccountingConnection.objects.for_organization(organization)
    }
    return [
        ConnectorRow(
            provider=provider,
            configured=provider.oauth.is_configured(),
            connection=connections.get(provider.name),
            missing_settings=tuple(name for name in provider.settings_names if not getattr(settings, name, "")),
        )
        for provider in PROVIDERS.values()
    ]


def connections_to_sync() -> list[int]:
    """Ids of every active connection with an administration, across organizations.

    Cross-tenant on purpose: the hourly beat job enqueues one task per connection.
    """
    return list(
        AccountingConnection.unscoped.filter(status=ConnectionStatus.ACTIVE)
        .exclude(access_token="")
        .exclude(account_id="")
        .order_by("pk")
        .values_list("pk", flat=True)
    )
