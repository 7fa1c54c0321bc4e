"""Importing UBL files: invoices through the one intake path, credit notes onto the invoices they correct.

What an upload may do, decided here:

* **All or nothing for unreadable input.** A file that is not safe, well-formed UBL (malformed XML,
  a DOCTYPE, another document type, a zip bomb, a missing total) raises :class:`UblError` naming the
  file, before anything is written: one bad file means the upload is not what the creditor thinks it is.
* **Per file for business problems.** A readable document we cannot take (a credit note for an
  invoice we do not know, a due date before the invoice date, a negative total) is reported in
  ``errors`` with its file name; nothing of that file changes and the rest of the upload commits.
* Everything that is written, is written in one transaction.

Mapping: the invoice amount is the tax-inclusive total (plus the payable rounding amount, usually
zero); the open amount is what is payable (a prepaid part is already paid) minus what was recorded
here since (payments, credit notes), so importing the same file twice changes nothing. The invoice
number is the key (UBL has no separate id). The buyer becomes the debtor, matched on name like every
other source; a buyer with a VAT id or a company registration is a business, otherwise a consumer.
A credit note is recorded as a payment with source ``credit`` on the invoice it names
(:func:`invoices.services.credit_note_apply`); covering all that was open makes the invoice credited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from invoices import selectors
from invoices.models import Debtor, DebtorKind, Invoice, Payment, PaymentSource
from invoices.services import DebtorData, InvoiceData, credit_note_apply, invoices_upsert_many
from invoices.services.upsert import invoice_data_errors
from invoices.ubl.files import upload_documents
from invoices.ubl.parsing import UblDocument, UblParty, ubl_parse
from outstanding.identifiers import clean_kvk, clean_vat_id
from outstanding.models import Organization
from outstanding.money import format_money

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")


@dataclass
class UblImportResult:
    """Counts per document: invoices created/updated/unchanged, credit notes applied (``credited``).

    A credit note that was applied before counts as ``unchanged``. ``errors`` and ``warnings`` are
    (file name, reason) pairs in words for the creditor; ``files`` is the number of documents read.
    """

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    credited: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    files: int = 0


def ubl_import(*, organization: Organization, data: bytes, filename: str) -> UblImportResult:
    """Import one UBL XML file or a zip of them into ``organization``. Raises UblError, changing nothing."""
    contents, skipped = upload_documents(data, filename)
    documents = [ubl_parse(content, filename=name) for name, content in contents]  # all read before any write
    result = UblImportResult(files=len(documents), warnings=list(skipped))
    for document in documents:
        result.warnings.extend(_seller_warnings(organization, document))
    with transaction.atomic():
        _import_invoices(organization, [document for document in documents if not document.is_credit_note], result)
        for document in documents:
            if document.is_credit_note:
                _import_credit_note(organization, document, result)
    logger.info(
        "ubl.imported",
        extra={  # "created" is a LogRecord attribute: the counts get their own names
            "organization": organization.pk, "files": result.files, "invoices_created": result.created,
            "invoices_updated": result.updated, "unchanged": result.unchanged, "credit_notes": result.credited,
            "errors": len(result.errors),
        },
    )  # fmt: skip
    return result


def _money(amount: Decimal, currency: str) -> str:
    return format_money(amount, currency, get_language() or "nl")


def _compact(value: str) -> str:
    return "".join(value.split()).replace(".", "").upper()


def _seller_warnings(organization: Organization, document: UblDocument) -> list[tuple[str, str]]:
    """A file whose seller is someone else was probably received, not sent: say so, import anyway."""
    seller, warnings = document.seller, []
    if organization.vat_id and seller.vat_id and _compact(seller.vat_id) != _compact(organization.vat_id):
        message = _("The seller's VAT id %(theirs)s is not your organization's (%(ours)s); did you send this?")
        warnings.append((document.filename, message % {"theirs": seller.vat_id, "ours": organization.vat_id}))
    if organization.kvk_number and seller.kvk_number and _compact(seller.kvk_number) != organization.kvk_number:
        message = _("The seller's KvK number %(theirs)s is not your organization's (%(ours)s).")
        warnings.append((document.filename, message % {"theirs": seller.kvk_number, "ours": organization.kvk_number}))
    return warnings


# Invoices ------------------------------------------------------------------------------------------


def _import_invoices(organization: Organization, documents: list[UblDocument], result: UblImportResult) -> None:
    paid_here = _paid_here(organization, [document.number for document in documents])
    rows: list[InvoiceData] = []
    seen: dict[str, str] = {}  # invoice number -> the file it came from
    for document in documents:
        row = _invoice_data(document, result)
        errors = invoice_data_errors(row)
        if errors:
            result.errors.append((document.filename, " ".join(reason for _field, reason in errors)))
            continue
        if row.number in seen:
            message = _("Invoice %(number)s is also in %(other)s; the last file counts.")
            result.warnings.append((document.filename, message % {"number": row.number, "other": seen[row.number]}))
        seen[row.number] = document.filename
        row.open_amount = max(ZERO, row.open_amount - paid_here.get(row.number, ZERO))  # type: ignore[operator]
        rows.append(row)
    if rows:
        upserted = invoices_upsert_many(organization=organization, rows=rows)
        result.created += upserted.created
        result.updated += upserted.updated
        result.unchanged += upserted.unchanged


def _paid_here(organization: Organization, numbers: list[str]) -> dict[str, Decimal]:
    """Payments and credit notes recorded here per invoice number: the document does not know them."""
    if not numbers:
        return {}
    rows = (
        Payment.objects.for_organization(organization)
        .filter(invoice__number__in=numbers)
        .values("invoice__number")
        .annotate(total=Sum("amount"))
    )
    return {row["invoice__number"]: row["total"] for row in rows}


def _invoice_data(document: UblDocument, result: UblImportResult) -> InvoiceData:
    warn = result.warnings.append
    due_date = document.due_date
    if due_date is None:
        due_date = document.issue_date
        warn((document.filename, _("The invoice states no due date; its invoice date is used as due date.")))
    amount = document.tax_inclusive_amount + document.rounding_amount
    if document.payable_amount != amount - document.prepaid_amount:
        message = _("The amount due (%(payable)s) is not the total minus the prepaid amount; the amount due is used.")
        warn((document.filename, message % {"payable": _money(document.payable_amount, document.currency)}))
    return InvoiceData(
        number=document.number,
        debtor=_debtor_data(document, result),
        issue_date=document.issue_date,
        due_date=due_date,
        amount=amount,
        vat_amount=document.vat_amount,
        open_amount=document.payable_amount,
        currency=document.currency,
    )


def _field_max(name: str) -> int:
    return int(Debtor._meta.get_field(name).max_length or 0)  # type: ignore[union-attr]


def _debtor_data(document: UblDocument, result: UblImportResult) -> DebtorData:
    buyer = document.buyer
    return DebtorData(
        name=buyer.name[: _field_max("name")],
        kind=DebtorKind.BUSINESS if buyer.is_business else DebtorKind.CONSUMER,
        contact_person=buyer.contact_name[: _field_max("contact_person")],
        emails=_emails(buyer, document.filename, result),
        phones=[buyer.phone] if buyer.phone and len(buyer.phone) <= 30 else [],
        street=buyer.street[: _field_max("street")],
        postal_code=buyer.postal_code[: _field_max("postal_code")],
        city=buyer.city[: _field_max("city")],
        country=buyer.country if len(buyer.country) == 2 and buyer.country.isalpha() else "",
        kvk_number=_identifier(clean_kvk, buyer.kvk_number, _("KvK number"), document.filename, result),
        vat_id=_identifier(clean_vat_id, buyer.vat_id, _("VAT id"), document.filename, result)[: _field_max("vat_id")],
    )


def _emails(buyer: UblParty, filename: str, result: UblImportResult) -> list[str]:
    if not buyer.email:
        return []
    try:
        validate_email(buyer.email)
    except ValidationError:
        message = _("The buyer's e-mail address %(email)s is not valid and was left out.")
        result.warnings.append((filename, message % {"email": buyer.email}))
        return []
    return [buyer.email]


def _identifier(clean: Callable[[str], str], value: str, label: str, filename: str, result: UblImportResult) -> str:
    """A cleaned KvK number or VAT id; an invalid one is left out with a warning rather than refused."""
    if not value:
        return ""
    try:
        return clean(value)
    except ValidationError:
        message = _("The buyer's %(label)s %(value)s is not valid and was left out.")
        result.warnings.append((filename, message % {"label": label, "value": value}))
        return ""


# Credit notes --------------------------------------------------------------------------------------


def _import_credit_note(organization: Organization, document: UblDocument, result: UblImportResult) -> None:
    problem = _credit_note_problem(organization, document)
    if problem:
        result.errors.append((document.filename, problem))
        return
    try:
        with transaction.atomic():  # a savepoint: a credit note spread over invoices goes in whole or not
            created = _credit_note_spread(organization, document, result)
    except ValidationError as exc:
        result.errors.append((document.filename, " ".join(exc.messages)))
        return
    if created:
        result.credited += 1
    else:
        result.unchanged += 1


def _references(document: UblDocument) -> list[str]:
    return list(dict.fromkeys(document.invoice_references))  # each invoice once, in document order


def _credit_note_problem(organization: Organization, document: UblDocument) -> str:
    """Why this credit note cannot be applied, or "" when it can."""
    references = _references(document)
    if not references:
        return _("Credit note %(number)s does not say which invoice it corrects.") % {"number": document.number}
    if document.payable_amount <= 0:
        return _("Credit note %(number)s credits nothing (its amount is zero or negative).") % {
            "number": document.number
        }
    invoices = _invoices_by_number(organization, references)
    unknown = [number for number in references if number not in invoices]
    if unknown:
        message = _("Credit note %(number)s corrects invoice %(invoice)s, which is not known here; import it first.")
        return message % {"number": document.number, "invoice": ", ".join(unknown)}
    foreign = [number for number in references if invoices[number].currency != document.currency]
    if foreign:
        message = _("Credit note %(number)s is in %(currency)s but invoice %(invoice)s is not.")
        return message % {"number": document.number, "currency": document.currency, "invoice": ", ".join(foreign)}
    return ""


def _invoices_by_number(organization: Organization, numbers: list[str]) -> dict[str, Invoice]:
    invoices = Invoice.objects.for_organization(organization).filter(number__in=numbers)
    return {invoice.number: invoice for invoice in invoices}


def _credit_note_spread(organization: Organization, document: UblDocument, result: UblImportResult) -> bool:
    """Apply the credit to the invoices in document order, each up to what is open, the rest on the last.

    Each part has its own reference (the credit note number; ``number#2``, ``#3`` for further
    invoices) so every part is idempotent on its own. Returns whether anything new was recorded.
    """
    references = _references(document)
    invoices = _invoices_by_number(organization, references)
    remaining, created_any = document.payable_amount, False
    for index, number in enumerate(references):
        invoice, last = invoices[number], index == len(references) - 1
        reference = document.number if index == 0 else f"{document.number}#{index + 1}"
        existing = selectors.payment_by_reference(
            organization=organization, source=PaymentSource.CREDIT_NOTE, reference=reference
        )
        part = existing.amount if existing else remaining if last else min(remaining, invoice.open_amount)
        if part <= 0:
            continue
        if last and existing is None and part > invoice.open_amount:
            message = _("Credit note %(number)s credits %(surplus)s more than invoice %(invoice)s had open.")
            surplus = _money(part - invoice.open_amount, document.currency)
            result.warnings.append((document.filename, message % {"number": document.number, "surplus": surplus,
                                                                   "invoice": number}))  # fmt: skip
        _payment, created = credit_note_apply(
            organization=organization, invoice=invoice, number=document.number, amount=part,
            date=document.issue_date, reference=reference,
        )  # fmt: skip
        remaining -= part
        created_any = created_any or created
    return created_any
