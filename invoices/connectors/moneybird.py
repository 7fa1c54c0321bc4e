"""Moneybird (https://developer.moneybird.com), REST API v2, one administration per connection.

Endpoints used (``{api}`` = ``https://moneybird.com/api/v2/{administration_id}``; every path ends in
``.json`` because Moneybird puts the format in the path):

* ``GET {api}/sales_invoices/synchronization.json?filter=...`` → ``[{"id", "version"}, ...]``
* ``POST {api}/sales_invoices/synchronization.json`` with ``{"ids": [...]}`` (at most 100) → full invoices
* the same pair for ``contacts``
* ``GET https://moneybird.com/api/v2/administrations.json`` after connecting, to choose the administration
* ``https://moneybird.com/oauth/authorize`` and ``/oauth/token`` (authorization code, refresh token)

**The cursor is the set of versions seen**: ``{"v": 1, "sales_invoices": {id: version}, "contacts":
{id: version}}``. Each run lists every id with its current version (one request per kind), fetches only
the records whose version differs from the stored one, and stores the versions of the records it wrote.
We chose this over the ``updated_after`` timestamp filter because it cannot miss a change: it depends on
no clock (ours or Moneybird's), on no ordering of commits at Moneybird and on no overlap margin, it sees
deletions (an id that left the list), and a run cut short stores exactly what it wrote so the next run
continues where it stopped. The price is the size of the cursor, about 40 bytes per invoice and contact
(100,000 records ≈ 4 MB of JSON), and one list request per kind per run.

Rate limit: Moneybird allows 150 requests per 5 minutes. One run makes at most ``REQUEST_BUDGET``
requests (two lists, then batches of 100 records), so an hourly run of a normal administration takes a
handful of requests and a first import of 50,000 invoices completes over several runs (``has_more``).
A 429 is waited out within ``max_wait`` seconds (Retry-After honoured), otherwise the run ends with
:class:`RateLimitedError` and nothing is written.

Mapping: drafts and invoices without a number are skipped; ``invoice_id`` is the number;
``total_price_incl_tax`` the amount; ``total_unpaid`` the open amount; ``uncollectible`` means written
off. A credit invoice (negative total, ``original_sales_invoice_id``) credits its original: in full, the
original becomes *credited*; in part, a credit-note payment on the original. Moneybird also books a
credit as a payment with ``credit_invoice_id`` on the original; those payments are left out because the
credit invoice is already counted. Contacts become debtors only through their first invoice (Moneybird
contacts include suppliers); a contact already known as a debtor is kept up to date.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from invoices.connectors.base import (
    Account,
    AuthError,
    Connector,
    ConnectorError,
    NotConfiguredError,
    OAuthProvider,
    PaymentData,
    PullBatch,
    TemporaryError,
    TokenSet,
)
from invoices.connectors.http import TIMEOUT, JsonApi, decode_json, raise_for_status
from invoices.models import DebtorKind, InvoiceStatus, PaymentSource
from invoices.services import DebtorData, InvoiceData
from outstanding.identifiers import clean_kvk, clean_vat_id
from outstanding.models import Language
from outstanding.money import to_money

logger = logging.getLogger(__name__)

API_URL = "https://moneybird.com/api/v2"
AUTHORIZE_URL = "https://moneybird.com/oauth/authorize"
TOKEN_URL = "https://moneybird.com/oauth/token"  # noqa: S105 - a URL, not a secret
SCOPE = "sales_invoices"  # sales invoices and contacts, read; nothing else
BATCH_SIZE = 100  # Moneybird's maximum for POST .../synchronization
REQUEST_BUDGET = 100  # per run, of the 150 per 5 minutes Moneybird allows
CURSOR_FORMAT = 1
# Every state but draft: a draft has not been sent, so nobody owes anything yet.
SYNCED_STATES = ("scheduled", "open", "pending_payment", "reminded", "late", "paid", "uncollectible")
# The invoice list filters on one year by default; ask for every year that can hold a sent invoice.
FIRST_PERIOD_DAY = "20000101"
ZERO = Decimal("0.00")


class MoneybirdConnector(Connector):
    provider = "moneybird"
    label = "Moneybird"

    def __init__(self, *, request_budget: int = REQUEST_BUDGET, max_wait: float = 120.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.request_budget = request_budget
        self._access_token = self.credentials.access_token
        self._refresh_token = self.credentials.refresh_token
        self.api = JsonApi(
            session=self.session,
            token=lambda: self._access_token,
            refresh=self._refresh,
            sleep=self.sleep,
            max_wait=max_wait,
        )

    def pull(self, *, cursor: Mapping[str, Any], today: dt.date) -> PullBatch:
        if not self.credentials.account_id:
            raise NotConfiguredError("no administration chosen")
        try:
            return self._pull(cursor, today)
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            # A record without a field we rely on, or with a value we cannot read: not our data to guess.
            raise ConnectorError(f"unexpected record from Moneybird: {type(exc).__name__}") from None

    def _pull(self, cursor: Mapping[str, Any], today: dt.date) -> PullBatch:
        seen = _seen_versions(cursor)
        listed = {
            "contacts": self._versions("contacts"),
            "sales_invoices": self._versions("sales_invoices", {"filter": invoice_filter(today)}),
        }
        # Versions of ids that still exist carry over; an id that left the list was deleted upstream.
        new_cursor: dict[str, Any] = {"v": CURSOR_FORMAT}
        for kind, versions in listed.items():
            new_cursor[kind] = {key: seen[kind][key] for key in versions if key in seen[kind]}
        invoices, invoices_complete = self._fetch_changed("sales_invoices", listed["sales_invoices"], seen)
        invoices, credits_complete = self._with_originals(invoices)
        contacts, contacts_complete = self._fetch_changed("contacts", listed["contacts"], seen)
        _remember(new_cursor["sales_invoices"], invoices)
        _remember(new_cursor["contacts"], contacts)
        invoice_rows, payments, skipped = map_sales_invoices(invoices)
        return PullBatch(
            debtors=[contact_to_debtor(contact) for contact in contacts],
            invoices=invoice_rows,
            payments=payments,
            cursor=new_cursor,
            has_more=not (invoices_complete and credits_complete and contacts_complete),
            skipped=skipped,
        )

    def _url(self, path: str) -> str:
        return f"{API_URL}/{self.credentials.account_id}/{path}"

    def _versions(self, kind: str, params: dict[str, str] | None = None) -> dict[str, int]:
        listed = self.api.get_all(self._url(f"{kind}/synchronization.json"), params)
        return {str(item["id"]): int(item["version"]) for item in listed}

    def _fetch(self, kind: str, ids: list[str]) -> list[dict[str, Any]]:
        records = self.api.post(self._url(f"{kind}/synchronization.json"), {"ids": ids})
        if not isinstance(records, list):
            raise ConnectorError(f"POST {kind}/synchronization: expected a list")
        return records

    def _fetch_changed(
        self, kind: str, listed: dict[str, int], seen: dict[str, dict[str, int]]
    ) -> tuple[list[dict[str, Any]], bool]:
        """Records whose version differs from the one stored, as far as the request budget reaches."""
        changed = sorted(key for key, version in listed.items() if seen[kind].get(key) != version)
        records: list[dict[str, Any]] = []
        for start in range(0, len(changed), BATCH_SIZE):
            if self.api.requests_made >= self.request_budget:
                return records, False
            records.extend(self._fetch(kind, changed[start : start + BATCH_SIZE]))
        return records, True

    def _with_originals(self, invoices: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], bool]:
        """Add the original of every credit invoice, so the credit can be applied to it in this batch.

        A credit invoice whose original the request budget did not reach waits for the next run (its
        version is then not stored, so it is fetched again). An original Moneybird no longer returns
        leaves the credit standing alone: it is skipped.
        """
        present = {str(record["id"]) for record in invoices}
        wanted = {_original_id(record) for record in invoices if _original_id(record)}
        missing = sorted(wanted - present)
        originals: list[dict[str, Any]] = []
        requested: set[str] = set()
        for start in range(0, len(missing), BATCH_SIZE):
            if self.api.requests_made >= self.request_budget:
                break
            chunk = missing[start : start + BATCH_SIZE]
            requested.update(chunk)
            originals.extend(self._fetch("sales_invoices", chunk))
        deferred = {str(r["id"]) for r in invoices if _original_id(r) and _original_id(r) not in present | requested}
        kept = [record for record in invoices if str(record["id"]) not in deferred]
        return kept + originals, not deferred

    def _refresh(self) -> bool:
        """Trade the refresh token for new tokens after a 401; False when there is none or it is refused."""
        if not self._refresh_token:
            return False
        try:
            tokens = MoneybirdOAuth(session=self.session).refresh(refresh_token=self._refresh_token)
        except AuthError:
            return False
        self._access_token, self._refresh_token = tokens.access_token, tokens.refresh_token or self._refresh_token
        if self.tokens_changed is not None:
            self.tokens_changed(TokenSet(self._access_token, self._refresh_token))
        logger.info("connector.token_refreshed", extra={"provider": self.provider})
        return True


def invoice_filter(today: dt.date) -> str:
    """Every sent invoice of every year, drafts left out (``period`` defaults to this year only)."""
    return f"period:{FIRST_PERIOD_DAY}..{today.year + 1}1231,state:{'|'.join(SYNCED_STATES)}"


def _seen_versions(cursor: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """The stored versions; an empty or foreign cursor means: fetch everything."""
    if cursor.get("v") != CURSOR_FORMAT:
        return {"contacts": {}, "sales_invoices": {}}
    return {kind: dict(cursor.get(kind) or {}) for kind in ("contacts", "sales_invoices")}


def _remember(versions: dict[str, int], records: Iterable[Mapping[str, Any]]) -> None:
    """The version of the record as fetched (it may be newer than the one listed a moment earlier)."""
    for record in records:
        versions[str(record["id"])] = int(record["version"])


# --- Mapping Moneybird records onto intake data (pure functions) ------------------------------------


def map_sales_invoices(records: Sequence[Mapping[str, Any]]) -> tuple[list[InvoiceData], list[PaymentData], int]:
    """Invoices, their payments and credits; and how many records were skipped."""
    credits_by_original: dict[str, list[Mapping[str, Any]]] = {}
    regular: list[Mapping[str, Any]] = []
    skipped = 0
    for record in records:
        if not _is_credit(record):
            regular.append(record)
        elif record.get("original_sales_invoice_id"):
            credits_by_original.setdefault(str(record["original_sales_invoice_id"]), []).append(record)
        else:
            skipped += 1  # a credit note on its own: there is no invoice here to lower
    rows: list[InvoiceData] = []
    payments: list[PaymentData] = []
    for record in regular:
        if record.get("state") == "draft" or not record.get("invoice_id") or not record.get("invoice_date"):
            skipped += 1  # not sent yet: no number, nothing owed
            continue
        credits = credits_by_original.get(str(record["id"]), [])
        row = invoice_data(record, credits)
        rows.append(row)
        payments.extend(invoice_payments(record, row, credits))
    return rows, payments, skipped


def invoice_data(record: Mapping[str, Any], credits: list[Mapping[str, Any]]) -> InvoiceData:
    amount = _money(record.get("total_price_incl_tax"))
    issue_date = dt.date.fromisoformat(record["invoice_date"])
    due_date = dt.date.fromisoformat(record["due_date"]) if record.get("due_date") else issue_date
    status: str | None = None
    if credits and _credited(credits) >= amount:
        status = InvoiceStatus.CREDITED
    elif record.get("state") == "uncollectible":
        status = InvoiceStatus.WRITTEN_OFF
    contact = record.get("contact") or {"id": record.get("contact_id")}
    return InvoiceData(
        number=str(record["invoice_id"]).strip(),
        external_id=f"moneybird:{record['id']}",
        debtor=contact_to_debtor(contact, language=str(record.get("language") or "")),
        issue_date=issue_date,
        due_date=max(due_date, issue_date),
        amount=amount,
        vat_amount=max(ZERO, amount - _money(record.get("total_price_excl_tax"))),
        open_amount=min(amount, max(ZERO, _money(record.get("total_unpaid")))),
        currency=str(record.get("currency") or "EUR").upper(),
        status=status,
    )


def invoice_payments(
    record: Mapping[str, Any], row: InvoiceData, credits: list[Mapping[str, Any]]
) -> list[PaymentData]:
    """Money received, and partial credits as credit-note payments (a full credit is a status instead)."""
    payments = []
    for payment in record.get("payments") or []:
        amount = _money(payment.get("price"))
        if payment.get("credit_invoice_id") or amount <= 0:
            continue  # the credit invoice itself is counted below; refunds show in the open amount
        date = dt.date.fromisoformat(payment["payment_date"])
        payments.append(PaymentData(row.external_id, amount, date, f"moneybird:{payment['id']}"))
    if row.status != InvoiceStatus.CREDITED:
        for credit in credits:
            date = dt.date.fromisoformat(credit.get("invoice_date") or record["invoice_date"])
            reference = f"moneybird:credit:{credit['id']}"
            payments.append(
                PaymentData(
                    row.external_id,
                    -_money(credit["total_price_incl_tax"]),
                    date,
                    reference,
                    source=PaymentSource.CREDIT_NOTE,
                )
            )
    return payments


def contact_to_debtor(contact: Mapping[str, Any], *, language: str = "") -> DebtorData:
    """A Moneybird contact as a debtor: a company is a business, a person without one a consumer."""
    company = _text(contact.get("company_name"))
    person = " ".join(part for part in (_text(contact.get("firstname")), _text(contact.get("lastname"))) if part)
    emails = _emails(contact.get("send_invoices_to_email"), contact.get("email"))
    fallback = emails[0] if emails else f"Moneybird {_text(contact.get('customer_id')) or contact.get('id')}"
    phone = _text(contact.get("phone"))[:30]
    country = _text(contact.get("country")).upper()
    return DebtorData(
        name=(company or person or fallback)[:200],
        kind=DebtorKind.BUSINESS if company else DebtorKind.CONSUMER,
        external_id=f"moneybird:{contact.get('id')}",
        contact_person=(person if company else "")[:200],
        emails=emails,
        phones=[phone] if phone else [],
        street=_text(contact.get("address1"))[:200],
        postal_code=_text(contact.get("zipcode"))[:20],
        city=_text(contact.get("city"))[:100],
        country=country if len(country) == 2 and country.isalpha() else "",
        language=language if language in Language.values else "",
        kvk_number=_cleaned(clean_kvk, contact.get("chamber_of_commerce"), 8),
        vat_id=_cleaned(clean_vat_id, contact.get("tax_number"), 20),
    )


def _is_credit(record: Mapping[str, Any]) -> bool:
    return _money(record.get("total_price_incl_tax")) < 0


def _original_id(record: Mapping[str, Any]) -> str:
    """The invoice a credit invoice credits; "" for anything else."""
    original = record.get("original_sales_invoice_id")
    return str(original) if original and _is_credit(record) else ""


def _credited(credits: list[Mapping[str, Any]]) -> Decimal:
    return sum((-_money(credit.get("total_price_incl_tax")) for credit in credits), ZERO)


def _money(value: Any) -> Decimal:
    return to_money(str(value)) if value not in (None, "") else ZERO


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _emails(*values: Any) -> list[str]:
    """Valid addresses, invoice address first; Moneybird allows several separated by commas."""
    found: list[str] = []
    for value in values:
        for candidate in _text(value).replace(";", ",").split(","):
            address = candidate.strip()
            try:
                validate_email(address)
            except ValidationError:
                continue
            if address.lower() not in (known.lower() for known in found):
                found.append(address)
    return found


def _cleaned(clean: Callable[[str], str], value: Any, max_length: int) -> str:
    """A KvK number or VAT id when it is valid; left out otherwise (it is only a detail of the debtor)."""
    try:
        cleaned = clean(_text(value))
    except ValidationError:
        return ""
    return cleaned if len(cleaned) <= max_length else ""


# --- Connecting (OAuth 2 authorization code) ---------------------------------------------------------


class MoneybirdOAuth(OAuthProvider):
    """The client id and secret come from settings (MONEYBIRD_CLIENT_ID, MONEYBIRD_CLIENT_SECRET)."""

    def __init__(self, *, session: requests.Session | None = None) -> None:
        self._session = session

    @property
    def session(self) -> requests.Session:
        """The session given, else a new one per use (the registry's instance is shared between threads)."""
        return self._session or requests.Session()

    def is_configured(self) -> bool:
        return bool(settings.MONEYBIRD_CLIENT_ID and settings.MONEYBIRD_CLIENT_SECRET)

    def authorize_url(self, *, state: str, redirect_uri: str) -> str:
        query = {
            "client_id": settings.MONEYBIRD_CLIENT_ID,
            "redirect_uri": redirect_uri,
            "response_type": "code",
            "scope": SCOPE,
            "state": state,
        }
        return f"{AUTHORIZE_URL}?{urlencode(query)}"

    def exchange_code(self, *, code: str, redirect_uri: str) -> TokenSet:
        return self._token({"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri})

    def refresh(self, *, refresh_token: str) -> TokenSet:
        return self._token({"grant_type": "refresh_token", "refresh_token": refresh_token})

    def accounts(self, *, access_token: str) -> list[Account]:
        # max_wait=0: a person is waiting for this page; a 429 is reported rather than slept through.
        api = JsonApi(session=self.session, token=lambda: access_token, max_wait=0)
        administrations = api.get(f"{API_URL}/administrations.json")
        if not isinstance(administrations, list):
            raise ConnectorError("GET administrations: expected a list")
        return [Account(id=str(item["id"]), name=_text(item.get("name"))) for item in administrations]

    def _token(self, grant: dict[str, str]) -> TokenSet:
        if not self.is_configured():
            raise NotConfiguredError("MONEYBIRD_CLIENT_ID or MONEYBIRD_CLIENT_SECRET is empty")
        data = {**grant, "client_id": settings.MONEYBIRD_CLIENT_ID, "client_secret": settings.MONEYBIRD_CLIENT_SECRET}
        what = f"POST /oauth/token ({grant['grant_type']})"
        try:
            response = self.session.post(TOKEN_URL, data=data, headers={"Accept": "application/json"}, timeout=TIMEOUT)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TemporaryError(f"{what}: {type(exc).__name__}") from None
        if response.status_code in (400, 401):
            raise AuthError(f"{what}: HTTP {response.status_code}")  # invalid_grant: expired or used code
        raise_for_status(response, what)
        body = decode_json(response)
        if not isinstance(body, dict) or not body.get("access_token"):
            raise ConnectorError(f"{what}: no access_token in the answer")
        return TokenSet(access_token=str(body["access_token"]), refresh_token=str(body.get("refresh_token") or ""))
