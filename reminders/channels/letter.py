"""Letters: A4 PDFs for a Dutch window envelope, with the invoices, an EPC payment QR code and the sender.

Letters are not delivered by a worker: the day's letters of an organization go into one print batch
(:mod:`reminders.letters`). This module only lays them out: :func:`letter_build` turns a reminder and
its rendered message into plain values, :func:`letters_pdf` prints any number of them as one PDF with a
page break per letter (one document renders about five times faster than one per letter; see
``bench/letters.py``).

**Window position.** Dutch window envelopes for an A4 sheet folded in three ("venstervelope" EA5/6,
110 × 220 mm, or 22 × 11 cm, window on the LEFT) have a window of about 90 × 45 mm whose position on
the folded sheet is roughly 20–22 mm from the left edge and 50–55 mm from the top. We take the window
on the sheet as x 20–110 mm, y 50–95 mm (:data:`WINDOW`) and print the address well inside it
(:data:`ADDRESS_FIELD`, x 24–104 mm, y 53–91 mm) so that the few millimetres a folded sheet moves in
its envelope never hide a line. These figures are the common supplier specification; we have not
checked them against the text of a NEN standard. The return address goes in small type on the first
line of the window, above the recipient, as PostNL allows.

**Words on the letter.** The fixed words of the layout ("Datum", "Betreft", "Aangetekend", ...) are
debtor-facing content in the debtor's language, like the message templates: they are kept per
language in :data:`LETTER_WORDS` so a Dutch letter is right without the UI translation catalogue.
"""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import segno
import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation
from schwifty import IBAN
from stdnum import iso11649

from invoices.models import Debtor, InvoiceStatus
from outstanding.models import Organization
from outstanding.money import format_money
from reminders.channels import PermanentFailure
from reminders.models import Reminder
from reminders.rendering import RenderedMessage


@dataclass(frozen=True)
class Rectangle:
    """A rectangle on an A4 sheet in millimetres, measured from the top-left corner."""

    left: float
    top: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.left + self.width

    @property
    def bottom(self) -> float:
        return self.top + self.height


A4_MM = (210.0, 297.0)
# reminders.rendering puts the invoice table in the letter body where the tenant's text asks for it;
# the layout prints its own only for a body without one.
RENDERED_INVOICE_TABLE = 'class="invoice-table"'
WINDOW = Rectangle(left=20, top=50, width=90, height=45)
ADDRESS_FIELD = Rectangle(left=24, top=53, width=80, height=38)

LETTER_WORDS: dict[str, dict[str, str]] = {
    "nl": {
        "date": "Datum",
        "subject": "Betreft",
        "registered": "Aangetekend",
        "return_address": "Retouradres",
        "attention": "t.a.v.",
        "number": "Factuur",
        "issue_date": "Factuurdatum",
        "due_date": "Vervaldatum",
        "open": "Openstaand",
        "total": "Totaal",
        "pay_heading": "Betalen",
        "pay_intro": "Scan de code met uw bank-app of maak het bedrag over:",
        "iban": "IBAN",
        "beneficiary": "Ten name van",
        "amount": "Bedrag",
        "reference": "Betalingskenmerk",
        "description": "Omschrijving",
        "portal": "Bekijk uw facturen en betaal online:",
        "kvk": "KvK",
        "vat": "Btw-id",
        "wki": "Wki-registratienummer",
        "invoice_one": "Factuur",
        "invoice_many": "Facturen",
        "and_more": "e.a.",
        "long_date": "j F Y",
        "short_date": "d-m-Y",
    },
    "en": {
        "date": "Date",
        "subject": "Subject",
        "registered": "Registered mail",
        "return_address": "Return address",
        "attention": "Attn.",
        "number": "Invoice",
        "issue_date": "Invoice date",
        "due_date": "Due date",
        "open": "Open",
        "total": "Total",
        "pay_heading": "Payment",
        "pay_intro": "Scan the code with your banking app or transfer the amount:",
        "iban": "IBAN",
        "beneficiary": "Beneficiary",
        "amount": "Amount",
        "reference": "Payment reference",
        "description": "Description",
        "portal": "See your invoices and pay online:",
        "kvk": "Chamber of Commerce",
        "vat": "VAT id",
        "wki": "Wki registration number",
        "invoice_one": "Invoice",
        "invoice_many": "Invoices",
        "and_more": "and more",
        "long_date": "j F Y",
        "short_date": "j M Y",
    },
}


