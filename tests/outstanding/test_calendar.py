"""The one calendar: ATW holidays, business days and statutory terms (DOMAIN.md §6)."""

from __future__ import annotations

import datetime as dt

import pytest
from dateutil.easter import easter

from outstanding.calendar import (
    add_business_days,
    atw_holidays,
    is_atw_holiday,
    is_business_day,
    local_today,
    next_business_day,
    statutory_term_end,
)

date = dt.date
ONE_DAY = dt.timedelta(days=1)


class TestAtwHolidays:
    def test_the_holidays_of_2024(self) -> None:
        assert atw_holidays(2024) == {
            date(2024, 1, 1),
            date(2024, 3, 29),  # Goede Vrijdag
            date(2024, 4, 1),  # Tweede Paasdag
            date(2024, 4, 27),  # Koningsdag, a Saturday
            date(2024, 5, 5),  # Bevrijdingsdag, a Sunday, not a lustrum year
            date(2024, 5, 9),  # Hemelvaartsdag
            date(2024, 5, 20),  # Tweede Pinksterdag
            date(2024, 12, 25),
            date(2024, 12, 26),
        }

    def test_the_holidays_of_2025(self) -> None:
        assert atw_holidays(2025) == {
            date(2025, 1, 1),
            date(2025, 4, 18),
            date(2025, 4, 21),
            date(2025, 4, 26),  # the 27th is a Sunday
            date(2025, 5, 5),  # a lustrum year
            date(2025, 5, 29),
            date(2025, 6, 9),
            date(2025, 12, 25),
            date(2025, 12, 26),
        }

    def test_the_holidays_of_2026(self) -> None:
        assert atw_holidays(2026) == {
            date(2026, 1, 1),
            date(2026, 4, 3),
            date(2026, 4, 6),
            date(2026, 4, 27),
            date(2026, 5, 5),  # a Tuesday in a non-lustrum year: a holiday under the ATW
            date(2026, 5, 14),
            date(2026, 5, 25),
            date(2026, 12, 25),
            date(2026, 12, 26),
        }

    @pytest.mark.parametrize("year", range(1990, 2101))
    def test_the_fifth_of_may_is_a_holiday_every_year_not_only_in_lustrum_years(self, year: int) -> None:
        assert date(year, 5, 5) in atw_holidays(year)

    @pytest.mark.parametrize(
        "good_friday", [date(2016, 3, 25), date(2024, 3, 29), date(2025, 4, 18), date(2026, 4, 3), date(2027, 3, 26)]
    )
    def test_good_friday_is_a_holiday(self, good_friday: dt.date) -> None:
        assert good_friday.weekday() == 4
        assert is_atw_holiday(good_friday)

    def test_kings_day_is_the_26th_when_the_27th_is_a_sunday(self) -> None:
        assert is_atw_holiday(date(2025, 4, 26))
        assert not is_atw_holiday(date(2025, 4, 27))
        assert is_atw_holiday(date(2014, 4, 26))  # 27 April 2014 was a Sunday too

    def test_kings_day_is_the_27th_otherwise(self) -> None:
        assert is_atw_holiday(date(2026, 4, 27))
        assert not is_atw_holiday(date(2026, 4, 26))

    def test_kings_day_is_the_27th_unless_that_is_a_sunday(self) -> None:
        for year in range(2014, 2101):
            twenty_seventh_is_sunday = date(year, 4, 27).weekday() == 6
            assert (date(year, 4, 27) in atw_holidays(year)) is not twenty_seventh_is_sunday, year
            if twenty_seventh_is_sunday:
                assert date(year, 4, 26) in atw_holidays(year), year

    @pytest.mark.parametrize(
        ("ascension", "whit_monday"),
        [
            (date(2024, 5, 9), date(2024, 5, 20)),
            (date(2025, 5, 29), date(2025, 6, 9)),
            (date(2026, 5, 14), date(2026, 5, 25)),
        ],
    )
    def test_ascension_day_and_whit_monday_are_holidays(self, ascension: dt.date, whit_monday: dt.date) -> None:
        assert ascension.weekday() == 3
        assert whit_monday.weekday() == 0
        assert is_atw_holiday(ascension)
        assert is_atw_holiday(whit_monday)

    def test_easter_monday_is_a_holiday_but_easter_and_whit_sunday_are_not_listed(self) -> None:
        for year in range(2000, 2101):
            sunday = easter(year)
            assert sunday + ONE_DAY in atw_holidays(year)
            assert sunday not in atw_holidays(year)
            assert sunday + dt.timedelta(days=49) not in atw_holidays(year)

    def test_both_christmas_days_are_holidays_every_year(self) -> None:
        for year in range(2000, 2101):
            assert {date(year, 12, 25), date(year, 12, 26)} <= atw_holidays(year)
            assert date(year, 12, 24) not in atw_holidays(year)
            assert date(year, 12, 31) not in atw_holidays(year)

    def test_ascension_on_the_fifth_of_may_counts_once(self) -> None:
        assert date(2016, 5, 5) == easter(2016) + dt.timedelta(days=39)
        assert len(atw_holidays(2016)) == 8

    def test_every_year_has_nine_holidays_unless_two_coincide(self) -> None:
        for year in range(2000, 2101):
            assert len(atw_holidays(year)) == (8 if year in (2005, 2016) else 9), year

    def test_holidays_belong_to_their_own_year(self) -> None:
        for year in range(2000, 2101):
            assert {day.year for day in atw_holidays(year)} == {year}


