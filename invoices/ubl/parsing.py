"""Reading one UBL Invoice or CreditNote: Peppol BIS Billing 3.0 and SI-UBL 2.0 (NLCIUS).

Both are CIUSes of EN 16931 on UBL 2.1 and share the elements we need; the customization id tells
them apart. The XML is parsed with defusedxml and any DTD is refused outright: a UBL invoice never
has one, and a DOCTYPE is how XXE (reading /etc/passwd, reaching the network) and entity expansion
(billion laughs) get in. No network access, no entity resolution, no huge trees.

Only what collection needs is read: the totals as the document states them (we never re-add lines),
the dates, the buyer as a debtor, the seller's identifiers (to warn about a file meant for someone
else) and, for a credit note, the invoice(s) it corrects.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.utils.translation import gettext as _

from invoices.ubl.errors import UblError
from invoices.ubl.files import MAX_XML_BYTES

UBL_PREFIX = "urn:oasis:names:specification:ubl:schema:xsd:"
INVOICE_NAMESPACE = UBL_PREFIX + "Invoice-2"
CREDIT_NOTE_NAMESPACE = UBL_PREFIX + "CreditNote-2"
NS = {"cac": UBL_PREFIX + "CommonAggregateComponents-2", "cbc": UBL_PREFIX + "CommonBasicComponents-2"}

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"
PEPPOL_BIS_3 = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
SI_UBL_2 = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
KVK_SCHEME = "0106"  # ISO 6523 ICD of the Dutch Chamber of Commerce (KvK) number

# xsd:decimal (no exponent, no NaN) and xsd:date with an optional time zone.
DECIMAL_PATTERN = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
DATE_PATTERN = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$")
MAX_AMOUNT = Decimal("999999999999.99")  # what a 14-digit, 2-place column holds


@dataclass(frozen=True)
class UblParty:
    """A buyer or seller as the document describes it; empty strings for what it leaves out."""

    name: str = ""
    endpoint_id: str = ""
    endpoint_scheme: str = ""
    kvk_number: str = ""
    company_id: str = ""  # legal registration id in any scheme (KvK, OIN, a foreign register)
    vat_id: str = ""
    contact_name: str = ""
    email: str = ""
    phone: str = ""
    street: str = ""
    postal_code: str = ""
    city: str = ""
    country: str = ""

    @property
    def is_business(self) -> bool:
        """A VAT id, a company registration or an e-invoicing address (other than an e-mail address).

        Peppol addresses belong to organizations; a consumer, if addressed at all, has scheme EM.
        """
        registered_endpoint = bool(self.endpoint_id) and self.endpoint_scheme.upper() not in ("", "EM")
        return bool(self.vat_id or self.kvk_number or self.company_id or registered_endpoint)


@dataclass(frozen=True)
class UblDocument:
    document_type: str  # INVOICE or CREDIT_NOTE
    number: str
    issue_date: dt.date
    due_date: dt.date | None
    currency: str
    tax_inclusive_amount: Decimal
    vat_amount: Decimal
    prepaid_amount: Decimal
    payable_amount: Decimal
    buyer: UblParty
    seller: UblParty
    customization_id: str = ""
    invoice_references: tuple[str, ...] = ()  # credit notes: the numbers of the invoices corrected
    rounding_amount: Decimal = Decimal("0.00")
    filename: str = ""

    @property
    def is_credit_note(self) -> bool:
        return self.document_type == CREDIT_NOTE

    @property
    def profile(self) -> str:
        """The CIUS: ``peppol_bis_3``, ``si_ubl_2``, or "" for another (or an older) customization."""
        if self.customization_id.startswith(PEPPOL_BIS_3):
            return "peppol_bis_3"
        if self.customization_id.startswith(SI_UBL_2):
            return "si_ubl_2"
        return ""


def ubl_parse(data: bytes, *, filename: str = "") -> UblDocument:
    """One UBL Invoice or CreditNote from ``data``; :class:`UblError` for anything else."""
    root = _xml_root(data, filename)
    document_type = _document_type(root, filename)
    currency = _required(root, "cbc:DocumentCurrencyCode", _("currency"), filename).upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise _error(filename, _("The currency %(code)s is not a three-letter code.") % {"code": currency})
    totals = root.find("cac:LegalMonetaryTotal", NS)
    if totals is None:
        raise _error(filename, _("The document has no totals (cac:LegalMonetaryTotal)."))
    return UblDocument(
        document_type=document_type,
        number=_required(root, "cbc:ID", _("number"), filename),
        issue_date=_date(_required(root, "cbc:IssueDate", _("issue date"), filename), filename),
        due_date=_due_date(root, filename),
        currency=currency,
        tax_inclusive_amount=_amount(_required(totals, "cbc:TaxInclusiveAmount", _("total"), filename), filename),
        vat_amount=_vat_amount(root, currency, filename),
        prepaid_amount=_optional_amount(totals, "cbc:PrepaidAmount", filename),
        payable_amount=_amount(_required(totals, "cbc:PayableAmount", _("amount due"), filename), filename),
        rounding_amount=_optional_amount(totals, "cbc:PayableRoundingAmount", filename),
        buyer=_party(root.find("cac:AccountingCustomerParty/cac:Party", NS)),
        seller=_party(root.find("cac:AccountingSupplierParty/cac:Party", NS)),
        customization_id=_text(root, "cbc:CustomizationID"),
        invoice_references=tuple(
            reference
            for element in root.findall("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", NS)
            if (reference := _clean(element.text))
        ),
        filename=filename,
    )


def _error(filename: str, reason: str) -> UblError:
    return UblError(f"{filename}: {reason}" if filename else reason)


def _xml_root(data: bytes, filename: str) -> Element:
    if len(data) > MAX_XML_BYTES:
        raise _error(filename, _("The file is larger than %(size)s MB; one invoice is never that big.") % {"size": 10})
    try:
        # No DTD at all: that also rules out entities (billion laughs) and external references (XXE).
        return fromstring(data.lstrip(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        reason = _("The file contains a document type declaration (DOCTYPE); e-invoices never do, so it was refused.")
        raise _error(filename, reason) from None
    except ParseError as exc:
        line, column = exc.position
        raise _error(
            filename, _("This is not valid XML (line %(line)d, column %(column)d).") % {"line": line, "column": column}
        ) from None


def _document_type(root: Element, filename: str) -> str:
    namespace, _brace, local_name = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    if namespace == INVOICE_NAMESPACE and local_name == "Invoice":
        return INVOICE
    if namespace == CREDIT_NOTE_NAMESPACE and local_name == "CreditNote":
        return CREDIT_NOTE
    if namespace.startswith(UBL_PREFIX):
        reason = _("This is a UBL %(type)s, not an invoice or credit note.") % {"type": local_name}
    else:
        reason = _("This XML is not a UBL invoice or credit note (it starts with <%(tag)s>).") % {"tag": local_name}
    raise _error(filename, reason)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def _text(element: Element | None, path: str) -> str:
    if element is None:
        return ""
    found = element.find(path, NS)
    return _clean(found.text) if found is not None else ""


def _required(element: Element, path: str, label: str, filename: str) -> str:
    value = _text(element, path)
    if not value:
        raise _error(filename, _("The document has no %(label)s (%(path)s).") % {"label": label, "path": path})
    return value


def _date(value: str, filename: str) -> dt.date:
    match = DATE_PATTERN.match(value)
    try:
        if match is None:
            raise ValueError(value)
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise _error(filename, _("%(value)s is not a date (expected YYYY-MM-DD).") % {"value": value}) from None


def _due_date(root: Element, filename: str) -> dt.date | None:
    """cbc:DueDate; Peppol credit notes (and some invoices) put it in PaymentMeans/PaymentDueDate."""
    value = _text(root, "cbc:DueDate") or _text(root, "cac:PaymentMeans/cbc:PaymentDueDate")
    return _date(value, filename) if value else None


def _amount(value: str, filename: str) -> Decimal:
    if not DECIMAL_PATTERN.match(value):
        raise _error(filename, _("%(value)s is not an amount.") % {"value": value})
    try:
        amount = Decimal(value).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise _error(filename, _("%(value)s is not an amount.") % {"value": value}) from None
    if abs(amount) > MAX_AMOUNT:
        raise _error(filename, _("The amount %(value)s is too large.") % {"value": value})
    return amount


def _optional_amount(element: Element, path: str, filename: str) -> Decimal:
    value = _text(element, path)
    return _amount(value, filename) if value else Decimal("0.00")


def _vat_amount(root: Element, currency: str, filename: str) -> Decimal:
    """The VAT total in the document currency; a second TaxTotal may repeat it in the VAT currency."""
    for total in root.findall("cac:TaxTotal", NS):
        amount = total.find("cbc:TaxAmount", NS)
        if amount is not None and amount.get("currencyID", currency).strip().upper() == currency:
            return _amount(_clean(amount.text), filename)
    return Decimal("0.00")


def _party(party: Element | None) -> UblParty:
    if party is None:
        return UblParty()
    endpoint = party.find("cbc:EndpointID", NS)
    return UblParty(
        name=_text(party, "cac:PartyLegalEntity/cbc:RegistrationName") or _text(party, "cac:PartyName/cbc:Name"),
        endpoint_id=_clean(endpoint.text) if endpoint is not None else "",
        endpoint_scheme=_clean(endpoint.get("schemeID")) if endpoint is not None else "",
        kvk_number=_kvk_number(party),
        company_id=_text(party, "cac:PartyLegalEntity/cbc:CompanyID"),
        vat_id=_vat_id(party),
        contact_name=_text(party, "cac:Contact/cbc:Name"),
        email=_text(party, "cac:Contact/cbc:ElectronicMail"),
        phone=_text(party, "cac:Contact/cbc:Telephone"),
        street=_street(party.find("cac:PostalAddress", NS)),
        postal_code=_text(party, "cac:PostalAddress/cbc:PostalZone"),
        city=_text(party, "cac:PostalAddress/cbc:CityName"),
        country=_text(party, "cac:PostalAddress/cac:Country/cbc:IdentificationCode").upper(),
    )


def _kvk_number(party: Element) -> str:
    """The KvK number: the legal registration id with scheme 0106, else another id in that scheme."""
    for path in ("cac:PartyLegalEntity/cbc:CompanyID", "cac:PartyIdentification/cbc:ID", "cbc:EndpointID"):
        for element in party.findall(path, NS):
            if _clean(element.get("schemeID")) == KVK_SCHEME and (value := _clean(element.text)):
                return value
    return ""


def _vat_id(party: Element) -> str:
    """PartyTaxScheme/CompanyID under the VAT scheme (a seller may add a second, national tax id)."""
    for scheme in party.findall("cac:PartyTaxScheme", NS):
        if _text(scheme, "cac:TaxScheme/cbc:ID").upper() in ("VAT", "") and (value := _text(scheme, "cbc:CompanyID")):
            return value
    return ""


def _street(address: Element | None) -> str:
    """Street and number on one line; a second address line (a PO box, a building) after a comma."""
    street = " ".join(part for part in (_text(address, "cbc:StreetName"), _text(address, "cbc:BuildingNumber")) if part)
    return ", ".join(part for part in (street, _text(address, "cbc:AdditionalStreetName")) if part)
