"""UBL intake: reading Peppol BIS 3 and SI-UBL 2.0 documents, importing them, applying credit notes.

Hostile and broken input is in test_ubl_safety.py.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus, Payment, PaymentSource
from invoices.services import credit_note_apply, payment_record
from invoices.ubl import UblError, ubl_import, ubl_parse
from outstanding.models import Organization
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ubl"
PEPPOL_BASE = "peppol-base-example.xml"
PEPPOL_ALLOWANCES = "peppol-Allowance-example.xml"
PEPPOL_EXEMPT = "peppol-vat-category-E.xml"
PEPPOL_CREDIT_NOTE = "peppol-base-creditnote-correction.xml"
SI_UBL_INVOICE = "si-ubl-invoice.xml"
SI_UBL_CREDIT_NOTE = "si-ubl-creditnote.xml"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English, whatever translations are added later."""
    with translation.override("en"):
        yield


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def invoice_xml(
    number: str = "F-1001",
    *,
    buyer: str = "Bakkerij Jansen V.O.F.",
    buyer_ids: str = "<cac:PartyLegalEntity><cbc:RegistrationName>{buyer}</cbc:RegistrationName>"
    '<cbc:CompanyID schemeID="0106">11223344</cbc:CompanyID></cac:PartyLegalEntity>',
    issue: str = "2026-10-01",
    due: str | None = "2026-10-31",
    total: str = "121.00",
    vat: str = "21.00",
    prepaid: str = "0.00",
    payable: str | None = None,
    currency: str = "EUR",
    extra: str = "",
) -> bytes:
    """A small SI-UBL 2.0 invoice; ``buyer_ids`` is the buyer's legal entity (and tax scheme) block."""
    payable = payable or str(Decimal(total) - Decimal(prepaid))
    due_line = f"<cbc:DueDate>{due}</cbc:DueDate>" if due else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0</cbc:CustomizationID>
 <cbc:ID>{number}</cbc:ID><cbc:IssueDate>{issue}</cbc:IssueDate>{due_line}
 <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode><cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>
 <cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity><cbc:RegistrationName>Alpha Groothandel B.V.
 </cbc:RegistrationName><cbc:CompanyID schemeID="0106">12345678</cbc:CompanyID></cac:PartyLegalEntity>
 </cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>{buyer}</cbc:Name></cac:PartyName>
 <cac:PostalAddress><cbc:StreetName>Dorpsstraat</cbc:StreetName><cbc:BuildingNumber>4</cbc:BuildingNumber>
 <cbc:CityName>Epe</cbc:CityName><cbc:PostalZone>8161 AB</cbc:PostalZone>
 <cac:Country><cbc:IdentificationCode>NL</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
 {buyer_ids.format(buyer=buyer)}</cac:Party></cac:AccountingCustomerParty>{extra}
 <cac:TaxTotal><cbc:TaxAmount currencyID="{currency}">{vat}</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:TaxInclusiveAmount currencyID="{currency}">{total}</cbc:TaxInclusiveAmount>
 <cbc:PrepaidAmount currencyID="{currency}">{prepaid}</cbc:PrepaidAmount>
 <cbc:PayableAmount currencyID="{currency}">{payable}</cbc:PayableAmount></cac:LegalMonetaryTotal>
