"""The veertiendagenbrief: presumed receipt, the 14-day term and its wording (DOMAIN.md §3)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from collection.legal import (
    ACCEPTED_TERM_WORDING_EN,
    ACCEPTED_TERM_WORDING_NL,
    FourteenDayTerm,
    can_charge_collection_costs,
    fourteen_day_term,
    is_valid_term_wording,
    presumed_receipt_date,
)
from collection.legal.fourteen_day_letter import is_postal_delivery_day
from outstanding.calendar import is_atw_holiday, is_business_day

date = dt.date


class TestPresumedReceiptByPost:
    @pytest.mark.parametrize(
        ("sent", "received"),
        [
            (date(2025, 3, 3), date(2025, 3, 5)),  # Monday -> Tuesday, Wednesday
            (date(2025, 3, 4), date(2025, 3, 6)),  # Tuesday -> Thursday
            (date(2025, 3, 6), date(2025, 3, 8)),  # Thursday -> Friday, Saturday
            (date(2025, 3, 7), date(2025, 3, 11)),  # Friday -> Saturday, (no Sunday, no Monday) Tuesday
            (date(2025, 3, 8), date(2025, 3, 12)),  # Saturday -> Tuesday, Wednesday
            (date(2025, 3, 9), date(2025, 3, 12)),  # Sunday -> Tuesday, Wednesday
        ],
    )
    def test_it_is_the_second_delivery_day_after_dispatch(self, sent: dt.date, received: dt.date) -> None:
        assert presumed_receipt_date(sent, "post") == received

    def test_there_is_no_delivery_on_good_friday_or_easter_monday(self) -> None:
        # Thursday 17 April 2025: Good Friday 18th, Saturday 19th delivers, Easter Monday 21st does not.
        assert presumed_receipt_date(date(2025, 4, 17), "post") == date(2025, 4, 22)

    def test_there_is_no_delivery_on_christmas(self) -> None:
        # Tuesday 23 December 2025: Wednesday 24th, then 25th/26th are holidays, Saturday 27th delivers.
        assert presumed_receipt_date(date(2025, 12, 23), "post") == date(2025, 12, 27)

    def test_there_is_no_delivery_on_kings_day_moved_to_saturday(self) -> None:
        # 27 April 2025 is a Sunday, so King's Day is Saturday 26 April: no delivery that day.
        assert presumed_receipt_date(date(2025, 4, 24), "post") == date(2025, 4, 29)

    def test_there_is_no_delivery_on_the_fifth_of_may_in_a_non_lustrum_year(self) -> None:
        # Friday 1 May 2026: Saturday 2nd, then Sunday, Monday, Tuesday 5 May (Bevrijdingsdag) are skipped.
        assert presumed_receipt_date(date(2026, 5, 1), "post") == date(2026, 5, 6)

    def test_there_is_no_delivery_on_ascension_day(self) -> None:
        # Tuesday 27 May 2025: Wednesday 28th, Ascension Thursday 29th skipped, Friday 30th.
        assert presumed_receipt_date(date(2025, 5, 27), "post") == date(2025, 5, 30)

    def test_saturday_is_a_delivery_day_but_sunday_and_monday_are_not(self) -> None:
        assert is_postal_delivery_day(date(2025, 3, 8))
        assert not is_postal_delivery_day(date(2025, 3, 9))
        assert not is_postal_delivery_day(date(2025, 3, 10))
        assert not is_postal_delivery_day(date(2025, 12, 25))

    def test_receipt_is_always_a_delivery_day_after_the_day_of_sending(self) -> None:
        for offset in range(4 * 366):
            sent = date(2024, 1, 1) + dt.timedelta(days=offset)
            received = presumed_receipt_date(sent, "post")
            assert received > sent
            assert is_postal_delivery_day(received)
            between = [sent + dt.timedelta(days=n) for n in range(1, (received - sent).days)]
            assert sum(is_postal_delivery_day(day) for day in between) == 1, sent


class TestPresumedReceiptByEmail:
    def test_an_email_sent_on_a_business_day_is_received_that_day(self) -> None:
        assert presumed_receipt_date(date(2025, 5, 26), "email") == date(2025, 5, 26)

    def test_an_email_sent_on_a_weekend_is_received_the_next_business_day(self) -> None:
        assert presumed_receipt_date(date(2025, 5, 31), "email") == date(2025, 6, 2)

    def test_an_email_sent_on_a_holiday_is_received_the_next_business_day(self) -> None:
        assert presumed_receipt_date(date(2025, 5, 29), "email") == date(2025, 5, 30)  # Ascension Day
        assert presumed_receipt_date(date(2025, 12, 25), "email") == date(2025, 12, 29)

    def test_an_email_sent_on_the_fifth_of_may_of_any_year_is_received_later(self) -> None:
        assert presumed_receipt_date(date(2026, 5, 5), "email") == date(2026, 5, 6)

    def test_receipt_is_always_a_business_day_on_or_after_sending(self) -> None:
        for offset in range(4 * 366):
            sent = date(2024, 1, 1) + dt.timedelta(days=offset)
            received = presumed_receipt_date(sent, "email")
            assert received >= sent
            assert is_business_day(received)


def test_an_unknown_channel_is_refused() -> None:
    with pytest.raises(ValueError, match="channel"):
        presumed_receipt_date(date(2025, 3, 3), "fax")  # type: ignore[arg-type]


class TestFourteenDayTerm:
    def test_it_stores_sent_date_receipt_term_end_and_first_chargeable_day(self) -> None:
        term = fourteen_day_term(date(2025, 3, 3), "post")
        assert term == FourteenDayTerm(
            sent_date=date(2025, 3, 3),
            channel="post",
            presumed_receipt_date=date(2025, 3, 5),
            term_end=date(2025, 3, 19),
            first_day_costs_chargeable=date(2025, 3, 20),
        )

    def test_the_term_runs_fourteen_days_from_the_day_after_receipt(self) -> None:
        term = fourteen_day_term(date(2025, 3, 4), "email")
        assert term.presumed_receipt_date == date(2025, 3, 4)
        assert term.term_end == date(2025, 3, 18)

    def test_a_term_ending_on_a_saturday_moves_to_monday(self) -> None:
        term = fourteen_day_term(date(2025, 5, 1), "post")  # received Saturday 3 May
        assert term.presumed_receipt_date == date(2025, 5, 3)
        assert term.term_end == date(2025, 5, 19)
        assert term.first_day_costs_chargeable == date(2025, 5, 20)

    def test_a_term_ending_on_whit_monday_moves_to_tuesday(self) -> None:
        term = fourteen_day_term(date(2025, 5, 26), "email")
        assert term.term_end == date(2025, 6, 10)
        assert term.first_day_costs_chargeable == date(2025, 6, 11)

    def test_a_term_ending_on_the_fifth_of_may_in_a_non_lustrum_year_moves_on(self) -> None:
        term = fourteen_day_term(date(2026, 4, 21), "email")
        assert term.term_end == date(2026, 5, 6)

    def test_a_term_ending_on_a_weekend_after_christmas_moves_to_monday(self) -> None:
        term = fourteen_day_term(date(2025, 12, 23), "post")
        assert term.presumed_receipt_date == date(2025, 12, 27)
        assert term.term_end == date(2026, 1, 12)
        assert term.first_day_costs_chargeable == date(2026, 1, 13)

    def test_the_term_is_frozen(self) -> None:
        term = fourteen_day_term(date(2025, 3, 3), "post")
        with pytest.raises(dataclasses.FrozenInstanceError):
            term.term_end = date(2025, 3, 1)  # type: ignore[misc]

    @pytest.mark.parametrize("channel", ["post", "email"])
    def test_the_term_is_never_shorter_than_fourteen_days_and_ends_on_the_first_possible_business_day(
        self, channel: str
    ) -> None:
        for offset in range(4 * 366):
            sent = date(2024, 1, 1) + dt.timedelta(days=offset)
            term = fourteen_day_term(sent, channel)  # type: ignore[arg-type]
            earliest = term.presumed_receipt_date + dt.timedelta(days=14)
            assert term.term_end >= earliest
            assert is_business_day(term.term_end)
            skipped = [earliest + dt.timedelta(days=n) for n in range((term.term_end - earliest).days)]
            assert not any(is_business_day(day) for day in skipped), sent
            assert term.first_day_costs_chargeable == term.term_end + dt.timedelta(days=1)


class TestCanChargeCollectionCosts:
    term = fourteen_day_term(date(2025, 3, 3), "post")

    def test_costs_cannot_be_charged_on_the_day_the_letter_is_sent(self) -> None:
        assert not can_charge_collection_costs(self.term, date(2025, 3, 3))

    def test_costs_cannot_be_charged_on_the_last_day_of_the_term(self) -> None:
        assert not can_charge_collection_costs(self.term, date(2025, 3, 19))

    def test_costs_can_be_charged_from_the_day_after_the_term(self) -> None:
        assert can_charge_collection_costs(self.term, date(2025, 3, 20))
        assert can_charge_collection_costs(self.term, date(2026, 1, 1))

    def test_costs_cannot_be_charged_on_a_day_inside_an_extended_term(self) -> None:
        term = fourteen_day_term(date(2025, 5, 1), "post")  # nominal end Saturday 17 May, extended to 19 May
        assert not can_charge_collection_costs(term, date(2025, 5, 18))
        assert not can_charge_collection_costs(term, date(2025, 5, 19))
        assert can_charge_collection_costs(term, date(2025, 5, 20))


class TestTermWording:
    def test_the_accepted_dutch_wording_is_the_one_the_hoge_raad_allows(self) -> None:
        assert ACCEPTED_TERM_WORDING_NL == "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd"
        assert is_valid_term_wording(ACCEPTED_TERM_WORDING_NL)

    def test_the_english_equivalent_is_valid(self) -> None:
        assert "day after" in ACCEPTED_TERM_WORDING_EN
        assert is_valid_term_wording(ACCEPTED_TERM_WORDING_EN)

    @pytest.mark.parametrize(
        "text",
        [
            "Wij verzoeken u het bedrag binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd "
            "te betalen.",
            "Betaal BINNEN VEERTIEN DAGEN vanaf de dag\nnadat deze brief bij u is bezorgd.",
            "binnen 14 dagen vanaf de dag nadat deze brief bij u is bezorgd",
            "binnen vijftien dagen nadat deze brief bij u is bezorgd",
            "binnen veertien dagen vanaf de dag nadat deze e-mail bij u is bezorgd",
            "Please pay within 14 days from the day after this letter has been delivered to you.",
            "Betaal binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd. "
            "De wettelijke rente loopt vanaf de datum van deze factuur.",
        ],
    )
    def test_wording_counting_from_delivery_is_valid(self, text: str) -> None:
        assert is_valid_term_wording(text)

    @pytest.mark.parametrize(
        "text",
        [
            "binnen 14 dagen na dagtekening",
            "binnen veertien dagen na dagtekening van deze brief",
            "binnen 14 dagen na heden",
            "binnen 14 dagen na verzending",
            "binnen 14 dagen na de datum van deze brief",
            "uiterlijk 14 dagen na de dagtekening",
            "binnen 14 dagen vanaf heden",
            "within 14 days from the date of this letter",
            "within fourteen days from today",
            "within 14 days after dispatch",
        ],
    )
    def test_wording_counting_from_the_letter_or_dispatch_is_invalid(self, text: str) -> None:
        assert not is_valid_term_wording(text)

    def test_an_invalid_phrase_spoils_an_otherwise_valid_letter(self) -> None:
        text = f"{ACCEPTED_TERM_WORDING_NL}. Betaalt u niet binnen 14 dagen na dagtekening, dan volgen kosten."
        assert not is_valid_term_wording(text)

    @pytest.mark.parametrize(
        "text",
        ["", "Betaal zo snel mogelijk.", "binnen veertien dagen", "binnen 7 dagen nadat deze brief bij u is bezorgd"],
    )
    def test_wording_without_a_term_from_delivery_is_invalid(self, text: str) -> None:
        assert not is_valid_term_wording(text)


def test_postal_delivery_excludes_exactly_the_atw_holidays() -> None:
    for offset in range(366):
        day = date(2026, 1, 1) + dt.timedelta(days=offset)
        if day.weekday() not in (0, 6):
            assert is_postal_delivery_day(day) == (not is_atw_holiday(day))
