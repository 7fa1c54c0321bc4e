"""Wettelijke rente and handelsrente: dated rates, splitting, yearly compounding (DOMAIN.md §4)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from fractions import Fraction

import pytest
from dateutil.relativedelta import relativedelta

from collection.legal import (
    INTEREST_RATES,
    InterestRateUnknown,
    commercial_due_date_without_agreed_date,
    interest_start_date,
    rate_table_missing_since,
    statutory_interest,
)

D = Decimal
date = dt.date
ONE_DAY = dt.timedelta(days=1)

# DOMAIN.md §4, copied by hand so that a typo in the code's table fails here.
DOMAIN_RATES = [
    (date(2010, 1, 1), "3", "8.00"),
    (date(2011, 7, 1), "4", "8.25"),
    (date(2012, 1, 1), "4", "8.00"),
    (date(2012, 7, 1), "3", "8.00"),
    (date(2013, 1, 1), "3", "7.75"),
    (date(2013, 3, 16), "3", "8.75"),
    (date(2013, 7, 1), "3", "8.50"),
    (date(2014, 1, 1), "3", "8.25"),
    (date(2014, 7, 1), "3", "8.15"),
    (date(2015, 1, 1), "2", "8.05"),
    (date(2016, 7, 1), "2", "8.00"),
    (date(2023, 1, 1), "4", "10.50"),
    (date(2023, 7, 1), "6", "12.00"),
    (date(2024, 1, 1), "7", "12.50"),
    (date(2024, 7, 1), "7", "12.25"),
    (date(2025, 1, 1), "6", "11.15"),
    (date(2025, 7, 1), "6", "10.15"),
    (date(2026, 1, 1), "4", "10.15"),
    (date(2026, 7, 1), "4", "10.40"),
]


def rate_on(day: dt.date, commercial: bool) -> Fraction:
    row = [r for r in DOMAIN_RATES if r[0] <= day][-1]
    return Fraction(row[2] if commercial else row[1]) / 100


def reference_interest(principal: Decimal, start: dt.date, end: dt.date, commercial: bool) -> Decimal:
    """Day by day in exact fractions: each day in (start, end] earns base x rate / 365; capitalise yearly."""
    base, open_year, total_capitalised, year = Fraction(principal), Fraction(0), Fraction(0), 1
    day = start + ONE_DAY
    while day <= end:
        open_year += base * rate_on(day, commercial) / 365
        if day == start + relativedelta(years=year):
            capitalised = round_half_up(open_year)
            base += capitalised
            total_capitalised += capitalised
            open_year, year = Fraction(0), year + 1
        day += ONE_DAY
    return _to_decimal(round_half_up(total_capitalised + open_year))


def round_half_up(amount: Fraction) -> Fraction:
    return Fraction(int(amount * 100 + Fraction(1, 2)), 100)


def _to_decimal(amount: Fraction) -> Decimal:
    return (D(amount.numerator) / D(amount.denominator)).quantize(D("0.01"))


class TestRateTable:
    def test_it_holds_every_rate_in_the_domain_reference(self) -> None:
        assert [(r.valid_from, r.statutory, r.commercial) for r in INTEREST_RATES] == [
            (valid_from, D(statutory), D(commercial)) for valid_from, statutory, commercial in DOMAIN_RATES
        ]

    def test_it_is_sorted_by_date_without_duplicates(self) -> None:
        dates = [row.valid_from for row in INTEREST_RATES]
        assert dates == sorted(set(dates))

    def test_the_last_row_applies_until_a_newer_one_exists(self) -> None:
        result = statutory_interest(D("1000"), date(2029, 12, 31), date(2030, 12, 31), commercial=True)
        assert [p.rate for p in result.periods] == [D("10.40")]
        assert result.interest == D("104.00")

    def test_the_handelsrente_is_10_40_from_1_july_2026_and_the_wettelijke_rente_stays_4(self) -> None:
        result = statutory_interest(D("36500"), date(2026, 6, 29), date(2026, 7, 2), commercial=True)
        assert [(p.first_day, p.end, p.rate) for p in result.periods] == [
            (date(2026, 6, 30), date(2026, 6, 30), D("10.15")),
            (date(2026, 7, 1), date(2026, 7, 2), D("10.40")),
        ]
        assert result.interest == D("10.15") + D("20.80")
        consumer = statutory_interest(D("36500"), date(2026, 6, 29), date(2026, 7, 2), commercial=False)
        assert [p.rate for p in consumer.periods] == [D("4")]


class TestRateTableUpToDate:
    """Rates change every half year: a table without the current half year's row must say so."""

    def test_the_table_is_current_until_the_next_half_year_starts(self) -> None:
        assert rate_table_missing_since(date(2026, 7, 1)) is None
        assert rate_table_missing_since(date(2026, 12, 31)) is None

    def test_from_the_first_day_of_a_half_year_without_a_row_it_is_out_of_date(self) -> None:
        assert rate_table_missing_since(date(2027, 1, 1)) == date(2027, 1, 1)
        assert rate_table_missing_since(date(2027, 8, 15)) == date(2027, 1, 1)

    def test_a_calculation_across_a_half_year_without_a_row_says_from_when_its_rate_is_assumed(self) -> None:
        crossing = statutory_interest(D("1000"), date(2026, 12, 1), date(2027, 1, 31), commercial=True)
        before = statutory_interest(D("1000"), date(2026, 12, 1), date(2026, 12, 31), commercial=True)
        assert crossing.rates_unconfirmed_from == date(2027, 1, 1)
        assert before.rates_unconfirmed_from is None


