"""Reads on debtors and invoices. Every function takes the organization explicitly.

Money totals sum euro invoices only: an amount in another currency is listed with its own currency
but never added to euros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Count, DecimalField, ExpressionWrapper, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from invoices import checks
from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus, Payment
from outstanding.models import Organization

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
SUMMED_CURRENCY = "EUR"

# Public sort keys (in URLs) to database orderings.
INVOICE_SORTS = {
    "number": "number",
    "-number": "-number",
    "debtor": "debtor__name",
    "-debtor": "-debtor__name",
    "issue_date": "issue_date",
    "-issue_date": "-issue_date",
    "due_date": "due_date",
    "-due_date": "-due_date",
    "amount": "amount",
    "-amount": "-amount",
    "open_amount": "open_amount",
    "-open_amount": "-open_amount",
}
DEFAULT_INVOICE_SORT = "-due_date"


def open_q(prefix: str = "") -> Q:
    """An invoice with money still to be paid. ``prefix`` reaches invoices from another model."""
    return Q(**{f"{prefix}status": InvoiceStatus.OPEN, f"{prefix}open_amount__gt": 0})


def overdue_q(today: dt.date, prefix: str = "") -> Q:
    """Open and past its due date: the database twin of ``Invoice.is_overdue``."""
    return open_q(prefix) & Q(**{f"{prefix}due_date__lt": today})


def _summed(prefix: str = "") -> Q:
    return Q(**{f"{prefix}currency": SUMMED_CURRENCY})


@dataclass(frozen=True)
class OpenTotals:
    open_amount: Decimal
    open_count: int
    overdue_amount: Decimal
    overdue_count: int


@dataclass(frozen=True)
class ReceivablesTotals(OpenTotals):
    debtor_count: int


@dataclass(frozen=True)
class InvoiceListTotals:
    count: int
    open_amount: Decimal
    overdue_amount: Decimal


def _open_totals(invoices: QuerySet[Invoice], today: dt.date, **extra: Any) -> dict[str, Any]:
    # Aliases must differ from field names: an aggregate named open_amount would shadow the column
    # for the aggregates after it.
    overdue = Q(due_date__lt=today)
    row = invoices.filter(open_q() & _summed()).aggregate(
        total_open=Coalesce(Sum("open_amount"), ZERO),
        count_open=Count("id"),
        total_overdue=Coalesce(Sum("open_amount", filter=overdue), ZERO),
        count_overdue=Count("id", filter=overdue),
        **extra,
    )
    return {
        "open_amount": row.pop("total_open"),
        "open_count": row.pop("count_open"),
        "overdue_amount": row.pop("total_overdue"),
        "overdue_count": row.pop("count_overdue"),
        **row,
    }


def receivables_totals(*, organization: Organization, today: dt.date) -> ReceivablesTotals:
    """Everything open and overdue for the organization, in one query."""
    invoices = Invoice.objects.for_organization(organization)
    return ReceivablesTotals(**_open_totals(invoices, today, debtor_count=Count("debtor", distinct=True)))


def debtor_totals(*, organization: Organization, debtor: Debtor, today: dt.date) -> OpenTotals:
    invoices = Invoice.objects.for_organization(organization).filter(debtor=debtor)
    return OpenTotals(**_open_totals(invoices, today))


def invoice_list(
    *,
    organization: Organization,
    today: dt.date,
    status: str = "",
    overdue: bool = False,
    search: str = "",
    sort: str = DEFAULT_INVOICE_SORT,
    debtor: Debtor | None = None,
) -> QuerySet[Invoice]:
    """Invoices with their debtor, each annotated with ``overdue`` (a bool) for ``today``."""
    invoices = (
        Invoice.objects.for_organization(organization)
        .select_related("debtor")
        .annotate(overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField()))
    )
    if status in InvoiceStatus.values:
        invoices = invoices.filter(status=status)
    if overdue:
        invoices = invoices.filter(overdue_q(today))
    if debtor is not None:
        invoices = invoices.filter(debtor=debtor)
    search = search.strip()
    if search:
        invoices = invoices.filter(
            Q(number__icontains=search) | Q(debtor__name__icontains=search) | Q(external_id=search)
        )
    return invoices.order_by(INVOICE_SORTS.get(sort, INVOICE_SORTS[DEFAULT_INVOICE_SORT]), "-id")


def invoice_list_totals(*, invoices: QuerySet[Invoice], today: dt.date) -> InvoiceListTotals:
    """How many invoices a (filtered, scoped) list holds and what of them is open and overdue."""
    row = invoices.aggregate(
        count_all=Count("id"),
        total_open=Coalesce(Sum("open_amount", filter=open_q() & _summed()), ZERO),
        total_overdue=Coalesce(Sum("open_amount", filter=overdue_q(today) & _summed()), ZERO),
    )
    return InvoiceListTotals(count=row["count_all"], open_amount=row["total_open"], overdue_amount=row["total_overdue"])


def invoice_payments(*, organization: Organization, invoice: Invoice) -> QuerySet[Payment]:
    return Payment.objects.for_organization(organization).filter(invoice=invoice).order_by("-date", "-id")


def payment_by_reference(*, organization: Organization, source: str, reference: str) -> Payment | None:
    """The payment already recorded under (source, reference); never one for an empty reference."""
    if not reference:
        return None
    return Payment.objects.for_organization(organization).filter(source=source, reference=reference).first()


def debtor_list(*, organization: Organization, today: dt.date, search: str = "") -> QuerySet[Debtor]:
    """Debtors with their open and overdue amounts, biggest overdue first."""
    summed_open = open_q("invoices__") & _summed("invoices__")
    debtors = Debtor.objects.for_organization(organization).annotate(
        open_amount=Coalesce(Sum("invoices__open_amount", filter=summed_open), ZERO),
        overdue_amount=Coalesce(
            Sum("invoices__open_amount", filter=summed_open & Q(invoices__due_date__lt=today)), ZERO
        ),
        open_count=Count("invoices", filter=open_q("invoices__")),
        last_invoice_date=Max("invoices__issue_date"),
    )
    search = search.strip()
    if search:
        debtors = debtors.filter(
            Q(name__icontains=search)
            | Q(contact_person__icontains=search)
            | Q(external_id=search)
            | Q(kvk_number=search)
            | Q(emails__contains=[search])
            | Q(emails__contains=[search.lower()])
        )
    return debtors.order_by("-overdue_amount", "name", "id")


# --- invoice requirement checks (invoices.checks) ---------------------------------------------------

BLANK = r"^\s*$"  # empty or only whitespace: the SQL twin of checks._blank

# The SQL twin of each counted rule in invoices.checks (COUNTED_CODES); a test holds the two together.
FINDING_CONDITIONS: dict[str, Q] = {
    checks.Code.DEBTOR_NAME_MISSING: Q(debtor__name__regex=BLANK),
    checks.Code.DEBTOR_ADDRESS_INCOMPLETE: (
        Q(debtor__street__regex=BLANK) | Q(debtor__postal_code__regex=BLANK) | Q(debtor__city__regex=BLANK)
    ),
    checks.Code.INVOICE_VAT_IMPLAUSIBLE: Q(vat_amount__lt=0) | Q(vat_amount__gt=F("amount")),
    checks.Code.DEBTOR_VAT_ID_MISSING_ZERO_VAT: Q(
        debtor__kind=DebtorKind.BUSINESS, amount__gt=0, vat_amount=0, debtor__vat_id__regex=BLANK
    ),
    checks.Code.DEBTOR_BUSINESS_IDS_MISSING: Q(
        debtor__kind=DebtorKind.BUSINESS, debtor__kvk_number__regex=BLANK, debtor__vat_id__regex=BLANK
    ),
}


def invoice_finding_counts(*, organization: Organization) -> dict[str, int]:
    """How many open invoices have each counted finding, in one query (one filtered COUNT per rule).

    Only open invoices: they are the ones that may still need a reminder or a collection case.
    """
    row = (
        Invoice.objects.for_organization(organization)
        .filter(open_q())
        .aggregate(**{code: Count("id", filter=condition) for code, condition in FINDING_CONDITIONS.items()})
    )
    return {code: row[code] for code in FINDING_CONDITIONS}


def held_q(today: dt.date, prefix: str = "") -> Q:
    """Paused on ``today``: a pause without an end date, or one that ends today or later."""
    return Q(**{f"{prefix}is_paused": True}) & (
        Q(**{f"{prefix}paused_until__isnull": True}) | Q(**{f"{prefix}paused_until__gte": today})
    )


def invoices_still_due(*, organization: Organization, invoice_ids: set[int], today: dt.date) -> set[int]:
    """Of ``invoice_ids``, those still open with something to pay and neither they nor their debtor held."""
    return set(
        Invoice.objects.for_organization(organization)
        .filter(pk__in=invoice_ids, status=InvoiceStatus.OPEN, open_amount__gt=0)
        .exclude(held_q(today) | held_q(today, "debtor__"))
        .values_list("pk", flat=True)
    )
