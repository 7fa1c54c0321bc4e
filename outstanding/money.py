"""Money: ``Decimal`` with two places, and the one formatter for showing it."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£"}


def to_money(value: Decimal | int | str) -> Decimal:
    """Round to cents, half up (the rounding DOMAIN.md prescribes). Floats are refused."""
    if isinstance(value, float):
        raise TypeError("money is never a float; pass a Decimal, int or str")
    try:
        return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc


def format_money(amount: Decimal | int | str | None, currency: str = "EUR", language: str = "nl") -> str:
    """€ 1.234,56 in Dutch, €1,234.56 in English; a minus sign before the symbol."""
    if amount is None or amount == "":
        return ""
    value = to_money(amount)
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    grouped = f"{abs(value):,.2f}"  # 1,234.56
    sign = "-" if value < 0 else ""
    if language.startswith("nl"):
        grouped = grouped.replace(",", "_").replace(".", ",").replace("_", ".")
        return f"{sign}{symbol}\N{NO-BREAK SPACE}{grouped}"
    return f"{sign}{symbol}{grouped}"
