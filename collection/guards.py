"""The judicial guard (N13): before a dossier goes to court, is it worth it?

Pure: amounts and dates in, a :class:`GuardResult` out; no database, no clock. The dossier page
gathers the facts (the claim from the statement, the court fee from ``collection.legal.court_fee``)
and shows the result; a warning must be confirmed before the dossier moves to the judicial stage.

The calculation is an *expected value*, stated so that anyone can check it:

- **Outlay**: what the creditor advances to go to court: the court fee (griffierecht) and the
  bailiff's costs for serving the summons (dagvaarding) and, after judgment, serving the judgment
  (betekening van de titel). Both are awarded against the debtor when the claim is granted
  (proceskostenveroordeling, art. 237 Rv), so they come back only when the debtor pays.
- **Expected recovery** = chance × (claim + outlay): with probability ``recovery_chance`` the debtor
  pays the claim and the awarded costs; otherwise the creditor recovers nothing.
- **Expected net recovery** = expected recovery − outlay = chance × claim − (1 − chance) × outlay.
  Negative: on average, going to court costs more than it brings in. The guard warns then, and when
  the court fee is unknown (no verified table for the year, or a claim above the kantonrechter limit).

Both inputs besides the claim and the fee are **estimates**, not legal figures:

- Bailiff costs come from the dated table :data:`BAILIFF_COSTS` (Besluit tarieven ambtshandelingen
  gerechtsdeurwaarders, Btag, art. 2 onder a and b, excluding VAT). Rows: 1 March 2023 from the
  Staatsblad (Stb. 2023, 63); 1 January 2024 from secondary sources quoting the KBvG's indexed list
  (+5 %). Later years are not verified: the last row applies until a newer one is added, so the
  figure for 2025 and after is an *underestimate* by one or more yearly indexations. A creditor
  that cannot deduct VAT (no VAT id) pays 21 % on top.
- The recovery chance (:func:`recovery_chance_estimate`) is a rough rule of thumb of this product,
  not a statistic: a business pays more often than a consumer after judgment, and a debtor who has
  paid anything is likelier to pay the rest. It is shown as an estimate next to the figures.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from collection.legal._dated import row_in_force

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
BAILIFF_VAT_RATE = Decimal("0.21")


@dataclass(frozen=True)
class BailiffCostsRow:
    """The Btag tariffs (excluding VAT) for the two exploits a court case needs at least."""

    valid_from: dt.date
    summons: Decimal  # art. 2 onder a: oproeping in een vorderingsprocedure (dagvaarding)
    judgment_service: Decimal  # art. 2 onder b: betekening van een titel
    source: str


BAILIFF_COSTS: tuple[BailiffCostsRow, ...] = (
    BailiffCostsRow(dt.date(2023, 3, 1), Decimal("106.73"), Decimal("116.20"), "Stb. 2023, 63"),
    BailiffCostsRow(dt.date(2024, 1, 1), Decimal("112.37"), Decimal("122.34"), "KBvG list 2024 (secondary)"),
)

# Rule of thumb (see the module docstring): the chance that a judgment is paid.
RECOVERY_CHANCE_BUSINESS = Decimal("0.60")
RECOVERY_CHANCE_CONSUMER = Decimal("0.50")
RECOVERY_CHANCE_PAID_SOMETHING = Decimal("0.20")  # added when the debtor paid anything
RECOVERY_CHANCE_MAX = Decimal("0.90")


def bailiff_costs_estimate(on: dt.date, *, vat_charged: bool = False) -> Decimal:
    """Summons plus service of the judgment, from the Btag row in force ``on`` (last row after it).

    ``vat_charged``: the creditor cannot deduct VAT, so the bailiff's 21 % is a cost too. Dates before
    the first row use the first row: it is an estimate, never a legal amount charged to anyone.
    """
    try:
        row = row_in_force(BAILIFF_COSTS, on)
    except LookupError:
        row = BAILIFF_COSTS[0]
    total = row.summons + row.judgment_service
    if vat_charged:
        total += (total * BAILIFF_VAT_RATE).quantize(CENT, rounding=ROUND_HALF_UP)
    return total


def recovery_chance_estimate(*, consumer: bool, paid_something: bool) -> Decimal:
    """The estimated chance (0..1) that a judgment against this debtor is paid: a rule of thumb."""
    chance = RECOVERY_CHANCE_CONSUMER if consumer else RECOVERY_CHANCE_BUSINESS
    if paid_something:
        chance += RECOVERY_CHANCE_PAID_SOMETHING
    return min(chance, RECOVERY_CHANCE_MAX)


@dataclass(frozen=True)
class GuardResult:
    claim: Decimal
    court_fee: Decimal | None  # None: unknown, the creditor enters it when paying
    bailiff_costs: Decimal
    recovery_chance: Decimal
    outlay: Decimal  # court fee (when known) + bailiff costs
    expected_recovery: Decimal
    expected_net: Decimal

    @property
    def court_fee_known(self) -> bool:
        return self.court_fee is not None

    @property
    def negative(self) -> bool:
        return self.expected_net < 0

    @property
    def warns(self) -> bool:
        """Going to court needs an explicit confirmation: a negative expected net or an unknown fee."""
        return self.negative or not self.court_fee_known

    @property
    def recovery_percent(self) -> Decimal:
        return (self.recovery_chance * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def judicial_guard(
    claim: Decimal, court_fee: Decimal | None, bailiff_costs: Decimal, recovery_chance: Decimal
) -> GuardResult:
    """Expected net recovery of going to court about ``claim`` (see the module docstring for the formula).

    ``court_fee`` None (unknown) counts as zero in the figures, and the result warns regardless.
    """
    if not Decimal("0") <= recovery_chance <= Decimal("1"):
        raise ValueError(f"recovery_chance must be between 0 and 1, not {recovery_chance}")
    if claim < 0 or bailiff_costs < 0 or (court_fee is not None and court_fee < 0):
        raise ValueError("claim, court fee and bailiff costs cannot be negative")
    outlay = (court_fee or ZERO) + bailiff_costs
    expected_recovery = (recovery_chance * (claim + outlay)).quantize(CENT, rounding=ROUND_HALF_UP)
    return GuardResult(
        claim=claim,
        court_fee=court_fee,
        bailiff_costs=bailiff_costs,
        recovery_chance=recovery_chance,
        outlay=outlay,
        expected_recovery=expected_recovery,
        expected_net=expected_recovery - outlay,
    )
