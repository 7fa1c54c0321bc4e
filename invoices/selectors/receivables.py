"""The dashboard's receivables figures: aging, DSO and its trend, expected cash-in, payments this week.

Set-based: each figure is one aggregate query over the organization's invoices (or payments), grouped
by bucket, month or week in SQL, so 200,000 invoices cost a handful of queries, never one per debtor,
month or invoice. The arithmetic on the grouped rows (the countback, the week buckets) is pure
Python below, and ``today`` is always passed in. Euro invoices only, as every total in this package.

Definitions (the dashboard states them in the page too):

* **Aging**: what is open (status open, open amount above zero) by days past the due date on
  ``today``: not yet due (due today or later), 1–30, 31–60, 61–90 and over 90 days.
* **DSO, countback method**: start from today's receivables (the open total) and walk back month by
  month from ``today`` (this month up to today first, then whole months), taking off each month's
  credit sales (invoice amounts by issue date, whatever their status now) until the receivables are
  used up. DSO is the days walked: the whole months' days plus the used fraction of the last month's
  days. At most :data:`COUNTBACK_MONTHS` months are walked.
* **Best possible DSO**: current receivables ÷ total credit sales × number of days, over the last
  :data:`BEST_POSSIBLE_DAYS` days (today included); current = open and not yet due. None without sales.
* **Trend**: the countback DSO at each of the last 12 month ends. The open amount of an invoice at a
  past date D is counted back from today: today's open amount plus the payments dated after D, for
  invoices issued by D. When every payment is recorded here that is ``amount − payments up to D``;
  counting back keeps an invoice that the accounting package reported closed without payment rows
  from looking unpaid for ever. Credit notes are payments with a date, so a credited invoice leaves
  the receivables on its credit note's date; a written-off invoice counts as nothing open (the data
  holds no write-off date) beyond the payments it received after D.
* **Expected cash-in**: see :func:`expected_cash_in`.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import connection

from invoices.models import PaymentSource
from outstanding.models import Organization

ZERO = Decimal("0.00")
SUMMED_CURRENCY = "EUR"
COUNTBACK_MONTHS = 24
TREND_MONTHS = 12
BEST_POSSIBLE_DAYS = 90
CASH_IN_WEEKS = 8
DSO_PLACES = Decimal("0.1")


# --- aging ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgingBucketDefinition:
    key: str
    low: int | None  # days overdue, inclusive; None: not yet due
    high: int | None  # inclusive; None: no upper bound


AGING_BUCKETS: tuple[AgingBucketDefinition, ...] = (
    AgingBucketDefinition("not_due", None, 0),
    AgingBucketDefinition("1_30", 1, 30),
    AgingBucketDefinition("31_60", 31, 60),
    AgingBucketDefinition("61_90", 61, 90),
    AgingBucketDefinition("over_90", 91, None),
)


@dataclass(frozen=True)
class AgingBucket:
    key: str
    low: int | None
    high: int | None
    amount: Decimal
    count: int

    def due_dates(self, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
        """(earliest, latest) due date of the invoices in this bucket on ``today``; None is open-ended."""
        if self.low is None:
            return today, None
        latest = today - dt.timedelta(days=self.low)
        earliest = None if self.high is None else today - dt.timedelta(days=self.high)
        return earliest, latest


@dataclass(frozen=True)
class Aging:
    buckets: tuple[AgingBucket, ...]

    @property
    def open_amount(self) -> Decimal:
        return sum((bucket.amount for bucket in self.buckets), ZERO)

    @property
    def open_count(self) -> int:
        return sum(bucket.count for bucket in self.buckets)

    @property
    def overdue_amount(self) -> Decimal:
        return sum((bucket.amount for bucket in self.buckets if bucket.low is not None), ZERO)

    @property
    def overdue_count(self) -> int:
        return sum(bucket.count for bucket in self.buckets if bucket.low is not None)

    @property
    def current_amount(self) -> Decimal:
        """Open and not yet due (the "current receivables" of the best possible DSO)."""
        return self.buckets[0].amount


OPEN_INVOICE_SQL = """
    i.organization_id = %(org)s AND i.status = 'open' AND i.open_amount > 0 AND i.currency = %(currency)s
