from __future__ import annotations

from decimal import Decimal

from django import template
from django.utils.translation import get_language

from outstanding.money import format_money

register = template.Library()


@register.filter(name="money")
def money_filter(amount: Decimal | None, currency: str = "EUR") -> str:
    """``{{ invoice.open_amount|money }}`` or ``{{ amount|money:invoice.currency }}``."""
    return format_money(amount, currency or "EUR", get_language() or "nl")


@register.filter
def days_overdue(invoice: object, today: object) -> int:
    """``{{ invoice|days_overdue:today }}``: days past the due date (0 when not yet due)."""
    return invoice.days_overdue(today)  # type: ignore[attr-defined]
