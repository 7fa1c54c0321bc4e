"""The plain values a reminder's words are rendered with, and the placeholders the editor documents.

Facts come in as small frozen dataclasses (from a reminder's rows, or made-up sample data for the
editor's preview) and go out as a dict of strings, numbers and booleans: amounts already formatted
with the one money formatter in the message's language, dates in long form ("12 oktober 2026").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from stdnum import iso11649

from collection.legal import (
    ACCEPTED_TERM_WORDING_EN,
    ACCEPTED_TERM_WORDING_NL,
    collection_costs_for_consumer_letter,
)
from outstanding.models import Organization
from outstanding.money import format_money, to_money
from reminders.models import StepKind, Tone

LANGUAGES = ("nl", "en")
# A SEPA credit transfer carries at most 140 characters of unstructured remittance information.
SEPA_REMITTANCE_MAX = 140

MONTHS = {
    "nl": (
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

# The term of a 14-day letter as the letter or the e-mail states it (art. 6:96 lid 6 BW, HR 25-11-2016).
TERM_WORDING = {
    ("nl", "letter"): ACCEPTED_TERM_WORDING_NL,
    ("nl", "email"): ACCEPTED_TERM_WORDING_NL.replace("deze brief", "deze e-mail"),
    ("en", "letter"): ACCEPTED_TERM_WORDING_EN,
    ("en", "email"): ACCEPTED_TERM_WORDING_EN.replace("this letter", "this e-mail"),
}


@dataclass(frozen=True)
class InvoiceFacts:
    number: str
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal
    open_amount: Decimal
    currency: str = "EUR"


@dataclass(frozen=True)
class DebtorFacts:
    name: str
    contact_person: str = ""
    is_business: bool = True
    address_lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class MessageFacts:
    """Everything a message says, before formatting."""

    organization: Organization
    debtor: DebtorFacts
    invoices: tuple[InvoiceFacts, ...]
    kind: str
    tone: str
    language: str
    today: dt.date
    payment_term_days: int = 14
    portal_url: str = ""
    # The RF reference of the invoices' bundle (reminders.services.payment_references), issued by the
    # sending service like the portal link; "" for one invoice and in the editor's sample preview.
    bundle_reference: str = ""
    # Overdue invoices of the debtor at a milder step than this message's: shown apart ("also open").
    also_open: tuple[InvoiceFacts, ...] = ()
    # History, so the words can tell the truth: how many earlier messages about these invoices went
    # out to this debtor, and when the last one did.
    earlier_messages: int = 0
    last_message_date: dt.date | None = None

    @property
    def collection_costs(self) -> Decimal | None:
        """A 14-day letter's costs (art. 6:96 BW via collection.legal), on the day the message carries."""
        if self.kind != StepKind.FOURTEEN_DAY_LETTER or not self.invoices:
            return None
        return fourteen_day_letter_costs(self.invoices, self.today)


def is_about(message_kind: str, item_kind: str) -> bool:
    """Whether an invoice at step ``item_kind`` is what a message of ``message_kind`` is about.

    A reminder is about all its invoices; an escalation (notice of default, 14-day letter, final
    notice, hand-over) only about those that reached that step. The others are "also open".
    """
    return message_kind == StepKind.REMINDER or item_kind == message_kind


def message_language(language: str | None) -> str:
    """The debtor's language when we have texts in it; Dutch otherwise (DESIGN: debtor-facing is Dutch)."""
    return language if language in LANGUAGES else "nl"


def long_date(day: dt.date, language: str) -> str:
    """12 oktober 2026 / 12 October 2026: unambiguous in a letter, whatever the reader's habits."""
    return f"{day.day} {MONTHS[message_language(language)][day.month - 1]} {day.year}"


