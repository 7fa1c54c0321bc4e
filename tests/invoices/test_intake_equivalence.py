"""The same invoice arrives identically through CSV, XLSX, UBL and the API.

One real invoice (tests/fixtures/ubl/si-ubl-invoice.xml: Bouwbedrijf De Vries B.V., € 1,159.30 incl.
€ 189.30 VAT, € 200.00 paid in advance) goes in through each source, each into its own organization,
and the invoices and debtors that come out are compared field by field. Then all four go into one
organization: still one invoice and one debtor.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from invoices.imports import services as imports
from invoices.models import Debtor, Invoice
from invoices.ubl import ubl_import
from outstanding.models import Organization
from tests.api_clients import api_client
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

UBL = Path(__file__).resolve().parent.parent / "fixtures" / "ubl" / "si-ubl-invoice.xml"
HEADER = [
    "Factuurnummer", "Factuurdatum", "Vervaldatum", "Bedrag incl. btw", "Btw", "Openstaand", "Naam",
    "Contactpersoon", "E-mail", "Telefoon", "Adres", "Postcode", "Plaats", "Land", "KvK", "Btw-nummer",
]  # fmt: skip
ROW = [
    "2026-0142", "01-10-2026", "31-10-2026", "1.159,30", "189,30", "959,30", "Bouwbedrijf De Vries B.V.",
    "Jan de Vries", "crediteuren@devriesbouw.nl", "+31 38 123 4567", "Industrieweg 12", "8013 PT", "Zwolle", "NL",
    "87654321", "NL004495445B01",
]  # fmt: skip


def through_csv(organization: Organization) -> None:
    data = "\n".join(";".join(line) for line in (HEADER, ROW)).encode("utf-8")
    _confirm(organization, SimpleUploadedFile("facturen.csv", data))


def through_xlsx(organization: Organization) -> None:
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    book.active.append(ROW)
    buffer = io.BytesIO()
    book.save(buffer)
    _confirm(organization, SimpleUploadedFile("facturen.xlsx", buffer.getvalue()))


def _confirm(organization: Organization, upload: SimpleUploadedFile) -> None:
    job = imports.import_upload(organization=organization, user=None, upload=upload)
    assert job.rejected_rows == 0, job.errors
    imports.import_confirm(job=job)


def through_ubl(organization: Organization) -> None:
    result = ubl_import(organization=organization, data=UBL.read_bytes(), filename=UBL.name)
    assert not result.errors, result.errors


def through_api(organization: Organization) -> None:
    payload = {
        "number": "2026-0142", "issue_date": "2026-10-01", "due_date": "2026-10-31", "currency": "EUR",
        "amount": "1159.30", "vat_amount": "189.30", "open_amount": "959.30",
        "debtor": {
            "name": "Bouwbedrijf De Vries B.V.", "kind": "b2b", "contact_person": "Jan de Vries",
            "email": "crediteuren@devriesbouw.nl", "phone": "+31 38 123 4567", "address": "Industrieweg 12",
            "postal_code": "8013 PT", "city": "Zwolle", "country": "NL", "kvk_number": "87654321",
            "vat_id": "NL004495445B01",
        },
    }  # fmt: skip
    response = api_client(organization).post("/api/v1/invoices/", payload, format="json")
    assert response.status_code in (200, 201), response.content  # 200: it was there already


SOURCES = {"csv": through_csv, "xlsx": through_xlsx, "ubl": through_ubl, "api": through_api}


def outcome(organization: Organization) -> tuple:
    invoice = Invoice.objects.for_organization(organization).select_related("debtor").get()
    debtor = invoice.debtor
    return (
        invoice.number, invoice.issue_date, invoice.due_date, invoice.currency, invoice.amount,
        invoice.vat_amount, invoice.open_amount, invoice.status,
        debtor.name, debtor.kind, debtor.contact_person, debtor.emails, debtor.phones, debtor.street,
        debtor.postal_code, debtor.city, debtor.country, debtor.kvk_number, debtor.vat_id,
    )  # fmt: skip


def test_every_source_produces_the_same_invoice_and_debtor() -> None:
    results = {}
    for name, load in SOURCES.items():
        organization = OrganizationFactory()
        load(organization)
        results[name] = outcome(organization)
    expected = results["ubl"]
    assert expected[4:7] == (Decimal("1159.30"), Decimal("189.30"), Decimal("959.30"))
    for name, result in results.items():
        differing = [index for index, (a, b) in enumerate(zip(result, expected, strict=True)) if a != b]
        assert result == expected, f"{name} differs from UBL at fields {differing}: {result} != {expected}"


def test_all_sources_into_one_organization_make_one_invoice_and_one_debtor() -> None:
    organization = OrganizationFactory()
    for load in SOURCES.values():
        load(organization)
    assert Invoice.objects.for_organization(organization).count() == 1
    assert Debtor.objects.for_organization(organization).count() == 1
