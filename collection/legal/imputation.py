"""Toerekening van betalingen: a payment goes to costs, then interest, then principal.

Art. 6:44 lid 1 BW; HR 10-07-2015, ECLI:NL:HR:2015:1868 (buitengerechtelijke incassokosten count as
"kosten" in that order). DOMAIN.md §4.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from outstanding.money import to_money

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Imputation:
    """Where a payment went, what is still owed per component, and any overpayment to refund or hold."""

    to_costs: Decimal
    to_interest: Decimal
    to_principal: Decimal
    overpayment: Decimal
    costs_left: Decimal
    interest_left: Decimal
    principal_left: Decimal

    @property
    def outstanding(self) -> Decimal:
        return self.costs_left + self.interest_left + self.principal_left


def impute_payment(amount: Decimal, *, costs: Decimal, interest: Decimal, principal: Decimal) -> Imputation:
    """Impute ``amount`` to costs, then interest, then principal (art. 6:44 BW).

    A debtor who designates the payment to the principal does not change this order; the creditor
    may refuse such a payment (art. 6:44 lid 2 BW). What exceeds the whole debt is the overpayment.
    """
    remaining = _non_negative(amount, "payment")
    components = ((costs, "costs"), (interest, "interest"), (principal, "principal"))  # the order of art. 6:44
    owed = [_non_negative(value, name) for value, name in components]
    paid: list[Decimal] = []
    for debt in owed:
        part = min(remaining, debt)
        paid.append(part)
        remaining -= part
    return Imputation(
        to_costs=paid[0],
        to_interest=paid[1],
        to_principal=paid[2],
        overpayment=remaining,
        costs_left=owed[0] - paid[0],
        interest_left=owed[1] - paid[1],
        principal_left=owed[2] - paid[2],
    )


def _non_negative(value: Decimal, name: str) -> Decimal:
    money = to_money(value)
    if money < ZERO:
        raise ValueError(f"{name} cannot be negative: {value}")
    return money
