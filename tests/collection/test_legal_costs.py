"""WIK collection costs, VAT on costs and the Wki small-claims flag (DOMAIN.md §2)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from collection.legal import (
    VAT_RATES,
    WIK_SCALES,
    collection_costs,
    collection_costs_for_consumer_letter,
    collection_costs_vat,
    small_claim_cap_warning,
)

D = Decimal


def reference_costs(principal: Decimal) -> Decimal:
    """An independent statement of the scale: piecewise linear in exact fractions, half up, clamped."""
    p = Fraction(principal)

    def part(lower: int, upper: int | None) -> Fraction:
        return max(min(p, Fraction(upper)) if upper is not None else p, Fraction(lower)) - lower

    raw = (
        Fraction(15, 100) * part(0, 2500)
        + Fraction(10, 100) * part(2500, 5000)
        + Fraction(5, 100) * part(5000, 10000)
        + Fraction(1, 100) * part(10000, 200000)
        + Fraction(5, 1000) * part(200000, None)
    )
    cents = int(raw * 100 + Fraction(1, 2))  # half up for positive amounts
    return min(max(D(cents) / 100, D(40)), D(6775)).quantize(D("0.01"))


@pytest.mark.parametrize(
    ("principal", "costs"),
    [("100", "40.00"), ("500", "75.00"), ("2500", "375.00"), ("8400", "795.00"), ("50000", "1275.00")],
)
def test_it_matches_every_example_in_the_domain_reference(principal: str, costs: str) -> None:
    assert collection_costs(D(principal)) == D(costs)


@pytest.mark.parametrize(
    ("principal", "costs"),
    [
        ("0.01", "40.00"),
        ("266.66", "40.00"),
        ("266.67", "40.00"),  # 40.0005: the minimum governs up to here
        ("266.69", "40.00"),  # 40.0035
        ("266.70", "40.01"),  # 40.005, rounded half up
        ("2500.00", "375.00"),
        ("2500.01", "375.00"),  # 375.001
        ("2500.05", "375.01"),  # 375.005: half up, not to even
        ("5000.00", "625.00"),
        ("5000.10", "625.01"),  # 625.005
        ("10000.00", "875.00"),
        ("10000.50", "875.01"),  # 875.005
        ("200000.00", "2775.00"),
        ("200000.01", "2775.00"),
        ("200001.00", "2775.01"),  # 2775.005
        ("999998.00", "6774.99"),
        ("999999.00", "6775.00"),  # 6774.995, half up
        ("1000000.00", "6775.00"),
        ("1000000.01", "6775.00"),
        ("25000000", "6775.00"),
    ],
)
def test_it_computes_the_slices_and_rounds_half_up_at_the_boundaries(principal: str, costs: str) -> None:
    assert collection_costs(D(principal)) == D(costs)


def test_it_reaches_the_maximum_exactly_at_one_million() -> None:
    assert collection_costs(D("999999.99")) == D("6775.00")  # 6774.99995
    assert collection_costs(D("999997.99")) == D("6774.99")


def test_each_full_slice_adds_its_rate() -> None:
    assert collection_costs(D("5000")) - collection_costs(D("2500")) == D("250.00")
    assert collection_costs(D("10000")) - collection_costs(D("5000")) == D("250.00")
    assert collection_costs(D("200000")) - collection_costs(D("10000")) == D("1900.00")
    assert collection_costs(D("1000000")) - collection_costs(D("200000")) == D("4000.00")


def test_a_zero_principal_costs_nothing() -> None:
    assert collection_costs(D("0")) == D("0.00")


def test_a_negative_principal_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        collection_costs(D("-0.01"))


def test_a_float_principal_is_refused() -> None:
    with pytest.raises(TypeError):
        collection_costs(100.0)  # type: ignore[arg-type]


def test_the_result_always_has_two_decimal_places() -> None:
    for principal in ("100", "266.7", "8400", "12345.678"):
        assert collection_costs(D(principal)).as_tuple().exponent == -2


def test_sub_cent_principals_are_rounded_to_cents_first() -> None:
    assert collection_costs(D("2500.045")) == collection_costs(D("2500.05")) == D("375.01")


def test_it_agrees_with_an_independent_formula_for_every_cent_up_to_three_thousand() -> None:
    for cents in range(1, 300_001, 19):
        principal = D(cents) / 100
        assert collection_costs(principal) == reference_costs(principal), principal


def test_it_agrees_with_an_independent_formula_on_random_principals_up_to_two_million() -> None:
    rng = random.Random(20240101)
    for _ in range(5000):
        principal = D(rng.randint(1, 200_000_000)) / 100
        assert collection_costs(principal) == reference_costs(principal), principal


def test_costs_never_decrease_as_the_principal_grows_and_stay_between_minimum_and_maximum() -> None:
    previous = D("40.00")
    for cents in range(100, 1_200_000_00, 99_991):
        costs = collection_costs(D(cents) / 100)
        assert D("40.00") <= costs <= D("6775.00")
        assert costs >= previous
        previous = costs


def test_one_more_cent_of_principal_adds_at_most_one_cent_of_costs() -> None:
    for cents in range(26_000, 1_100_000, 37):
        principal = D(cents) / 100
        assert collection_costs(principal + D("0.01")) - collection_costs(principal) <= D("0.01")


def test_the_scale_in_force_on_a_date_is_used() -> None:
    assert collection_costs(D("8400"), on=dt.date(2012, 7, 1)) == D("795.00")
    assert collection_costs(D("8400"), on=dt.date(2026, 3, 1)) == D("795.00")


def test_a_date_before_the_decree_has_no_scale() -> None:
    with pytest.raises(LookupError, match="2012-06-30"):
        collection_costs(D("8400"), on=dt.date(2012, 6, 30))


def test_the_scale_table_is_dated_and_sorted() -> None:
    dates = [scale.valid_from for scale in WIK_SCALES]
    assert dates == sorted(set(dates))
    current = WIK_SCALES[-1]
    assert (current.minimum, current.maximum) == (D("40"), D("6775"))
    assert [s.rate for s in current.slices] == [D("0.15"), D("0.10"), D("0.05"), D("0.01"), D("0.005")]


class TestConsumerLetter:
    def test_the_principals_of_several_invoices_are_added_before_the_scale_applies(self) -> None:
        assert collection_costs_for_consumer_letter([D("100"), D("100"), D("100")]) == D("45.00")

    def test_it_charges_less_than_computing_per_invoice(self) -> None:
        invoices = [D("100"), D("100"), D("100")]
        assert sum(collection_costs(principal) for principal in invoices) == D("120.00")
        assert collection_costs_for_consumer_letter(invoices) < D("120.00")

    def test_a_single_invoice_costs_the_same_as_the_scale(self) -> None:
        assert collection_costs_for_consumer_letter([D("8400")]) == D("795.00")

    def test_it_accepts_any_iterable(self) -> None:
        assert collection_costs_for_consumer_letter(D(p) for p in ("2500", "5900")) == D("795.00")

    def test_it_never_charges_more_than_the_sum_of_per_invoice_costs(self) -> None:
        rng = random.Random(6967)
        for _ in range(2000):
            invoices = [D(rng.randint(1, 3_000_000)) / 100 for _ in range(rng.randint(1, 6))]
            combined = collection_costs_for_consumer_letter(invoices)
            assert combined == collection_costs(sum(invoices, D(0)))
            rounding = D("0.01") * (len(invoices) - 1)  # rounded once on the sum, not once per invoice
            assert combined <= sum(collection_costs(principal) for principal in invoices) + rounding

    def test_rounding_once_on_the_sum_may_cost_a_cent_more_than_rounding_per_invoice(self) -> None:
        assert collection_costs_for_consumer_letter([D("268.76")] * 2) == D("80.63")
        assert 2 * collection_costs(D("268.76")) == D("80.62")

    def test_a_letter_without_invoices_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least one invoice"):
            collection_costs_for_consumer_letter([])

    def test_a_negative_principal_in_the_letter_is_refused(self) -> None:
        with pytest.raises(ValueError):
            collection_costs_for_consumer_letter([D("500"), D("-100")])

    def test_the_date_selects_the_scale(self) -> None:
        with pytest.raises(LookupError):
            collection_costs_for_consumer_letter([D("500")], on=dt.date(2011, 1, 1))


class TestVatOnCosts:
    @pytest.mark.parametrize(
        ("costs", "vat"),
        [("40.00", "8.40"), ("75.00", "15.75"), ("375.00", "78.75"), ("795.00", "166.95"), ("1275.00", "267.75"),
         ("6775.00", "1422.75"), ("40.50", "8.51"), ("0", "0.00")],
    )  # fmt: skip
    def test_it_is_twenty_one_percent_rounded_half_up(self, costs: str, vat: str) -> None:
        assert collection_costs_vat(D(costs), on=dt.date(2025, 6, 1)) == D(vat)

    def test_it_returns_only_the_vat_not_costs_plus_vat(self) -> None:
        assert collection_costs_vat(D("100"), on=dt.date(2025, 6, 1)) == D("21.00")

    def test_a_date_before_the_first_rate_is_unknown(self) -> None:
        with pytest.raises(LookupError):
            collection_costs_vat(D("40"), on=dt.date(2012, 9, 30))

    def test_the_vat_table_is_dated(self) -> None:
        assert VAT_RATES[-1].rate == D("0.21")
        assert collection_costs_vat(D("40"), on=VAT_RATES[0].valid_from) == D("8.40")

    def test_negative_costs_are_refused(self) -> None:
        with pytest.raises(ValueError):
            collection_costs_vat(D("-1"), on=dt.date(2025, 6, 1))


class TestSmallClaimCapWarning:
    def test_it_warns_for_a_claim_under_the_threshold_since_october_2024(self) -> None:
        warning = small_claim_cap_warning(D("266.66"), dt.date(2024, 10, 1))
        assert warning is not None
        assert "140" in warning
        assert "266.67" in warning
        assert "Not applied" in warning

    def test_it_is_silent_at_the_threshold(self) -> None:
        assert small_claim_cap_warning(D("266.67"), dt.date(2025, 1, 1)) is None

    def test_it_is_silent_above_the_threshold(self) -> None:
        assert small_claim_cap_warning(D("8400"), dt.date(2025, 1, 1)) is None

    def test_it_is_silent_before_the_wki_took_effect(self) -> None:
        assert small_claim_cap_warning(D("100"), dt.date(2024, 9, 30)) is None

    def test_it_warns_for_tiny_claims(self) -> None:
        assert small_claim_cap_warning(D("0.01"), dt.date(2026, 1, 1)) is not None

    def test_it_never_changes_the_costs(self) -> None:
        assert collection_costs(D("100"), on=dt.date(2025, 1, 1)) == D("40.00")