def iban_display(iban: str) -> str:
    """NL91 ABNA 0417 1643 00: groups of four, as printed on a bank card."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[index : index + 4] for index in range(0, len(compact), 4))


def first_name(full_name: str) -> str:
    """The first word, unless it is an initial ("J." or "J"): then the full name reads better."""
    words = full_name.split()
    if not words or len(words[0].rstrip(".")) <= 1 or words[0].endswith("."):
        return full_name.strip()
    return words[0]


def salutation(debtor: DebtorFacts, tone: str, language: str) -> str:
    """The opening words, without the comma.

    Friendly: "Beste Jan" (first name of the contact person). Firm and formal: the full name, or
    "Geachte heer/mevrouw" when there is no person to address. A consumer is the person themselves.
    """
    person = debtor.contact_person.strip() or ("" if debtor.is_business else debtor.name.strip())
    dutch = message_language(language) == "nl"
    if tone == Tone.FRIENDLY:
        if person:
            return f"{'Beste' if dutch else 'Dear'} {first_name(person)}"
        return "Beste relatie" if dutch else "Hello"
    if not person:
        return "Geachte heer/mevrouw" if dutch else "Dear Sir or Madam"
    if tone == Tone.FIRM:
        return f"{'Beste' if dutch else 'Dear'} {person}"
    return f"{'Geachte' if dutch else 'Dear'} {person}"


def payment_reference(numbers: Sequence[str], language: str, bundle: str = "") -> str:
    """What the debtor writes on the transfer: the invoice number; for several, their ``bundle``'s RF
    reference in groups of four (the one the letter and its QR code carry), or else all the numbers
    when they fit."""
    if len(numbers) == 1:
        return numbers[0]
    if bundle:
        return iso11649.format(bundle)
    joined = " ".join(numbers)
    if len(joined) <= SEPA_REMITTANCE_MAX:
        return joined
    word = "facturen" if message_language(language) == "nl" else "invoices"
    return f"{numbers[0]} - {numbers[-1]} ({len(numbers)} {word})"[:SEPA_REMITTANCE_MAX]


def contact_details(organization: Organization, language: str) -> str:
    """ "debiteuren@alpha.nl of 020 123 4567": how the debtor reaches the creditor, for "contact via ..."."""
    word = " of " if message_language(language) == "nl" else " or "
    return word.join(value for value in (organization.email, organization.phone) if value)


def fourteen_day_letter_costs(invoices: Sequence[InvoiceFacts], on: dt.date) -> Decimal:
    """Collection costs stated in a 14-day letter: the WIK scale over the SUM of what is open on every
    invoice in it (art. 6:96 lid 7 BW), never per invoice. A part-payment lowers the principal."""
    return collection_costs_for_consumer_letter([invoice.open_amount for invoice in invoices], on=on)


def logo_url(organization: Organization, *, absolute: bool = True) -> str:
    """E-mail clients need an absolute address; the editor's preview shows it from our own origin."""
    if not organization.logo:
        return ""
    url = organization.logo.url
    return f"{settings.SITE_URL}{url}" if absolute and url.startswith("/") else url


def organization_values(organization: Organization, *, absolute_logo: bool = True) -> dict[str, Any]:
    address_lines = list(organization.address_lines)
    return {
        "name": organization.name,
        "legal_name": organization.display_legal_name,
        "address_lines": address_lines,
        "address": ", ".join(address_lines),
        "iban": iban_display(organization.iban),
        "vat_id": organization.vat_id,
        "kvk_number": organization.kvk_number,
        "email": organization.email,
        "phone": organization.phone,
        "logo_url": logo_url(organization, absolute=absolute_logo),
    }


def debtor_values(debtor: DebtorFacts, tone: str, language: str) -> dict[str, Any]:
    person = debtor.contact_person or ("" if debtor.is_business else debtor.name)
    return {
        "name": debtor.name,
        "contact_person": debtor.contact_person,
        "first_name": first_name(person) if person else "",
        "salutation": salutation(debtor, tone, language),
        "is_business": debtor.is_business,
        "address_lines": list(debtor.address_lines),
        "address": ", ".join(debtor.address_lines),
    }


def invoice_values(invoice: InvoiceFacts, today: dt.date, language: str) -> dict[str, Any]:
    days_overdue = max(0, (today - invoice.due_date).days)
    return {
        "number": invoice.number,
        "issue_date": long_date(invoice.issue_date, language),
        "due_date": long_date(invoice.due_date, language),
        "days_overdue": days_overdue,
        "is_overdue": days_overdue > 0,
        "days_until_due": max(0, (invoice.due_date - today).days),
        "amount": format_money(invoice.amount, invoice.currency, language),
        "open_amount": format_money(invoice.open_amount, invoice.currency, language),
        "is_partly_paid": to_money(invoice.open_amount) < to_money(invoice.amount),
    }


