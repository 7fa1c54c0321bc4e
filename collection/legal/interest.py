"""Wettelijke rente (art. 6:119 BW) and wettelijke handelsrente (art. 6:119a BW).

DOMAIN.md §4. Interest runs over the days in (start, end]: from the day after the due date up to and
including the payment date. Day count days/365 (a documented choice; the statute prescribes none,
so a leap year's 366th day earns 1/365 too). A rate change applies to interest already running, so
every period is split at each change. After each full year counted from the start of the interest
period, that year's interest is added to the principal (art. 6:119 lid 2 BW; the same rule applies
to the handelsrente under art. 6:119a BW). Amounts are rounded to cents only when capitalised and at
the end.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from dateutil.relativedelta import relativedelta

from outstanding.calendar import ONE_DAY
from outstanding.money import to_money

DAYS_PER_YEAR = Decimal(365)
COMMERCIAL_TERM_WITHOUT_AGREED_DATE = dt.timedelta(days=30)  # art. 6:119a lid 2 sub a BW


class InterestRate(NamedTuple):
    """Rates in percent per year from ``valid_from`` until the next row."""

    valid_from: dt.date
    statutory: Decimal  # wettelijke rente, art. 6:119 BW
    commercial: Decimal  # wettelijke handelsrente, art. 6:119a BW


# Adding a half-yearly rate is one new line; the last row applies until a newer one exists.
INTEREST_RATES: tuple[InterestRate, ...] = (
    InterestRate(dt.date(2010, 1, 1), Decimal("3"), Decimal("8.00")),
    InterestRate(dt.date(2011, 7, 1), Decimal("4"), Decimal("8.25")),
    InterestRate(dt.date(2012, 1, 1), Decimal("4"), Decimal("8.00")),
    InterestRate(dt.date(2012, 7, 1), Decimal("3"), Decimal("8.00")),
    InterestRate(dt.date(2013, 1, 1), Decimal("3"), Decimal("7.75")),
    InterestRate(dt.date(2013, 3, 16), Decimal("3"), Decimal("8.75")),
    InterestRate(dt.date(2013, 7, 1), Decimal("3"), Decimal("8.50")),
    InterestRate(dt.date(2014, 1, 1), Decimal("3"), Decimal("8.25")),
    InterestRate(dt.date(2014, 7, 1), Decimal("3"), Decimal("8.15")),
    InterestRate(dt.date(2015, 1, 1), Decimal("2"), Decimal("8.05")),
    InterestRate(dt.date(2016, 7, 1), Decimal("2"), Decimal("8.00")),
    InterestRate(dt.date(2023, 1, 1), Decimal("4"), Decimal("10.50")),
    InterestRate(dt.date(2023, 7, 1), Decimal("6"), Decimal("12.00")),
    InterestRate(dt.date(2024, 1, 1), Decimal("7"), Decimal("12.50")),
    InterestRate(dt.date(2024, 7, 1), Decimal("7"), Decimal("12.25")),
    InterestRate(dt.date(2025, 1, 1), Decimal("6"), Decimal("11.15")),
    InterestRate(dt.date(2025, 7, 1), Decimal("6"), Decimal("10.15")),  # 6 %: secondary sources only
    InterestRate(dt.date(2026, 1, 1), Decimal("4"), Decimal("10.15")),
    InterestRate(dt.date(2026, 7, 1), Decimal("4"), Decimal("10.40")),  # ECB 2.40 % + 8
)
# Both rates are set per half year (art. 6:120 BW; 6:119a: the ECB rate on 1 January and 1 July).
HALF_YEAR_STARTS = ((1, 1), (7, 1))


class InterestRateUnknown(LookupError):
    """Interest is asked for a day before the first row of the rate table."""


@dataclass(frozen=True)
class InterestPeriod:
    """Interest over the days in (start, end] at one rate on one base; ``amount`` is exact, not rounded."""

    start: dt.date
    end: dt.date
    days: int
    rate: Decimal
    base: Decimal
    amount: Decimal

    @property
    def first_day(self) -> dt.date:
        """The first day that earns interest, for statements ("van ... t/m end")."""
        return self.start + ONE_DAY


@dataclass(frozen=True)
class Capitalisation:
    """Interest of a full year added to the principal on ``on`` (the anniversary), rounded to cents."""

    on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class InterestResult:
    principal: Decimal
    start: dt.date
    end: dt.date
    commercial: bool
    interest: Decimal
    periods: tuple[InterestPeriod, ...]
    capitalisations: tuple[Capitalisation, ...]
    # The first day charged at a rate the table only assumes (a half year began without a new row):
    # a statement must say that its interest from this day on is provisional.
    rates_unconfirmed_from: dt.date | None = None

    @property
    def principal_with_capitalised_interest(self) -> Decimal:
        """The principal grown by each full year's interest; may be the base for recomputing WIK costs."""
        return self.principal + sum((c.amount for c in self.capitalisations), Decimal("0.00"))