"""


def _bucket_condition(bucket: AgingBucketDefinition) -> str:
    late = "(%(today)s::date - i.due_date)"
    if bucket.low is None:
        return f"{late} <= 0"
    if bucket.high is None:
        return f"{late} >= {bucket.low}"
    return f"{late} BETWEEN {bucket.low} AND {bucket.high}"


def _aging_sql() -> str:
    columns = ",\n".join(
        f"COALESCE(SUM(i.open_amount) FILTER (WHERE {_bucket_condition(b)}), 0), "
        f"COUNT(*) FILTER (WHERE {_bucket_condition(b)})"
        for b in AGING_BUCKETS
    )
    return f"SELECT {columns} FROM invoices_invoice i WHERE {OPEN_INVOICE_SQL}"  # noqa: S608 (built from constants only)


AGING_SQL = _aging_sql()


def receivables_aging(*, organization: Organization, today: dt.date) -> Aging:
    """What is open by days overdue on ``today``, in the five buckets of :data:`AGING_BUCKETS`; one query."""
    row = _fetch_one(AGING_SQL, {"org": organization.pk, "today": today, "currency": SUMMED_CURRENCY})
    buckets = tuple(
        AgingBucket(key=b.key, low=b.low, high=b.high, amount=_money(row[2 * n]), count=int(row[2 * n + 1]))
        for n, b in enumerate(AGING_BUCKETS)
    )
    return Aging(buckets=buckets)


# --- DSO --------------------------------------------------------------------------------------------


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def months_back(month: dt.date, count: int) -> dt.date:
    """The first of the month ``count`` months before the month starting ``month``."""
    index = month.year * 12 + month.month - 1 - count
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def countback_segments(end: dt.date, months: int = COUNTBACK_MONTHS) -> list[tuple[dt.date, int]]:
    """(month, days) walked back from ``end``: its own month up to ``end``, then whole months before it."""
    first = month_start(end)
    segments = [(first, end.day)]
    for count in range(1, months):
        month = months_back(first, count)
        segments.append((month, calendar.monthrange(month.year, month.month)[1]))
    return segments


def countback_dso(
    *, receivables: Decimal, sales_by_month: Mapping[dt.date, Decimal], end: dt.date, months: int = COUNTBACK_MONTHS
) -> Decimal:
    """Days sales outstanding by the countback method (pure; see the module docstring).

    Each month's sales are taken off the receivables, newest month first; the month that uses them up
    counts for the fraction ``what was left ÷ that month's sales`` of its days.
    """
    remaining = receivables
    days = Decimal(0)
    for month, month_days in countback_segments(end, months):
        if remaining <= 0:
            break
        sales = sales_by_month.get(month, ZERO)
        if remaining >= sales:
            days += month_days
            remaining -= sales
        else:
            days += Decimal(month_days) * remaining / sales
            remaining = ZERO
    return days.quantize(DSO_PLACES, rounding=ROUND_HALF_UP)


def best_possible_dso(
    *, current_receivables: Decimal, sales: Decimal, days: int = BEST_POSSIBLE_DAYS
) -> Decimal | None:
    """Current receivables ÷ total credit sales × number of days; None without sales in the period."""
    if sales <= 0:
        return None
    return (current_receivables / sales * days).quantize(DSO_PLACES, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class DsoPoint:
    month_end: dt.date
    receivables: Decimal
    dso: Decimal


@dataclass(frozen=True)
class DsoFigures:
    dso: Decimal
    best_possible_dso: Decimal | None
    receivables: Decimal
    current_receivables: Decimal
    sales_best_possible_period: Decimal
    trend: tuple[DsoPoint, ...]


# Per issue month from ``window`` on (earlier issue dates in one bucket, month NULL): the invoice
# amounts (sales) and today's open amount of the invoices still open (the start of the count back).
MONTHS_SQL = """
SELECT CASE WHEN i.issue_date >= %(window)s THEN date_trunc('month', i.issue_date)::date END AS month,
       SUM(i.amount),
       COALESCE(SUM(i.open_amount) FILTER (WHERE i.status = 'open'), 0),
       COALESCE(SUM(i.amount) FILTER (WHERE i.issue_date > %(period_start)s), 0)
