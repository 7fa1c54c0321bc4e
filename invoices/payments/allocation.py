"""How a paid amount is spread over the invoices it was for: a pure rule, no database."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

ZERO = Decimal("0.00")


def allocate_oldest_first(amount: Decimal, open_amounts: Sequence[Decimal]) -> list[Decimal]:
    """Shares of ``amount`` per invoice, in the order given (oldest first); they add up to ``amount``.

    Each invoice takes what is still open on it until the money runs out, so a part payment settles the
    oldest invoices and leaves the newest open. Money left over (an invoice was paid another way while
    the debtor was at the checkout) goes to the last invoice that took a share, or the last one if none
    did: ``payment_record`` settles it and the surplus stays visible instead of disappearing.
    """
    if not open_amounts:
        raise ValueError("a payment is allocated to at least one invoice")
    if amount <= 0:
        raise ValueError("only a positive amount is allocated")
    shares: list[Decimal] = []
    remaining = amount
    for open_amount in open_amounts:
        share = min(remaining, max(open_amount, ZERO))
        shares.append(share)
        remaining -= share
    if remaining > 0:
        taking = [index for index, share in enumerate(shares) if share > 0]
        shares[taking[-1] if taking else -1] += remaining
    return shares


def reverse_newest_first(amount: Decimal, booked: Sequence[Decimal]) -> list[Decimal]:
    """Shares of a refund or chargeback per invoice, in the order given (oldest first), taken newest first.

    The mirror of :func:`allocate_oldest_first`: what was booked last is taken back first, so a partial
    refund reopens the invoice the payment settled last. Each invoice gives back at most what is still
    booked on it, so the shares add up to ``amount`` or, when more is reversed than was booked, to
    everything booked (the rest is not ours to take back).
    """
    if amount < 0:
        raise ValueError("only a positive amount is reversed")
    shares = [ZERO] * len(booked)
    remaining = amount
    for index in reversed(range(len(booked))):
        share = min(remaining, max(booked[index], ZERO))
        shares[index] = share
        remaining -= share
    return shares