class TestSimpleInterest:
    def test_it_counts_the_days_after_start_up_to_and_including_end(self) -> None:
        result = statutory_interest(D("36500"), date(2026, 3, 1), date(2026, 3, 11), commercial=False)
        assert result.periods[0].days == 10
        assert result.interest == D("40.00")  # 36,500 x 4 % x 10 / 365

    def test_one_day_of_handelsrente(self) -> None:
        result = statutory_interest(D("36500"), date(2026, 3, 1), date(2026, 3, 2), commercial=True)
        assert result.interest == D("10.15")

    def test_no_days_means_no_interest(self) -> None:
        result = statutory_interest(D("1000"), date(2026, 3, 1), date(2026, 3, 1), commercial=True)
        assert result.interest == D("0.00")
        assert result.periods == ()
        assert result.capitalisations == ()

    def test_an_end_before_the_start_is_refused(self) -> None:
        with pytest.raises(ValueError, match="before it starts"):
            statutory_interest(D("1000"), date(2026, 3, 2), date(2026, 3, 1), commercial=True)

    def test_a_negative_principal_is_refused(self) -> None:
        with pytest.raises(ValueError):
            statutory_interest(D("-1"), date(2026, 3, 1), date(2026, 3, 2), commercial=True)

    def test_a_float_principal_is_refused(self) -> None:
        with pytest.raises(TypeError):
            statutory_interest(1000.0, date(2026, 3, 1), date(2026, 3, 2), commercial=True)  # type: ignore[arg-type]

    def test_a_zero_principal_earns_nothing(self) -> None:
        assert statutory_interest(D("0"), date(2024, 1, 1), date(2026, 1, 1), commercial=True).interest == D("0.00")

    def test_the_result_is_rounded_half_up_to_cents_at_the_end(self) -> None:
        # 73 x 4 % / 365 = 0.008 -> 0.01; 36.50 x 4 % / 365 = 0.004 -> 0.00; 14.60 x 12.5 % / 365 = 0.005 -> 0.01
        assert statutory_interest(D("73"), date(2026, 3, 1), date(2026, 3, 2), commercial=False).interest == D("0.01")
        assert statutory_interest(D("36.50"), date(2026, 3, 1), date(2026, 3, 2), commercial=False).interest == D("0")
        assert statutory_interest(D("14.60"), date(2024, 3, 1), date(2024, 3, 2), commercial=True).interest == D("0.01")

    def test_the_kind_of_interest_selects_the_rate(self) -> None:
        args = (D("1000"), date(2025, 7, 31), date(2025, 8, 31))
        assert statutory_interest(*args, commercial=False).periods[0].rate == D("6")
        assert statutory_interest(*args, commercial=True).periods[0].rate == D("10.15")

    def test_the_result_records_its_inputs(self) -> None:
        result = statutory_interest(D("1000.004"), date(2025, 7, 31), date(2025, 8, 31), commercial=True)
        assert (result.principal, result.start, result.end, result.commercial) == (
            D("1000.00"),
            date(2025, 7, 31),
            date(2025, 8, 31),
            True,
        )


