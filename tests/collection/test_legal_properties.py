"""Properties of the pure legal functions, checked with hypothesis (issue 10, point 7; DOMAIN.md §§2, 4).

The example-based tests beside this module pin the figures of DOMAIN.md; these check the rules that
must hold for every input: the WIK bounds and monotonicity, conservation of money in the art. 6:44
imputation, additivity of interest over a split period, and the rate table's staleness boundary.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from unittest import mock

import hypothesis
from dateutil.relativedelta import relativedelta
from hypothesis import strategies

from collection.legal import (
    INTEREST_RATES,
    InterestResult,
    collection_costs,
    collection_costs_for_consumer_letter,
    impute_payment,
    interest,
    rate_table_missing_since,
    statutory_interest,
)
from outstanding.money import to_money

D = Decimal
ONE_DAY = dt.timedelta(days=1)
CENT = D("0.01")
MINIMUM, MAXIMUM = D("40.00"), D("6775.00")

# A 2-core CI machine: no per-example deadline, few enough examples to stay well under 2 s a test.
PROPERTY = hypothesis.settings(max_examples=150, deadline=None)

# Up to € 100 million in cents: far past the € 1,000,000 where the WIK maximum is reached.
cents = strategies.integers(min_value=1, max_value=10**10)
owed_cents = strategies.integers(min_value=0, max_value=10**9)
# Interest runs over (start, end]; the first row is valid from 2010-01-01, so the earliest start is
# the day before. Ends may pass the table's last row: the last row applies until a newer one exists.
interest_starts = strategies.dates(min_value=dt.date(2009, 12, 31), max_value=dt.date(2027, 12, 31))
wik_dates = strategies.dates(min_value=dt.date(2012, 7, 1), max_value=dt.date(2030, 12, 31))


def money(amount_in_cents: int) -> Decimal:
    return D(amount_in_cents) / 100


def has_two_decimals(amount: Decimal) -> bool:
    return amount.as_tuple().exponent == -2


def exact_amount(result: InterestResult) -> Fraction:
    """The periods' interest as an exact rational, rebuilt from each period's base, rate and days.

    ``InterestPeriod.amount`` divides by 365 in a 28-digit Decimal context, so it can differ from the
    rational value in its last digits (about 1e-22); the rule itself is checked on the rationals.
    """
    return sum(
        (Fraction(period.base) * Fraction(period.rate) / 100 * period.days / 365 for period in result.periods),
        Fraction(0),
    )


class TestCollectionCosts:
    @PROPERTY
    @hypothesis.given(principal=cents, on=wik_dates)
    def test_costs_stay_between_forty_and_six_thousand_seven_hundred_seventy_five_with_two_decimals(
        self, principal: int, on: dt.date
    ) -> None:
        costs = collection_costs(money(principal), on=on)
        assert MINIMUM <= costs <= MAXIMUM
        assert has_two_decimals(costs)

    @PROPERTY
    @hypothesis.given(smaller=cents, increase=strategies.integers(min_value=0, max_value=10**9))
    def test_costs_never_decrease_as_the_principal_grows(self, smaller: int, increase: int) -> None:
        assert collection_costs(money(smaller)) <= collection_costs(money(smaller + increase))

    @PROPERTY
    @hypothesis.given(principal=strategies.integers(min_value=1, max_value=10**8 - 1))
    def test_one_more_cent_of_principal_never_lowers_the_costs(self, principal: int) -> None:
        assert collection_costs(money(principal)) <= collection_costs(money(principal + 1))

    @PROPERTY
    @hypothesis.given(principals=strategies.lists(cents, min_size=1, max_size=8), on=wik_dates)
    def test_a_consumer_letter_costs_stay_within_the_same_bounds_and_follow_the_summed_principal(
        self, principals: list[int], on: dt.date
    ) -> None:
        amounts = [money(principal) for principal in principals]
        costs = collection_costs_for_consumer_letter(amounts, on=on)
        assert MINIMUM <= costs <= MAXIMUM
        assert has_two_decimals(costs)
        assert costs == collection_costs(sum(amounts, D("0.00")), on=on)

    @PROPERTY
    @hypothesis.given(principals=strategies.lists(cents, min_size=1, max_size=8), on=wik_dates)
    # Two invoices of € 268.76: 15 % is 40.314 each, rounded to 40.31 apart (80.62) but 80.628 on the
    # sum, rounded to 80.63. One rounding instead of n can add up to n // 2 cents; nothing more.
    @hypothesis.example(principals=[26876, 26876], on=dt.date(2026, 12, 7))
    def test_a_consumer_letter_costs_at_most_rounding_cents_more_than_charging_each_invoice_apart(
        self, principals: list[int], on: dt.date
    ) -> None:
        amounts = [money(principal) for principal in principals]
        apart = sum((collection_costs(amount, on=on) for amount in amounts), D("0.00"))
        assert collection_costs_for_consumer_letter(amounts, on=on) <= apart + CENT * (len(amounts) // 2)

    @PROPERTY
    @hypothesis.given(principals=strategies.lists(cents, min_size=1, max_size=6), extra=cents)
    def test_one_more_invoice_in_a_consumer_letter_never_lowers_its_costs(
        self, principals: list[int], extra: int
    ) -> None:
        amounts = [money(principal) for principal in principals]
        assert collection_costs_for_consumer_letter(amounts) <= collection_costs_for_consumer_letter(
            [*amounts, money(extra)]
        )


class TestImputation:
    @PROPERTY
    @hypothesis.given(payment=owed_cents, costs=owed_cents, interest_owed=owed_cents, principal=owed_cents)
    def test_every_cent_of_a_payment_goes_to_costs_interest_principal_or_the_overpayment(
        self, payment: int, costs: int, interest_owed: int, principal: int
    ) -> None:
        owed = {"costs": money(costs), "interest": money(interest_owed), "principal": money(principal)}
        result = impute_payment(money(payment), **owed)
        parts = (result.to_costs, result.to_interest, result.to_principal, result.overpayment)
        assert sum(parts) == money(payment)
        lefts = (result.costs_left, result.interest_left, result.principal_left)
        assert all(part >= 0 and has_two_decimals(part) for part in (*parts, *lefts))
        assert result.to_costs + result.costs_left == owed["costs"]
        assert result.to_interest + result.interest_left == owed["interest"]
        assert result.to_principal + result.principal_left == owed["principal"]

    @PROPERTY
    @hypothesis.given(payment=owed_cents, costs=owed_cents, interest_owed=owed_cents, principal=owed_cents)
    def test_costs_are_paid_before_interest_and_interest_before_principal(
        self, payment: int, costs: int, interest_owed: int, principal: int
    ) -> None:
        result = impute_payment(
            money(payment), costs=money(costs), interest=money(interest_owed), principal=money(principal)
        )
        if result.to_interest > 0:
            assert result.costs_left == 0
        if result.to_principal > 0:
            assert result.costs_left == result.interest_left == 0
        if result.overpayment > 0:
            assert result.outstanding == 0
        # Nothing is left unpaid on an earlier component while money remains for a later one.
        assert result.to_costs == min(money(payment), money(costs))

    @PROPERTY
    @hypothesis.given(
        first=owed_cents, second=owed_cents, costs=owed_cents, interest_owed=owed_cents, principal=owed_cents
    )
    def test_two_payments_in_a_row_are_imputed_as_their_sum_at_once(
        self, first: int, second: int, costs: int, interest_owed: int, principal: int
    ) -> None:
        owed = {"costs": money(costs), "interest": money(interest_owed), "principal": money(principal)}
        once = impute_payment(money(first + second), **owed)
        earlier = impute_payment(money(first), **owed)
        later = impute_payment(
            money(second),
            costs=earlier.costs_left,
            interest=earlier.interest_left,
            principal=earlier.principal_left,
        )
        assert earlier.to_costs + later.to_costs == once.to_costs
        assert earlier.to_interest + later.to_interest == once.to_interest
        assert earlier.to_principal + later.to_principal == once.to_principal
        assert earlier.overpayment + later.overpayment == once.overpayment
        assert later.outstanding == once.outstanding


class TestStatutoryInterest:
    @PROPERTY
    @hypothesis.given(
        principal=cents,
        start=interest_starts,
        length=strategies.integers(min_value=2, max_value=364),
        split_after=strategies.integers(min_value=1, max_value=363),
        commercial=strategies.booleans(),
    )
    def test_a_period_split_in_two_within_a_year_earns_exactly_what_the_whole_earns(
        self, principal: int, start: dt.date, length: int, split_after: int, commercial: bool
    ) -> None:
        end = start + dt.timedelta(days=length)
        split = start + dt.timedelta(days=min(split_after, length - 1))
        whole = statutory_interest(money(principal), start, end, commercial=commercial)
        before = statutory_interest(money(principal), start, split, commercial=commercial)
        after = statutory_interest(money(principal), split, end, commercial=commercial)
        assert whole.capitalisations == before.capitalisations == after.capitalisations == ()
        assert exact_amount(before) + exact_amount(after) == exact_amount(whole)
        # The Decimal amounts agree with the rationals far below a cent (28 significant digits).
        for result in (whole, before, after):
            decimal_sum = sum((period.amount for period in result.periods), D(0))
            assert abs(Fraction(decimal_sum) - exact_amount(result)) < Fraction(1, 10**15)

    @PROPERTY
    @hypothesis.given(
        principal=cents,
        start=interest_starts,
        length=strategies.integers(min_value=0, max_value=3 * 366),
        commercial=strategies.booleans(),
    )
    def test_the_periods_cover_every_day_once_at_the_rate_in_force_that_day(
        self, principal: int, start: dt.date, length: int, commercial: bool
    ) -> None:
        end = start + dt.timedelta(days=length)
        result = statutory_interest(money(principal), start, end, commercial=commercial)
        assert sum(period.days for period in result.periods) == length
        assert [period.start for period in result.periods[1:]] == [period.end for period in result.periods[:-1]]
        for period in result.periods:
            assert period.days == (period.end - period.start).days > 0
            for day in (period.first_day, period.end):
                row = [row for row in INTEREST_RATES if row.valid_from <= day][-1]
                assert period.rate == (row.commercial if commercial else row.statutory)

    @PROPERTY
    @hypothesis.given(
        principal=cents,
        start=interest_starts,
        shorter=strategies.integers(min_value=0, max_value=4 * 366),
        longer_by=strategies.integers(min_value=0, max_value=400),
        commercial=strategies.booleans(),
    )
    def test_interest_is_never_negative_and_never_decreases_as_the_end_moves_forward(
        self, principal: int, start: dt.date, shorter: int, longer_by: int, commercial: bool
    ) -> None:
        earlier_end = start + dt.timedelta(days=shorter)
        later_end = earlier_end + dt.timedelta(days=longer_by)
        earlier = statutory_interest(money(principal), start, earlier_end, commercial=commercial)
        later = statutory_interest(money(principal), start, later_end, commercial=commercial)
        assert D("0.00") <= earlier.interest <= later.interest
        assert has_two_decimals(later.interest)

    def test_the_wettelijke_rente_never_exceeds_the_handelsrente_in_any_row(self) -> None:
        assert all(row.statutory <= row.commercial for row in INTEREST_RATES)

    @PROPERTY
    @hypothesis.given(
        principal=cents, start=interest_starts, length=strategies.integers(min_value=0, max_value=4 * 366)
    )
    def test_a_consumer_never_owes_more_interest_than_a_business_over_the_same_days(
        self, principal: int, start: dt.date, length: int
    ) -> None:
        end = start + dt.timedelta(days=length)
        consumer = statutory_interest(money(principal), start, end, commercial=False)
        business = statutory_interest(money(principal), start, end, commercial=True)
        assert consumer.interest <= business.interest

    @PROPERTY
    @hypothesis.given(
        principal=cents,
        start=interest_starts,
        after_anniversary=strategies.integers(min_value=-1, max_value=364),
        commercial=strategies.booleans(),
    )
    def test_a_years_interest_is_capitalised_exactly_on_the_anniversary_and_no_sooner(
        self, principal: int, start: dt.date, after_anniversary: int, commercial: bool
    ) -> None:
        anniversary = start + relativedelta(years=1)
        end = anniversary + dt.timedelta(days=after_anniversary)
        result = statutory_interest(money(principal), start, end, commercial=commercial)
        if after_anniversary < 0:
            assert result.capitalisations == ()
            return
        assert [capitalisation.on for capitalisation in result.capitalisations] == [anniversary]
        assert all(period.end <= anniversary or period.start >= anniversary for period in result.periods)
        first_year = [period for period in result.periods if period.end <= anniversary]
        later = [period for period in result.periods if period.start >= anniversary]
        year_interest = sum((period.amount for period in first_year), D(0))
        assert result.capitalisations[0].amount == to_money(year_interest)
        assert all(period.base == money(principal) for period in first_year)
        assert all(period.base == money(principal) + result.capitalisations[0].amount for period in later)
        assert result.interest == to_money(result.capitalisations[0].amount + sum((p.amount for p in later), D(0)))


def first_half_year_after(day: dt.date) -> dt.date:
    """The first 1 January or 1 July strictly after ``day``, computed independently of the code."""
    return dt.date(day.year, 7, 1) if day < dt.date(day.year, 7, 1) else dt.date(day.year + 1, 1, 1)


class TestRateTableMissingSince:
    @PROPERTY
    @hypothesis.given(today=strategies.dates(min_value=dt.date(2010, 1, 1), max_value=dt.date(2060, 12, 31)))
    def test_the_table_is_missing_a_row_from_the_first_half_year_after_its_last_row_on(self, today: dt.date) -> None:
        boundary = first_half_year_after(INTEREST_RATES[-1].valid_from)
        assert rate_table_missing_since(today) == (boundary if today >= boundary else None)

    @PROPERTY
    @hypothesis.given(
        last_row=strategies.dates(min_value=dt.date(2010, 1, 2), max_value=dt.date(2050, 12, 31)),
        offset=strategies.integers(min_value=-400, max_value=400),
    )
    def test_for_any_last_row_the_warning_starts_on_the_next_first_of_january_or_july(
        self, last_row: dt.date, offset: int
    ) -> None:
        table = (*INTEREST_RATES, INTEREST_RATES[-1]._replace(valid_from=last_row))
        table = tuple(sorted(table, key=lambda row: row.valid_from))
        boundary = first_half_year_after(table[-1].valid_from)
        today = boundary + dt.timedelta(days=offset)
        with mock.patch.object(interest, "INTEREST_RATES", table):
            missing = rate_table_missing_since(today)
        assert missing == (boundary if today >= boundary else None)
        if missing is not None:
            assert missing.day == 1 and missing.month in (1, 7)