def words_for(language: str) -> dict[str, str]:
    return LETTER_WORDS.get(language, LETTER_WORDS["nl"])


# --- Addresses --------------------------------------------------------------------------------------

DUTCH_POSTAL_CODE = re.compile(r"^\s*(\d{4})\s*([A-Za-z]{2})\s*$")


def has_postal_address(debtor: Debtor) -> bool:
    """A letter needs a street, a city and, in the Netherlands, a postal code."""
    if not (debtor.street.strip() and debtor.city.strip()):
        return False
    return bool(debtor.postal_code.strip()) or debtor.country != "NL"


def postal_address_lines(debtor: Debtor, language: str = "nl") -> list[str]:
    """The recipient as PostNL wants it: postal code, two spaces, the city in capitals; abroad the country."""
    lines = [debtor.name]
    if debtor.is_business and debtor.contact_person:
        lines.append(f"{words_for(language)['attention']} {debtor.contact_person}")
    lines.append(debtor.street)
    if debtor.country == "NL":
        match = DUTCH_POSTAL_CODE.match(debtor.postal_code)
        postal_code = f"{match[1]} {match[2].upper()}" if match else debtor.postal_code.strip()
        lines.append(f"{postal_code}  {debtor.city.strip().upper()}")
    else:
        lines.append(f"{debtor.postal_code} {debtor.city}".strip())
        lines.append(country_name(debtor.country).upper())
    return [line for line in lines if line.strip()]


def country_name(code: str) -> str:
    import pycountry  # installed with schwifty; English names are accepted by every postal service

    country = pycountry.countries.get(alpha_2=code.upper())
    return country.name if country else code


def return_address_line(organization: Organization) -> str:
    return ", ".join([organization.display_legal_name, *organization.address_lines])


# --- Payment: structured reference and EPC QR code (DOMAIN.md §9) -----------------------------------

RF_BODY = re.compile(r"^[A-Z0-9]{1,21}$")
EPC_NAME_MAX, EPC_TEXT_MAX, EPC_REFERENCE_MAX = 70, 140, 35
EPC_MIN_AMOUNT, EPC_MAX_AMOUNT = Decimal("0.01"), Decimal("999999999.99")


def creditor_reference(invoice_number: str) -> str | None:
    """The ISO 11649 structured creditor reference ("RF" + 2 check digits + the number), or None.

    None when the number holds characters a reference cannot (anything but letters and digits) or is
    longer than 21: the bank would hand back something else than the number, so text is used instead.
    """
    body = invoice_number.strip().upper()
    if not RF_BODY.match(body):
        return None
    # ISO 7064 mod 97-10 over the body followed by "RF00", letters as 10..35; check digits = 98 - rest.
    digits = "".join(str(int(char, 36)) for char in body + "RF00")
    return f"RF{98 - int(digits) % 97:02d}{body}"


@dataclass(frozen=True)
class PaymentReference:
    structured: str = ""  # RF… (ISO 11649); or
    text: str = ""  # unstructured remittance text, at most 140 characters