</Invoice>""".encode()


def credit_note_xml(number: str, *invoices: str, total: str = "121.00", currency: str = "EUR") -> bytes:
    references = "".join(
        f"<cac:BillingReference><cac:InvoiceDocumentReference><cbc:ID>{invoice}</cbc:ID>"
        "</cac:InvoiceDocumentReference></cac:BillingReference>"
        for invoice in invoices
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0</cbc:CustomizationID>
 <cbc:ID>{number}</cbc:ID><cbc:IssueDate>2026-10-20</cbc:IssueDate><cbc:CreditNoteTypeCode>381</cbc:CreditNoteTypeCode>
 <cbc:DocumentCurrencyCode>{currency}</cbc:DocumentCurrencyCode>{references}
 <cac:AccountingCustomerParty><cac:Party><cac:PartyName><cbc:Name>Bakkerij Jansen V.O.F.</cbc:Name></cac:PartyName>
 </cac:Party></cac:AccountingCustomerParty>
 <cac:LegalMonetaryTotal><cbc:TaxInclusiveAmount currencyID="{currency}">{total}</cbc:TaxInclusiveAmount>
 <cbc:PayableAmount currencyID="{currency}">{total}</cbc:PayableAmount></cac:LegalMonetaryTotal>
</CreditNote>""".encode()


def invoice(organization: Organization, number: str) -> Invoice:
    return Invoice.objects.for_organization(organization).select_related("debtor").get(number=number)


def credit_payments(organization: Organization) -> list[tuple[str, str, Decimal]]:
    payments = Payment.objects.for_organization(organization).filter(source=PaymentSource.CREDIT_NOTE)
    return sorted((payment.invoice.number, payment.reference, payment.amount) for payment in payments)


# Reading -------------------------------------------------------------------------------------------


def test_the_peppol_base_invoice_is_read_with_its_exact_totals() -> None:
    document = ubl_parse(fixture(PEPPOL_BASE), filename=PEPPOL_BASE)
    assert (document.document_type, document.number, document.currency) == ("invoice", "Snippet1", "EUR")
    assert (document.issue_date, document.due_date) == (dt.date(2017, 11, 13), dt.date(2017, 12, 1))
    assert (document.tax_inclusive_amount, document.vat_amount) == (Decimal("1656.25"), Decimal("331.25"))
    assert (document.prepaid_amount, document.payable_amount) == (Decimal("0.00"), Decimal("1656.25"))
    assert document.profile == "peppol_bis_3"


def test_the_buyer_is_read_with_its_contact_address_and_identifiers() -> None:
    buyer = ubl_parse(fixture(PEPPOL_BASE)).buyer
    assert (buyer.name, buyer.endpoint_id, buyer.vat_id) == ("Buyer Official Name", "FR23342", "SE4598375937")
    assert (buyer.company_id, buyer.kvk_number) == ("39937423947", "")  # scheme 0183 is Swiss, not KvK
    assert (buyer.contact_name, buyer.email, buyer.phone) == ("Lisa Johnson", "lj@buyer.se", "23434234")
    assert (buyer.street, buyer.postal_code, buyer.city, buyer.country) == (
        "Hovedgatan 32, Po box 878", "456 34", "Stockholm", "SE",
    )  # fmt: skip


def test_the_vat_total_is_the_one_in_the_document_currency_not_the_tax_currency() -> None:
    document = ubl_parse(fixture(PEPPOL_ALLOWANCES))
    assert (document.vat_amount, document.prepaid_amount, document.payable_amount) == (
        Decimal("1225.00"), Decimal("1000.00"), Decimal("6125.00"),
    )  # fmt: skip


def test_si_ubl_is_told_apart_by_its_customization_id_and_reads_the_kvk_with_scheme_0106() -> None:
    document = ubl_parse(fixture(SI_UBL_INVOICE))
    assert document.profile == "si_ubl_2"
    assert (document.buyer.name, document.buyer.kvk_number, document.buyer.vat_id) == (
        "Bouwbedrijf De Vries B.V.", "87654321", "NL004495445B01",
    )  # fmt: skip
    assert (document.seller.kvk_number, document.seller.vat_id) == ("12345678", "NL000099998B57")


def test_a_credit_note_names_the_invoice_it_corrects() -> None:
    document = ubl_parse(fixture(SI_UBL_CREDIT_NOTE))
    assert (document.document_type, document.is_credit_note, document.number) == ("credit_note", True, "C2026-0007")
    assert document.invoice_references == ("2026-0142",)
    assert document.payable_amount == Decimal("205.70")


