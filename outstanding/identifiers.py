"""Dutch identifiers (DOMAIN.md §7): KvK number, VAT id (btw-id) and IBAN. One place for all sources."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from schwifty import IBAN
from stdnum.eu import vat as eu_vat
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import btw

KVK_PATTERN = re.compile(r"^\d{8}$")


def clean_kvk(value: str) -> str:
    """A KvK (Kamer van Koophandel) number: exactly 8 digits; spaces and dots are dropped."""
    compact = re.sub(r"[\s.]", "", value or "")
    if compact and not KVK_PATTERN.match(compact):
        raise ValidationError(_("A KvK number has 8 digits."), code="kvk")
    return compact


def clean_vat_id(value: str) -> str:
    """A VAT id; Dutch ones must pass python-stdnum (the RSIN 11-test or the mod-97 form)."""
    compact = re.sub(r"[\s.\-]", "", value or "").upper()
    if not compact:
        return ""
    if compact.startswith("NL"):
        if not btw.is_valid(compact):
            raise ValidationError(_("Not a valid Dutch VAT id (NL + 9 digits + B + 2 digits)."), code="vat")
        return compact
    try:
        return str(eu_vat.validate(compact))
    except StdnumError:
        # Outside the EU formats python-stdnum knows: keep it as given rather than refuse a foreign id.
        return compact


def clean_iban(value: str) -> str:
    if not (value or "").strip():
        return ""
    try:
        return str(IBAN(value).compact)
    except ValueError as exc:
        raise ValidationError(_("Not a valid IBAN."), code="iban") from exc


def clean_phone(value: str, region: str = "NL") -> str:
    """A phone number in international form (+31612345678); one without a country code is read in ``region``."""
    import phonenumbers

    try:
        number = phonenumbers.parse(value, region or "NL")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        raise ValidationError(_("“%(value)s” is not a valid phone number.") % {"value": value}, code="phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_phone(value: str, region: str = "NL") -> str:
    """:func:`clean_phone` where possible; a number it cannot read is kept as given (trimmed), not lost."""
    try:
        return clean_phone(value, region)
    except ValidationError:
        return value.strip()