def payment_reference(invoice_numbers: Sequence[str], language: str = "nl") -> PaymentReference:
    """One invoice with a suitable number: its RF reference. Otherwise the invoice numbers as text."""
    if len(invoice_numbers) == 1 and (structured := creditor_reference(invoice_numbers[0])):
        return PaymentReference(structured=structured)
    words = words_for(language)
    label = words["invoice_one"] if len(invoice_numbers) == 1 else words["invoice_many"]
    kept = list(invoice_numbers)
    text = f"{label} {', '.join(kept)}"
    # Too many numbers for 140 characters: as many as fit, then "e.a." (the table lists them all).
    while len(text) > EPC_TEXT_MAX and len(kept) > 1:
        kept.pop()
        text = f"{label} {', '.join(kept)} {words['and_more']}"
    return PaymentReference(text=text[:EPC_TEXT_MAX])


def epc_payload(*, name: str, iban: str, amount: Decimal, reference: str = "", text: str = "", bic: str = "") -> bytes:
    """The data of an EPC QR code ("GiroCode", EPC069-12 version 002, UTF-8), checked against the spec.

    Lines: BCD, 002, 1 (UTF-8), SCT, BIC, name, IBAN, EUR amount, purpose, reference, text. Exactly one of
    ``reference`` (structured, ISO 11649) and ``text`` is given. Trailing empty lines are left out.
    """
    name, iban = name.strip()[:EPC_NAME_MAX], IBAN(iban).compact
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


# --- The letter as plain values ---------------------------------------------------------------------


@dataclass(frozen=True)
class LetterItem:
    number: str
    issue_date: str
    due_date: str
    open_amount: str


@dataclass(frozen=True)
class Payment:
    iban: str  # grouped per four characters, for reading
    beneficiary: str
    amount: str
    reference: str  # RF reference grouped per four, or empty
    text: str  # remittance text when there is no RF reference
    qr: str  # data URI


@dataclass(frozen=True)
class Letter:
    """Everything one letter shows, as text (formatted in the debtor's language) and data URIs."""

    language: str
    words: dict[str, str]
    date: str
    registered: bool
    return_address: str
    address_lines: list[str]
    subject: str
    body_html: str
    items: list[LetterItem]
    show_items_table: bool  # False when the body carries the renderer's invoice table already
    total: str
    total_amount: Decimal
    payment: Payment | None
    portal_url: str = ""
    portal_qr: str = ""


def letter_build(*, reminder: Reminder, message: RenderedMessage, date: dt.date) -> Letter:
    """The letter for ``reminder`` dated ``date``: the invoices still open in it and how to pay them."""
    organization, debtor, language = reminder.organization, reminder.debtor, reminder.language or "nl"
    words = words_for(language)
    invoices = [
        item.invoice
        for item in reminder.items.select_related("invoice").order_by("invoice__due_date", "invoice__number")
    ]
    invoices = [i for i in invoices if i.status == InvoiceStatus.OPEN and i.open_amount > 0]
    total = sum((invoice.open_amount for invoice in invoices), Decimal("0.00"))
    with translation.override(language):
        items = [
            LetterItem(
                number=invoice.number,
                issue_date=formats.date_format(invoice.issue_date, words["short_date"]),
                due_date=formats.date_format(invoice.due_date, words["short_date"]),
                open_amount=format_money(invoice.open_amount, invoice.currency, language),
            )
            for invoice in invoices
        ]
        long_date = formats.date_format(date, words["long_date"])
    portal_url = str(message.context.get("portal_url") or "")
    return Letter(
        language=language,
        words=words,
        date=long_date,
        registered=reminder.registered,
        return_address=return_address_line(organization),
        address_lines=postal_address_lines(debtor, language),
        subject=message.subject,
        body_html=message.letter_html,
        items=items,
        show_items_table=RENDERED_INVOICE_TABLE not in message.letter_html,
        total=format_money(total, "EUR", language),
        total_amount=total,
        payment=_payment(organization, total, [invoice.number for invoice in invoices], language),
        portal_url=portal_url,
        portal_qr=qr_data_uri(segno.make(portal_url, error="m")) if portal_url else "",
    )


