"""The schedule of a payment arrangement: monthly terms that sum to the total to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import hypothesis
import pytest
from hypothesis import strategies

from collection.schedules import arrangement_term_counts_allowed, arrangement_term_dates, arrangement_terms

D = Decimal


def amounts(total: str, count: int) -> list[Decimal]:
    return [amount for _date, amount in arrangement_terms(D(total), count, dt.date(2026, 12, 10))]


def test_a_hundred_in_three_terms_puts_the_extra_cent_in_the_last() -> None:
    assert amounts("100.00", 3) == [D("33.33"), D("33.33"), D("33.34")]


def test_an_awkward_total_in_seven_terms_sums_exactly() -> None:
    terms = amounts("1000.01", 7)
    assert terms == [D("142.85")] * 6 + [D("142.91")]
    assert sum(terms) == D("1000.01")


def test_one_term_is_the_whole_total() -> None:
    assert amounts("87.65", 1) == [D("87.65")]


def test_five_cents_in_two_terms_splits_but_no_minimum_allows_it() -> None:
    assert amounts("0.05", 2) == [D("0.02"), D("0.03")]
    assert arrangement_term_counts_allowed(D("0.05"), max_terms=6, min_term_amount=D("1.00")) == []


def test_terms_fall_monthly_and_the_end_of_january_becomes_the_end_of_february() -> None:
    assert arrangement_term_dates(dt.date(2027, 1, 31), 4) == [
        dt.date(2027, 1, 31), dt.date(2027, 2, 28), dt.date(2027, 3, 31), dt.date(2027, 4, 30)
    ]  # fmt: skip
    assert arrangement_term_dates(dt.date(2028, 1, 31), 2)[1] == dt.date(2028, 2, 29)  # a leap year


def test_terms_run_across_the_year_boundary() -> None:
    assert arrangement_term_dates(dt.date(2026, 11, 30), 3) == [
        dt.date(2026, 11, 30), dt.date(2026, 12, 30), dt.date(2027, 1, 30)
    ]  # fmt: skip


def test_allowed_counts_stop_where_a_term_would_fall_below_the_minimum() -> None:
    # 100.00 / 4 = 25.00 exactly is allowed; / 5 = 20.00 is not
    assert arrangement_term_counts_allowed(D("100.00"), max_terms=6, min_term_amount=D("25.00")) == [1, 2, 3, 4]
    assert arrangement_term_counts_allowed(D("100.00"), max_terms=2, min_term_amount=D("25.00")) == [1, 2]
    assert arrangement_term_counts_allowed(D("100.00"), max_terms=0, min_term_amount=D("25.00")) == []


@pytest.mark.parametrize("total, count", [("0.00", 1), ("-5.00", 2), ("10.001", 2)])
def test_a_total_that_is_not_a_positive_amount_in_cents_is_refused(total: str, count: int) -> None:
    with pytest.raises(ValueError):
        arrangement_terms(D(total), count, dt.date(2026, 12, 1))


def test_zero_terms_is_refused() -> None:
    with pytest.raises(ValueError):
        arrangement_terms(D("10.00"), 0, dt.date(2026, 12, 1))


@hypothesis.given(
    cents=strategies.integers(min_value=1, max_value=10**12),
    count=strategies.integers(min_value=1, max_value=36),
    first=strategies.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2040, 12, 31)),
)
def test_any_schedule_sums_to_its_total_in_whole_cents_with_monthly_dates(
    cents: int, count: int, first: dt.date
) -> None:
    total = D(cents) / 100
    terms = arrangement_terms(total, count, first)
    assert len(terms) == count
    assert sum(amount for _date, amount in terms) == total
    assert all(amount == amount.quantize(D("0.01")) for _date, amount in terms)
    # equal terms, the last at most count-1 cents more
    assert len({amount for _date, amount in terms[:-1]}) <= 1
    assert D("0") <= terms[-1][1] - terms[0][1] < D("0.01") * count
    months = [(date.year * 12 + date.month) - (first.year * 12 + first.month) for date, _amount in terms]
    assert months == list(range(count))
    assert all(date.day == min(first.day, date.day) for date, _amount in terms)
