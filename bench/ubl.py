"""UBL intake speed: 1,000 generated SI-UBL invoices as one zip and as 1,000 single uploads.

Each scenario runs in its own throwaway organization (deleted afterwards), so the figures are for
creating invoices, except "again" which re-imports the zip unchanged (the idempotent path).
Peak memory is measured in a separate run under tracemalloc, which slows Python down.
"""

from __future__ import annotations

import datetime as dt
import io
import time
import tracemalloc
import uuid
import zipfile
from decimal import Decimal

from stdnum.nl import btw

from invoices.models import Invoice
from invoices.ubl import ubl_import
from outstanding.models import Organization

FILES = 1000
DEBTORS = 250
ISSUED = dt.date(2026, 10, 1)


def _vat_id(seed: int) -> str:
    """A valid Dutch VAT id near ``seed`` (the RSIN 11-test leaves about one number in eleven valid)."""
    number = 100000000 + seed * 97
    while not btw.is_valid(f"NL{number:09d}B01"):
        number += 1
    return f"NL{number:09d}B01"


def _buyer(index: int) -> str:
    name = f"Klant {index:04d} B.V." if index % 4 else f"J. Consument {index:04d}"
    identifiers = (
        f"<cac:PartyTaxScheme><cbc:CompanyID>{_vat_id(index)}</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID>"
        f"</cac:TaxScheme></cac:PartyTaxScheme><cac:PartyLegalEntity><cbc:RegistrationName>{name}"
        f'</cbc:RegistrationName><cbc:CompanyID schemeID="0106">{40000000 + index}</cbc:CompanyID>'
        f"</cac:PartyLegalEntity>"
        if index % 4
        else ""
    )
    return (
        f"<cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>{name}</cbc:Name></cac:PartyName>"
        f"<cac:PostalAddress><cbc:StreetName>Stationsweg {index}</cbc:StreetName><cbc:CityName>Utrecht</cbc:CityName>"
        f"<cbc:PostalZone>3511 AA</cbc:PostalZone><cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode>"
        f"</cac:Country></cac:PostalAddress>{identifiers}<cac:Contact><cbc:Name>Administratie</cbc:Name>"
        f"<cbc:ElectronicMail>factuur{index}@klant.test</cbc:ElectronicMail></cac:Contact></cac:Party>"
        f"</cac:AccountingCustomerParty>"
    )


def invoice_file(number: int, buyers: list[str]) -> bytes:
    net = Decimal(100 + number % 900) + Decimal(number % 100) / 100
    vat = (net * Decimal("0.21")).quantize(Decimal("0.01"))
    due = ISSUED + dt.timedelta(days=14 + number % 30)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0</cbc:CustomizationID>
 <cbc:ID>B-{number:05d}</cbc:ID><cbc:IssueDate>{ISSUED}</cbc:IssueDate><cbc:DueDate>{due}</cbc:DueDate>
 <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity>
 <cbc:RegistrationName>Bench B.V.</cbc:RegistrationName><cbc:CompanyID schemeID="0106">12345678</cbc:CompanyID>
 </cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
 {buyers[number % len(buyers)]}
 <cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode><cac:PayeeFinancialAccount>
 <cbc:ID>NL91ABNA0417164300</cbc:ID></cac:PayeeFinancialAccount></cac:PaymentMeans>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">{vat}</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:LineExtensionAmount currencyID="EUR">{net}</cbc:LineExtensionAmount>
 <cbc:TaxExclusiveAmount currencyID="EUR">{net}</cbc:TaxExclusiveAmount>
 <cbc:TaxInclusiveAmount currencyID="EUR">{net + vat}</cbc:TaxInclusiveAmount>
 <cbc:PayableAmount currencyID="EUR">{net + vat}</cbc:PayableAmount></cac:LegalMonetaryTotal>
 <cac:InvoiceLine><cbc:ID>1</cbc:ID><cbc:InvoicedQuantity unitCode="C62">1</cbc:InvoicedQuantity>
 <cbc:LineExtensionAmount currencyID="EUR">{net}</cbc:LineExtensionAmount><cac:Item><cbc:Name>Levering</cbc:Name>
 <cac:ClassifiedTaxCategory><cbc:ID>S</cbc:ID><cbc:Percent>21</cbc:Percent><cac:TaxScheme><cbc:ID>VAT</cbc:ID>
 </cac:TaxScheme></cac:ClassifiedTaxCategory></cac:Item><cac:Price><cbc:PriceAmount currencyID="EUR">{net}
 </cbc:PriceAmount></cac:Price></cac:InvoiceLine>
</Invoice>""".encode()


def _files() -> list[tuple[str, bytes]]:
    buyers = [_buyer(index) for index in range(DEBTORS)]
    return [(f"B-{number:05d}.xml", invoice_file(number, buyers)) for number in range(FILES)]


def _zip(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()


def _organization() -> Organization:
    return Organization.objects.create(name=f"Bench UBL {uuid.uuid4().hex[:8]}", kvk_number="12345678")


def _rate(seconds: float) -> str:
    return f"{seconds:.2f} s, {FILES / seconds:,.0f} files/s"


def run() -> list[str]:
    files = _files()
    upload = _zip(files)
    lines = [f"{FILES} invoices, {DEBTORS} debtors; zip {len(upload) / 1024:,.0f} KB"]
    organizations = [_organization() for _ in range(3)]
    try:
        started = time.perf_counter()
        result = ubl_import(organization=organizations[0], data=upload, filename="bench.zip")
        lines.append(f"one zip: {_rate(time.perf_counter() - started)} (created {result.created})")
        started = time.perf_counter()
        again = ubl_import(organization=organizations[0], data=upload, filename="bench.zip")
        lines.append(f"same zip again: {_rate(time.perf_counter() - started)} (unchanged {again.unchanged})")
        started = time.perf_counter()
        created = sum(
            ubl_import(organization=organizations[1], data=content, filename=name).created for name, content in files
        )
        lines.append(f"{FILES} single files: {_rate(time.perf_counter() - started)} (created {created})")
        tracemalloc.start()
        ubl_import(organization=organizations[2], data=upload, filename="bench.zip")
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        lines.append(f"peak Python memory for the zip import: {peak / 1024 / 1024:.1f} MB (tracemalloc)")
    finally:
        for organization in organizations:
            _delete(organization)
    return lines


def _delete(organization: Organization) -> None:
    # Invoices protect their debtors: remove them first, then the organization takes the rest.
    Invoice.objects.for_organization(organization).delete()
    organization.delete()
