"""Griffierecht at the kantonrechter, paid by the claimant (eiser), and the kanton competence limit.

DOMAIN.md §5 and §1. Under the Wet griffierechten burgerlijke zaken only the claimant pays in a
kantonzaak, and the tariff depends on the claim and on who the *claimant* is: a legal entity
(rechtspersoon, "niet-natuurlijk persoon") or a natural person (which includes a sole trader,
eenmanszaak). The debtor's status does not matter. Fees change every calendar year; a year without a
verified table raises :class:`CourtFeeUnknown` rather than guessing.
"""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple

from outstanding.money import to_money

KANTONRECHTER_LIMIT = Decimal("25000")  # art. 93 Rv: principal + interest up to the summons


class CourtFeeBracket(NamedTuple):
    """Fees for claims up to and including ``up_to`` (None: no ceiling below the kanton limit)."""

    up_to: Decimal | None
    legal_entity: Decimal
    natural_person: Decimal


def _brackets(*rows: tuple[str | None, int, int]) -> tuple[CourtFeeBracket, ...]:
    return tuple(
        CourtFeeBracket(None if up_to is None else Decimal(up_to), Decimal(entity), Decimal(person))
        for up_to, entity, person in rows
    )


# One entry per year. 2026: one secondary source quoting the court's tariff list. 2025: unverified,
# deliberately absent. The first bracket also covers claims of undetermined value.
COURT_FEES: dict[int, tuple[CourtFeeBracket, ...]] = {
    2024: _brackets(("500", 130, 87), ("1500", 328, 218), ("2500", 372, 248), ("5000", 496, 248),
                    ("12500", 524, 248), (None, 1409, 706)),
    2026: _brackets(("500", 139, 93), ("1500", 350, 233), ("2500", 397, 265), ("5000", 529, 265),
                    ("12500", 559, 265), (None, 1504, 753)),
}  # fmt: skip


class CourtFeeUnknown(LookupError):
    """No verified griffierecht for this case: staff must look the fee up and enter it."""


def court_fee(claim: Decimal | None, *, year: int, claimant_is_natural_person: bool) -> Decimal:
    """The griffierecht the claimant pays to start a kantonzaak about ``claim`` in ``year``.

    ``claim=None`` is a claim of undetermined value (lowest bracket). Brackets include their upper bound
    (€ 500.00 is in the first, € 500.01 in the second). Raises :class:`CourtFeeUnknown` for a year
    without a table and for claims above the kantonrechter limit (the rechtbank has other tariffs).
    """
    brackets = COURT_FEES.get(year)
    if brackets is None:
        raise CourtFeeUnknown(
            f"The griffierecht for {year} is not known to the system. Look up the court's tariff list "
            "for that year and enter the fee by hand."
        )
    if claim is not None and not is_kantonzaak(claim):
        raise CourtFeeUnknown(
            f"A claim of € {to_money(claim)} exceeds the kantonrechter limit of € {KANTONRECHTER_LIMIT}: the rechtbank "
            "tariff applies. Enter the fee by hand."
        )
    bracket = _bracket_for(brackets, claim)
    return (bracket.natural_person if claimant_is_natural_person else bracket.legal_entity).quantize(Decimal("0.01"))


def is_kantonzaak(principal_plus_interest: Decimal) -> bool:
    """Whether the kantonrechter handles a money claim: at most € 25,000 (principal + interest up to the summons)."""
    return to_money(principal_plus_interest) <= KANTONRECHTER_LIMIT


def _bracket_for(brackets: tuple[CourtFeeBracket, ...], claim: Decimal | None) -> CourtFeeBracket:
    if claim is None:
        return brackets[0]
    amount = to_money(claim)
    if amount < 0:
        raise ValueError(f"a claim cannot be negative: {claim}")
    return next(bracket for bracket in brackets if bracket.up_to is None or amount <= bracket.up_to)
