"""One sync of one accounting connection: pull, then write everything in one transaction.

The order is the guarantee "a failure never loses the cursor":

1. **Pull** over HTTP, outside any transaction (no locks held while the package answers).
2. **Write** in one transaction: invoices and their debtors through ``invoices_upsert_many``, payments
   through ``payment_record``, debtors we already know refreshed through ``debtor_upsert``, and *then*
   the new cursor and ``last_sync_at`` on the connection row. Either all of it commits or none of it.
3. **On failure** the transaction has rolled back, so data and cursor are as before; a separate small
   update records ``last_error`` (a plain-words msgid) and ``last_error_at``. An :class:`AuthError`
   also sets the status to *error*: only reconnecting helps. Anything else is tried again next hour.

Two syncs of one connection may overlap (the hourly run and "sync now"). The write step locks the
connection row and writes only when the cursor is still the one it pulled from; otherwise another run
got there first and this one stands down without writing (its data would be the same or older).

Payments and open amounts: the package's open amount is the truth (``total_unpaid`` for Moneybird), and
``payment_record`` lowers the open amount by what it records. So an invoice with new payments is upserted
with its open amount *before* them (the package's open amount plus the new payments) and recording them
lands exactly on the package's figure: one write per invoice, which matters for a first import where
most invoices are paid. Where it does not land there (totals that do not add up upstream, an invoice
closed here), the row is upserted once more. Every step is idempotent.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import partial

from django.db import transaction

from invoices.connectors import connector_for
from invoices.connectors.base import ConnectorError, PaymentData, PullBatch, Sleep, StorageError, TokenSet
from invoices.models import AccountingConnection, ConnectionStatus, Debtor, Invoice, InvoiceStatus, Payment
from invoices.services import DebtorData, InvoiceData, debtor_upsert, invoices_upsert_many, payment_record
from invoices.services.upsert import invoice_data_errors
from outstanding.calendar import local_today
from outstanding.models import Organization
from outstanding.money import to_money

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")


@dataclass
class SyncResult:
    ok: bool = True
    created: int = 0
    updated: int = 0  # existing invoices that changed, by new data or new payments
    unchanged: int = 0
    debtors_created: int = 0
    debtors_refreshed: int = 0
    payments_recorded: int = 0
    skipped: int = 0
    has_more: bool = False
    superseded: bool = False  # another run wrote first; this one wrote nothing
    error: str = ""  # the msgid shown to the creditor
    skipped_reasons: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if not self.ok:
            return f"failed: {self.error}"
        if self.superseded:
            return "superseded"
        return (
            f"created={self.created} updated={self.updated} unchanged={self.unchanged} "
            f"payments={self.payments_recorded} skipped={self.skipped} more={self.has_more}"
        )


def connection_sync(*, connection: AccountingConnection, now: dt.datetime, sleep: Sleep = time.sleep) -> SyncResult:
    """Bring the organization's data in line with its accounting package. Never raises for a failed sync.

    ``sleep`` is how the connector waits out a rate limit (tests pass a recorder instead of waiting).
    """
    organization = connection.organization
    cursor_before = dict(connection.cursor or {})
    try:
        connector = connector_for(connection, sleep=sleep, tokens_changed=partial(_tokens_store, connection))
        batch = connector.pull(cursor=cursor_before, today=local_today(organization.time_zone, now))
        result = _write(connection, batch, cursor_before, now)
    except ConnectorError as exc:
        logger.warning(
            "connector.sync_failed",
            extra={"connection": connection.pk, "organization": organization.pk, "code": exc.code, "why": exc.detail},
        )
        return _failure_record(connection, exc, now)
    except Exception:
        # Our side failed while writing (a constraint, a bug): rolled back; the next hourly run retries.
        logger.exception("connector.sync_crashed", extra={"connection": connection.pk, "organization": organization.pk})
        return _failure_record(connection, StorageError(), now)
    logger.info(
        "connector.synced",
        extra={
            "connection": connection.pk,
            "organization": organization.pk,
            "result": result.summary(),
            "skipped": result.skipped_reasons[:20],  # external ids and field names only
        },
    )
    return result


@transaction.atomic
def _write(connection: AccountingConnection, batch: PullBatch, cursor_before: dict, now: dt.datetime) -> SyncResult:
    organization = connection.organization
    locked = AccountingConnection.objects.for_organization(organization).select_for_update().get(pk=connection.pk)
    if locked.cursor != cursor_before or locked.status == ConnectionStatus.DISCONNECTED:
        return SyncResult(superseded=True)
    result = _batch_store(organization, batch)
    # Last, in the same transaction: the cursor moves only together with the data it stands for.
    locked.cursor, locked.last_sync_at, locked.last_error = batch.cursor, now, ""
    locked.status = ConnectionStatus.ACTIVE
    locked.save(update_fields=["cursor", "last_sync_at", "last_error", "status"])
    connection.cursor, connection.last_sync_at, connection.last_error = locked.cursor, now, ""
    connection.status = locked.status
    return result


def _batch_store(organization: Organization, batch: PullBatch) -> SyncResult:
    rows, result = _valid_rows(batch.invoices)
    before = _versions_here(organization, rows)
    new_payments = _new_payments(organization, batch.payments, rows)
    pending = _pending_by_invoice(new_payments)
    upserted = invoices_upsert_many(organization=organization, rows=[_before_payments(row, pending) for row in rows])
    result.debtors_refreshed = _known_debtors_refresh(organization, batch.debtors, rows)
    _payments_record(organization, new_payments)
    _open_amounts_settle(organization, [row for row in rows if row.external_id in pending])
    after = _versions_here(organization, rows)
    result.created, result.debtors_created = upserted.created, upserted.debtors_created
    result.updated = sum(1 for key, version in before.items() if after.get(key) != version)
    result.unchanged = len(before) - result.updated
    result.payments_recorded = len(new_payments)
    result.skipped += batch.skipped
    result.has_more = batch.has_more
    return result


def _valid_rows(invoices: Sequence[InvoiceData]) -> tuple[list[InvoiceData], SyncResult]:
    """Rows the database will accept; the others are skipped (fixed upstream, they come back changed)."""
    result = SyncResult()
    rows = []
    for row in invoices:
        errors = invoice_data_errors(row)
        if errors:
            result.skipped += 1
            result.skipped_reasons.append(f"{row.external_id}: {', '.join(name for name, _reason in errors)}")
            continue
        rows.append(row)
    return rows, result


def _known_debtors_refresh(organization: Organization, debtors: Sequence[DebtorData], rows: list[InvoiceData]) -> int:
    """Update debtors we already have from changed contacts; a contact is not a debtor before its first invoice."""
    in_rows = {row.debtor.external_id for row in rows}
    candidates = {data.external_id: data for data in debtors if data.external_id and data.external_id not in in_rows}
    known = set(
        Debtor.objects.for_organization(organization)
        .filter(external_id__in=list(candidates))
        .values_list("external_id", flat=True)
    )
    for external_id in sorted(known):
        debtor_upsert(organization=organization, data=candidates[external_id])
    return len(known)


def _new_payments(
    organization: Organization, payments: Sequence[PaymentData], rows: list[InvoiceData]
) -> list[PaymentData]:
    """Payments on invoices of this batch that are not recorded yet (one query for the whole batch)."""
    written = {row.external_id for row in rows}
    wanted = [payment for payment in payments if payment.invoice_external_id in written]
    recorded = set(
        Payment.objects.for_organization(organization)
        .filter(reference__in=[payment.reference for payment in wanted])
        .values_list("source", "reference")
    )
    return [payment for payment in wanted if (payment.source, payment.reference) not in recorded]


def _pending_by_invoice(payments: Sequence[PaymentData]) -> dict[str, Decimal]:
    pending: dict[str, Decimal] = {}
    for payment in payments:
        pending[payment.invoice_external_id] = pending.get(payment.invoice_external_id, ZERO) + payment.amount
    return pending


def _before_payments(row: InvoiceData, pending: dict[str, Decimal]) -> InvoiceData:
    """The row as it stood before its new payments, so that recording them lands on the package's open amount."""
    amount = pending.get(row.external_id)
    if not amount or row.open_amount is None or row.status == InvoiceStatus.CREDITED:
        return row
    return replace(row, open_amount=min(to_money(row.amount), to_money(row.open_amount) + amount))


