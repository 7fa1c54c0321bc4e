"""The letter's layout: an A4 page for a Dutch window envelope, filled with plain values, printed by WeasyPrint.

See the package docstring for the window position and the words on the letter.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import mimetypes
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pypdf
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
from reminders.channels.letter.payment import (
    EPC_MIN_AMOUNT,
    epc_payload,
    epc_qr,
    payment_reference,
    qr_data_uri,
)
from reminders.models import Reminder
from reminders.rendering import RenderedMessage
from reminders.rendering.context import is_about


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
        if is_about(reminder.kind, item.step_kind)  # what the letter demands; the others are "also open"
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
        payment=_payment(
            organization, total, [invoice.number for invoice in invoices], language, message.bundle_reference
        ),
        portal_url=portal_url,
        portal_qr=qr_data_uri(segno.make(portal_url, error="m")) if portal_url else "",
    )


def _payment(
    organization: Organization, total: Decimal, numbers: list[str], language: str, bundle: str
) -> Payment | None:
    """No IBAN or nothing to pay: no payment block (the letter still goes out). Several invoices are
    paid with ``bundle``, their RF reference, printed and in the QR code (the numbers as text without one)."""
    if not organization.iban or total < EPC_MIN_AMOUNT:
        return None
    reference = payment_reference(numbers, language, bundle=bundle)
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


def letters_pdf_each(
    letters: Sequence[Letter], *, organization: Organization, collector_registration: str = ""
) -> tuple[bytes, list[bytes]]:
    """The batch as one PDF, and each letter's own pages as a PDF of its own (the record of what was sent).

    Laid out and written once: each letter's section carries an anchor (``letter-<n>``), so the page
    where each begins is known, and its pages are cut from the batch's PDF (pypdf copies pages and the
    fonts they use; a second WeasyPrint write per letter would subset the fonts again, ~1 s each).
    """
    if not letters:
        raise ValueError("no letters to print")
    html = letters_html(letters, organization=organization, collector_registration=collector_registration)
    document = weasyprint.HTML(string=html, base_url=str(settings.MEDIA_ROOT), url_fetcher=LocalFilesOnly()).render(
        stylesheets=[letter_stylesheet()]
    )
    first_page: dict[str, int] = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            first_page.setdefault(anchor, number)
    starts = [first_page[f"letter-{index}"] for index in range(len(letters))]
    ends = [*starts[1:], len(document.pages)]
    batch = document.write_pdf()
    reader = pypdf.PdfReader(io.BytesIO(batch))
    return batch, [_pages_pdf(reader, start, end) for start, end in zip(starts, ends, strict=True)]


def _pages_pdf(reader: pypdf.PdfReader, start: int, end: int) -> bytes:
    writer = pypdf.PdfWriter()
    for number in range(start, end):
        writer.add_page(reader.pages[number])
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