def message_context(facts: MessageFacts) -> dict[str, Any]:
    """The plain values for one message. 14-day letters also get the costs and the term wording; the
    channel-specific wording (``term_wording``) is set per part by the renderer."""
    language = message_language(facts.language)
    invoices = sorted(facts.invoices, key=lambda invoice: (invoice.due_date, invoice.number))
    currency = invoices[0].currency if invoices else "EUR"
    total = sum((to_money(invoice.open_amount) for invoice in invoices), Decimal("0.00"))
    also_open = sorted(facts.also_open, key=lambda invoice: (invoice.due_date, invoice.number))
    also_open_total = sum((to_money(invoice.open_amount) for invoice in also_open), Decimal("0.00"))
    context: dict[str, Any] = {
        "organization": organization_values(facts.organization),
        "debtor": debtor_values(facts.debtor, facts.tone, language),
        "invoices": [invoice_values(invoice, facts.today, language) for invoice in invoices],
        "invoice_count": len(invoices),
        "overdue": any(invoice.due_date < facts.today for invoice in invoices),
        "total_open": format_money(total, currency, language),
        "payment_reference": payment_reference(
            [invoice.number for invoice in invoices], language, facts.bundle_reference
        ),
        "portal_url": facts.portal_url,
        "today": long_date(facts.today, language),
        "payment_term_days": facts.payment_term_days,
        "payment_deadline": long_date(facts.today + dt.timedelta(days=facts.payment_term_days), language),
        "contact_details": contact_details(facts.organization, language),
        "collection_costs": "",
        "total_with_costs": "",
        "term_wording": "",
        "invoice_table": "",
        "also_open": [invoice_values(invoice, facts.today, language) for invoice in also_open],
        "also_open_count": len(also_open),
        "also_open_total": format_money(also_open_total, currency, language) if also_open else "",
        "had_earlier_messages": facts.earlier_messages > 0,
        "earlier_message_count": facts.earlier_messages,
        "last_message_date": long_date(facts.last_message_date, language) if facts.last_message_date else "",
    }
    if (costs := facts.collection_costs) is not None:
        context["collection_costs"] = format_money(costs, currency, language)
        context["total_with_costs"] = format_money(total + costs, currency, language)
        context["term_wording"] = TERM_WORDING[(language, "letter")]
    return context


# The one list of placeholders: shown beside the editor. (name, description, example)
PLACEHOLDERS: tuple[tuple[str, Any, str], ...] = (
    ("debtor.salutation", _("Opening words, without the comma; depends on the tone"), "Beste Jan"),
    ("debtor.name", _("Name of the debtor (company or person)"), "Voorbeeld Installatietechniek B.V."),
    ("debtor.contact_person", _("Contact person, may be empty"), "Jan de Vries"),
    ("debtor.first_name", _("First name of the contact person (or the consumer)"), "Jan"),
    ("debtor.address", _("Postal address on one line"), "Stationsstraat 12, 3511 AB Utrecht"),
    ("invoice_table", _("Table of the invoices with their dates and open amounts, and the total"), "…"),
    ("invoices", _("The invoices, for {% for invoice in invoices %}…{% endfor %}"), "…"),
    ("invoice.number", _("Invoice number (inside the loop)"), "2026-0142"),
    ("invoice.issue_date", _("Invoice date (inside the loop)"), "12 oktober 2026"),
    ("invoice.due_date", _("Due date (inside the loop)"), "11 november 2026"),
    ("invoice.days_overdue", _("Days past the due date (inside the loop)"), "15"),
    ("invoice.amount", _("Invoice amount (inside the loop)"), "€ 150,00"),
    ("invoice.open_amount", _("Amount still open (inside the loop)"), "€ 150,00"),
    ("invoice_count", _("Number of invoices in the message"), "2"),
    ("overdue", _("True when an invoice is past its due date (for {% if overdue %})"), "True"),
    ("total_open", _("Total still open"), "€ 350,00"),
    (
        "had_earlier_messages",
        _("True when this debtor already had a message about these invoices (for {% if had_earlier_messages %})"),
        "True",
    ),
    ("earlier_message_count", _("How many earlier messages about these invoices were sent"), "2"),
    ("last_message_date", _("When the last of them was sent; empty when there was none"), "19 november 2026"),
    (
        "also_open",
        _("Other overdue invoices not yet at this step; the invoice table lists them apart"),
        "…",
    ),
    ("also_open_total", _("Total of those other invoices; empty when there are none"), "€ 75,00"),
    (
        "payment_reference",
        _("What to state with the payment: the invoice number, or for several invoices their RF reference"),
        "RF55 B202 6014 2202 6015 7",
    ),
    ("portal_url", _("Link to view and pay online; may be empty, use {% if portal_url %}"), ""),
    ("today", _("Date of the message"), "26 november 2026"),
    (
        "contact_details",
        _('Your e-mail address and phone number, for "contact us via ..."'),
        "debiteuren@alpha.nl of 020 123 4567",
    ),
    ("payment_term_days", _("Payment term in a notice of default, in days"), "14"),
    ("payment_deadline", _("Today plus that payment term"), "10 december 2026"),
    ("collection_costs", _("14-day letter: the exact collection costs charged if not paid in time"), "€ 52,50"),
    ("total_with_costs", _("14-day letter: total open plus those costs"), "€ 402,50"),
    ("term_wording", _("14-day letter: the legally required wording of the 14-day term"), ACCEPTED_TERM_WORDING_NL),
    ("organization.name", _("Your company name"), "Alpha Groothandel"),
    ("organization.legal_name", _("Your legal name"), "Alpha Groothandel B.V."),
    ("organization.address", _("Your address on one line"), "Keizersgracht 1, 1015 CJ Amsterdam"),
    ("organization.iban", _("Your IBAN"), "NL91 ABNA 0417 1643 00"),
    ("organization.email", _("Your contact e-mail address"), "debiteuren@alpha.nl"),
    ("organization.phone", _("Your phone number"), "020 123 4567"),
    ("organization.kvk_number", _("Your KvK number"), "12345678"),
    ("organization.vat_id", _("Your VAT id"), "NL000099998B57"),
)