def test_a_payment_terms_note_is_not_read_as_a_due_date() -> None:
    assert ubl_parse(fixture(PEPPOL_EXEMPT)).due_date is None


def test_the_payment_means_due_date_is_used_when_there_is_no_due_date() -> None:
    means = "<cac:PaymentMeans><cbc:PaymentMeansCode>30</cbc:PaymentMeansCode>"
    means += "<cbc:PaymentDueDate>2026-11-15</cbc:PaymentDueDate></cac:PaymentMeans>"
    assert ubl_parse(invoice_xml(due=None, extra=means)).due_date == dt.date(2026, 11, 15)


def test_a_declared_legacy_encoding_is_honoured() -> None:
    xml = invoice_xml(buyer="Café Ñandú").decode().replace('encoding="UTF-8"', 'encoding="windows-1252"')
    assert ubl_parse(xml.encode("cp1252")).buyer.name == "Café Ñandú"


def test_building_number_joins_the_street() -> None:
    assert ubl_parse(invoice_xml()).buyer.street == "Dorpsstraat 4"


@pytest.mark.parametrize(
    ("xml", "message"),
    [
        (invoice_xml(number=""), "no number (cbc:ID)"),
        (invoice_xml(issue="01-10-2026"), "01-10-2026 is not a date"),
        (invoice_xml(issue="2026-02-30"), "2026-02-30 is not a date"),
        (invoice_xml(total="NaN"), "NaN is not an amount"),
        (invoice_xml(total="1.21E2"), "1.21E2 is not an amount"),
        (invoice_xml(total="1000000000000.00"), "too large"),
        (invoice_xml(currency="euro"), "not a three-letter code"),
        (invoice_xml().replace(b"PayableAmount", b"Other"), "no amount due (cbc:PayableAmount)"),
    ],
)
def test_a_document_missing_or_garbling_what_collection_needs_is_refused(xml: bytes, message: str) -> None:
    with pytest.raises(UblError, match=re.escape(message)):
        ubl_parse(xml, filename="f.xml")


def test_the_file_name_is_part_of_the_message() -> None:
    with pytest.raises(UblError, match=r"^april\.xml: "):
        ubl_parse(invoice_xml(issue="x"), filename="april.xml")


# Importing invoices --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "number", "amount", "vat", "open_amount", "currency", "due", "status"),
    [
        (PEPPOL_BASE, "Snippet1", "1656.25", "331.25", "1656.25", "EUR", dt.date(2017, 12, 1), InvoiceStatus.OPEN),
        (PEPPOL_ALLOWANCES, "Snippet1", "7125.00", "1225.00", "6125.00", "EUR", dt.date(2017, 12, 1), "open"),
        (PEPPOL_EXEMPT, "Vat-Z", "1200.00", "0.00", "1200.00", "GBP", dt.date(2018, 8, 30), InvoiceStatus.OPEN),
        (SI_UBL_INVOICE, "2026-0142", "1159.30", "189.30", "959.30", "EUR", dt.date(2026, 10, 31), "open"),
    ],
)
def test_sample_invoices_import_with_exact_amounts(
    org_a, name, number, amount, vat, open_amount, currency, due, status
) -> None:
    result = ubl_import(organization=org_a.organization, data=fixture(name), filename=name)
    assert (result.created, result.updated, result.unchanged, result.errors, result.files) == (1, 0, 0, [], 1)
    imported = invoice(org_a.organization, number)
    assert (imported.amount, imported.vat_amount, imported.open_amount) == tuple(
        Decimal(value) for value in (amount, vat, open_amount)
    )
    assert (imported.currency, imported.due_date, imported.status, imported.external_id) == (currency, due, status, "")


