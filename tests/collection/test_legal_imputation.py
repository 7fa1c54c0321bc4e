"""Imputation of payments: costs, then interest, then principal (art. 6:44 BW; DOMAIN.md §4)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from collection.legal import Imputation, impute_payment

D = Decimal
DEBT = {"costs": D("40.00"), "interest": D("12.34"), "principal": D("250.00")}


def test_a_payment_smaller_than_the_costs_goes_entirely_to_the_costs() -> None:
    result = impute_payment(D("25"), **DEBT)
    assert result == Imputation(
        to_costs=D("25.00"),
        to_interest=D("0.00"),
        to_principal=D("0.00"),
        overpayment=D("0.00"),
        costs_left=D("15.00"),
        interest_left=D("12.34"),
        principal_left=D("250.00"),
    )


def test_a_payment_equal_to_the_costs_pays_only_the_costs() -> None:
    result = impute_payment(D("40"), **DEBT)
    assert (result.to_costs, result.to_interest, result.to_principal) == (D("40.00"), D("0.00"), D("0.00"))
    assert result.costs_left == D("0.00")


def test_after_the_costs_a_payment_goes_to_the_interest() -> None:
    result = impute_payment(D("50"), **DEBT)
    assert (result.to_costs, result.to_interest, result.to_principal) == (D("40.00"), D("10.00"), D("0.00"))
    assert result.interest_left == D("2.34")


def test_only_after_costs_and_interest_does_a_payment_reduce_the_principal() -> None:
    result = impute_payment(D("100"), **DEBT)
    assert (result.to_costs, result.to_interest, result.to_principal) == (D("40.00"), D("12.34"), D("47.66"))
    assert result.principal_left == D("202.34")
    assert result.outstanding == D("202.34")


def test_paying_exactly_the_whole_debt_leaves_nothing_and_no_overpayment() -> None:
    result = impute_payment(D("302.34"), **DEBT)
    assert result.outstanding == D("0.00")
    assert result.overpayment == D("0.00")


def test_paying_more_than_the_whole_debt_leaves_an_overpayment() -> None:
    result = impute_payment(D("400"), **DEBT)
    assert result.overpayment == D("97.66")
    assert result.to_principal == D("250.00")


def test_a_zero_payment_changes_nothing() -> None:
    result = impute_payment(D("0"), **DEBT)
    assert (result.costs_left, result.interest_left, result.principal_left) == (D("40.00"), D("12.34"), D("250.00"))


def test_without_costs_a_payment_goes_to_interest_first() -> None:
    result = impute_payment(D("10"), costs=D("0"), interest=D("5"), principal=D("100"))
    assert (result.to_interest, result.to_principal) == (D("5.00"), D("5.00"))


@pytest.mark.parametrize("field", ["costs", "interest", "principal"])
def test_negative_components_are_refused(field: str) -> None:
    with pytest.raises(ValueError, match=field):
        impute_payment(D("10"), **{**DEBT, field: D("-1")})


def test_a_negative_payment_is_refused() -> None:
    with pytest.raises(ValueError, match="payment"):
        impute_payment(D("-10"), **DEBT)


def test_a_float_payment_is_refused() -> None:
    with pytest.raises(TypeError):
        impute_payment(10.0, **DEBT)  # type: ignore[arg-type]


def test_every_cent_is_accounted_for_and_the_order_is_respected() -> None:
    rng = random.Random(644)
    for _ in range(3000):
        costs, interest, principal, amount = (D(rng.randint(0, 100_000)) / 100 for _ in range(4))
        result = impute_payment(amount, costs=costs, interest=interest, principal=principal)
        assert result.to_costs + result.to_interest + result.to_principal + result.overpayment == amount
        assert result.outstanding + amount - result.overpayment == costs + interest + principal
        assert result.to_interest == 0 or result.costs_left == 0
        assert result.to_principal == 0 or result.interest_left == 0
        assert result.overpayment == 0 or result.outstanding == 0
        assert min(result.costs_left, result.interest_left, result.principal_left, result.overpayment) >= 0