def _payments_record(organization: Organization, payments: Sequence[PaymentData]) -> None:
    invoices = {
        invoice.external_id: invoice
        for invoice in Invoice.objects.for_organization(organization).filter(
            external_id__in={payment.invoice_external_id for payment in payments}
        )
    }
    for payment in payments:
        payment_record(
            organization=organization,
            invoice=invoices[payment.invoice_external_id],
            amount=payment.amount,
            date=payment.date,
            source=payment.source,
            reference=payment.reference,
        )


def _open_amounts_settle(organization: Organization, rows: list[InvoiceData]) -> None:
    """Where recording did not land on the package's open amount (inconsistent totals upstream, an invoice
    closed here), write the row itself once more: the package's open amount is the truth."""
    if not rows:
        return
    stored = dict(
        Invoice.objects.for_organization(organization)
        .filter(external_id__in=[row.external_id for row in rows])
        .values_list("external_id", "open_amount")
    )
    off = [row for row in rows if stored.get(row.external_id) != _expected_open(row)]
    if off:
        invoices_upsert_many(organization=organization, rows=off)


def _expected_open(row: InvoiceData) -> Decimal:
    return ZERO if row.status == InvoiceStatus.CREDITED or row.open_amount is None else to_money(row.open_amount)


def _versions_here(organization: Organization, rows: list[InvoiceData]) -> dict[str, dt.datetime]:
    """``updated_at`` of the batch's invoices that exist here: what changed is counted by comparing."""
    return dict(
        Invoice.objects.for_organization(organization)
        .filter(external_id__in=[row.external_id for row in rows])
        .values_list("external_id", "updated_at")
    )


def _failure_record(connection: AccountingConnection, error: ConnectorError, now: dt.datetime) -> SyncResult:
    """After the rollback: say what went wrong in plain words; the cursor is untouched."""
    fields: dict[str, object] = {"last_error": error.message, "last_error_at": now}
    if error.needs_reconnect:
        fields["status"] = ConnectionStatus.ERROR
    (
        AccountingConnection.objects.for_organization(connection.organization)
        .filter(pk=connection.pk)
        .exclude(status=ConnectionStatus.DISCONNECTED)
        .update(**fields)
    )
    connection.refresh_from_db(fields=["last_error", "last_error_at", "status", "cursor"])
    return SyncResult(ok=False, error=error.message)


def _tokens_store(connection: AccountingConnection, tokens: TokenSet) -> None:
    """Keep refreshed tokens at once, outside the sync's transaction: the old refresh token may be spent."""
    AccountingConnection.objects.for_organization(connection.organization).filter(pk=connection.pk).update(
        access_token=tokens.access_token, refresh_token=tokens.refresh_token
    )
    connection.access_token, connection.refresh_token = tokens.access_token, tokens.refresh_token