def test_the_prepaid_part_counts_as_paid_and_the_payable_amount_is_open(org_a) -> None:
    ubl_import(organization=org_a.organization, data=fixture(SI_UBL_INVOICE), filename=SI_UBL_INVOICE)
    imported = invoice(org_a.organization, "2026-0142")
    assert (imported.amount, imported.open_amount, imported.paid_amount) == (
        Decimal("1159.30"), Decimal("959.30"), Decimal("200.00"),
    )  # fmt: skip


def test_a_fully_prepaid_invoice_is_paid(org_a) -> None:
    ubl_import(organization=org_a.organization, data=invoice_xml(prepaid="121.00"), filename="f.xml")
    imported = invoice(org_a.organization, "F-1001")
    assert (imported.open_amount, imported.status) == (Decimal("0.00"), InvoiceStatus.PAID)


def test_the_si_ubl_buyer_becomes_a_business_debtor_with_its_dutch_identifiers(org_a) -> None:
    ubl_import(organization=org_a.organization, data=fixture(SI_UBL_INVOICE), filename=SI_UBL_INVOICE)
    debtor = invoice(org_a.organization, "2026-0142").debtor
    assert (debtor.name, debtor.kind, debtor.kvk_number, debtor.vat_id) == (
        "Bouwbedrijf De Vries B.V.", DebtorKind.BUSINESS, "87654321", "NL004495445B01",
    )  # fmt: skip
    assert (debtor.contact_person, debtor.emails, debtor.phones) == (
        "Jan de Vries", ["crediteuren@devriesbouw.nl"], ["+31381234567"],
    )  # fmt: skip
    assert (debtor.street, debtor.postal_code, debtor.city, debtor.country) == (
        "Industrieweg 12", "8013 PT", "Zwolle", "NL",
    )  # fmt: skip


def test_a_foreign_buyer_keeps_its_country_and_vat_id(org_a) -> None:
    ubl_import(organization=org_a.organization, data=fixture(PEPPOL_BASE), filename=PEPPOL_BASE)
    debtor = invoice(org_a.organization, "Snippet1").debtor
    assert (debtor.kind, debtor.country, debtor.vat_id, debtor.kvk_number) == ("b2b", "SE", "SE4598375937", "")


def test_a_buyer_with_only_a_peppol_address_is_a_business(org_a) -> None:
    ubl_import(organization=org_a.organization, data=fixture(PEPPOL_EXEMPT), filename=PEPPOL_EXEMPT)
    assert invoice(org_a.organization, "Vat-Z").debtor.kind == DebtorKind.BUSINESS  # a Danish CVR as endpoint


def test_a_buyer_without_vat_id_or_registration_is_a_consumer(org_a) -> None:
    ubl_import(organization=org_a.organization, data=invoice_xml(buyer="P. de Boer", buyer_ids=""), filename="f.xml")
    assert invoice(org_a.organization, "F-1001").debtor.kind == DebtorKind.CONSUMER


def test_a_missing_due_date_falls_back_to_the_invoice_date_with_a_warning(org_a) -> None:
    result = ubl_import(organization=org_a.organization, data=fixture(PEPPOL_EXEMPT), filename=PEPPOL_EXEMPT)
    assert invoice(org_a.organization, "Vat-Z").due_date == dt.date(2018, 8, 30)
    assert (PEPPOL_EXEMPT, "The invoice states no due date; its invoice date is used as due date.") in result.warnings


def test_a_seller_that_is_not_the_organization_is_imported_with_a_warning(org_a) -> None:
    result = ubl_import(organization=org_a.organization, data=fixture(PEPPOL_BASE), filename=PEPPOL_BASE)
    assert result.created == 1
    assert any("GB1232434" in reason and "NL000099998B57" in reason for _name, reason in result.warnings)


def test_the_organizations_own_invoice_gives_no_warnings(org_a) -> None:
    result = ubl_import(organization=org_a.organization, data=fixture(SI_UBL_INVOICE), filename=SI_UBL_INVOICE)
    assert result.warnings == []


