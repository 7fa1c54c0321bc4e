"""Writes for bank statements: importing a file, and the review list's assign, dismiss and restore.

An import reads the whole file first (:func:`invoices.bank.camt.camt_parse`); a file we cannot read
stores nothing. Then, in one transaction under a per-organization advisory lock (two uploads of the
same file at once wait for each other): lines whose entry key is already known are skipped, the new
ones are matched (:mod:`invoices.bank.matching`) and stored, and confident matches are booked through
``invoices.services.payment_record`` with source *bank* and the entry key as reference, so even a
line that slipped past the known-key check could not be booked twice. Every new line is stored,
booked or not: an unmatched or half-matched payment waits in the review list.
"""

from __future__ import annotations

import logging
from contextlib import nullcontext
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoices.bank import selectors
from invoices.bank.camt import Statement, StatementLine, camt_parse
from invoices.bank.matching import BY_HAND, Decision, match_line
from invoices.models import (
    BankLine,
    BankLineInvoice,
    BankLineStatus,
    BankStatement,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentSource,
)
from invoices.services import payment_record
from outstanding.models import Organization, User

logger = logging.getLogger(__name__)

BANK_IMPORT_LOCK_NAMESPACE = 7_303  # pg_advisory_xact_lock(namespace, organization id); dunning 7_301, letters 7_302


@dataclass(frozen=True)
class _NewLine:
    row: BankLine
    decision: Decision


def bank_statement_import(
    *, organization: Organization, user: User | None, filename: str, data: bytes
) -> BankStatement:
    """Read, match, store and book one CAMT.053 file. Raises ``CamtError`` (nothing stored) for a bad file."""
    parsed = camt_parse(data)
    with transaction.atomic():
        _lock(organization)
        return _import(organization, user, filename[:255], parsed)


def _lock(organization: Organization) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [BANK_IMPORT_LOCK_NAMESPACE, organization.pk])


def _import(organization: Organization, user: User | None, filename: str, parsed: Statement) -> BankStatement:
    first_by_key: dict[str, StatementLine] = {}
    for line in parsed.lines:  # a file holding one entry twice (overlapping statements) books it once
        first_by_key.setdefault(line.entry_key, line)
    unique = list(first_by_key.values())
    known = selectors.known_entry_keys(organization=organization, keys=[line.entry_key for line in unique])
    lines = [line for line in unique if line.entry_key not in known]
    facts = selectors.matching_facts(organization=organization, lines=lines)
    statement = BankStatement.objects.create(
        organization=organization, filename=filename, account=parsed.account[:70], uploaded_by=user
    )
    new_lines = _store_lines(organization, statement, lines, [match_line(line, facts) for line in lines])
    booked = _book(organization, new_lines)
    statement.line_count = len(parsed.lines)
    statement.known_count = len(parsed.lines) - len(lines)
    statement.booked_count = booked
    statement.review_count = len(lines) - booked
    statement.save(update_fields=["line_count", "known_count", "booked_count", "review_count"])
    logger.info(
        "bank_statement.imported",
        extra={"statement": statement.pk, "lines": len(parsed.lines), "booked": booked, "known": len(known)},
    )
    return statement


def _store_lines(
    organization: Organization, statement: BankStatement, lines: list[StatementLine], decisions: list[Decision]
) -> list[_NewLine]:
    rows = BankLine.objects.bulk_create(
        [
            BankLine(
                organization=organization,
                statement=statement,
                entry_key=line.entry_key,
                amount=line.amount,
                currency=line.currency,
                date=line.date,
                name=line.name,
                iban=line.iban,
                remittance=line.remittance,
                structured_reference=" ".join(line.references)[:140],
                status=BankLineStatus.TO_REVIEW,
                reason=decision.reason,
            )
            for line, decision in zip(lines, decisions, strict=True)
        ],
        batch_size=2_000,
    )
    return [_NewLine(row, decision) for row, decision in zip(rows, decisions, strict=True)]


def _book(organization: Organization, new_lines: list[_NewLine]) -> int:
    """Book the confident lines, link every line to its invoices (booked or suggested); the booked count."""
    ids = {invoice_id for new in new_lines for invoice_id in new.decision.invoice_ids}
    invoices = Invoice.objects.for_organization(organization).in_bulk(ids)
    links: list[BankLineInvoice] = []
    booked_ids: list[int] = []
    for new in new_lines:
        payments = _payments(organization, new, invoices) if new.decision.booked else {}
        if payments:
            booked_ids.append(new.row.pk)
        links += [
            BankLineInvoice(
                organization=organization, line=new.row, invoice_id=invoice_id, payment=payments.get(invoice_id)
            )
            for invoice_id in new.decision.invoice_ids
        ]
    BankLineInvoice.objects.bulk_create(links, batch_size=2_000)
    if booked_ids:
        BankLine.objects.for_organization(organization).filter(pk__in=booked_ids).update(status=BankLineStatus.BOOKED)
    return len(booked_ids)


