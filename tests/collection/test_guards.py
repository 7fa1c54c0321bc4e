"""The judicial guard (N13): expected net recovery of going to court, from stated estimates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from collection.guards import (
    BAILIFF_COSTS,
    bailiff_costs_estimate,
    judicial_guard,
    recovery_chance_estimate,
)

D = Decimal


def test_the_expected_net_is_the_chance_of_claim_and_awarded_costs_minus_what_is_advanced() -> None:
    result = judicial_guard(D("1000.00"), D("350.00"), D("234.71"), D("0.60"))
    assert result.outlay == D("584.71")
    assert result.expected_recovery == D("950.83")  # 0.6 × 1,584.71 = 950.826
    assert result.expected_net == D("366.12")
    assert not result.negative and not result.warns
    assert result.recovery_percent == D("60")


def test_a_small_claim_costs_more_in_court_than_it_brings_in_and_warns() -> None:
    # € 100 invoice + € 40 costs, court fee € 139 (2026, legal entity), bailiff € 234.71
    result = judicial_guard(D("140.00"), D("139.00"), D("234.71"), D("0.60"))
    assert result.expected_net == D("-65.48")  # 0.6 × 513.71 = 308.23; minus 373.71
    assert result.negative and result.warns


def test_an_unknown_court_fee_warns_even_when_the_rest_looks_worth_it() -> None:
    result = judicial_guard(D("30000.00"), None, D("234.71"), D("0.80"))
    assert not result.court_fee_known and not result.negative
    assert result.warns
    assert result.outlay == D("234.71")


def test_break_even_does_not_warn() -> None:
    # chance × claim == (1 - chance) × outlay: 0.5 × 100 == 0.5 × 100
    result = judicial_guard(D("100.00"), D("50.00"), D("50.00"), D("0.50"))
    assert result.expected_net == D("0.00") and not result.warns


@pytest.mark.parametrize(
    "claim, fee, bailiff, chance",
    [("-1", "10", "10", "0.5"), ("10", "-1", "10", "0.5"), ("10", "10", "-1", "0.5"), ("10", "10", "10", "1.2")],
)
def test_impossible_inputs_are_refused(claim: str, fee: str, bailiff: str, chance: str) -> None:
    with pytest.raises(ValueError):
        judicial_guard(D(claim), D(fee), D(bailiff), D(chance))


def test_bailiff_costs_are_the_summons_and_serving_the_judgment_from_the_dated_table() -> None:
    assert bailiff_costs_estimate(dt.date(2023, 6, 1)) == D("106.73") + D("116.20")  # Stb. 2023, 63
    assert bailiff_costs_estimate(dt.date(2024, 1, 1)) == D("112.37") + D("122.34")
    # no newer row: the last one applies (an estimate that is low by the yearly indexations since)
    assert bailiff_costs_estimate(dt.date(2026, 12, 7)) == D("234.71")
    # before the table: the first row, it is an estimate and never charged to anyone
    assert bailiff_costs_estimate(dt.date(2020, 1, 1)) == D("222.93")
    assert [row.valid_from for row in BAILIFF_COSTS] == sorted(row.valid_from for row in BAILIFF_COSTS)


def test_a_creditor_that_cannot_deduct_vat_pays_the_bailiffs_vat_too() -> None:
    assert bailiff_costs_estimate(dt.date(2026, 12, 7), vat_charged=True) == D("284.00")  # 234.71 + 49.29


def test_the_recovery_chance_depends_on_the_debtor_kind_and_on_whether_anything_was_paid() -> None:
    assert recovery_chance_estimate(consumer=False, paid_something=False) == D("0.60")
    assert recovery_chance_estimate(consumer=True, paid_something=False) == D("0.50")
    assert recovery_chance_estimate(consumer=True, paid_something=True) == D("0.70")
    assert recovery_chance_estimate(consumer=False, paid_something=True) == D("0.80")
