"""Reads on debtors and invoices. Every function takes the organization explicitly."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from invoices.models import Debtor, Invoice, InvoiceStatus
from outstanding.models import Organization

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))

INVOICE_SORTS = {
    "number": "number", "-number": "-number",
    "due_date": "due_date", "-due_date": "-due_date",
    "issue_date": "issue_date", "-issue_date": "-issue_date",
    "open_amount": "open_amount", "-open_amount": "-open_amount",
    "debtor": "debtor__name", "-debtor": "-debtor__name",
}


@dataclass(frozen=True)
class ReceivablesTotals:
    open_amount: Decimal
    open_count: int
    overdue_amount: Decimal
    overdue_count: int
    debtor_count: int


def receivables_totals(*, organization: Organization, today: dt.date) -> ReceivablesTotals:
    """Open and overdue totals in one query (EUR only: foreign currencies are listed, not summed)."""
    open_invoices = Invoice.objects.for_organization(organization).filter(
        status=InvoiceStatus.OPEN, open_amount__gt=0, currency="EUR"
    )
    overdue = Q(due_date__lt=today)
    row = open_invoices.aggregate(
        open_amount=Coalesce(Sum("open_amount"), ZERO),
        open_count=Count("id"),
        overdue_amount=Coalesce(Sum("open_amount", filter=overdue), ZERO),
        overdue_count=Count("id", filter=overdue),
        debtor_count=Count("debtor", distinct=True),
    )
    return ReceivablesTotals(**row)


def invoice_list(
    *,
    organization: Organization,
    today: dt.date,
    status: str = "",
    overdue: bool = False,
    search: str = "",
    sort: str = "-due_date",
    debtor: Debtor | None = None,
) -> QuerySet[Invoice]:
    invoices = Invoice.objects.for_organization(organization).select_related("debtor")
    if status in InvoiceStatus.values:
        invoices = invoices.filter(status=status)
    if overdue:
        invoices = invoices.filter(status=InvoiceStatus.OPEN, open_amount__gt=0, due_date__lt=today)
    if debtor is not None:
        invoices = invoices.filter(debtor=debtor)
    search = search.strip()
    if search:
        invoices = invoices.filter(
            Q(number__icontains=search) | Q(debtor__name__icontains=search) | Q(external_id=search)
        )
    return invoices.order_by(INVOICE_SORTS.get(sort, "-due_date"), "-id")


def debtor_list(*, organization: Organization, today: dt.date, search: str = "") -> QuerySet[Debtor]:
    """Debtors with their open and overdue amounts, biggest overdue first."""
    open_filter = Q(invoices__status=InvoiceStatus.OPEN)
    debtors = Debtor.objects.for_organization(organization).annotate(
        open_amount=Coalesce(Sum("invoices__open_amount", filter=open_filter), ZERO),
        overdue_amount=Coalesce(
            Sum("invoices__open_amount", filter=open_filter & Q(invoices__due_date__lt=today)), ZERO
        ),
        open_count=Count("invoices", filter=open_filter & Q(invoices__open_amount__gt=0)),
        last_invoice_date=Max("invoices__issue_date"),
    )
    search = search.strip()
    if search:
        debtors = debtors.filter(
            Q(name__icontains=search) | Q(contact_person__icontains=search) | Q(external_id=search)
            | Q(emails__contains=[search.lower()])
        )
    return debtors.order_by("-overdue_amount", "name")


def debtor_totals(*, debtor: Debtor, today: dt.date) -> dict[str, Decimal]:
    open_invoices = debtor.invoices.filter(status=InvoiceStatus.OPEN)
    return open_invoices.aggregate(
        open_amount=Coalesce(Sum("open_amount"), ZERO),
        overdue_amount=Coalesce(Sum("open_amount", filter=Q(due_date__lt=today)), ZERO),
    )