def sample_facts(*, organization: Organization, kind: str, tone: str, language: str, today: dt.date) -> MessageFacts:
    """Realistic made-up data for the editor's preview: never a real debtor of the organization.

    A consumer for the 14-day letter (it is only for consumers), a business otherwise; two invoices of
    € 150 and € 200, so the 14-day letter shows the costs on the sum (€ 52,50, not twice € 40).
    """
    consumer = kind == StepKind.FOURTEEN_DAY_LETTER
    debtor = (
        DebtorFacts(name="Sanne Jansen", is_business=False, address_lines=("Lindelaan 8", "3581 KL Utrecht"))
        if consumer
        else DebtorFacts(
            name="Voorbeeld Installatietechniek B.V.",
            contact_person="Jan de Vries",
            address_lines=("Stationsstraat 12", "3511 AB Utrecht"),
        )
    )
    due = today - dt.timedelta(days=15)
    invoices = (
        InvoiceFacts("2026-0142", due - dt.timedelta(days=30), due, Decimal("150.00"), Decimal("150.00")),
        InvoiceFacts(
            "2026-0157", due - dt.timedelta(days=23), due + dt.timedelta(days=7), Decimal("200.00"), Decimal("200.00")
        ),
    )
    first = kind == StepKind.REMINDER
    return MessageFacts(
        organization=organization,
        debtor=debtor,
        invoices=invoices,
        kind=kind,
        tone=tone,
        language=language,
        today=today,
        earlier_messages=0 if first else 2,
        last_message_date=None if first else today - dt.timedelta(days=7),
    )


# The save check's second sample: a debtor as large as real data gets (see worst_case_facts).
WORST_CASE_INVOICES = 500
WORST_CASE_ALSO_OPEN = 100
_LONG_NAME = 200  # Debtor.name, Debtor.contact_person and Debtor.street are CharField(max_length=200)
_LONG_NUMBER = 64  # Invoice.number


def _long(text: str, length: int) -> str:
    return (text + " ") * (length // (len(text) + 1)) + text[: length % (len(text) + 1)]


def worst_case_facts(
    *, organization: Organization, kind: str, tone: str, language: str, today: dt.date
) -> MessageFacts:
    """The sample at its largest: hundreds of invoices, names and numbers as long as the fields allow.

    A template that behaves with two invoices can still explode on a real debtor (a loop over the
    invoices inside a loop over the name's letters); the editor renders this too, under the same
    limits as a real send, and refuses the text when it goes over one.
    """
    sample = sample_facts(organization=organization, kind=kind, tone=tone, language=language, today=today)
    due = today - dt.timedelta(days=15)

    def invoice(index: int) -> InvoiceFacts:
        number = f"{index:06d}-" + "9" * (_LONG_NUMBER - 7)
        issue = due - dt.timedelta(days=30 + index % 200)
        return InvoiceFacts(
            number, issue, due - dt.timedelta(days=index % 200), Decimal("99999.99"), Decimal("12345.67")
        )

    debtor = DebtorFacts(
        name=_long(sample.debtor.name, _LONG_NAME),
        contact_person=_long("Jan de Vries", _LONG_NAME) if sample.debtor.is_business else "",
        is_business=sample.debtor.is_business,
        address_lines=(_long("Stationsstraat 12", _LONG_NAME), "3511 AB " + _long("Utrecht", 100)),
    )
    return MessageFacts(
        organization=organization,
        debtor=debtor,
        invoices=tuple(invoice(index) for index in range(WORST_CASE_INVOICES)),
        kind=kind,
        tone=tone,
        language=language,
        today=today,
        also_open=tuple(invoice(WORST_CASE_INVOICES + index) for index in range(WORST_CASE_ALSO_OPEN)),
        earlier_messages=sample.earlier_messages,
        last_message_date=sample.last_message_date,
    )
