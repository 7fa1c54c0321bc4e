"""Building blocks for the API's serializers: money as strings, strict input, public ids."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

MONEY_ERRORS = {
    "invalid": _('Send an amount as a string with two decimals, e.g. "121.00".'),
    "max_decimal_places": _('Use at most two decimals (cents), e.g. "121.00".'),
    "max_digits": _("That amount is too large."),
    "max_whole_digits": _("That amount is too large."),
    "max_string_length": _("That amount is too large."),
}


class MoneyField(serializers.DecimalField):
    """An amount in euros and cents: ``"121.00"`` out; a string or number with at most two decimals in."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"] = {**MONEY_ERRORS, **kwargs["error_messages"]}
        super().__init__(max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if isinstance(data, bool):  # True would otherwise pass as 1
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of silently dropping them.

    A typo (``"ammount"``) or a field someone hopes to set (``"organization"``) is a 400 with the
    field named, so an integration learns at once rather than by missing data later. Read-only
    fields may be sent back as they were read (a GET, edited, PUT back) and are ignored.
    """

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError({name: [_("Unknown field.")] for name in unknown})
        return super().to_internal_value(data)


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. not_found, validation_error.")
    message = serializers.CharField(help_text="A sentence for people.")
    details = serializers.DictField(help_text="Field errors for invalid input: {field: [messages]}.")


class ErrorSerializer(serializers.Serializer):
    """The one error format (documented in the schema for every 4xx answer)."""

    error = ErrorDetailSerializer()
