"""Griffierecht at the kantonrechter and the kanton limit (DOMAIN.md §5, §1)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from collection.legal import COURT_FEES, KANTONRECHTER_LIMIT, CourtFeeUnknown, court_fee, is_kantonzaak

D = Decimal

# DOMAIN.md §5: (a claim inside the bracket, 2024 entity, 2024 person, 2026 entity, 2026 person).
DOMAIN_TABLE = [
    ("250", 130, 87, 139, 93),
    ("1000", 328, 218, 350, 233),
    ("2000", 372, 248, 397, 265),
    ("4000", 496, 248, 529, 265),
    ("10000", 524, 248, 559, 265),
    ("20000", 1409, 706, 1504, 753),
]
CELLS = [
    pytest.param(claim, year, person, D(fee), id=f"{claim}-{year}-{'person' if person else 'entity'}")
    for claim, *fees in DOMAIN_TABLE
    for (year, person), fee in zip([(2024, False), (2024, True), (2026, False), (2026, True)], fees, strict=True)
]


@pytest.mark.parametrize(("claim", "year", "claimant_is_natural_person", "fee"), CELLS)
def test_it_charges_every_fee_in_the_domain_reference(
    claim: str, year: int, claimant_is_natural_person: bool, fee: Decimal
) -> None:
    assert court_fee(D(claim), year=year, claimant_is_natural_person=claimant_is_natural_person) == fee


@pytest.mark.parametrize(
    ("claim", "entity_fee"),
    [
        ("0.01", 130),
        ("500.00", 130),
        ("500.01", 328),
        ("1500.00", 328),
        ("1500.01", 372),
        ("2500.00", 372),
        ("2500.01", 496),
        ("5000.00", 496),
        ("5000.01", 524),
        ("12500.00", 524),
        ("12500.01", 1409),
        ("25000.00", 1409),
    ],
)
def test_brackets_include_their_upper_bound(claim: str, entity_fee: int) -> None:
    assert court_fee(D(claim), year=2024, claimant_is_natural_person=False) == D(entity_fee)


def test_a_claim_of_undetermined_value_pays_the_lowest_fee() -> None:
    assert court_fee(None, year=2024, claimant_is_natural_person=False) == D("130.00")
    assert court_fee(None, year=2026, claimant_is_natural_person=True) == D("93.00")


def test_fees_have_two_decimal_places() -> None:
    assert str(court_fee(D("1000"), year=2026, claimant_is_natural_person=False)) == "350.00"


def test_sub_cent_claims_are_rounded_to_cents_before_choosing_the_bracket() -> None:
    assert court_fee(D("500.004"), year=2024, claimant_is_natural_person=False) == D("130.00")
    assert court_fee(D("500.005"), year=2024, claimant_is_natural_person=False) == D("328.00")


@pytest.mark.parametrize("year", [2023, 2025, 2027])
def test_a_year_without_a_verified_table_asks_staff_to_enter_the_fee(year: int) -> None:
    with pytest.raises(CourtFeeUnknown, match=rf"{year}.*enter the fee"):
        court_fee(D("1000"), year=year, claimant_is_natural_person=False)


def test_2025_is_deliberately_absent() -> None:
    assert set(COURT_FEES) == {2024, 2026}


def test_a_claim_above_the_kanton_limit_has_no_kanton_fee() -> None:
    with pytest.raises(CourtFeeUnknown, match="rechtbank"):
        court_fee(D("25000.01"), year=2026, claimant_is_natural_person=False)


def test_a_negative_claim_is_refused() -> None:
    with pytest.raises(ValueError):
        court_fee(D("-1"), year=2026, claimant_is_natural_person=False)


def test_court_fee_unknown_is_a_lookup_error() -> None:
    assert issubclass(CourtFeeUnknown, LookupError)


def test_a_natural_person_never_pays_more_than_a_legal_entity() -> None:
    for year, brackets in COURT_FEES.items():
        for bracket in brackets:
            assert bracket.natural_person <= bracket.legal_entity, year


def test_the_kanton_limit_is_twenty_five_thousand() -> None:
    assert D("25000") == KANTONRECHTER_LIMIT


@pytest.mark.parametrize(
    ("claim", "kanton"),
    [("0", True), ("24999.99", True), ("25000.00", True), ("25000.004", True), ("25000.01", False), ("1e6", False)],
)
def test_the_kantonrechter_handles_claims_up_to_and_including_the_limit(claim: str, kanton: bool) -> None:
    assert is_kantonzaak(D(claim)) is kanton