class TestBusinessDays:
    def test_a_normal_weekday_is_a_business_day(self) -> None:
        assert is_business_day(date(2026, 3, 4))

    def test_weekends_are_not_business_days(self) -> None:
        assert not is_business_day(date(2026, 3, 7))
        assert not is_business_day(date(2026, 3, 8))

    def test_holidays_on_weekdays_are_not_business_days(self) -> None:
        assert not is_business_day(date(2026, 5, 5))
        assert not is_business_day(date(2026, 1, 1))

    def test_the_next_business_day_of_a_business_day_is_itself(self) -> None:
        assert next_business_day(date(2026, 3, 4)) == date(2026, 3, 4)

    def test_the_next_business_day_skips_easter(self) -> None:
        assert next_business_day(date(2026, 4, 3)) == date(2026, 4, 7)  # Good Friday to Tuesday

    def test_the_next_business_day_skips_christmas_and_new_year(self) -> None:
        assert next_business_day(date(2027, 12, 25)) == date(2027, 12, 27)
        assert next_business_day(date(2022, 12, 31)) == date(2023, 1, 2)

    def test_adding_business_days_skips_weekends_and_holidays(self) -> None:
        assert add_business_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
        assert add_business_days(date(2026, 3, 6), 5) == date(2026, 3, 13)
        assert add_business_days(date(2026, 3, 6), 0) == date(2026, 3, 6)

    def test_2026_has_253_business_days(self) -> None:
        days = [date(2026, 1, 1) + dt.timedelta(days=n) for n in range(365)]
        assert sum(is_business_day(day) for day in days) == 365 - 104 - 8  # 8 of the 9 holidays fall on weekdays


def reference_term_end(start: dt.date, days: int) -> dt.date:
    """ATW art. 1 and 2 read literally: the first day on or after start + days that satisfies both."""
    end = start + dt.timedelta(days=days)
    while True:
        business_days = sum(is_business_day(start + dt.timedelta(days=n)) for n in range(1, (end - start).days + 1))
        if is_business_day(end) and (days < 3 or business_days >= 2):
            return end
        end += ONE_DAY


class TestStatutoryTermEnd:
    def test_a_term_ending_on_a_weekday_is_not_extended(self) -> None:
        assert statutory_term_end(date(2026, 3, 2), 14) == date(2026, 3, 16)

    def test_a_term_ending_on_a_saturday_moves_to_monday(self) -> None:
        assert statutory_term_end(date(2026, 3, 7), 14) == date(2026, 3, 23)

    def test_a_term_ending_on_a_sunday_moves_to_monday(self) -> None:
        assert statutory_term_end(date(2026, 3, 8), 14) == date(2026, 3, 23)

    def test_a_term_ending_on_kings_day_moves_to_the_next_day(self) -> None:
        assert statutory_term_end(date(2026, 4, 13), 14) == date(2026, 4, 28)

    def test_a_term_ending_on_the_fifth_of_may_in_a_non_lustrum_year_moves_on(self) -> None:
        assert statutory_term_end(date(2026, 4, 21), 14) == date(2026, 5, 6)

    def test_a_term_ending_on_good_friday_moves_past_easter_monday(self) -> None:
        assert statutory_term_end(date(2026, 3, 20), 14) == date(2026, 4, 7)

    def test_a_term_ending_on_christmas_moves_past_both_christmas_days(self) -> None:
        assert statutory_term_end(date(2025, 12, 11), 14) == date(2025, 12, 29)

    def test_a_three_day_term_over_easter_contains_two_business_days(self) -> None:
        # From Thursday 28 March 2024: Good Friday, Saturday, Sunday; Easter Monday; Tuesday is one business
        # day only, so the term runs to Wednesday 3 April.
        assert statutory_term_end(date(2024, 3, 28), 3) == date(2024, 4, 3)

    def test_a_three_day_term_over_a_weekend_contains_two_business_days(self) -> None:
        # From Friday 9 January 2026: Saturday, Sunday, Monday holds one business day; extended to Tuesday.
        assert statutory_term_end(date(2026, 1, 9), 3) == date(2026, 1, 13)

    def test_a_three_day_term_over_christmas_contains_two_business_days(self) -> None:
        assert statutory_term_end(date(2026, 12, 23), 3) == date(2026, 12, 28)  # Thursday 24th and Monday 28th
        assert statutory_term_end(date(2026, 12, 24), 3) == date(2026, 12, 29)

    def test_a_two_day_term_only_moves_to_the_next_business_day(self) -> None:
        # From Thursday 24 December 2026: ends Saturday 26th, moves to Monday 28th; no two-day rule below 3 days.
        assert statutory_term_end(date(2026, 12, 24), 2) == date(2026, 12, 28)
        assert statutory_term_end(date(2026, 1, 9), 2) == date(2026, 1, 12)

    @pytest.mark.parametrize("days", [1, 2, 3, 4, 5, 7, 14, 30])
    def test_it_agrees_with_a_literal_reading_of_the_atw_for_every_start_in_four_years(self, days: int) -> None:
        for offset in range(4 * 366):
            start = date(2024, 1, 1) + dt.timedelta(days=offset)
            end = statutory_term_end(start, days)
            assert end == reference_term_end(start, days), (start, days)
            assert end >= start + dt.timedelta(days=days)
            assert is_business_day(end)


class TestLocalToday:
    def test_it_is_the_date_in_amsterdam_not_in_utc(self) -> None:
        late_evening_utc = dt.datetime(2025, 6, 30, 22, 30, tzinfo=dt.UTC)
        assert local_today(now=late_evening_utc) == date(2025, 7, 1)

    def test_it_honours_the_organizations_time_zone(self) -> None:
        late_evening_utc = dt.datetime(2025, 6, 30, 22, 30, tzinfo=dt.UTC)
        assert local_today("America/New_York", now=late_evening_utc) == date(2025, 6, 30)