class TestSplittingAtRateChanges:
    def test_a_year_of_handelsrente_in_2024_is_split_on_the_first_of_july(self) -> None:
        result = statutory_interest(D("1000"), date(2024, 1, 1), date(2024, 12, 31), commercial=True)
        first, second = result.periods
        assert (first.start, first.end, first.days, first.rate) == (
            date(2024, 1, 1),
            date(2024, 6, 30),
            181,
            D("12.50"),
        )
        assert (second.start, second.end, second.days, second.rate) == (
            date(2024, 6, 30),
            date(2024, 12, 31),
            184,
            D("12.25"),
        )
        assert first.first_day == date(2024, 1, 2)
        assert second.first_day == date(2024, 7, 1)
        # 1000 x (12.5 % x 181 + 12.25 % x 184) / 365 = 123.7397...
        assert result.interest == D("123.74")

    def test_period_amounts_are_exact_and_sum_to_the_result(self) -> None:
        result = statutory_interest(D("1000"), date(2024, 1, 1), date(2024, 12, 31), commercial=True)
        assert result.periods[0].amount == D("1000") * D("12.50") / 100 * 181 / 365
        assert sum((p.amount for p in result.periods), D(0)).quantize(D("0.01")) == result.interest

    def test_the_mid_march_2013_change_of_the_handelsrente_is_honoured(self) -> None:
        result = statutory_interest(D("1000"), date(2013, 3, 14), date(2013, 3, 17), commercial=True)
        assert [(p.end, p.days, p.rate) for p in result.periods] == [
            (date(2013, 3, 15), 1, D("7.75")),
            (date(2013, 3, 17), 2, D("8.75")),
        ]

    def test_a_new_row_that_keeps_the_rate_does_not_split_the_period(self) -> None:
        # Statutory rate 7 % from 2024-01-01 and again from 2024-07-01: one period.
        result = statutory_interest(D("1000"), date(2024, 3, 31), date(2024, 9, 30), commercial=False)
        assert [(p.start, p.end, p.rate) for p in result.periods] == [(date(2024, 3, 31), date(2024, 9, 30), D("7"))]

    def test_a_rate_change_applies_to_interest_already_running(self) -> None:
        result = statutory_interest(D("1000"), date(2025, 12, 1), date(2026, 1, 31), commercial=False)
        assert [(p.days, p.rate) for p in result.periods] == [(30, D("6")), (31, D("4"))]

    def test_interest_before_the_first_rate_is_unknown(self) -> None:
        with pytest.raises(InterestRateUnknown):
            statutory_interest(D("1000"), date(2009, 12, 30), date(2010, 2, 1), commercial=True)

    def test_the_first_rate_covers_the_first_of_january_2010(self) -> None:
        result = statutory_interest(D("36500"), date(2009, 12, 31), date(2010, 1, 1), commercial=False)
        assert result.interest == D("3.00")

    def test_a_period_ending_the_day_before_a_change_is_not_split(self) -> None:
        result = statutory_interest(D("1000"), date(2025, 6, 1), date(2025, 6, 30), commercial=True)
        assert [p.rate for p in result.periods] == [D("11.15")]


