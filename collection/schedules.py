"""Payment schedules (betalingsregelingen): a total split into monthly terms, as a pure function.

No database, no clock: the first due date is passed in. The terms sum exactly to the total to the
cent; every term but the last is the total divided by the count, rounded down to a cent, and the last
takes the remainder, so no cent is lost or invented and the debtor never pays a bigger term first.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_DOWN, Decimal

from dateutil.relativedelta import relativedelta

from outstanding.money import CENT


def arrangement_term_dates(first_due: dt.date, count: int) -> list[dt.date]:
    """``count`` monthly dates from ``first_due``, each counted from the first, not from the one before.

    31 January gives 28 (or 29) February and then 31 March again: counting from the previous term
    would drift to the 28th for the rest of the schedule.
    """
    return [first_due + relativedelta(months=number) for number in range(count)]


def arrangement_term_amounts(total: Decimal, count: int) -> list[Decimal]:
    """``total`` in ``count`` terms of whole cents that sum exactly to it; the remainder in the last."""
    if count < 1:
        raise ValueError("an arrangement has at least one term")
    if total != total.quantize(CENT) or total <= 0:
        raise ValueError(f"not a positive amount in cents: {total}")
    base = (total / count).quantize(CENT, rounding=ROUND_DOWN)
    return [base] * (count - 1) + [total - base * (count - 1)]


def arrangement_terms(total: Decimal, count: int, first_due: dt.date) -> list[tuple[dt.date, Decimal]]:
    """The schedule: (due date, amount) per term, monthly from ``first_due``, summing to ``total``."""
    return list(zip(arrangement_term_dates(first_due, count), arrangement_term_amounts(total, count), strict=True))


def arrangement_smallest_term(total: Decimal, count: int) -> Decimal:
    """The smallest term of the schedule (what an organization's minimum per term is checked against)."""
    return min(arrangement_term_amounts(total, count))


def arrangement_term_counts_allowed(total: Decimal, *, max_terms: int, min_term_amount: Decimal) -> list[int]:
    """The numbers of terms within the organization's limits for ``total``: 1..max_terms, each term at
    least ``min_term_amount``. Empty when max_terms is 0 or even one term is below the minimum."""
    if total <= 0:
        return []
    return [count for count in range(1, max_terms + 1) if arrangement_smallest_term(total, count) >= min_term_amount]