def _payment(organization: Organization, total: Decimal, numbers: list[str], language: str) -> Payment | None:
    """No IBAN or nothing to pay: no payment block (the letter still goes out)."""
    if not organization.iban or total < EPC_MIN_AMOUNT:
        return None
    reference = payment_reference(numbers, language)
    payload = epc_payload(
        name=organization.display_legal_name,
        iban=organization.iban,
        amount=total,
        reference=reference.structured,
        text=reference.text,
    )
    return Payment(
        iban=IBAN(organization.iban).formatted,
        beneficiary=organization.display_legal_name,
        amount=format_money(total, "EUR", language),
        reference=iso11649.format(reference.structured) if reference.structured else "",
        text=reference.text,
        qr=qr_data_uri(epc_qr(payload)),
    )


# --- Printing ---------------------------------------------------------------------------------------


class LocalFilesOnly(weasyprint.URLFetcher):
    """Letters load nothing from the network, and local files only from media and static folders.

    The letter body comes from tenant-editable templates: an ``<img src="http://...">`` in it must not
    make the server fetch internal URLs, nor ``file:///etc/...`` read the disk.
    """

    def fetch(self, url: str, headers: Any = None) -> Any:
        scheme = url.split(":", 1)[0].lower()
        if scheme == "file" and not _is_allowed_file(url):
            raise ValueError("letters may only load files from the media and static folders")
        if scheme not in ("data", "file"):
            raise ValueError("letters load no network resources")
        return super().fetch(url, headers)


def _is_allowed_file(url: str) -> bool:
    from urllib.parse import unquote, urlsplit

    path = Path(unquote(urlsplit(url).path)).resolve()
    roots = [Path(settings.MEDIA_ROOT), *(Path(folder) for folder in settings.STATICFILES_DIRS)]
    return any(path.is_relative_to(root.resolve()) for root in roots)


def logo_url(organization: Organization) -> str:
    """A file:// URL (loaded once per document, however many letters) or, off the filesystem, a data URI."""
    if not organization.logo:
        return ""
    try:
        return Path(organization.logo.path).resolve().as_uri()
    except NotImplementedError:  # a storage without local paths (object storage)
        with organization.logo.open("rb") as logo:
            data = base64.b64encode(logo.read()).decode("ascii")
        kind = mimetypes.guess_type(organization.logo.name)[0] or "image/png"
        return f"data:{kind};base64,{data}"


@lru_cache(maxsize=1)
def letter_stylesheet() -> weasyprint.CSS:
    """Parsed once per process: parsing the stylesheet is a good part of rendering one short letter."""
    return weasyprint.CSS(string=render_to_string("reminders/letter/letter.css"))


def letters_html(letters: Sequence[Letter], *, organization: Organization, collector_registration: str = "") -> str:
    """One HTML document, one page break per letter. ``collector_registration``: the operator's Wki
    number, printed on letters sent in the collector's name (DOMAIN.md §8), never on a creditor's own."""
    language = letters[0].language if letters else organization.default_language
    return render_to_string(
        "reminders/letter/document.html",
        {
            "letters": letters,
            "document_language": language,
            "organization": organization,
            "logo_url": logo_url(organization),
            "iban": IBAN(organization.iban).formatted if organization.iban else "",
            "footer_words": words_for(language),
            "collector_registration": collector_registration,
        },
    )


def letters_pdf(letters: Sequence[Letter], *, organization: Organization, collector_registration: str = "") -> bytes:
    if not letters:
        raise ValueError("no letters to print")
    html = letters_html(letters, organization=organization, collector_registration=collector_registration)
    document = weasyprint.HTML(string=html, base_url=str(settings.MEDIA_ROOT), url_fetcher=LocalFilesOnly())
    return document.write_pdf(stylesheets=[letter_stylesheet()])


def deliver(reminder: Reminder, message: RenderedMessage) -> str:
    """Not called by workers: letters are printed in the daily batch (reminders.letters)."""
    raise PermanentFailure("Letters go out in the daily print batch, not one by one.")
