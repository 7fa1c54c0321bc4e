"""The REST API for debtors, invoices and payments: upserts, filters, money as strings, tenants apart."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus, Payment, PaymentSource
from outstanding.calendar import local_today
from tests.api_clients import api_client, assert_error
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db

DEBTORS = "/api/v1/debtors/"
INVOICES = "/api/v1/invoices/"
PAYMENTS = "/api/v1/payments/"
UBL = "/api/v1/invoices/ubl/"
UBL_FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ubl"


@pytest.fixture
def client(org_a: Tenant) -> APIClient:
    return api_client(org_a.organization)


def debtors_of(tenant: Tenant) -> list[Debtor]:
    return list(Debtor.objects.for_organization(tenant.organization).order_by("id"))


def invoices_of(tenant: Tenant) -> list[Invoice]:
    return list(Invoice.objects.for_organization(tenant.organization).order_by("id"))


def snapshot(tenant: Tenant) -> list[tuple[Any, ...]]:
    """Everything an API write could change, to prove a refused request changed nothing."""
    organization = tenant.organization
    return [
        *Debtor.objects.for_organization(organization).order_by("id").values_list(),
        *Invoice.objects.for_organization(organization).order_by("id").values_list(),
        *Payment.objects.for_organization(organization).order_by("id").values_list(),
    ]


def names(response: Any) -> list[str]:
    return [row["name"] for row in response.json()["results"]]


def numbers(response: Any) -> list[str]:
    return [row["number"] for row in response.json()["results"]]


# --- Debtors ----------------------------------------------------------------------------------------------

FULL_DEBTOR = {
    "name": "Bakkerij De Vries",
    "kind": "b2c",
    "external_id": "CUST-7",
    "email": "Info@DeVries.test",
    "phone": "+31 6 12345678",
    "address": "Dorpsstraat 1",
    "postal_code": "8011 AA",
    "city": "Zwolle",
    "country": "nl",
    "contact_person": "Jan de Vries",
    "language": "en",
    "kvk_number": "1234 5678",
    "vat_id": "NL000099998B57",
}


def test_creating_a_debtor_stores_every_field(client: APIClient, org_a: Tenant) -> None:
    response = client.post(DEBTORS, FULL_DEBTOR)

    assert response.status_code == 201
    [debtor] = debtors_of(org_a)
    assert (debtor.name, debtor.kind, debtor.external_id) == ("Bakkerij De Vries", "b2c", "CUST-7")
    # stored the same whatever the source: lower-case addresses, international phone numbers
    assert debtor.emails == ["info@devries.test"]
    assert debtor.phones == ["+31612345678"]
    assert (debtor.street, debtor.postal_code, debtor.city, debtor.country) == (
        "Dorpsstraat 1",
        "8011 AA",
        "Zwolle",
        "NL",
    )
    assert (debtor.contact_person, debtor.language) == ("Jan de Vries", "en")
    assert (debtor.kvk_number, debtor.vat_id) == ("12345678", "NL000099998B57")
    body = response.json()
    assert body["id"] == str(debtor.public_id)
    assert body["email"] == "info@devries.test"
    assert body["emails"] == ["info@devries.test"]
    assert body["address"] == "Dorpsstraat 1"
    assert "organization" not in body


def test_posting_the_same_external_id_twice_updates_the_debtor(client: APIClient, org_a: Tenant) -> None:
    first = client.post(DEBTORS, {"external_id": "CUST-7", "name": "De Vries"})
    second = client.post(DEBTORS, {"external_id": "CUST-7", "name": "Bakkerij De Vries", "city": "Zwolle"})

    assert (first.status_code, second.status_code) == (201, 200)
    [debtor] = debtors_of(org_a)
    assert (debtor.name, debtor.city) == ("Bakkerij De Vries", "Zwolle")
    assert first.json()["id"] == second.json()["id"] == str(debtor.public_id)


def test_posting_a_debtor_without_external_id_matches_the_name(client: APIClient, org_a: Tenant) -> None:
    client.post(DEBTORS, {"name": "Acme Bouw B.V."})
    response = client.post(DEBTORS, {"name": "ACME BOUW B.V.", "city": "Utrecht"})

    assert response.status_code == 200
    [debtor] = debtors_of(org_a)
    assert debtor.city == "Utrecht"


def test_a_debtor_takes_a_list_of_emails_and_phones(client: APIClient, org_a: Tenant) -> None:
    response = client.post(
        DEBTORS, {"name": "Acme", "emails": ["a@acme.test", "b@acme.test"], "phones": ["+31201234567"]}
    )

    assert response.json()["email"] == "a@acme.test"
    assert response.json()["phone"] == "+31201234567"
    assert debtors_of(org_a)[0].emails == ["a@acme.test", "b@acme.test"]


def test_email_and_a_different_first_of_emails_are_refused(client: APIClient, org_a: Tenant) -> None:
    response = client.post(DEBTORS, {"name": "Acme", "email": "x@acme.test", "emails": ["a@acme.test"]})

    assert "email" in assert_error(response, 400, "validation_error")["details"]
    assert debtors_of(org_a) == []


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name", ""),
        ("name", "x" * 201),
        ("kind", "b2x"),
        ("email", "not-an-address"),
        ("emails", ["ok@acme.test", "nope"]),
        ("phones", ["1" * 31]),
        ("country", "Netherlands"),
        ("country", "1A"),
        ("language", "fr"),
        ("kvk_number", "123"),
        ("vat_id", "NL123456789B99"),
        ("organization", "00000000-0000-0000-0000-000000000000"),
        ("nmae", "typo"),
    ],
)
def test_an_invalid_debtor_is_refused_and_nothing_changes(
    client: APIClient, org_a: Tenant, field: str, value: Any
) -> None:
    before = snapshot(org_a)

    response = client.post(DEBTORS, {"name": "Acme", **{field: value}})

    assert field in assert_error(response, 400, "validation_error")["details"]
    assert snapshot(org_a) == before


def test_a_debtor_is_fetched_by_its_id(client: APIClient, org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization, name="Acme", emails=["a@acme.test", "b@acme.test"])

    body = client.get(f"{DEBTORS}{debtor.public_id}/").json()

    assert body["id"] == str(debtor.public_id)
    assert (body["name"], body["email"], body["emails"]) == ("Acme", "a@acme.test", ["a@acme.test", "b@acme.test"])


def test_debtors_are_filtered(client: APIClient, org_a: Tenant) -> None:
    DebtorFactory(organization=org_a.organization, name="Acme Bouw", external_id="C-1", kind=DebtorKind.BUSINESS,
                  emails=["info@acme.test"])  # fmt: skip
    DebtorFactory(organization=org_a.organization, name="Acme Consument", kind=DebtorKind.CONSUMER)
    DebtorFactory(organization=org_a.organization, name="Bakkerij", external_id="C-2")

    assert names(client.get(DEBTORS)) == ["Acme Bouw", "Acme Consument", "Bakkerij"]
    assert names(client.get(DEBTORS + "?external_id=C-2")) == ["Bakkerij"]
    assert names(client.get(DEBTORS + "?name=acme")) == ["Acme Bouw", "Acme Consument"]
    assert names(client.get(DEBTORS + "?kind=b2c")) == ["Acme Consument"]
    assert names(client.get(DEBTORS + "?email=info@acme.test")) == ["Acme Bouw"]
    assert names(client.get(DEBTORS + "?name=acme&kind=b2b")) == ["Acme Bouw"]


def test_patching_a_debtor_changes_only_what_is_sent(client: APIClient, org_a: Tenant) -> None:
    debtor = DebtorFactory(
        organization=org_a.organization, name="Acme", city="Utrecht", emails=["a@x.test", "b@x.test"]
    )

    response = client.patch(f"{DEBTORS}{debtor.public_id}/", {"city": "Zwolle", "email": "new@x.test"})

    assert response.status_code == 200
    debtor.refresh_from_db()
    assert (debtor.name, debtor.city) == ("Acme", "Zwolle")
    assert debtor.emails == ["new@x.test", "b@x.test"]  # the first address replaced, the others kept


def test_putting_a_debtor_needs_a_name(client: APIClient, org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization, name="Acme")

    assert_error(client.put(f"{DEBTORS}{debtor.public_id}/", {"city": "Zwolle"}), 400, "validation_error")
    response = client.put(f"{DEBTORS}{debtor.public_id}/", {"name": "Acme B.V.", "kind": "b2c"})

    assert response.status_code == 200
    debtor.refresh_from_db()
    assert (debtor.name, debtor.kind) == ("Acme B.V.", "b2c")


def test_a_debtor_cannot_take_another_debtors_external_id(client: APIClient, org_a: Tenant) -> None:
    DebtorFactory(organization=org_a.organization, external_id="C-1")
    debtor = DebtorFactory(organization=org_a.organization, external_id="C-2")
    before = snapshot(org_a)

    response = client.patch(f"{DEBTORS}{debtor.public_id}/", {"external_id": "C-1"})

    assert "external_id" in assert_error(response, 400, "validation_error")["details"]
    assert snapshot(org_a) == before


def test_another_organizations_debtor_is_404(client: APIClient, org_a: Tenant, org_b: Tenant) -> None:
    foreign = DebtorFactory(organization=org_b.organization, name="Beta's", external_id="C-1")
    before = snapshot(org_b)

    assert_error(client.get(f"{DEBTORS}{foreign.public_id}/"), 404, "not_found")
    assert_error(client.patch(f"{DEBTORS}{foreign.public_id}/", {"name": "Mine"}), 404, "not_found")
    assert_error(client.put(f"{DEBTORS}{foreign.public_id}/", {"name": "Mine"}), 404, "not_found")
    assert client.get(DEBTORS + "?external_id=C-1").json()["count"] == 0
    assert snapshot(org_b) == before


def test_posting_another_organizations_external_id_makes_ones_own_debtor(
    client: APIClient, org_a: Tenant, org_b: Tenant
) -> None:
    foreign = DebtorFactory(organization=org_b.organization, name="Beta's", external_id="C-1")

    response = client.post(DEBTORS, {"external_id": "C-1", "name": "Alpha's"})

    assert response.status_code == 201
    foreign.refresh_from_db()
    assert foreign.name == "Beta's"
    assert [debtor.name for debtor in debtors_of(org_a)] == ["Alpha's"]


# --- Invoices ----------------------------------------------------------------------------------------------


def invoice_payload(**changes: Any) -> dict[str, Any]:
    payload = {
        "number": "2026-0042",
        "external_id": "INV-42",
        "issue_date": "2026-11-01",
        "due_date": "2026-12-01",
        "amount": "121.00",
        "vat_amount": "21.00",
        "debtor": {"external_id": "CUST-7", "name": "Bakkerij De Vries", "email": "info@devries.test"},
    }
    payload.update(changes)
    return payload


def test_creating_an_invoice_with_an_inline_debtor(client: APIClient, org_a: Tenant) -> None:
    response = client.post(INVOICES, invoice_payload())

    assert response.status_code == 201
    [invoice] = invoices_of(org_a)
    [debtor] = debtors_of(org_a)
    assert invoice.debtor == debtor
    assert (debtor.external_id, debtor.name, debtor.emails) == ("CUST-7", "Bakkerij De Vries", ["info@devries.test"])
    assert (invoice.number, invoice.external_id) == ("2026-0042", "INV-42")
    assert (invoice.amount, invoice.vat_amount, invoice.open_amount) == (
        Decimal("121.00"), Decimal("21.00"), Decimal("121.00"),
    )  # fmt: skip
    assert invoice.status == InvoiceStatus.OPEN
    body = response.json()
    assert body == {
        **body,
        "id": str(invoice.public_id),
        "debtor": str(debtor.public_id),
        "amount": "121.00",
        "vat_amount": "21.00",
        "open_amount": "121.00",
        "currency": "EUR",
        "status": "open",
        "issue_date": "2026-11-01",
        "due_date": "2026-12-01",
    }


def test_creating_an_invoice_for_an_existing_debtor_by_id(client: APIClient, org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization, name="Acme", city="Utrecht")

    response = client.post(INVOICES, invoice_payload(debtor=str(debtor.public_id)))

    assert response.status_code == 201
    assert invoices_of(org_a)[0].debtor == debtor
    debtor.refresh_from_db()
    assert (debtor.name, debtor.city) == ("Acme", "Utrecht")  # referring to a debtor changes nothing about it


def test_the_same_invoice_posted_twice_is_one_invoice(client: APIClient, org_a: Tenant) -> None:
    first = client.post(INVOICES, invoice_payload())
    second = client.post(INVOICES, invoice_payload())

    assert (first.status_code, second.status_code) == (201, 200)
    assert len(invoices_of(org_a)) == 1
    assert len(debtors_of(org_a)) == 1
    assert first.json()["id"] == second.json()["id"]


def test_posting_again_with_new_values_updates_the_invoice(client: APIClient, org_a: Tenant) -> None:
    client.post(INVOICES, invoice_payload())

    response = client.post(INVOICES, invoice_payload(amount="242.00", vat_amount="42.00", due_date="2026-12-15"))

    assert response.status_code == 200
    [invoice] = invoices_of(org_a)
    assert (invoice.amount, invoice.open_amount, invoice.due_date) == (
        Decimal("242.00"), Decimal("242.00"), dt.date(2026, 12, 15),
    )  # fmt: skip


def test_without_external_id_the_number_is_the_key(client: APIClient, org_a: Tenant) -> None:
    payload = invoice_payload(external_id="")
    client.post(INVOICES, payload)
    response = client.post(INVOICES, {**payload, "amount": "100.00", "vat_amount": "0.00"})

    assert response.status_code == 200
    assert [invoice.amount for invoice in invoices_of(org_a)] == [Decimal("100.00")]


@pytest.mark.parametrize(
    ("sent", "stored"), [("121.5", "121.50"), ("121", "121.00"), ("121.00", "121.00"), ("0.10", "0.10")]
)
def test_money_goes_in_and_comes_out_as_a_string(client: APIClient, org_a: Tenant, sent: Any, stored: str) -> None:
    response = client.post(INVOICES, invoice_payload(amount=sent, vat_amount="0.00"))

    assert response.status_code == 201, response.json()
    assert response.json()["amount"] == stored
    assert invoices_of(org_a)[0].amount == Decimal(stored)


@pytest.mark.parametrize(
    "amount", ["121.005", "12,50", "abc", "", True, "1e20", "-5.00", " 1.00", "1.", ".5", 121, 121.5, None]
)
def test_an_amount_that_is_not_euros_and_cents_is_refused(client: APIClient, org_a: Tenant, amount: Any) -> None:
    response = client.post(INVOICES, invoice_payload(amount=amount, vat_amount="0.00"))

    assert "amount" in assert_error(response, 400, "validation_error")["details"]
    assert invoices_of(org_a) == []


def test_a_json_float_with_three_decimals_is_refused_clearly(client: APIClient, org_a: Tenant) -> None:
    body = '{"number": "1", "issue_date": "2026-11-01", "due_date": "2026-12-01", "debtor": {"name": "A"}, ' \
        '"amount": 121.005}'  # fmt: skip

    response = client.post(INVOICES, data=body, content_type="application/json")

    details = assert_error(response, 400, "validation_error")["details"]
    assert details["amount"] == ['Send the amount as a string, e.g. "121.00", not as a number.']
    assert invoices_of(org_a) == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"issue_date": "01-11-2026"}, "issue_date"),
        ({"due_date": "2026-02-30"}, "due_date"),
        ({"due_date": "2026-10-01"}, "due_date"),  # before the invoice date
        ({"open_amount": "200.00"}, "open_amount"),  # more than the amount
        ({"currency": "EU"}, "currency"),
        ({"currency": "E1R"}, "currency"),
        ({"number": " "}, "number"),
        ({"debtor": {"email": "a@b.test"}}, "debtor"),
        ({"debtor": "00000000-0000-0000-0000-000000000000"}, "debtor"),
        ({"debtor": "not-an-id"}, "debtor"),
        ({"debtor": 12}, "debtor"),
        ({"status": "paid", "open_amount": "10.00"}, "status"),
        ({"status": "lost"}, "status"),
        ({"ammount": "1.00"}, "ammount"),
        ({"organization": "00000000-0000-0000-0000-000000000000"}, "organization"),
    ],
)
def test_an_invalid_invoice_is_refused_with_the_field_named_and_nothing_changes(
    client: APIClient, org_a: Tenant, changes: dict[str, Any], field: str
) -> None:
    client.post(INVOICES, invoice_payload(number="OTHER", external_id="OTHER"))
    before = snapshot(org_a)

    response = client.post(INVOICES, invoice_payload(**changes))

    assert field in assert_error(response, 400, "validation_error")["details"]
    assert snapshot(org_a) == before


def test_an_inline_debtor_with_an_error_names_the_nested_field(client: APIClient) -> None:
    response = client.post(INVOICES, invoice_payload(debtor={"name": "A", "kvk_number": "12"}))

    assert "kvk_number" in assert_error(response, 400, "validation_error")["details"]["debtor"]


def test_another_organizations_debtor_id_is_unknown(client: APIClient, org_a: Tenant, org_b: Tenant) -> None:
    foreign = DebtorFactory(organization=org_b.organization)

    response = client.post(INVOICES, invoice_payload(debtor=str(foreign.public_id)))

    details = assert_error(response, 400, "validation_error")["details"]
    assert details["debtor"] == ["No debtor with this id."]
    assert invoices_of(org_a) == [] and Invoice.objects.for_organization(org_b.organization).count() == 0


def test_status_credited_closes_the_invoice(client: APIClient, org_a: Tenant) -> None:
    client.post(INVOICES, invoice_payload())

    response = client.post(INVOICES, invoice_payload(status="credited"))

    assert response.json()["status"] == "credited"
    assert response.json()["open_amount"] == "0.00"


def test_status_paid_means_nothing_open(client: APIClient, org_a: Tenant) -> None:
    response = client.post(INVOICES, invoice_payload(status="paid"))

    assert (response.json()["status"], response.json()["open_amount"]) == ("paid", "0.00")


def test_an_invoice_is_fetched_by_its_id(client: APIClient, org_a: Tenant, invoice_a: Invoice) -> None:
    body = client.get(f"{INVOICES}{invoice_a.public_id}/").json()

    assert body["id"] == str(invoice_a.public_id)
    assert body["number"] == invoice_a.number
    assert body["debtor"] == str(invoice_a.debtor.public_id)
    assert body["amount"] == "121.00"
    assert body["overdue"] is True  # the factory's invoice is 15 days late


@pytest.fixture
def ledger_api(org_a: Tenant) -> dict[str, Invoice]:
    today = local_today(org_a.organization.time_zone)
    acme = DebtorFactory(organization=org_a.organization, name="Acme")
    bakker = DebtorFactory(organization=org_a.organization, name="Bakker")

    def make(debtor: Debtor, number: str, due_in: int, **fields: Any) -> Invoice:
        return InvoiceFactory(
            debtor=debtor, number=number, issue_date=today - dt.timedelta(days=60),
            due_date=today + dt.timedelta(days=due_in), **fields,
        )  # fmt: skip

    return {
        "late": make(acme, "A-1", -10, external_id="EXT-1"),
        "future": make(acme, "A-2", 10),
        "paid": make(bakker, "B-1", -20, status=InvoiceStatus.PAID),
        "bakker_late": make(bakker, "B-2", -1),
    }


def test_invoices_are_filtered(client: APIClient, org_a: Tenant, ledger_api: dict[str, Invoice]) -> None:
    today = local_today(org_a.organization.time_zone)
    acme = ledger_api["late"].debtor

    assert sorted(numbers(client.get(INVOICES))) == ["A-1", "A-2", "B-1", "B-2"]
    assert numbers(client.get(INVOICES + "?number=B-1")) == ["B-1"]
    assert numbers(client.get(INVOICES + "?external_id=EXT-1")) == ["A-1"]
    assert sorted(numbers(client.get(INVOICES + "?status=open"))) == ["A-1", "A-2", "B-2"]
    assert sorted(numbers(client.get(INVOICES + f"?debtor={acme.public_id}"))) == ["A-1", "A-2"]
    assert sorted(numbers(client.get(INVOICES + "?overdue=true"))) == ["A-1", "B-2"]
    assert sorted(numbers(client.get(INVOICES + "?overdue=false"))) == ["A-2", "B-1"]
    assert sorted(numbers(client.get(INVOICES + f"?due_before={today}"))) == ["A-1", "B-1", "B-2"]
    assert sorted(numbers(client.get(INVOICES + f"?due_after={today - dt.timedelta(days=5)}"))) == ["A-2", "B-2"]
    assert numbers(client.get(INVOICES + f"?debtor={acme.public_id}&overdue=true")) == ["A-1"]


def test_patching_an_invoice_changes_only_what_is_sent(client: APIClient, org_a: Tenant, invoice_a: Invoice) -> None:
    Invoice.objects.for_organization(org_a.organization).filter(pk=invoice_a.pk).update(open_amount=Decimal("21.00"))

    response = client.patch(f"{INVOICES}{invoice_a.public_id}/", {"due_date": "2027-01-31"})

    assert response.status_code == 200, response.json()
    invoice_a.refresh_from_db()
    assert invoice_a.due_date == dt.date(2027, 1, 31)
    assert (invoice_a.amount, invoice_a.open_amount) == (Decimal("121.00"), Decimal("21.00"))
    assert response.json()["due_date"] == "2027-01-31"


def test_patching_the_amount_recomputes_what_is_open_from_payments(
    client: APIClient, org_a: Tenant, invoice_a: Invoice
) -> None:
    client.post(PAYMENTS, {"invoice": str(invoice_a.public_id), "amount": "21.00", "date": "2026-11-01"})

    response = client.patch(f"{INVOICES}{invoice_a.public_id}/", {"amount": "200.00"})

    assert response.json()["open_amount"] == "179.00"


def test_putting_an_invoice_replaces_its_values(client: APIClient, org_a: Tenant) -> None:
    invoice_id = client.post(INVOICES, invoice_payload()).json()["id"]

    response = client.put(f"{INVOICES}{invoice_id}/", invoice_payload(amount="60.50", vat_amount="10.50"))

    assert response.status_code == 200
    [invoice] = invoices_of(org_a)
    assert (invoice.amount, invoice.vat_amount) == (Decimal("60.50"), Decimal("10.50"))


def test_a_get_response_can_be_put_back(client: APIClient, org_a: Tenant, invoice_a: Invoice) -> None:
    shown = client.get(f"{INVOICES}{invoice_a.public_id}/").json()

    response = client.put(f"{INVOICES}{invoice_a.public_id}/", {**shown, "due_date": "2027-01-31"})

    assert response.status_code == 200, response.json()
    assert len(invoices_of(org_a)) == 1


def test_the_number_of_an_invoice_cannot_change(client: APIClient, org_a: Tenant, invoice_a: Invoice) -> None:
    before = snapshot(org_a)

    response = client.patch(f"{INVOICES}{invoice_a.public_id}/", {"number": "NEW-1"})

    assert "number" in assert_error(response, 400, "validation_error")["details"]
    assert snapshot(org_a) == before


def test_an_invoice_cannot_take_another_invoices_external_id(client: APIClient, org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    InvoiceFactory(debtor=debtor, external_id="EXT-1")
    invoice = InvoiceFactory(debtor=debtor)
    before = snapshot(org_a)

    response = client.patch(f"{INVOICES}{invoice.public_id}/", {"external_id": "EXT-1", "amount": "1.00"})

    assert "external_id" in assert_error(response, 400, "validation_error")["details"]
    assert snapshot(org_a) == before


def test_an_invoice_moves_to_another_debtor_by_id(client: APIClient, org_a: Tenant, invoice_a: Invoice) -> None:
    other = DebtorFactory(organization=org_a.organization, external_id="C-9")

    response = client.patch(f"{INVOICES}{invoice_a.public_id}/", {"debtor": str(other.public_id)})

    assert response.json()["debtor"] == str(other.public_id)
    invoice_a.refresh_from_db()
    assert invoice_a.debtor == other


def test_an_ambiguous_debtor_name_is_refused_rather_than_guessed(client: APIClient, org_a: Tenant) -> None:
    DebtorFactory(organization=org_a.organization, name="Jansen")
    second = DebtorFactory(organization=org_a.organization, name="Jansen")
    before = snapshot(org_a)

    response = client.post(INVOICES, invoice_payload(debtor=str(second.public_id)))

    assert "debtor" in assert_error(response, 400, "validation_error")["details"]
    assert snapshot(org_a) == before


def test_another_organizations_invoice_is_404(client: APIClient, org_b: Tenant) -> None:
    foreign = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization), number="2026-0042")
    before = snapshot(org_b)

    assert_error(client.get(f"{INVOICES}{foreign.public_id}/"), 404, "not_found")
    assert_error(client.patch(f"{INVOICES}{foreign.public_id}/", {"amount": "1.00"}), 404, "not_found")
    assert_error(client.put(f"{INVOICES}{foreign.public_id}/", invoice_payload()), 404, "not_found")
    assert client.get(INVOICES + "?number=2026-0042").json()["count"] == 0
    assert snapshot(org_b) == before


def test_the_same_number_in_another_organization_is_another_invoice(
    client: APIClient, org_a: Tenant, org_b: Tenant
) -> None:
    foreign = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization), number="2026-0042")

    response = client.post(INVOICES, invoice_payload(external_id=""))

    assert response.status_code == 201
    assert response.json()["id"] != str(foreign.public_id)
    foreign.refresh_from_db()
    assert foreign.amount == Decimal("121.00") and foreign.organization == org_b.organization


def test_listing_invoices_takes_a_fixed_number_of_queries(
    client: APIClient, org_a: Tenant, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(30):
        InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization))

    with django_assert_max_num_queries(6):
        assert client.get(INVOICES + "?page_size=30").json()["count"] == 30


# --- UBL ------------------------------------------------------------------------------------------------------


def post_ubl(client: APIClient, body: bytes, content_type: str = "application/xml", query: str = "") -> Any:
    return client.generic("POST", UBL + query, body, content_type)


def test_a_ubl_invoice_is_imported(client: APIClient, org_a: Tenant) -> None:
    xml = (UBL_FIXTURES / "peppol-base-example.xml").read_bytes()

    response = post_ubl(client, xml, query="?filename=Snippet1.xml")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["updated"], body["unchanged"], body["errors"]) == (1, 0, 0, [])
    [invoice] = invoices_of(org_a)
    assert invoice.number == "Snippet1"


def test_the_same_ubl_twice_changes_nothing(client: APIClient, org_a: Tenant) -> None:
    xml = (UBL_FIXTURES / "peppol-base-example.xml").read_bytes()
    post_ubl(client, xml)

    body = post_ubl(client, xml, content_type="text/xml").json()

    assert (body["created"], body["unchanged"]) == (0, 1)
    assert len(invoices_of(org_a)) == 1


def test_a_zip_of_ubl_files_is_imported(client: APIClient, org_a: Tenant) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name in ("peppol-base-example.xml", "peppol-vat-category-E.xml"):
            archive.writestr(name, (UBL_FIXTURES / name).read_bytes())

    response = post_ubl(client, buffer.getvalue(), content_type="application/zip")

    assert response.status_code == 200, response.content
    assert response.json()["files"] == 2
    assert len(invoices_of(org_a)) == response.json()["created"] >= 1


@pytest.mark.parametrize("body", [b"<Invoice><unclosed>", b"not xml at all", b""])
def test_unreadable_ubl_is_400_and_changes_nothing(client: APIClient, org_a: Tenant, body: bytes) -> None:
    error = assert_error(post_ubl(client, body), 400, "ubl_invalid")

    assert error["message"]
    assert invoices_of(org_a) == []


# --- Payments ----------------------------------------------------------------------------------------------


def test_a_payment_lowers_what_is_open(client: APIClient, org_a: Tenant, invoice_a: Invoice) -> None:
    response = client.post(
        PAYMENTS, {"invoice": str(invoice_a.public_id), "amount": "21.00", "date": "2026-11-20", "reference": "BANK-1"}
    )

    assert response.status_code == 201
    payment = Payment.objects.for_organization(org_a.organization).get()
    assert (payment.amount, payment.source, payment.reference) == (Decimal("21.00"), PaymentSource.API, "BANK-1")
    assert response.json() == {
        **response.json(), "id": str(payment.public_id), "invoice": str(invoice_a.public_id), "amount": "21.00",
        "date": "2026-11-20", "reference": "BANK-1", "source": "api",
    }  # fmt: skip
    invoice_a.refresh_from_db()
    assert (invoice_a.open_amount, invoice_a.status) == (Decimal("100.00"), InvoiceStatus.OPEN)


def test_paying_everything_settles_the_invoice(client: APIClient, invoice_a: Invoice) -> None:
    client.post(PAYMENTS, {"invoice": str(invoice_a.public_id), "amount": "121.00", "date": "2026-11-20"})

    invoice = client.get(f"{INVOICES}{invoice_a.public_id}/").json()
    assert (invoice["open_amount"], invoice["status"]) == ("0.00", "paid")


def test_the_same_reference_twice_is_one_payment(client: APIClient, org_a: Tenant, invoice_a: Invoice) -> None:
    payload = {"invoice": str(invoice_a.public_id), "amount": "21.00", "date": "2026-11-20", "reference": "BANK-1"}

    first = client.post(PAYMENTS, payload)
    second = client.post(PAYMENTS, payload)

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json() == second.json()
    assert Payment.objects.for_organization(org_a.organization).count() == 1
    invoice_a.refresh_from_db()
    assert invoice_a.open_amount == Decimal("100.00")


def test_a_reused_reference_for_a_different_payment_is_409(
    client: APIClient, org_a: Tenant, invoice_a: Invoice
) -> None:
    payload = {"invoice": str(invoice_a.public_id), "amount": "21.00", "date": "2026-11-20", "reference": "BANK-1"}
    client.post(PAYMENTS, payload)
    before = snapshot(org_a)

    response = client.post(PAYMENTS, {**payload, "amount": "50.00"})

    assert_error(response, 409, "conflict")
    assert snapshot(org_a) == before


def test_payments_without_reference_are_each_recorded(client: APIClient, org_a: Tenant, invoice_a: Invoice) -> None:
    payload = {"invoice": str(invoice_a.public_id), "amount": "10.00", "date": "2026-11-20"}

    assert client.post(PAYMENTS, payload).status_code == 201
    assert client.post(PAYMENTS, payload).status_code == 201
    assert Payment.objects.for_organization(org_a.organization).count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "0.00"}, "amount"),
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "5.001"}, "amount"),
        ({"date": "2026-13-01"}, "date"),
        ({"date": "2999-01-01"}, "date"),  # in the future
        ({"invoice": "00000000-0000-0000-0000-000000000000"}, "invoice"),
        ({"reference": "x" * 101}, "reference"),
        ({"source": "mollie"}, "source"),
    ],
)
def test_an_invalid_payment_is_refused_and_changes_nothing(
    client: APIClient, org_a: Tenant, invoice_a: Invoice, changes: dict[str, str], field: str
) -> None:
    before = snapshot(org_a)
    payload = {"invoice": str(invoice_a.public_id), "amount": "10.00", "date": "2026-11-20", **changes}

    response = client.post(PAYMENTS, payload)

    assert field in assert_error(response, 400, "validation_error")["details"]
    assert snapshot(org_a) == before


def test_payments_are_listed_and_filtered_by_invoice(client: APIClient, org_a: Tenant, invoice_a: Invoice) -> None:
    other = InvoiceFactory(debtor=invoice_a.debtor)
    PaymentFactory(invoice=invoice_a, amount=Decimal("1.00"))
    PaymentFactory(invoice=other, amount=Decimal("2.00"))

    everything = client.get(PAYMENTS).json()
    filtered = client.get(PAYMENTS + f"?invoice={invoice_a.public_id}").json()

    assert everything["count"] == 2
    assert [row["amount"] for row in filtered["results"]] == ["1.00"]
    payment_id = filtered["results"][0]["id"]
    assert client.get(f"{PAYMENTS}{payment_id}/").json()["invoice"] == str(invoice_a.public_id)


def test_another_organizations_payment_and_invoice_are_404(client: APIClient, org_a: Tenant, org_b: Tenant) -> None:
    foreign_invoice = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization))
    foreign_payment = PaymentFactory(invoice=foreign_invoice)
    before = snapshot(org_b)

    assert_error(client.get(f"{PAYMENTS}{foreign_payment.public_id}/"), 404, "not_found")
    assert client.get(PAYMENTS + f"?invoice={foreign_invoice.public_id}").json()["count"] == 0
    response = client.post(
        PAYMENTS, {"invoice": str(foreign_invoice.public_id), "amount": "1.00", "date": "2026-11-01"}
    )
    assert assert_error(response, 400, "validation_error")["details"]["invoice"] == ["No invoice with this id."]
    assert snapshot(org_b) == before