FROM invoices_invoice i
WHERE i.organization_id = %(org)s AND i.currency = %(currency)s AND i.issue_date <= %(today)s
GROUP BY 1
"""

# Payments dated after the first trend month end, per (issue month, payment month), the issue month
# no earlier than that first month: what is added back to the open amount at each month end.
PAID_AFTER_SQL = """
SELECT GREATEST(date_trunc('month', i.issue_date)::date, %(first_month)s) AS issued,
       date_trunc('month', p.date)::date AS paid,
       SUM(p.amount)
FROM invoices_payment p
JOIN invoices_invoice i ON i.id = p.invoice_id AND i.organization_id = p.organization_id
WHERE p.organization_id = %(org)s AND p.date > %(first_end)s AND i.currency = %(currency)s
  AND i.issue_date <= %(last_end)s
GROUP BY 1, 2
"""


def trend_month_ends(today: dt.date, count: int = TREND_MONTHS) -> list[dt.date]:
    """The last ``count`` month ends before ``today``, oldest first."""
    this_month = month_start(today)
    return [month_end(months_back(this_month, n)) for n in range(count, 0, -1)]


def receivables_dso(*, organization: Organization, today: dt.date, aging: Aging) -> DsoFigures:
    """The headline DSO, the best possible DSO and the 12 month-end trend; two aggregate queries.

    ``aging`` gives today's receivables (the open total) and the current (not yet due) part.
    """
    ends = trend_month_ends(today)
    first_month = month_start(ends[0])
    window = months_back(first_month, COUNTBACK_MONTHS - 1)
    period_start = today - dt.timedelta(days=BEST_POSSIBLE_DAYS)
    base = {"org": organization.pk, "currency": SUMMED_CURRENCY, "today": today}
    sales: dict[dt.date, Decimal] = {}
    open_issued: dict[dt.date | None, Decimal] = {}
    period_sales = ZERO
    for month, amount, open_now, in_period in _fetch_all(
        MONTHS_SQL, {**base, "window": window, "period_start": period_start}
    ):
        if month is not None:
            sales[month] = _money(amount)
        open_issued[month] = _money(open_now)
        period_sales += _money(in_period)
    paid_after = _fetch_all(
        PAID_AFTER_SQL, {**base, "first_month": first_month, "first_end": ends[0], "last_end": ends[-1]}
    )
    trend = tuple(_trend_point(end, _open_at(end, open_issued, paid_after), sales) for end in ends)
    return DsoFigures(
        dso=countback_dso(receivables=aging.open_amount, sales_by_month=sales, end=today),
        best_possible_dso=best_possible_dso(current_receivables=aging.current_amount, sales=period_sales),
        receivables=aging.open_amount,
        current_receivables=aging.current_amount,
        sales_best_possible_period=period_sales,
        trend=trend,
    )


def _open_at(
    end: dt.date, open_issued: Mapping[dt.date | None, Decimal], paid_after: Iterable[tuple[dt.date, dt.date, Decimal]]
) -> Decimal:
    """What was open at month end ``end``: today's open amount of invoices issued by then, plus their
    payments dated after it."""
    month = month_start(end)
    still_open = sum((amount for issued, amount in open_issued.items() if issued is None or issued <= month), ZERO)
    paid_later = sum((_money(amount) for issued, paid, amount in paid_after if issued <= month < paid), ZERO)
    return still_open + paid_later


def _trend_point(end: dt.date, receivables: Decimal, sales: Mapping[dt.date, Decimal]) -> DsoPoint:
    return DsoPoint(
        month_end=end,
        receivables=receivables,
        dso=countback_dso(receivables=receivables, sales_by_month=sales, end=end),
    )


# --- expected cash-in -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedPayment:
    """Money expected on a day from something agreed: an arrangement's term."""

    on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class CashInWeek:
    starts_on: dt.date  # the Monday
    amount: Decimal
    count: int  # invoices and arrangement terms expected that week

    @property
    def ends_on(self) -> dt.date:
        return self.starts_on + dt.timedelta(days=6)

    @property
    def iso_week(self) -> str:
        year, week, _day = self.starts_on.isocalendar()
        return f"{year}-W{week:02d}"


@dataclass(frozen=True)
class CashIn:
    weeks: tuple[CashInWeek, ...]
    later_amount: Decimal  # expected after the last week shown
    later_count: int


