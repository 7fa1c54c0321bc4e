"""Building blocks for the API's serializers: money as strings, single-line text, strict input."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerExtension, OpenApiSerializerFieldExtension
from rest_framework import serializers
from rest_framework.fields import empty

from outstanding.text import validate_single_line

MONEY_ERRORS = {
    "invalid": _('Send an amount as a string with at most two decimals, e.g. "121.00".'),
    "not_a_string": _('Send the amount as a string, e.g. "121.00", not as a number.'),
    "max_decimal_places": _('Use at most two decimals (cents), e.g. "121.00".'),
    "max_digits": _("That amount is too large."),
    "max_whole_digits": _("That amount is too large."),
    "max_string_length": _("That amount is too large."),
    "not_positive": _("The amount must be more than zero."),
}
KVK_MESSAGE = _("A KvK number has 8 digits.")
VAT_ID_PATTERN = r"^[ .-]*[A-Za-z][ .-]*[A-Za-z]([ .-]*[0-9A-Za-z+*]){2,18}[ .-]*\Z"
VAT_ID_MESSAGE = _("A VAT id starts with a two-letter country code, e.g. NL000099998B57.")
# What an amount in a request looks like: euros (at most 12 digits), optionally a point and 1–2 cents.
# No sign: no amount the API takes is negative. The schema states the same patterns.
MONEY_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,2})?$"
POSITIVE_MONEY_PATTERN = r"^(0\.(0[1-9]|[1-9][0-9]?)|[1-9][0-9]{0,11}(\.[0-9]{1,2})?)$"
MONEY_SHAPE = re.compile(r"^[0-9]{1,12}(\.[0-9]+)?\Z")


class MoneyField(serializers.DecimalField):
    """An amount in euros and cents: ``"121.00"`` out; in, only a string with at most two decimals.

    A JSON number is refused, never rounded: ``121.005`` or ``1e2`` would be read differently by
    different clients, and the schema promises a string.
    """

    def __init__(self, *, positive: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("error_messages", {})
        kwargs["error_messages"] = {**MONEY_ERRORS, **kwargs["error_messages"]}
        self.positive = positive
        super().__init__(max_digits=14, decimal_places=2, coerce_to_string=True, **kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        if not isinstance(data, str):
            self.fail("not_a_string")
        if not MONEY_SHAPE.match(data):
            self.fail("invalid")
        amount: Decimal = super().to_internal_value(data)
        if self.positive and amount <= 0:
            self.fail("not_positive")
        if self.positive and data.startswith("0") and not data.startswith("0."):
            self.fail("invalid")  # "05.00": the positive pattern has no leading zeros
        return amount

    @property
    def pattern(self) -> str:
        return POSITIVE_MONEY_PATTERN if self.positive else MONEY_PATTERN


class MoneyFieldSchema(OpenApiSerializerFieldExtension):
    """Money in the schema exactly as the field reads it: a string with a pattern, never a number."""

    target_class = MoneyField
    match_subclasses = True

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        field = self.target
        schema: dict[str, Any] = {"type": "string", "format": "decimal", "example": "121.00"}
        if direction == "request":
            schema["pattern"] = field.pattern
        return schema


class TextField(serializers.CharField):
    """Text that may end up in a letter, a message or a QR code: one line, no control characters.

    Checked before surrounding spaces are trimmed, so a trailing line break is refused, not
    silently cut off; the schema carries the same rule as ``pattern``.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs["trim_whitespace"] = False
        super().__init__(**kwargs)
        self.validators.append(validate_single_line)

    default_error_messages = {"not_text": _("Send text as a JSON string.")}

    def to_internal_value(self, data: Any) -> str:
        # DRF's CharField turns a JSON number into text; the schema says string, so a number is refused.
        if not isinstance(data, str):
            self.fail("not_text")
        return super().to_internal_value(data)

    def run_validation(self, data: Any = empty) -> Any:
        value = super().run_validation(data)
        return value.strip() if isinstance(value, str) else value


class LetterCodeField(TextField):
    """A code of ASCII letters (a country, a currency), any case in, upper case stored."""

    code_message = _("Use a code of letters only.")

    def __init__(self, *, letters: int, **kwargs: Any) -> None:
        super().__init__(min_length=letters, max_length=letters, **kwargs)
        # First, so the schema's pattern is this one (it implies the single-line rule).
        self.validators.insert(
            0, RegexValidator(rf"^[A-Za-z]{{{letters}}}\Z", message=self.code_message, code="invalid")
        )

    def run_validation(self, data: Any = empty) -> Any:
        value = super().run_validation(data)
        return value.upper() if isinstance(value, str) else value


class CountryField(LetterCodeField):
    code_message = _("Use a two-letter country code such as NL.")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 code, two letters in any case (stored upper case), e.g. NL.")
        super().__init__(letters=2, **kwargs)


class CurrencyField(LetterCodeField):
    code_message = _("The currency must be a three-letter code such as EUR.")

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", "ISO 4217 code, three letters in any case (stored upper case), e.g. EUR.")
        super().__init__(letters=3, **kwargs)


class QueryBooleanField(serializers.BooleanField):
    """A boolean query parameter: exactly ``true`` or ``false``, as the schema's boolean is written."""

    TRUE_VALUES = {"true"}
    FALSE_VALUES = {"false"}
    NULL_VALUES: set[Any] = set()
    default_empty_html = empty  # left out means no filter (DRF would read a missing checkbox as false)


class KvkField(TextField):
    """A KvK number: 8 digits; spaces and dots between them are allowed and dropped."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", 'KvK number: 8 digits, spaces and dots allowed ("1234 5678"), stored compact.')
        super().__init__(allow_blank=True, max_length=20, **kwargs)
        self.validators.insert(0, RegexValidator(r"^[ .]*([0-9][ .]*){8}\Z", message=KVK_MESSAGE, code="kvk"))


class VatIdField(TextField):
    """A VAT id: a two-letter country prefix and 2–18 letters or digits (``+`` and ``*`` too, as in
    some Irish and Danish ids); spaces, dots and hyphens are allowed and dropped. Dutch and other EU
    ids must also pass their check digits, a rule the schema's pattern cannot state."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "help_text",
            'Country prefix and number, e.g. "NL000099998B57"; spaces, dots and hyphens are dropped. '
            "Dutch and other EU VAT ids must pass their check digits (400 otherwise).",
        )
        super().__init__(allow_blank=True, max_length=30, **kwargs)
        self.validators.insert(0, RegexValidator(VAT_ID_PATTERN, message=VAT_ID_MESSAGE, code="vat"))


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


class StrictSerializerSchema(OpenApiSerializerExtension):
    """In the schema, a strict serializer's request body says ``additionalProperties: false``."""

    target_class = StrictSerializer
    match_subclasses = True

    def map_serializer(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        schema: dict[str, Any] = auto_schema._map_basic_serializer(self.target, direction)
        if direction == "request":
            schema["additionalProperties"] = False
        return schema


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="A stable machine-readable code, e.g. not_found, validation_error.")
    message = serializers.CharField(help_text="A sentence for people.")
    details = serializers.DictField(help_text="Field errors for invalid input: {field: [messages]}.")


class ErrorSerializer(serializers.Serializer):
    """The one error format (documented in the schema for every 4xx answer)."""

    error = ErrorDetailSerializer()