def test_a_seller_with_another_kvk_number_gives_a_warning(org_a) -> None:
    org_a.organization.kvk_number = "99999999"
    result = ubl_import(organization=org_a.organization, data=fixture(SI_UBL_INVOICE), filename=SI_UBL_INVOICE)
    assert [reason for _name, reason in result.warnings if "KvK" in reason] == [
        "The seller's KvK number 12345678 is not your organization's (99999999)."
    ]


def test_invalid_buyer_identifiers_and_email_are_left_out_with_warnings(org_a) -> None:
    ids = (
        "<cac:PartyTaxScheme><cbc:CompanyID>NL123456789B99</cbc:CompanyID><cac:TaxScheme><cbc:ID>VAT</cbc:ID>"
        "</cac:TaxScheme></cac:PartyTaxScheme><cac:PartyLegalEntity><cbc:RegistrationName>{buyer}"
        '</cbc:RegistrationName><cbc:CompanyID schemeID="0106">1234</cbc:CompanyID></cac:PartyLegalEntity>'
        "<cac:Contact><cbc:ElectronicMail>not an address</cbc:ElectronicMail></cac:Contact>"
    )
    result = ubl_import(organization=org_a.organization, data=invoice_xml(buyer_ids=ids), filename="f.xml")
    debtor = invoice(org_a.organization, "F-1001").debtor
    assert (debtor.kind, debtor.vat_id, debtor.kvk_number, debtor.emails) == ("b2b", "", "", [])
    assert len(result.warnings) == 3


def test_a_zip_of_several_files_imports_them_all_in_one_go(org_a) -> None:
    upload = zipped({
        "2026/oktober/" + SI_UBL_INVOICE: fixture(SI_UBL_INVOICE), PEPPOL_EXEMPT: fixture(PEPPOL_EXEMPT),
        "F-1001.xml": invoice_xml(), "F-1002.xml": invoice_xml("F-1002", total="60.50", vat="10.50"),
    })  # fmt: skip
    result = ubl_import(organization=org_a.organization, data=upload, filename="oktober.zip")
    assert (result.files, result.created, result.errors) == (4, 4, [])
    numbers = set(Invoice.objects.for_organization(org_a.organization).values_list("number", flat=True))
    assert numbers == {"2026-0142", "Vat-Z", "F-1001", "F-1002"}
    assert Debtor.objects.for_organization(org_a.organization).count() == 3  # Bakkerij Jansen twice


def test_a_zip_may_hold_other_files_which_are_skipped_with_a_warning(org_a) -> None:
    upload = zipped({"F-1001.xml": invoice_xml(), "F-1001.pdf": b"%PDF-1.7", "__MACOSX/._F-1001.xml": b"\0"})
    result = ubl_import(organization=org_a.organization, data=upload, filename="f.zip")
    assert (result.created, result.warnings) == (1, [("F-1001.pdf", "Skipped: not an XML file.")])


def test_importing_the_same_file_twice_changes_nothing(org_a) -> None:
    ubl_import(organization=org_a.organization, data=fixture(SI_UBL_INVOICE), filename=SI_UBL_INVOICE)
    before = invoice(org_a.organization, "2026-0142")
    result = ubl_import(organization=org_a.organization, data=fixture(SI_UBL_INVOICE), filename=SI_UBL_INVOICE)
    after = invoice(org_a.organization, "2026-0142")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)
    assert (after.pk, after.updated_at, after.open_amount) == (before.pk, before.updated_at, before.open_amount)
    assert after.debtor.updated_at == before.debtor.updated_at


