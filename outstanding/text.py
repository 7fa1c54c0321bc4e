"""Text that ends up in a document or a QR code: no control characters.

A line break inside an invoice number or a name splits a line of the EPC QR code (one field per
line) and breaks the layout of a letter; other control characters (tabs, NUL, escape, DEL, the C1
range, the Unicode line and paragraph separators) print as nothing or garbage. Single-line fields
refuse every one of them; the few genuine multi-line fields (notes) allow only line breaks.
"""

from __future__ import annotations

import re

from django.core.validators import RegexValidator
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 controls, DEL, C1 controls, and U+2028/U+2029 (line and paragraph separators).
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
CONTROL_EXCEPT_LINE_BREAKS = re.compile(r"[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")
SINGLE_LINE_MESSAGE = _("Use a single line without control characters such as line breaks or tabs.")
MULTI_LINE_MESSAGE = _("Remove the control characters (such as tabs); line breaks are fine.")


def has_control_characters(value: str, *, multiline: bool = False) -> bool:
    pattern = CONTROL_EXCEPT_LINE_BREAKS if multiline else CONTROL_CHARACTERS
    return pattern.search(value) is not None


@deconstructible
class SingleLineValidator(RegexValidator):
    """For a field printed on one line (names, numbers, addresses). A RegexValidator, so
    drf-spectacular writes the same rule into the OpenAPI schema as the field's ``pattern``. Empty
    values are not validated (Django and DRF skip validators for them); ``+`` keeps the schema's
    "blank or a pattern" alternatives apart."""

    regex = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]+\Z"
    message = SINGLE_LINE_MESSAGE
    code = "control_characters"


@deconstructible
class MultiLineValidator(RegexValidator):
    """For a genuine multi-line field (notes): line breaks allowed, no other control character."""

    regex = r"^[^\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]+\Z"
    message = MULTI_LINE_MESSAGE
    code = "control_characters"


validate_single_line = SingleLineValidator()
validate_multi_line = MultiLineValidator()


def single_line(value: str) -> str:
    """``value`` with every control character replaced by a space and runs of spaces collapsed.

    For output that must stay on one line whatever was stored before validation existed (defence
    in depth, e.g. the fields of an EPC QR code).
    """
    return " ".join(CONTROL_CHARACTERS.sub(" ", value).split())
