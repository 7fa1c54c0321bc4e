"""The one place a Mollie API client (``mollie-api-python``) is made, and what it reports turned into plain values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from mollie.api.client import Client
from mollie.api.error import Error as MollieError
from mollie.api.error import NotFoundError, RequestError, RequestSetupError

from outstanding.models import Organization

__all__ = [
    "MollieError",
    "MolliePayment",
    "MollieUnavailable",
    "NotFoundError",
    "RequestError",
    "RequestSetupError",
    "mollie_api_key",
    "mollie_client",
    "mollie_payment",
]


class MollieUnavailable(Exception):
    """Mollie could not be reached or answered with an error; nothing was changed on our side."""


def mollie_api_key(organization: Organization) -> str:
    """The key payments of ``organization`` are made with: its own Mollie account's, or "" (no online payment).

    The platform key ``MOLLIE_API_KEY`` stands in only where ``MOLLIE_PLATFORM_KEY_FALLBACK`` is on, which
    settings allow in development and tests only: in production every payment goes to the creditor's
    own account, never to someone else's.
    """
    if organization.mollie_api_key:
        return organization.mollie_api_key
    return settings.MOLLIE_API_KEY if settings.MOLLIE_PLATFORM_KEY_FALLBACK else ""


def mollie_client(organization: Organization) -> Client:
    """A client for ``organization``'s Mollie account, talking to ``MOLLIE_API_ENDPOINT``."""
    client = Client(timeout=(settings.MOLLIE_TIMEOUT_SECONDS, settings.MOLLIE_TIMEOUT_SECONDS), retry=1)
    client.set_api_endpoint(settings.MOLLIE_API_ENDPOINT)
    client.set_api_key(mollie_api_key(organization))
    return client


@dataclass(frozen=True)
class MolliePayment:
    """The facts of a Mollie payment we act on, as fetched from Mollie (never from a webhook body)."""

    id: str
    status: str
    amount: Decimal | None
    currency: str
    metadata: dict[str, Any] = field(default_factory=dict)
    checkout_url: str = ""
    paid_at: dt.datetime | None = None
    amount_refunded: Decimal = Decimal("0.00")
    amount_charged_back: Decimal = Decimal("0.00")


def mollie_payment(data: dict[str, Any]) -> MolliePayment:
    """Mollie's payment JSON (https://docs.mollie.com/reference/get-payment) as plain values."""
    amount = data.get("amount") or {}
    metadata = data.get("metadata")
    checkout = ((data.get("_links") or {}).get("checkout") or {}).get("href") or ""
    return MolliePayment(
        id=str(data.get("id") or ""),
        status=str(data.get("status") or ""),
        amount=_amount(amount),
        currency=str(amount.get("currency") or ""),
        metadata=metadata if isinstance(metadata, dict) else {},
        checkout_url=str(checkout),
        paid_at=_timestamp(data.get("paidAt")),
        amount_refunded=_amount(data.get("amountRefunded")) or Decimal("0.00"),
        amount_charged_back=_amount(data.get("amountChargedBack")) or Decimal("0.00"),
    )


def _amount(value: object) -> Decimal | None:
    """``{"value": "121.00", "currency": "EUR"}`` → Decimal("121.00"); anything else → None."""
    if not isinstance(value, dict) or not isinstance(value.get("value"), str):
        return None
    try:
        return Decimal(value["value"])
    except InvalidOperation:
        return None


def _timestamp(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.datetime.fromisoformat(value)
    except ValueError:
        return None