def _payments(organization: Organization, new: _NewLine, invoices: dict[int, Invoice]) -> dict[int, Payment]:
    """The payments of one confident line; {} (the line stays in review) if booking is refused."""
    allocations = new.decision.allocations
    # payment_record is atomic itself; a savepoint of our own is needed only to take back the first
    # invoices of a payment spread over several when a later one is refused.
    spread = transaction.atomic() if len(allocations) > 1 else nullcontext()
    try:
        with spread:
            return {
                invoice_id: _record(
                    organization, new.row, invoices[invoice_id], amount, _reference(new.row, n, allocations)
                )
                for n, (invoice_id, amount) in enumerate(allocations, start=1)
            }
    except ValidationError:
        logger.warning("bank_line.booking_refused", extra={"line": new.row.pk})
        return {}


def _reference(line: BankLine, n: int, allocations: tuple[tuple[int, Decimal], ...]) -> str:
    """The entry key; "#n" after it when one payment is spread over several invoices."""
    return line.entry_key if len(allocations) == 1 else f"{line.entry_key}#{n}"


def _record(organization: Organization, line: BankLine, invoice: Invoice, amount: Decimal, reference: str) -> Payment:
    return payment_record(
        organization=organization,
        invoice=invoice,
        amount=amount,
        date=line.date,
        source=PaymentSource.BANK,
        reference=reference,
    )


@transaction.atomic
def bank_line_assign(*, organization: Organization, line: BankLine, invoice: Invoice, user: User) -> BankLine:
    """Book a line from the review list to the invoice a member chose; its whole amount, on its date."""
    line = _locked_to_review(organization, line)
    if invoice.organization_id != organization.pk:
        raise ValidationError(_("The invoice belongs to another organization."))
    if invoice.status != InvoiceStatus.OPEN or invoice.open_amount <= 0:
        raise ValidationError(
            _("Invoice %(number)s is not open; choose an open invoice or dismiss the payment.")
            % {"number": invoice.number}
        )
    if invoice.currency != line.currency:
        raise ValidationError(
            _("Invoice %(number)s is in %(invoice)s, the payment in %(payment)s.")
            % {"number": invoice.number, "invoice": invoice.currency, "payment": line.currency}
        )
    payment = _record(organization, line, invoice, line.amount, line.entry_key)
    BankLineInvoice.objects.for_organization(organization).filter(line=line).exclude(invoice=invoice).delete()
    BankLineInvoice.objects.for_organization(organization).update_or_create(
        organization=organization, line=line, invoice=invoice, defaults={"payment": payment}
    )
    return _decided(line, BankLineStatus.BOOKED, user, reason=BY_HAND)


@transaction.atomic
def bank_line_dismiss(*, organization: Organization, line: BankLine, user: User) -> BankLine:
    """Not a debtor's payment (a refund, a transfer of one's own): kept, but out of the review list."""
    return _decided(_locked_to_review(organization, line), BankLineStatus.DISMISSED, user)


@transaction.atomic
def bank_line_restore(*, organization: Organization, line: BankLine, user: User) -> BankLine:
    """A dismissed line back into the review list."""
    locked = BankLine.objects.for_organization(organization).select_for_update().get(pk=line.pk)
    if locked.status != BankLineStatus.DISMISSED:
        raise ValidationError(_("This payment is not dismissed."))
    return _decided(locked, BankLineStatus.TO_REVIEW, user)


def _locked_to_review(organization: Organization, line: BankLine) -> BankLine:
    locked = BankLine.objects.for_organization(organization).select_for_update().get(pk=line.pk)
    if locked.status != BankLineStatus.TO_REVIEW:
        raise ValidationError(_("This payment was already handled."))
    return locked


def _decided(line: BankLine, status: str, user: User, reason: str | None = None) -> BankLine:
    line.status = status
    line.reason = line.reason if reason is None else reason
    line.decided_by = user
    line.decided_at = timezone.now()
    line.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    logger.info("bank_line.decided", extra={"line": line.pk, "status": status})
    return line