def test_a_payment_recorded_here_survives_importing_the_file_again(org_a) -> None:
    ubl_import(organization=org_a.organization, data=fixture(SI_UBL_INVOICE), filename=SI_UBL_INVOICE)
    payment_record(
        organization=org_a.organization, invoice=invoice(org_a.organization, "2026-0142"),
        amount=Decimal("100.00"), date=dt.date(2026, 10, 5),
    )  # fmt: skip
    result = ubl_import(organization=org_a.organization, data=fixture(SI_UBL_INVOICE), filename=SI_UBL_INVOICE)
    assert result.unchanged == 1
    assert invoice(org_a.organization, "2026-0142").open_amount == Decimal("859.30")


def test_a_corrected_file_updates_the_invoice(org_a) -> None:
    ubl_import(organization=org_a.organization, data=invoice_xml(), filename="f.xml")
    result = ubl_import(organization=org_a.organization, data=invoice_xml(total="242.00", vat="42.00"), filename="f")
    assert (result.created, result.updated) == (0, 1)
    assert invoice(org_a.organization, "F-1001").open_amount == Decimal("242.00")


def test_the_same_number_twice_in_one_zip_keeps_the_last_file_and_warns(org_a) -> None:
    upload = zipped({PEPPOL_BASE: fixture(PEPPOL_BASE), PEPPOL_ALLOWANCES: fixture(PEPPOL_ALLOWANCES)})
    result = ubl_import(organization=org_a.organization, data=upload, filename="f.zip")
    assert result.created == 1
    assert invoice(org_a.organization, "Snippet1").amount == Decimal("7125.00")
    assert (PEPPOL_ALLOWANCES, f"Invoice Snippet1 is also in {PEPPOL_BASE}; the last file counts.") in result.warnings


def test_a_business_problem_in_one_file_is_reported_and_the_rest_commits(org_a) -> None:
    upload = zipped({
        "good.xml": invoice_xml(), "late.xml": invoice_xml("F-2", issue="2026-10-31", due="2026-10-01"),
        "negative.xml": invoice_xml("F-3", total="-10.00", vat="0.00"),
    })  # fmt: skip
    result = ubl_import(organization=org_a.organization, data=upload, filename="f.zip")
    assert result.created == 1
    assert result.errors == [
        ("late.xml", "The due date is before the invoice date."),
        ("negative.xml", "The amount is negative; import credit notes as credit notes. "
         "The open amount must be between 0 and the invoice amount."),
    ]  # fmt: skip
    assert list(Invoice.objects.for_organization(org_a.organization).values_list("number", flat=True)) == ["F-1001"]


def test_the_same_file_into_two_organizations_creates_separate_invoices(org_a, org_b) -> None:
    for tenant in (org_a, org_b):
        result = ubl_import(organization=tenant.organization, data=fixture(SI_UBL_INVOICE), filename=SI_UBL_INVOICE)
        assert result.created == 1
    first, second = invoice(org_a.organization, "2026-0142"), invoice(org_b.organization, "2026-0142")
    assert first.pk != second.pk and first.debtor.pk != second.debtor.pk
    assert second.debtor.organization == org_b.organization


# Credit notes --------------------------------------------------------------------------------------


def test_a_credit_note_lowers_the_open_amount_of_its_invoice(org_a) -> None:
    ubl_import(organization=org_a.organization, data=fixture(SI_UBL_INVOICE), filename=SI_UBL_INVOICE)
    result = ubl_import(organization=org_a.organization, data=fixture(SI_UBL_CREDIT_NOTE), filename="c.xml")
    assert (result.credited, result.created, result.errors) == (1, 0, [])
    corrected = invoice(org_a.organization, "2026-0142")
    assert (corrected.open_amount, corrected.status) == (Decimal("753.60"), InvoiceStatus.OPEN)
    assert credit_payments(org_a.organization) == [("2026-0142", "C2026-0007", Decimal("205.70"))]
    assert Payment.objects.for_organization(org_a.organization).get().date == dt.date(2026, 10, 8)