class TestCompounding:
    def test_each_full_years_interest_is_added_to_the_principal(self) -> None:
        result = statutory_interest(D("1000"), date(2022, 12, 31), date(2024, 12, 31), commercial=False)
        # Year one: 1000 x (4 % x 181 + 6 % x 184) / 365 = 50.0822 -> capitalised 50.08.
        # Year two: 1050.08 x 7 % x 366 / 365 = 73.7058 -> 73.71.
        assert [(c.on, c.amount) for c in result.capitalisations] == [
            (date(2023, 12, 31), D("50.08")),
            (date(2024, 12, 31), D("73.71")),
        ]
        assert result.interest == D("123.79")
        assert result.principal_with_capitalised_interest == D("1123.79")
        assert {p.base for p in result.periods} == {D("1000.00"), D("1050.08")}

    def test_a_full_leap_year_earns_366_days_over_365(self) -> None:
        result = statutory_interest(D("1000"), date(2023, 12, 31), date(2024, 12, 31), commercial=False)
        assert result.interest == D("70.19")  # 70 x 366 / 365 = 70.1918
        assert [c.amount for c in result.capitalisations] == [D("70.19")]

    def test_nothing_is_capitalised_before_a_full_year(self) -> None:
        result = statutory_interest(D("1000"), date(2025, 3, 15), date(2026, 3, 14), commercial=True)
        assert result.capitalisations == ()
        assert result.principal_with_capitalised_interest == D("1000.00")

    def test_interest_after_the_anniversary_runs_on_the_grown_principal(self) -> None:
        result = statutory_interest(D("36500"), date(2025, 3, 15), date(2026, 3, 16), commercial=False)
        assert result.capitalisations[0].on == date(2026, 3, 15)
        grown = D("36500") + result.capitalisations[0].amount
        assert result.periods[-1].base == grown
        assert result.periods[-1].days == 1

    def test_years_are_counted_from_the_start_of_the_interest_period_not_the_calendar_year(self) -> None:
        result = statutory_interest(D("1000"), date(2016, 8, 20), date(2020, 8, 20), commercial=False)
        assert [c.on for c in result.capitalisations] == [date(2017 + n, 8, 20) for n in range(4)]

    def test_a_start_on_the_twenty_ninth_of_february_keeps_its_anniversaries(self) -> None:
        result = statutory_interest(D("1000"), date(2024, 2, 29), date(2028, 3, 1), commercial=False)
        assert [c.on for c in result.capitalisations] == [
            date(2025, 2, 28),
            date(2026, 2, 28),
            date(2027, 2, 28),
            date(2028, 2, 29),
        ]

    def test_ten_years_of_handelsrente_compound_ten_times(self) -> None:
        result = statutory_interest(D("10000"), date(2016, 1, 1), date(2026, 1, 1), commercial=True)
        assert len(result.capitalisations) == 10
        assert result.interest == sum(c.amount for c in result.capitalisations)


class TestAgainstAReferenceImplementation:
    def test_it_equals_a_day_by_day_exact_computation_on_random_cases(self) -> None:
        rng = random.Random(6119)
        for _ in range(80):
            start = date(2010, 1, 1) + dt.timedelta(days=rng.randint(0, 6000))
            end = start + dt.timedelta(days=rng.randint(0, 1500))
            principal = D(rng.randint(1, 5_000_000)) / 100
            commercial = rng.random() < 0.5
            expected = reference_interest(principal, start, end, commercial)
            assert statutory_interest(principal, start, end, commercial=commercial).interest == expected, (
                principal,
                start,
                end,
                commercial,
            )

    def test_interest_never_decreases_as_the_end_moves_forward(self) -> None:
        previous = D("0")
        for days in range(0, 1200, 3):
            interest = statutory_interest(
                D("2500"), date(2022, 11, 30), date(2022, 11, 30) + dt.timedelta(days=days), commercial=True
            ).interest
            assert interest >= previous
            previous = interest

    def test_splitting_a_period_within_a_year_changes_the_total_by_at_most_a_cent(self) -> None:
        start, end = date(2023, 2, 10), date(2024, 2, 1)
        whole = statutory_interest(D("4321.09"), start, end, commercial=True).interest
        for days in range(1, (end - start).days):
            middle = start + dt.timedelta(days=days)
            parts = (
                statutory_interest(D("4321.09"), start, middle, commercial=True).interest
                + statutory_interest(D("4321.09"), middle, end, commercial=True).interest
            )
            assert abs(parts - whole) <= D("0.01")


class TestInterestStartDate:
    def test_interest_starts_the_day_after_the_due_date(self) -> None:
        assert interest_start_date(date(2025, 3, 31)) == date(2025, 4, 1)
        assert interest_start_date(date(2025, 12, 31)) == date(2026, 1, 1)

    def test_without_an_agreed_date_interest_starts_thirty_days_after_the_day_following_receipt(self) -> None:
        # Received 10 January: the day following is the 11th; 30 days after that is 10 February.
        assert interest_start_date(invoice_received=date(2025, 1, 10)) == date(2025, 2, 10)
        assert commercial_due_date_without_agreed_date(date(2025, 1, 10)) == date(2025, 2, 9)

    def test_the_due_date_is_what_statutory_interest_takes_as_start(self) -> None:
        due = commercial_due_date_without_agreed_date(date(2025, 1, 10))
        result = statutory_interest(D("1000"), due, date(2025, 3, 1), commercial=True)
        assert result.periods[0].first_day == interest_start_date(invoice_received=date(2025, 1, 10))

    def test_it_needs_exactly_one_of_due_date_and_receipt(self) -> None:
        with pytest.raises(ValueError):
            interest_start_date()
        with pytest.raises(ValueError):
            interest_start_date(date(2025, 1, 1), invoice_received=date(2025, 1, 1))
