"""Reads on debtors and invoices. Every function takes the organization explicitly.

Money totals sum euro invoices only: an amount in another currency is listed with its own currency
but never added to euros.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    BooleanField,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

from invoices import checks
from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus, Payment
from invoices.selectors.receivables import (  # noqa: F401 (the dashboard's figures, re-exported)
    Aging,
    CashIn,
    DsoFigures,
    PlannedPayment,
    ReceivablesSummary,
    arrangement_open_terms,
    expected_cash_in,
    payments_received_this_week,
    receivables_aging,
    receivables_dso,
    receivables_summary,
)
from outstanding.models import Organization

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))
SUMMED_CURRENCY = "EUR"

# "Days overdue" as an ordering that does not depend on today: the due date of an invoice with money
# still open, NULL otherwise. Ascending, NULLS LAST, it is the most days overdue first, then what falls
# due soonest, then everything settled. The index ``invoice_list_overdue_order`` (invoices 0013) holds
# exactly this expression, so the default list is an index scan that stops after one page.
OVERDUE_ORDER = RawSQL(
    """CASE WHEN "invoices_invoice"."status" = 'open' AND "invoices_invoice"."open_amount" > 0"""
    """ THEN "invoices_invoice"."due_date" END""",
    (),
    output_field=DateField(),
)

# Public sort keys (in URLs) to database orderings; the last one breaks ties. Each column has an index
# (organization, column, id DESC) (invoices 0013) read forwards or backwards: a page is an index scan
# that stops after the page, not a sort of every invoice.
INVOICE_SORTS: dict[str, tuple[Any, ...]] = {
    "number": ("number", "-id"),
    "-number": ("-number", "-id"),
    "debtor": ("debtor__name", "-id"),
    "-debtor": ("-debtor__name", "-id"),
    # ties: newest first ascending, oldest first descending: both directions of one (column, id DESC) index
    "issue_date": ("issue_date", "-id"),
    "-issue_date": ("-issue_date", "id"),
    "due_date": ("due_date", "-id"),
    "-due_date": ("-due_date", "id"),
    # the (organization, status, due_date) index: within a status, by due date
    "status": ("status", "due_date", "-id"),
    "-status": ("-status", "-due_date", "-id"),
    "amount": ("amount", "-id"),
    "-amount": ("-amount", "id"),
    "open_amount": ("open_amount", "-id"),
    "-open_amount": ("-open_amount", "id"),
    # fewest days overdue first: the reverse of the default, the same index read backwards
    "days_overdue": (OVERDUE_ORDER.desc(nulls_first=True), "id"),
    "-days_overdue": (OVERDUE_ORDER.asc(nulls_last=True), "-id"),
}
DEFAULT_INVOICE_SORT = "-days_overdue"
NO_STEP = "none"  # the flow step filter's "no reminder yet"


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


@dataclass(frozen=True)
class InvoiceListFilters:
    """What the invoice list is narrowed to; every field optional (empty: not filtered)."""

    status: str = ""
    overdue: bool = False
    search: str = ""
    open_min: Decimal | None = None
    open_max: Decimal | None = None
    due_from: dt.date | None = None
    due_to: dt.date | None = None
    overdue_min: int | None = None  # days overdue, inclusive
    overdue_max: int | None = None
    step: str = ""  # the kind of the last step an open invoice had, or NO_STEP
    stage: str = ""  # the stage of the dossier an invoice is in


def invoice_list(
    *,
    organization: Organization,
    today: dt.date,
    status: str = "",
    overdue: bool = False,
    search: str = "",
    sort: str = DEFAULT_INVOICE_SORT,
    debtor: Debtor | None = None,
    filters: InvoiceListFilters | None = None,
) -> QuerySet[Invoice]:
    """Invoices with their debtor, each annotated with ``overdue`` (a bool) for ``today``.

    ``filters`` narrows further (the list page); its status, overdue and search win over the plain
    arguments when given.
    """
    if filters is None:
        filters = InvoiceListFilters(status=status, overdue=overdue, search=search)
    invoices = (
        Invoice.objects.for_organization(organization)
        .select_related("debtor")
        .annotate(overdue=ExpressionWrapper(overdue_q(today), output_field=BooleanField()))
    )
    if debtor is not None:
        invoices = invoices.filter(debtor=debtor)
    invoices = invoices.filter(_invoice_filters_q(organization, today, filters))
    return invoices.order_by(*INVOICE_SORTS.get(sort, INVOICE_SORTS[DEFAULT_INVOICE_SORT]))


def _invoice_filters_q(organization: Organization, today: dt.date, filters: InvoiceListFilters) -> Q:
    """All filters as one condition on indexed columns; days overdue become a due-date range."""
    q = Q()
    if filters.status in InvoiceStatus.values:
        q &= Q(status=filters.status)
    if filters.overdue:
        q &= overdue_q(today)
    search = filters.search.strip()
    if search:
        q &= Q(number__icontains=search) | Q(debtor__name__icontains=search) | Q(external_id=search)
    if filters.open_min is not None:
        q &= Q(open_amount__gte=filters.open_min)
    if filters.open_max is not None:
        q &= Q(open_amount__lte=filters.open_max)
    if filters.due_from is not None:
        q &= Q(due_date__gte=filters.due_from)
    if filters.due_to is not None:
        q &= Q(due_date__lte=filters.due_to)
    q &= _days_overdue_q(today, filters.overdue_min, filters.overdue_max)
    if filters.step:
        q &= open_q() & _step_q(organization, filters.step)
    if filters.stage:
        q &= Q(pk__in=_dossier_invoice_ids(organization, filters.stage))
    return q


def _days_overdue_q(today: dt.date, minimum: int | None, maximum: int | None) -> Q:
    """Days overdue (``today - due_date``, 0 when not yet due) between the bounds, for open invoices.

    ``overdue >= n`` is ``due_date <= today - n`` and ``overdue <= m`` is ``due_date >= today - m``: a
    range on the due date, which the (organization, due_date) index answers.
    """
    if minimum is None and maximum is None:
        return Q()
    q = open_q()
    if minimum is not None and minimum > 0:
        q &= Q(due_date__lte=today - dt.timedelta(days=minimum))
    if maximum is not None:
        q &= Q(due_date__gte=today - dt.timedelta(days=maximum))
    return q


def _step_q(organization: Organization, step: str) -> Q:
    # Imported here: reminders reads invoices, so a module-level import would make a circle.
    from reminders.selectors.steps import invoice_at_step_q, invoice_without_step_q

    if step == NO_STEP:
        return invoice_without_step_q(organization=organization)
    return invoice_at_step_q(organization=organization, step=step)


def _dossier_invoice_ids(organization: Organization, stage: str) -> QuerySet[Any]:
    from collection.selectors import dossier_invoice_ids_in_stage  # collection reads invoices: no import circle

    return dossier_invoice_ids_in_stage(organization=organization, stage=stage)


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


def payments_on_invoices(
    *, organization: Organization, invoice_ids: list[int], recorded_after: dt.datetime | None = None
) -> QuerySet[Payment]:
    """The payments (credit notes and reversals included) on ``invoice_ids``, in the order they were
    recorded; with ``recorded_after``, only those recorded later (e.g. after a dossier took the open amount)."""
    payments = Payment.objects.for_organization(organization).filter(invoice_id__in=invoice_ids)
    if recorded_after is not None:
        payments = payments.filter(created_at__gt=recorded_after)
    return payments.order_by("date", "id")


def payment_by_reference(*, organization: Organization, source: str, reference: str) -> Payment | None:
    """The payment already recorded under (source, reference); never one for an empty reference."""
    if not reference:
        return None
    return Payment.objects.for_organization(organization).filter(source=source, reference=reference).first()


# Public sort keys of the debtor list; ties by name, then id.
DEBTOR_SORTS: dict[str, tuple[Any, ...]] = {
    "name": ("name", "id"),
    "-name": ("-name", "-id"),
    "city": ("city", "name", "id"),
    "-city": ("-city", "name", "id"),
    "open_count": ("open_count", "name", "id"),
    "-open_count": ("-open_count", "name", "id"),
    "open_amount": ("open_amount", "name", "id"),
    "-open_amount": ("-open_amount", "name", "id"),
    "overdue_amount": ("overdue_amount", "name", "id"),
    "-overdue_amount": ("-overdue_amount", "name", "id"),
    "last_invoice": (F("last_invoice_date").asc(nulls_first=True), "name", "id"),
    "-last_invoice": (F("last_invoice_date").desc(nulls_last=True), "name", "id"),
}
DEFAULT_DEBTOR_SORT = "-overdue_amount"


class DebtorStatus:
    """The debtor list's status filter."""

    PAUSED = "paused"  # reminders to the debtor are paused (on any day: the flag is what the page shows)
    ACTIVE = "active"
    OVERDUE = "overdue"  # has something overdue