# Per debtor the (lower) median delay of their paid invoices: the date of the last payment minus the
# due date, in days (negative: paid early). Only debtors with something open are looked at.
# Then every open invoice, not held by an arrangement, expected on its promised day if a promise
# covers it, else on its due date plus its debtor's delay (0 without history), never before today;
# summed per ISO week (date_trunc('week') is the Monday).
CASH_IN_SQL = f"""
WITH open_invoices AS (
    SELECT i.id, i.debtor_id, i.due_date, i.open_amount FROM invoices_invoice i
    WHERE {OPEN_INVOICE_SQL} AND NOT (i.id = ANY(%(held)s::bigint[]))
), paid_on AS (
    SELECT p.invoice_id, MAX(p.date) AS day FROM invoices_payment p
    WHERE p.organization_id = %(org)s GROUP BY p.invoice_id
), delays AS (
    SELECT i.debtor_id, percentile_disc(0.5) WITHIN GROUP (ORDER BY paid_on.day - i.due_date) AS days
    FROM invoices_invoice i JOIN paid_on ON paid_on.invoice_id = i.id
    WHERE i.organization_id = %(org)s AND i.status = 'paid'
      AND i.debtor_id IN (SELECT debtor_id FROM open_invoices)
    GROUP BY i.debtor_id
), promised AS (
    SELECT * FROM unnest(%(promised_ids)s::bigint[], %(promised_days)s::date[]) AS t(invoice_id, day)
)
SELECT date_trunc('week', GREATEST(%(today)s::date,
           COALESCE(promised.day, o.due_date + COALESCE(delays.days, 0))))::date AS week,
       SUM(o.open_amount), COUNT(*)
FROM open_invoices o
LEFT JOIN delays ON delays.debtor_id = o.debtor_id
LEFT JOIN promised ON promised.invoice_id = o.id
GROUP BY 1
"""  # noqa: S608 (built from constants only)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def expected_cash_in(
    *,
    organization: Organization,
    today: dt.date,
    held_invoice_ids: Iterable[int] = (),
    promised: Mapping[int, dt.date] | None = None,
    planned: Iterable[PlannedPayment] = (),
    weeks: int = CASH_IN_WEEKS,
) -> CashIn:
    """What is expected to come in per ISO week, this week and the ``weeks - 1`` after it; one query.

    In order of what is known best:

    1. ``planned``: the open terms of arrangements (``collection.selectors``), on their term dates;
       their invoices (``held_invoice_ids``) are left out of the rest;
    2. ``promised``: an invoice the debtor promised to pay (a call's promise) on the promised day;
    3. every other open invoice on its due date plus its debtor's own delay: the median of
       (last payment date − due date) over the debtor's paid invoices (the lower median, in whole
       days; negative for a debtor who pays early; 0 without paid invoices, i.e. the due date).

    Nothing is expected before ``today``: an overdue or late prediction counts in this week.
    """
    promised = promised or {}
    params = {
        "org": organization.pk,
        "currency": SUMMED_CURRENCY,
        "today": today,
        "held": sorted(set(held_invoice_ids)),
        "promised_ids": list(promised),
        "promised_days": list(promised.values()),
    }
    amounts: dict[dt.date, Decimal] = defaultdict(lambda: ZERO)
    counts: dict[dt.date, int] = defaultdict(int)
    for week, amount, count in _fetch_all(CASH_IN_SQL, params):
        amounts[week] += _money(amount)
        counts[week] += int(count)
    for payment in planned:
        week = week_start(max(today, payment.on))
        amounts[week] += payment.amount
        counts[week] += 1
    return _cash_in_weeks(today, amounts, counts, weeks)


def _cash_in_weeks(
    today: dt.date, amounts: Mapping[dt.date, Decimal], counts: Mapping[dt.date, int], weeks: int
) -> CashIn:
    first = week_start(today)
    shown = [first + dt.timedelta(weeks=n) for n in range(weeks)]
    later = [week for week in amounts if week > shown[-1]]
    return CashIn(
        weeks=tuple(CashInWeek(starts_on=w, amount=amounts.get(w, ZERO), count=counts.get(w, 0)) for w in shown),
        later_amount=sum((amounts[w] for w in later), ZERO),
        later_count=sum(counts[w] for w in later),
    )


