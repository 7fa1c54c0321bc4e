"""How the debtor pays a letter: the structured creditor reference and the EPC QR code (DOMAIN.md §9).

A banking app scans the EPC QR code ("GiroCode", EPC069-12) and fills in the transfer: beneficiary,
IBAN, amount and the reference. One invoice whose number a reference can hold is paid with its ISO 11649
creditor reference ("RF" + check digits + number); several invoices with the reference of their
bundle (``reminders.models.BundleReference``), one stored reference for exactly that set; anything
else with the invoice numbers as text.

**Bundle references cannot be invoice numbers' references.** Their body has one fixed form,
:data:`BUNDLE_BODY` ("B" and 16 random digits), and :func:`creditor_reference` gives no number of
that form a reference of its own (such an invoice is paid by its number as text, like any number a
reference cannot hold). So a reference of that form is a bundle's, whatever numbers the creditor
uses, and the bank matcher looks it up as one (``invoices.bank.matching``).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

import segno
from schwifty import IBAN
from stdnum import iso11649

from outstanding.text import has_control_characters, single_line

# "Factuur 2026-1", "Facturen 2026-1, 2026-2 e.a." in the debtor's language.
REFERENCE_WORDS = {"nl": ("Factuur", "Facturen", "e.a."), "en": ("Invoice", "Invoices", "and more")}
RF_BODY = re.compile(r"^[A-Z0-9]{1,21}$")
# A bundle's body: "B" and 16 random digits (53 bits; unique per organization by a constraint).
BUNDLE_BODY = re.compile(r"^B[0-9]{16}$")
BUNDLE_DIGITS = 16
EPC_NAME_MAX, EPC_TEXT_MAX, EPC_REFERENCE_MAX = 70, 140, 35
EPC_MIN_AMOUNT, EPC_MAX_AMOUNT = Decimal("0.01"), Decimal("999999999.99")


def creditor_reference(invoice_number: str) -> str | None:
    """The ISO 11649 structured creditor reference ("RF" + 2 check digits + the number), or None.

    None when the number holds characters a reference cannot (anything but letters and digits) or is
    longer than 21: the bank would hand back something else than the number, so text is used instead.
    Also None for a number of the bundle form (:data:`BUNDLE_BODY`): its reference would be a bundle's.
    """
    body = invoice_number.strip().upper()
    if not RF_BODY.match(body) or BUNDLE_BODY.match(body):
        return None
    return _with_check_digits(body)


def bundle_reference_new() -> str:
    """A fresh bundle reference ("RF" + check digits + "B" + 16 random digits), compact."""
    return _with_check_digits("B" + "".join(secrets.choice("0123456789") for _ in range(BUNDLE_DIGITS)))


def is_bundle_reference(reference: str) -> bool:
    """Whether a valid compact RF reference is of the bundle form (module docstring)."""
    return bool(BUNDLE_BODY.match(reference[4:])) and iso11649.is_valid(reference)


def _with_check_digits(body: str) -> str:
    # ISO 7064 mod 97-10 over the body followed by "RF00", letters as 10..35; check digits = 98 - rest.
    digits = "".join(str(int(char, 36)) for char in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


@dataclass(frozen=True)
class PaymentReference:
    structured: str = ""  # RF… (ISO 11649); or
    text: str = ""  # unstructured remittance text, at most 140 characters


def payment_reference(invoice_numbers: Sequence[str], language: str = "nl", *, bundle: str = "") -> PaymentReference:
    """One invoice with a suitable number: its RF reference. Several with their ``bundle`` reference
    when one is given. Otherwise the invoice numbers as text."""
    if len(invoice_numbers) == 1 and (structured := creditor_reference(invoice_numbers[0])):
        return PaymentReference(structured=structured)
    if len(invoice_numbers) > 1 and bundle:
        return PaymentReference(structured=bundle)
    one, many, and_more = REFERENCE_WORDS.get(language, REFERENCE_WORDS["nl"])
    label = one if len(invoice_numbers) == 1 else many
    kept = list(invoice_numbers)
    text = f"{label} {', '.join(kept)}"
    # Too many numbers for 140 characters: as many as fit, then "e.a." (the table lists them all).
    while len(text) > EPC_TEXT_MAX and len(kept) > 1:
        kept.pop()
        text = f"{label} {', '.join(kept)} {and_more}"
    return PaymentReference(text=text[:EPC_TEXT_MAX])


def epc_payload(*, name: str, iban: str, amount: Decimal, reference: str = "", text: str = "", bic: str = "") -> bytes:
    """The data of an EPC QR code ("GiroCode", EPC069-12 version 002, UTF-8), checked against the spec.

    Lines: BCD, 002, 1 (UTF-8), SCT, BIC, name, IBAN, EUR amount, purpose, reference, text. Exactly one of
    ``reference`` (structured, ISO 11649) and ``text`` is given. Trailing empty lines are left out.
    A line break in a field would shift every later field to the wrong line, so control characters
    in the name and the text become spaces (inputs refuse them; this guards older data).
    """
    name, text, iban = single_line(name)[:EPC_NAME_MAX], single_line(text), IBAN(iban).compact
    reference, bic = reference.strip(), bic.strip()
    if any(has_control_characters(value) for value in (reference, bic)):
        raise ValueError("the reference and the BIC must not hold control characters")
    if not name:
        raise ValueError("the beneficiary name is empty")
    if bool(reference) == bool(text):
        raise ValueError("give either a structured reference or a text, not both or neither")
    if reference and not (len(reference) <= EPC_REFERENCE_MAX and iso11649.is_valid(reference)):
        raise ValueError(f"not an ISO 11649 creditor reference: {reference!r}")
    if len(text) > EPC_TEXT_MAX:
        raise ValueError(f"the remittance text has {len(text)} characters; at most {EPC_TEXT_MAX}")
    if not EPC_MIN_AMOUNT <= amount <= EPC_MAX_AMOUNT:
        raise ValueError(f"an EPC amount lies between {EPC_MIN_AMOUNT} and {EPC_MAX_AMOUNT}")
    lines = ["BCD", "002", "1", "SCT", bic, name, iban, f"EUR{amount:.2f}", "", reference, text]
    while not lines[-1]:
        lines.pop()
    payload = "\n".join(lines).encode("utf-8")
    if len(payload) > 331:
        raise ValueError(f"the EPC payload has {len(payload)} bytes; at most 331")
    return payload


def epc_qr(payload: bytes) -> segno.QRCode:
    """Error correction M and version ≤ 13, as EPC069-12 requires (what segno.helpers.make_epc_qr does)."""
    code = segno.make_qr(payload, error="m", boost_error=False)
    if int(code.version) > 13:  # a str only for Micro QR codes, which make_qr never makes
        raise ValueError(f"an EPC QR code is version 13 at most, not {code.version}")
    return code


def qr_data_uri(code: segno.QRCode) -> str:
    """The code as an SVG data URI: vector, so it prints sharp; the default 4-module quiet zone stays."""
    return code.svg_data_uri(dark="#000", light="#fff")