@dataclass(frozen=True)
class DebtorListFilters:
    status: str = ""
    open_min: Decimal | None = None  # the debtor's open euro total
    open_max: Decimal | None = None
    overdue_min: int | None = None  # days overdue of the debtor's oldest overdue invoice, inclusive


def debtor_list(
    *,
    organization: Organization,
    today: dt.date,
    search: str = "",
    sort: str = DEFAULT_DEBTOR_SORT,
    filters: DebtorListFilters | None = None,
) -> QuerySet[Debtor]:
    """Debtors with their open and overdue amounts, biggest overdue first unless ``sort`` says otherwise.

    One grouped query: the sums are aggregates, their filters a HAVING on them.
    """
    filters = filters or DebtorListFilters()
    summed_open = open_q("invoices__") & _summed("invoices__")
    debtors = Debtor.objects.for_organization(organization).annotate(
        open_amount=Coalesce(Sum("invoices__open_amount", filter=summed_open), ZERO),
        overdue_amount=Coalesce(
            Sum("invoices__open_amount", filter=summed_open & Q(invoices__due_date__lt=today)), ZERO
        ),
        open_count=Count("invoices", filter=open_q("invoices__")),
        last_invoice_date=Max("invoices__issue_date"),
        oldest_open_due=Min("invoices__due_date", filter=open_q("invoices__")),
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
    debtors = debtors.filter(_debtor_filters_q(today, filters))
    return debtors.order_by(*DEBTOR_SORTS.get(sort, DEBTOR_SORTS[DEFAULT_DEBTOR_SORT]))


def _debtor_filters_q(today: dt.date, filters: DebtorListFilters) -> Q:
    q = Q()
    if filters.status == DebtorStatus.PAUSED:
        q &= Q(is_paused=True)
    elif filters.status == DebtorStatus.ACTIVE:
        q &= Q(is_paused=False)
    elif filters.status == DebtorStatus.OVERDUE:
        q &= Q(overdue_amount__gt=0)
    if filters.open_min is not None:
        q &= Q(open_amount__gte=filters.open_min)
    if filters.open_max is not None:
        q &= Q(open_amount__lte=filters.open_max)
    if filters.overdue_min is not None:
        # the oldest open invoice is at least n days overdue: its due date is on or before today - n
        q &= Q(oldest_open_due__lte=today - dt.timedelta(days=max(filters.overdue_min, 1)))
    return q


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


def invoices_failing_legal_check_count(*, organization: Organization) -> int:
    """How many open invoices have at least one finding that must be fixed (an error), in one query."""
    errors = [
        condition
        for code, condition in FINDING_CONDITIONS.items()
        if checks.COUNTED_CODES.get(code) == checks.Severity.ERROR
    ]
    if not errors:
        return 0
    any_error = errors[0]
    for condition in errors[1:]:
        any_error |= condition
    return Invoice.objects.for_organization(organization).filter(open_q()).filter(any_error).count()


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