def test_a_credit_note_covering_all_that_is_open_makes_the_invoice_credited_not_paid(org_a) -> None:
    upload = zipped({PEPPOL_CREDIT_NOTE: fixture(PEPPOL_CREDIT_NOTE), PEPPOL_BASE: fixture(PEPPOL_BASE)})
    result = ubl_import(organization=org_a.organization, data=upload, filename="f.zip")  # invoice goes in first
    assert (result.created, result.credited) == (1, 1)
    corrected = invoice(org_a.organization, "Snippet1")
    assert (corrected.open_amount, corrected.status) == (Decimal("0.00"), InvoiceStatus.CREDITED)


def test_importing_an_invoice_and_its_credit_note_again_changes_nothing(org_a) -> None:
    upload = zipped({SI_UBL_INVOICE: fixture(SI_UBL_INVOICE), SI_UBL_CREDIT_NOTE: fixture(SI_UBL_CREDIT_NOTE)})
    ubl_import(organization=org_a.organization, data=upload, filename="f.zip")
    before = invoice(org_a.organization, "2026-0142")
    result = ubl_import(organization=org_a.organization, data=upload, filename="f.zip")
    assert (result.created, result.updated, result.unchanged, result.credited) == (0, 0, 2, 0)
    after = invoice(org_a.organization, "2026-0142")
    assert (after.open_amount, after.updated_at) == (Decimal("753.60"), before.updated_at)
    assert len(credit_payments(org_a.organization)) == 1


def test_a_credited_invoice_stays_credited_when_its_file_comes_again(org_a) -> None:
    upload = zipped({PEPPOL_BASE: fixture(PEPPOL_BASE), PEPPOL_CREDIT_NOTE: fixture(PEPPOL_CREDIT_NOTE)})
    ubl_import(organization=org_a.organization, data=upload, filename="f.zip")
    ubl_import(organization=org_a.organization, data=fixture(PEPPOL_BASE), filename=PEPPOL_BASE)
    assert invoice(org_a.organization, "Snippet1").status == InvoiceStatus.CREDITED


def test_a_credit_note_for_an_unknown_invoice_is_an_error_and_the_rest_commits(org_a) -> None:
    upload = zipped({"c.xml": credit_note_xml("C-1", "F-404"), "F-1001.xml": invoice_xml()})
    result = ubl_import(organization=org_a.organization, data=upload, filename="f.zip")
    assert result.errors == [
        ("c.xml", "Credit note C-1 corrects invoice F-404, which is not known here; import it first.")
    ]
    assert (result.created, result.credited) == (1, 0)
    assert Payment.objects.for_organization(org_a.organization).count() == 0


def test_a_credit_note_of_another_organizations_invoice_is_unknown(org_a, org_b) -> None:
    ubl_import(organization=org_b.organization, data=invoice_xml(), filename="f.xml")
    result = ubl_import(organization=org_a.organization, data=credit_note_xml("C-1", "F-1001"), filename="c.xml")
    assert result.errors and result.credited == 0
    assert invoice(org_b.organization, "F-1001").open_amount == Decimal("121.00")


def test_a_credit_note_naming_no_invoice_is_an_error(org_a) -> None:
    result = ubl_import(organization=org_a.organization, data=credit_note_xml("C-1"), filename="c.xml")
    assert result.errors == [("c.xml", "Credit note C-1 does not say which invoice it corrects.")]


def test_a_credit_note_in_another_currency_is_an_error(org_a) -> None:
    ubl_import(organization=org_a.organization, data=invoice_xml(), filename="f.xml")
    result = ubl_import(
        organization=org_a.organization, data=credit_note_xml("C-1", "F-1001", currency="USD"), filename="c.xml"
    )
    assert result.errors == [("c.xml", "Credit note C-1 is in USD but invoice F-1001 is not.")]
    assert invoice(org_a.organization, "F-1001").open_amount == Decimal("121.00")


