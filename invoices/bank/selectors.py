"""Reads for bank statements: the facts the matcher needs, set-based, and the pages' lists.

The facts for a whole statement take one query per kind of key (invoice numbers, amounts, IBANs) and
land in dictionaries, never a query per line: a 10,000-line statement against 200,000 open invoices
is a handful of queries (``bench/bank.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.db.models.functions import Upper

from invoices.bank.camt import StatementLine
from invoices.bank.matching import Candidate, Facts, bundle_keys, lookup_keys
from invoices.models import BankLine, BankLineInvoice, BankLineStatus, BankStatement, Invoice, InvoiceStatus
from outstanding.models import Organization
from reminders.models import BundleReference

CANDIDATE_FIELDS = ("id", "number", "debtor_id", "debtor__name", "open_amount", "currency", "status")
CHUNK = 20_000  # keys per query: far below PostgreSQL's parameter limit


def known_entry_keys(*, organization: Organization, keys: Iterable[str]) -> set[str]:
    """The entry keys among ``keys`` that an earlier file already brought in."""
    found: set[str] = set()
    for chunk in _chunks(sorted(set(keys))):
        rows = BankLine.objects.for_organization(organization).filter(entry_key__in=chunk)
        found.update(rows.values_list("entry_key", flat=True))
    return found


def matching_facts(*, organization: Organization, lines: Sequence[StatementLine]) -> Facts:
    return Facts(
        by_number=_invoices_by_number(organization, lookup_keys(lines)),
        by_bundle=_invoices_by_bundle(organization, bundle_keys(lines)),
        by_amount=_open_invoices_by_amount(organization, {line.amount for line in lines}),
        debtors_by_iban=_debtors_by_iban(organization, {line.iban for line in lines if line.iban}),
    )


def _invoices_by_number(organization: Organization, keys: set[str]) -> dict[str, list[Candidate]]:
    found: dict[str, list[Candidate]] = defaultdict(list)
    for chunk in _chunks(sorted(keys)):
        rows = (
            Invoice.objects.for_organization(organization)
            .annotate(number_key=Upper("number"))
            .filter(number_key__in=chunk)
            .values_list(*CANDIDATE_FIELDS)
        )
        for row in rows:
            found[row[1].upper()].append(_candidate(row))
    return found


def _invoices_by_bundle(organization: Organization, references: set[str]) -> dict[str, list[Candidate]]:
    """The invoices of the bundles these references name: one read of the (organization, reference)
    index, one by primary key; none at all for a statement without bundle references."""
    bundles: dict[str, list[int]] = {}
    for chunk in _chunks(sorted(references)):
        rows = BundleReference.objects.for_organization(organization).filter(reference__in=chunk)
        bundles.update(rows.values_list("reference", "invoice_ids"))
    ids = sorted({invoice_id for invoice_ids in bundles.values() for invoice_id in invoice_ids})
    candidates: dict[int, Candidate] = {}
    for id_chunk in _chunks(ids):
        rows = Invoice.objects.for_organization(organization).filter(pk__in=id_chunk).values_list(*CANDIDATE_FIELDS)
        candidates.update((row[0], _candidate(row)) for row in rows)
    return {
        reference: [candidates[i] for i in invoice_ids if i in candidates] for reference, invoice_ids in bundles.items()
    }


def _open_invoices_by_amount(
    organization: Organization, amounts: set[Decimal]
) -> dict[tuple[str, Decimal], list[Candidate]]:
    found: dict[tuple[str, Decimal], list[Candidate]] = defaultdict(list)
    for chunk in _chunks(sorted(amounts)):
        rows = (
            Invoice.objects.for_organization(organization)
            .filter(status=InvoiceStatus.OPEN, open_amount__in=chunk)
            .values_list(*CANDIDATE_FIELDS)
        )
        for row in rows:
            candidate = _candidate(row)
            found[(candidate.currency, candidate.open_amount)].append(candidate)
    return found


def _debtors_by_iban(organization: Organization, ibans: set[str]) -> dict[str, set[int]]:
    """IBANs that paid a debtor before: lines booked to one of its invoices (by a rule or by hand)."""
    found: dict[str, set[int]] = defaultdict(set)
    for chunk in _chunks(sorted(ibans)):
        rows = (
            BankLineInvoice.objects.for_organization(organization)
            .filter(line__iban__in=chunk, line__status=BankLineStatus.BOOKED, payment__isnull=False)
            .values_list("line__iban", "invoice__debtor_id")
            .distinct()
        )
        for iban, debtor_id in rows:
            found[iban].add(debtor_id)
    return found


def _candidate(row: tuple) -> Candidate:  # type: ignore[type-arg]
    invoice_id, number, debtor_id, debtor_name, open_amount, currency, status = row
    return Candidate(
        id=invoice_id,
        number=number,
        debtor_id=debtor_id,
        debtor_name=debtor_name,
        open_amount=open_amount,
        currency=currency,
        is_open=status == InvoiceStatus.OPEN,
    )


def _chunks(values: list) -> Iterable[list]:  # type: ignore[type-arg]
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def bank_statement_list(*, organization: Organization) -> QuerySet[BankStatement]:
    return BankStatement.objects.for_organization(organization).select_related("uploaded_by")


def bank_line_list(
    *, organization: Organization, status: str = BankLineStatus.TO_REVIEW, statement: BankStatement | None = None
) -> QuerySet[BankLine]:
    """Lines of one status, newest first, with their invoices (suggested or booked) in two queries."""
    lines = BankLine.objects.for_organization(organization).filter(status=status)
    if statement is not None:
        lines = lines.filter(statement=statement)
    return lines.select_related("statement", "decided_by").prefetch_related("links__invoice__debtor", "links__payment")


def bank_line_counts(*, organization: Organization) -> dict[str, int]:
    """How many lines each status has (the tabs of the review page)."""
    counts = {status: 0 for status in BankLineStatus.values}
    rows = BankLine.objects.for_organization(organization).values("status").annotate(count=Count("id")).order_by()
    counts.update({row["status"]: row["count"] for row in rows})
    return counts
