"""Buitengerechtelijke incassokosten: the WIK scale, VAT on costs and the Wki small-claims flag.

DOMAIN.md §2. The scale is set by the Besluit vergoeding voor buitengerechtelijke incassokosten
(Stb. 2012, 141), which is mandatory for consumers (art. 6:96 lid 5 BW) and the default for businesses.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from collection.legal._dated import row_in_force
from outstanding.money import to_money

ZERO = Decimal("0.00")
HUNDRED = Decimal(100)


class WikSlice(NamedTuple):
    """A marginal slice: ``rate`` applies to the part of the principal below ``up_to`` (None: no ceiling)."""

    up_to: Decimal | None
    rate: Decimal


class WikScale(NamedTuple):
    valid_from: dt.date
    slices: tuple[WikSlice, ...]
    minimum: Decimal
    maximum: Decimal


# Adding a new scale is one new row. 2012-07-01 is when the Wet normering buitengerechtelijke
# incassokosten and the Besluit (Stb. 2012, 141) took effect.
WIK_SCALES: tuple[WikScale, ...] = (
    WikScale(
        valid_from=dt.date(2012, 7, 1),
        slices=(
            WikSlice(Decimal("2500"), Decimal("0.15")),
            WikSlice(Decimal("5000"), Decimal("0.10")),
            WikSlice(Decimal("10000"), Decimal("0.05")),
            WikSlice(Decimal("200000"), Decimal("0.01")),
            WikSlice(None, Decimal("0.005")),
        ),
        minimum=Decimal("40"),
        maximum=Decimal("6775"),
    ),
)


class VatRate(NamedTuple):
    valid_from: dt.date
    rate: Decimal


# The general Dutch VAT rate; 21 % since 2012-10-01 (19 % before, which no WIK claim needs).
VAT_RATES: tuple[VatRate, ...] = (VatRate(dt.date(2012, 10, 1), Decimal("0.21")),)

# Wet kwaliteit incassodienstverlening (Wki, Stb. 2024, 44): cap for small claims as reported; the
# exact text is unverified (DOMAIN.md §2), so it is only flagged, never applied.
WKI_SMALL_CLAIM_CAP_FROM = dt.date(2024, 10, 1)
WKI_SMALL_CLAIM_THRESHOLD = Decimal("266.67")
WKI_REPORTED_SMALL_CLAIM_CAP = Decimal("140")


def collection_costs(principal: Decimal, *, on: dt.date | None = None) -> Decimal:
    """Statutory collection costs (WIK-staffel) on ``principal``, by the scale in force ``on``.

    The principal (hoofdsom) is the invoice amount including the VAT on it; never interest or earlier
    costs, though interest capitalised after a full year may be added by the caller. A part-payment
    made inside the 14-day term lowers the principal to pass here. The decree has no rounding rule:
    the slices are computed in exact cents and the sum is rounded half up once, then kept between
    the minimum (€ 40) and maximum (€ 6,775). ``on=None`` uses the newest scale.
    """
    principal = _non_negative_money(principal)
    if principal == ZERO:
        return ZERO  # nothing owed, nothing to collect: the minimum presupposes a claim
    scale = row_in_force(WIK_SCALES, on)
    cents = _round_half_up_to_cent(_marginal_sum(principal * HUNDRED, scale.slices))
    return min(max(cents / HUNDRED, scale.minimum), scale.maximum).quantize(ZERO)


def collection_costs_for_consumer_letter(principals: Iterable[Decimal], *, on: dt.date | None = None) -> Decimal:
    """Collection costs for one veertiendagenbrief covering several invoices of one consumer.

    Art. 6:96 lid 7 BW: claims of one consumer that fall due together belong in one 14-day letter and
    their principals are added together before the scale is applied. Because the scale is
    regressive (15 % falling to 0.5 %) and has a € 40 minimum, the costs on the sum are lower than the
    sum of per-invoice costs (three invoices of € 100: € 45 on € 300 instead of three times € 40 = € 120),
    but for rounding: rounded once on the sum instead of once per invoice, they may be up to a cent per
    further invoice higher (two of € 268.76: € 80.63 against 2 × € 40.31).
    Computing per invoice therefore charges more than the mandatory scale allows (art. 6:96 lid 5
    BW), which is unlawful towards a consumer.
    """
    amounts = [_non_negative_money(principal) for principal in principals]
    if not amounts:
        raise ValueError("a 14-day letter covers at least one invoice")
    return collection_costs(sum(amounts, ZERO), on=on)


def collection_costs_vat(costs: Decimal, *, on: dt.date) -> Decimal:
    """The VAT (BTW) surcharge on collection costs, rounded half up to cents; not applied by default.

    Only due when the creditor uses a paid collection service, cannot deduct the VAT and says so
    (DOMAIN.md §2). Returns the VAT amount alone; the caller adds it to the costs when it applies.
    """
    return to_money(_non_negative_money(costs) * row_in_force(VAT_RATES, on).rate)


def small_claim_cap_warning(principal: Decimal, on: dt.date) -> str | None:
    """A warning for staff when the Wki small-claims cap may limit the costs; ``None`` otherwise.

    Since 2024-10-01 (Wki, Stb. 2024, 44) a cap of reportedly € 140 in total applies to recurring
    small claims under € 266.67. The exact text is unverified, so the cap is never applied here.
    """
    if on < WKI_SMALL_CLAIM_CAP_FROM or _non_negative_money(principal) >= WKI_SMALL_CLAIM_THRESHOLD:
        return None
    return (
        f"Principal below € {WKI_SMALL_CLAIM_THRESHOLD}: since {WKI_SMALL_CLAIM_CAP_FROM:%d-%m-%Y} the Wki may cap "
        f"collection costs for recurring small claims (reported as € {WKI_REPORTED_SMALL_CLAIM_CAP} in total). "
        "Not applied automatically: check before charging."
    )


def _marginal_sum(cents: Decimal, slices: tuple[WikSlice, ...]) -> Decimal:
    """Each slice's rate on the part of ``cents`` that falls inside it (exact, fractions of a cent kept)."""
    total, lower = Decimal(0), Decimal(0)
    for wik_slice in slices:
        upper = cents if wik_slice.up_to is None else min(cents, wik_slice.up_to * HUNDRED)
        if upper <= lower:
            break
        total += (upper - lower) * wik_slice.rate
        lower = upper
    return total


def _round_half_up_to_cent(cents: Decimal) -> Decimal:
    return cents.quantize(Decimal(1), rounding=ROUND_HALF_UP)


def _non_negative_money(amount: Decimal) -> Decimal:
    value = to_money(amount)
    if value < ZERO:
        raise ValueError(f"an amount owed cannot be negative: {amount}")
    return value
