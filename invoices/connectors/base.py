"""The contract every accounting connector fulfils (docs/connectors.md).

A connector only *reads* the creditor's accounting package. :meth:`Connector.pull` takes the cursor
stored on the connection and returns a :class:`PullBatch`: debtors, invoices and payments changed since
that cursor, as plain data, plus the cursor to store once the batch is safely written. The sync service
(:mod:`invoices.connectors.sync`) writes the batch through the one intake path
(``invoices_upsert_many`` and ``payment_record``) and only then moves the cursor, in the same
transaction, so a failure never loses the cursor and a batch can always be pulled again.

Everything a connector returns must be idempotent to write twice: invoices carry the package's id as
``external_id`` and payments a ``reference`` that stays the same for the same payment forever.

Errors are :class:`ConnectorError` subclasses. Their ``message`` is an English msgid in plain words
for the creditor (translated when shown); ``detail`` is for logs and never holds a token or personal data.
"""

from __future__ import annotations

import datetime as dt
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, ClassVar

import requests
from django.utils.translation import gettext_noop

from invoices.models import PaymentSource
from invoices.services import DebtorData, InvoiceData

Sleep = Callable[[float], None]


# --- Data a connector hands over ---------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentData:
    """Money received on one invoice, as the package reports it.

    ``invoice_external_id`` is the ``external_id`` of an :class:`InvoiceData` in the same batch or of an
    invoice imported earlier. ``reference`` is stable per payment (``moneybird:<payment id>``), which is
    what makes recording it twice harmless (``payment_record`` is idempotent per source and reference).
    """

    invoice_external_id: str
    amount: Decimal
    date: dt.date
    reference: str
    source: str = PaymentSource.CONNECTOR


@dataclass
class PullBatch:
    """What one pull found. ``cursor`` is the position to store after writing everything else."""

    debtors: list[DebtorData] = field(default_factory=list)
    invoices: list[InvoiceData] = field(default_factory=list)
    payments: list[PaymentData] = field(default_factory=list)
    cursor: dict[str, Any] = field(default_factory=dict)
    # More changes are waiting (the request budget of one run ran out): sync again soon.
    has_more: bool = False
    # Records the connector looked at and deliberately left out (drafts, credit notes without original).
    skipped: int = 0


@dataclass(frozen=True)
class TokenSet:
    """OAuth tokens. Never logged: the secrets are kept out of ``repr``."""

    access_token: str = field(repr=False)
    refresh_token: str = field(default="", repr=False)


@dataclass(frozen=True)
class Credentials:
    """What a connector needs to reach one organization's data in the package."""

    access_token: str = field(repr=False)
    refresh_token: str = field(default="", repr=False)
    account_id: str = ""  # the administration (Moneybird), division (Exact Online), ...


@dataclass(frozen=True)
class Account:
    """An administration the user may choose after connecting."""

    id: str
    name: str


# --- Errors ------------------------------------------------------------------------------------------


class ConnectorError(Exception):
    """Something kept a pull or an OAuth step from finishing. Nothing was written."""

    code: ClassVar[str] = "error"
    message: ClassVar[str] = gettext_noop(
        "Your accounting package gave an answer we did not expect. We will try again within the hour."
    )
    needs_reconnect: ClassVar[bool] = False

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail or self.code)
        self.detail = detail


class AuthError(ConnectorError):
    """The package no longer accepts our token (revoked, expired, scope withdrawn): reconnect."""

    code = "auth"
    message = gettext_noop(
        "Your accounting package no longer gives us access: the connection was withdrawn or has expired. "
        "Reconnect to resume importing."
    )
    needs_reconnect = True


class AccountNotFoundError(ConnectorError):
    """The chosen administration is gone or no longer shared with us."""

    code = "account"
    message = gettext_noop(
        "The administration we import from is no longer available in your accounting package. "
        "Reconnect and choose the administration again."
    )
    needs_reconnect = True


class TemporaryError(ConnectorError):
    """The package could not be reached or failed on its side; the next hourly run tries again."""

    code = "temporary"
    message = gettext_noop("Your accounting package could not be reached just now. We will try again within the hour.")


class RateLimitedError(TemporaryError):
    """The package asked us to slow down for longer than one run may wait."""

    code = "rate_limited"
    message = gettext_noop("Your accounting package asked us to slow down. We will continue within the hour.")


class NotConfiguredError(ConnectorError):
    """This server has no OAuth client for the package, or no administration was chosen yet."""

    code = "not_configured"
    message = gettext_noop("The connection is not finished: choose the administration to import from.")
    needs_reconnect = True


class StorageError(ConnectorError):
    """Our side failed while writing the batch; the transaction was rolled back."""

    code = "storage"
    message = gettext_noop(
        "Something went wrong while saving the imported data; nothing was changed. We will try again within the hour."
    )


# --- The interfaces ----------------------------------------------------------------------------------


class Connector(ABC):
    """Reads one organization's debtors, invoices and payments from an accounting package.

    ``session``: the HTTP session (tests use ``responses``). ``sleep``: how to wait when the package
    rate-limits us. ``tokens_changed``: called at once with new tokens when the connector refreshed
    them, so they are kept even when the pull fails afterwards.
    """

    provider: ClassVar[str]
    label: ClassVar[str]

    def __init__(
        self,
        *,
        credentials: Credentials,
        session: requests.Session | None = None,
        sleep: Sleep = time.sleep,
        tokens_changed: Callable[[TokenSet], None] | None = None,
    ) -> None:
        self.credentials = credentials
        self.session = session or requests.Session()
        self.sleep = sleep
        self.tokens_changed = tokens_changed

    @abstractmethod
    def pull(self, *, cursor: Mapping[str, Any], today: dt.date) -> PullBatch:
        """Everything changed since ``cursor``. Must not write anything; must not move ``cursor`` in place."""


class OAuthProvider(ABC):
    """Connecting through OAuth 2 (authorization code): the settings page and the callback use this."""

    @abstractmethod
    def is_configured(self) -> bool:
        """True when this server has a client id and secret for the package."""

    @abstractmethod
    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        """Where to send the user to grant access."""

    @abstractmethod
    def exchange_code(self, *, code: str, redirect_uri: str) -> TokenSet:
        """Trade the authorization code for tokens; raises AuthError when the package refuses."""

    @abstractmethod
    def accounts(self, *, access_token: str) -> list[Account]:
        """The administrations this token may read."""