def arrangement_open_terms(
    *, terms: Sequence[PlannedPayment], total: Decimal, still_open: Decimal
) -> list[PlannedPayment]:
    """The terms of an arrangement still to be paid, when ``still_open`` of its ``total`` is left.

    What was paid so far (``total − still_open``) is taken off the terms in order, first term first
    (the terms carry no payments of their own): the first unpaid term may be partly paid.
    """
    paid = max(ZERO, total - max(ZERO, still_open))
    remaining: list[PlannedPayment] = []
    for term in sorted(terms, key=lambda t: t.on):
        covered = min(paid, term.amount)
        paid -= covered
        if term.amount > covered:
            remaining.append(PlannedPayment(on=term.on, amount=term.amount - covered))
    return remaining


# --- payments this week -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentsReceived:
    starts_on: dt.date
    ends_on: dt.date
    amount: Decimal
    count: int


PAYMENTS_SQL = """
SELECT COALESCE(SUM(p.amount), 0), COUNT(*) FROM invoices_payment p
JOIN invoices_invoice i ON i.id = p.invoice_id AND i.organization_id = p.organization_id
WHERE p.organization_id = %(org)s AND p.date BETWEEN %(start)s AND %(end)s
  AND p.source <> %(credit)s AND i.currency = %(currency)s
"""


def payments_received_this_week(*, organization: Organization, today: dt.date) -> PaymentsReceived:
    """Money received from Monday up to and including ``today``: payments by their date, refunds and
    chargebacks taken off, credit notes left out (nobody paid them)."""
    start = week_start(today)
    params = {"org": organization.pk, "start": start, "end": today, "credit": PaymentSource.CREDIT_NOTE}
    amount, count = _fetch_one(PAYMENTS_SQL, {**params, "currency": SUMMED_CURRENCY})
    return PaymentsReceived(starts_on=start, ends_on=today, amount=_money(amount), count=int(count))


# --- all of it --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReceivablesSummary:
    """Every receivables figure of the dashboard and the API summary, for one ``today``."""

    today: dt.date
    aging: Aging
    dso: DsoFigures
    cash_in: CashIn
    payments_this_week: PaymentsReceived
    dossiers_by_stage: dict[str, int] = field(default_factory=dict)


def receivables_summary(
    *,
    organization: Organization,
    today: dt.date,
    held_invoice_ids: Iterable[int] = (),
    promised: Mapping[int, dt.date] | None = None,
    planned: Iterable[PlannedPayment] = (),
    dossiers_by_stage: Mapping[str, int] | None = None,
) -> ReceivablesSummary:
    """The figures together (five aggregate queries); what other apps know is passed in."""
    aging = receivables_aging(organization=organization, today=today)
    return ReceivablesSummary(
        today=today,
        aging=aging,
        dso=receivables_dso(organization=organization, today=today, aging=aging),
        cash_in=expected_cash_in(
            organization=organization,
            today=today,
            held_invoice_ids=held_invoice_ids,
            promised=promised,
            planned=planned,
        ),
        payments_this_week=payments_received_this_week(organization=organization, today=today),
        dossiers_by_stage=dict(dossiers_by_stage or {}),
    )


# --- plumbing ---------------------------------------------------------------------------------------


def _money(value: Decimal | int | None) -> Decimal:
    return (Decimal(value) if value is not None else ZERO).quantize(Decimal("0.01"))


def _fetch_one(sql: str, params: Mapping[str, Any]) -> tuple:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return tuple(cursor.fetchone())


def _fetch_all(sql: str, params: Mapping[str, Any]) -> list[tuple]:  # type: ignore[type-arg]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


__all__ = [
    "AGING_BUCKETS",
    "Aging",
    "AgingBucket",
    "CashIn",
    "CashInWeek",
    "DsoFigures",
    "DsoPoint",
    "PaymentsReceived",
    "PlannedPayment",
    "ReceivablesSummary",
    "arrangement_open_terms",
    "best_possible_dso",
    "countback_dso",
    "expected_cash_in",
    "payments_received_this_week",
    "receivables_aging",
    "receivables_dso",
    "receivables_summary",
]
