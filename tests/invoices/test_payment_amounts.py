"""The payment form reads amounts the way the importer does: "1.000,00" is a thousand euros, in Dutch and English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from invoices.imports.values import parse_amount
from invoices.models import Invoice, Payment
from tests.conftest import Tenant
from tests.factories import TODAY, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(debtor_a) -> Invoice:
    return InvoiceFactory(debtor=debtor_a, amount=Decimal("2420.00"), vat_amount=Decimal("420.00"))


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("invoices.views.local_today", lambda *args, **kwargs: TODAY)


def pay(client: Client, invoice: Invoice, amount: str, language: str = "nl"):
    url = reverse("payment_add", args=[invoice.organization.public_id, invoice.public_id])
    return client.post(url, {"amount": amount, "date": TODAY.isoformat()}, HTTP_ACCEPT_LANGUAGE=language)


def payments(invoice: Invoice) -> list[Decimal]:
    return list(
        Payment.objects.for_organization(invoice.organization).filter(invoice=invoice).values_list("amount", flat=True)
    )


@pytest.mark.parametrize("typed", ["1.000,00", "1000,00", "1,000.00", "1000.00", "1000", "€ 1.000,00", "1.000"])
def test_a_thousand_euros_typed_the_dutch_or_english_way_is_recorded(
    invoice: Invoice, member_client: Client, typed: str
) -> None:
    assert parse_amount(typed.strip()) == Decimal("1000.00")  # what the importer reads
    response = pay(member_client, invoice, typed)
    assert response.status_code == 302
    assert payments(invoice) == [Decimal("1000.00")]
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("1420.00")


def test_cents_with_a_comma_are_recorded(invoice: Invoice, member_client: Client) -> None:
    assert pay(member_client, invoice, "1.234,56").status_code == 302
    assert payments(invoice) == [Decimal("1234.56")]


@pytest.mark.parametrize(
    ("typed", "dutch"),
    [
        ("twaalf", "“twaalf” is geen bedrag."),
        ("1.000,00.00", "“1.000,00.00” is geen bedrag."),
        ("1,2345", "“1,2345” heeft meer dan twee decimalen; bedragen zijn in centen."),
        ("(12,50)", "negatieve bedragen tussen haakjes"),
        ("-5,00", "Een betaling moet groter zijn dan nul."),
    ],
)
def test_an_amount_that_cannot_be_read_gives_a_dutch_error_and_saves_nothing(
    invoice: Invoice, member_client: Client, typed: str, dutch: str
) -> None:
    response = pay(member_client, invoice, typed)
    assert response.status_code == 200
    assert dutch in response.content.decode()
    assert payments(invoice) == []
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("2420.00")


def test_the_error_is_english_for_an_english_visitor(invoice: Invoice, member_client: Client) -> None:
    response = pay(member_client, invoice, "twaalf", language="en")
    assert "“twaalf” is not an amount." in response.content.decode()
    assert payments(invoice) == []


def test_another_organizations_invoice_cannot_be_paid(invoice: Invoice, outsider_client: Client, org_a: Tenant) -> None:
    assert pay(outsider_client, invoice, "1.000,00").status_code == 404
    assert payments(invoice) == []