def statutory_interest(principal: Decimal, start: dt.date, end: dt.date, *, commercial: bool) -> InterestResult:
    """Statutory interest on ``principal`` over the days in (start, end], compounded yearly.

    ``start`` is the due date (the last day without interest) and ``end`` the payment or calculation
    date, so ``statutory_interest(p, due_date, paid_on)`` charges interest from
    ``interest_start_date(due_date)`` through ``paid_on``. ``commercial`` selects the handelsrente.
    """
    principal = to_money(principal)
    if principal < 0:
        raise ValueError(f"interest runs on an amount owed, not on {principal}")
    if end < start:
        raise ValueError(f"the interest period ends ({end}) before it starts ({start})")
    periods: list[InterestPeriod] = []
    capitalisations: list[Capitalisation] = []
    base, year_start, year, open_year_interest = principal, start, 1, Decimal(0)
    while year_start < end:
        anniversary = start + relativedelta(years=year)  # from the original start: no drift after 29 Feb
        year_periods = _split_at_rate_changes(base, year_start, min(anniversary, end), commercial)
        periods.extend(year_periods)
        year_interest = sum((p.amount for p in year_periods), Decimal(0))
        if anniversary <= end:
            capitalisations.append(Capitalisation(on=anniversary, amount=to_money(year_interest)))
            base += capitalisations[-1].amount
        else:
            open_year_interest = year_interest
        year_start, year = anniversary, year + 1
    interest = to_money(base - principal + open_year_interest)
    unconfirmed = _first_half_year_without_row()
    return InterestResult(
        principal, start, end, commercial, interest, tuple(periods), tuple(capitalisations),
        rates_unconfirmed_from=unconfirmed if unconfirmed <= end else None,
    )  # fmt: skip


def rate_table_missing_since(today: dt.date) -> dt.date | None:
    """The first half year that has begun by ``today`` without a row in the table, or None when current.

    Staff are warned from that day on: the new rates are published in the Staatscourant and must be
    added (one row) before interest over the new half year is more than provisional.
    """
    missing = _first_half_year_without_row()
    return missing if missing <= today else None


def _first_half_year_without_row() -> dt.date:
    """The first 1 January or 1 July after the table's last row."""
    last = INTEREST_RATES[-1].valid_from
    return min(
        dt.date(year, month, day)
        for year in (last.year, last.year + 1)
        for month, day in HALF_YEAR_STARTS
        if dt.date(year, month, day) > last
    )


def interest_start_date(due_date: dt.date | None = None, *, invoice_received: dt.date | None = None) -> dt.date:
    """The first day on which statutory interest accrues.

    With an agreed due date (uiterste betaaldag): the day after it. For a commercial contract without
    an agreed date, pass ``invoice_received`` instead: interest is due from 30 days after the day
    following receipt of the invoice (art. 6:119a lid 2 sub a BW). The other cases of that article
    (goods received after the invoice, acceptance procedures) are not modelled.
    """
    if due_date is not None and invoice_received is None:
        return due_date + ONE_DAY
    if invoice_received is not None and due_date is None:
        return commercial_due_date_without_agreed_date(invoice_received) + ONE_DAY
    raise ValueError("pass exactly one of due_date or invoice_received")


def commercial_due_date_without_agreed_date(invoice_received: dt.date) -> dt.date:
    """The last day without interest when a commercial contract agrees no payment date (art. 6:119a lid 2 BW).

    Interest is due from 30 days after the day following receipt, i.e. from receipt + 31 days; the day
    before that is what :func:`statutory_interest` takes as ``start``.
    """
    return invoice_received + COMMERCIAL_TERM_WITHOUT_AGREED_DATE


def _split_at_rate_changes(base: Decimal, start: dt.date, end: dt.date, commercial: bool) -> list[InterestPeriod]:
    """Periods within (start, end] with one rate each; a rate valid from day D covers (D - 1, ...]."""
    first_row = INTEREST_RATES[0]
    if start + ONE_DAY < first_row.valid_from:
        raise InterestRateUnknown(f"no statutory interest rate is known before {first_row.valid_from}")
    periods: list[InterestPeriod] = []
    for index, row in enumerate(INTEREST_RATES):
        row_start = max(start, row.valid_from - ONE_DAY)
        is_last = index + 1 == len(INTEREST_RATES)
        row_end = end if is_last else min(end, INTEREST_RATES[index + 1].valid_from - ONE_DAY)
        rate = row.commercial if commercial else row.statutory
        if row_end <= row_start:
            continue
        if periods and periods[-1].rate == rate:  # a new row that keeps this kind's rate: one period
            row_start = periods.pop().start
        periods.append(_period(base, row_start, row_end, rate))
    return periods


def _period(base: Decimal, start: dt.date, end: dt.date, rate: Decimal) -> InterestPeriod:
    days = (end - start).days
    amount = base * rate / 100 * days / DAYS_PER_YEAR
    return InterestPeriod(start=start, end=end, days=days, rate=rate, base=base, amount=amount)