def test_a_credit_note_for_two_invoices_fills_the_first_and_puts_the_rest_on_the_second(org_a) -> None:
    upload = zipped({
        "a.xml": invoice_xml("F-1", total="100.00", vat="0.00"), "b.xml": invoice_xml("F-2", total="100.00", vat="0"),
        "c.xml": credit_note_xml("C-9", "F-1", "F-2", total="150.00"),
    })  # fmt: skip
    result = ubl_import(organization=org_a.organization, data=upload, filename="f.zip")
    assert result.credited == 1
    assert credit_payments(org_a.organization) == [
        ("F-1", "C-9", Decimal("100.00")), ("F-2", "C-9#2", Decimal("50.00")),
    ]  # fmt: skip
    assert invoice(org_a.organization, "F-1").status == InvoiceStatus.CREDITED
    assert invoice(org_a.organization, "F-2").open_amount == Decimal("50.00")
    again = ubl_import(organization=org_a.organization, data=upload, filename="f.zip")
    assert (again.credited, len(credit_payments(org_a.organization))) == (0, 2)


def test_a_credit_larger_than_what_is_open_credits_the_invoice_and_warns(org_a) -> None:
    ubl_import(organization=org_a.organization, data=invoice_xml(), filename="f.xml")
    result = ubl_import(
        organization=org_a.organization, data=credit_note_xml("C-1", "F-1001", total="150.00"), filename="c.xml"
    )
    assert invoice(org_a.organization, "F-1001").status == InvoiceStatus.CREDITED
    assert len(result.warnings) == 1
    assert re.search(r"credits .29[.,]00 more than invoice F-1001 had open", result.warnings[0][1])


def test_credit_note_apply_records_once_per_credit_note(org_a, invoice_a) -> None:
    first, created = credit_note_apply(
        organization=org_a.organization, invoice=invoice_a, number="C-1", amount=Decimal("21.00"),
        date=dt.date(2026, 10, 1),
    )  # fmt: skip
    again, created_again = credit_note_apply(
        organization=org_a.organization, invoice=invoice_a, number="C-1", amount=Decimal("21.00"),
        date=dt.date(2026, 10, 1),
    )  # fmt: skip
    assert (created, created_again, again.pk) == (True, False, first.pk)
    invoice_a.refresh_from_db()
    assert (invoice_a.open_amount, invoice_a.status) == (Decimal("100.00"), InvoiceStatus.OPEN)


def test_credit_note_apply_after_a_partial_payment_credits_the_rest(org_a, invoice_a) -> None:
    payment_record(
        organization=org_a.organization, invoice=invoice_a, amount=Decimal("100.00"), date=dt.date(2026, 9, 1)
    )
    credit_note_apply(
        organization=org_a.organization, invoice=invoice_a, number="C-1", amount=Decimal("21.00"),
        date=dt.date(2026, 10, 1),
    )  # fmt: skip
    invoice_a.refresh_from_db()
    assert (invoice_a.open_amount, invoice_a.status) == (Decimal("0.00"), InvoiceStatus.CREDITED)


def test_credit_note_apply_on_a_paid_invoice_keeps_it_paid(org_a, debtor_a) -> None:
    paid = InvoiceFactory(debtor=debtor_a, status=InvoiceStatus.PAID)
    credit_note_apply(
        organization=org_a.organization, invoice=paid, number="C-1", amount=Decimal("21.00"), date=dt.date(2026, 1, 1)
    )
    paid.refresh_from_db()
    assert paid.status == InvoiceStatus.PAID


def test_credit_note_apply_refuses_another_organizations_invoice(org_b, invoice_a) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        credit_note_apply(
            organization=org_b.organization, invoice=invoice_a, number="C-1", amount=Decimal("1.00"),
            date=dt.date(2026, 1, 1),
        )  # fmt: skip
    assert Payment.objects.for_organization(org_b.organization).count() == 0
    invoice_a.refresh_from_db()
    assert invoice_a.open_amount == Decimal("121.00")
