"""Accounting connectors ("koppelen aan uw boekhoudpakket"): the registry, by provider name.

Each entry pairs a :class:`~invoices.connectors.base.Connector` (pulls changes) with an
:class:`~invoices.connectors.base.OAuthProvider` (connects). ``AccountingConnection.provider`` holds the
name. Adding a package is one module and one line here; docs/connectors.md walks through it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from invoices.connectors.base import Connector, ConnectorError, Credentials, OAuthProvider
from invoices.connectors.moneybird import MoneybirdConnector, MoneybirdOAuth

if TYPE_CHECKING:
    from invoices.models import AccountingConnection


@dataclass(frozen=True)
class Provider:
    name: str
    label: str  # a brand name: not translated
    connector: type[Connector]
    oauth: OAuthProvider
    # The settings a server operator fills in to offer this package (shown when they are missing).
    settings_names: tuple[str, ...] = ()


PROVIDERS: dict[str, Provider] = {
    "moneybird": Provider(
        name="moneybird",
        label="Moneybird",
        connector=MoneybirdConnector,
        oauth=MoneybirdOAuth(),
        settings_names=("MONEYBIRD_CLIENT_ID", "MONEYBIRD_CLIENT_SECRET"),
    ),
}


class UnknownProviderError(ConnectorError):
    code = "unknown_provider"


def provider_get(name: str) -> Provider:
    try:
        return PROVIDERS[name]
    except KeyError:
        raise UnknownProviderError(f"no connector named {name!r}") from None


def connector_for(connection: AccountingConnection, **options: Any) -> Connector:
    """The connector for ``connection`` with its stored credentials; ``options`` go to the constructor."""
    credentials = Credentials(
        access_token=connection.access_token,
        refresh_token=connection.refresh_token,
        account_id=connection.account_id,
    )
    return provider_get(connection.provider).connector(credentials=credentials, **options)


__all__ = ["PROVIDERS", "Provider", "UnknownProviderError", "connector_for", "provider_get"]
