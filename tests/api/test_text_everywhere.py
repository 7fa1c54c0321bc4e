"""Control characters stay out of printed text on every way in (imports, forms), the EPC QR code keeps
its lines whatever is stored, and the schema states the rules the server enforces."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from invoices.forms import DebtorForm, InvoiceForm
from invoices.imports.rows import RowReader
from outstanding.api.schema import RULES_BEYOND_SCHEMA
from outstanding.text import has_control_characters, single_line, validate_multi_line, validate_single_line
from reminders.channels.letter.payment import epc_payload, payment_reference
from tests.conftest import Tenant

IBAN = "NL91ABNA0417164300"
HEADERS = ["Factuurnummer", "Factuurdatum", "Vervaldatum", "Bedrag", "Klant"]
MAPPING = {"number": "Factuurnummer", "issue_date": "Factuurdatum", "due_date": "Vervaldatum",
           "amount": "Bedrag", "debtor_name": "Klant"}  # fmt: skip


@pytest.fixture(autouse=True)
def _english(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"


# --- The rule itself ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["a\nb", "a\rb", "a\tb", "a\x00b", "a\x1bb", "a\x7fb", "a\x85b", "a\u2028b"])
def test_every_control_character_is_one(value: str) -> None:
    assert has_control_characters(value)


@pytest.mark.parametrize("value", ["Bakkerij De Vries", "Müller & Söhne", "2026/0042-A", "Café «Zon»", "€ 12,50"])
def test_ordinary_text_has_none(value: str) -> None:
    assert not has_control_characters(value)
    validate_single_line(value)


def test_multi_line_text_keeps_its_line_breaks_only() -> None:
    validate_multi_line("Called on Monday.\r\nPromised to pay.")
    assert has_control_characters("Called\ton Monday.", multiline=True)


def test_single_line_turns_control_characters_into_spaces() -> None:
    assert single_line(" Bakkerij\nDe\t\tVries\r\n") == "Bakkerij De Vries"


# --- The EPC QR code keeps its lines ------------------------------------------------------------------


def test_a_stored_line_break_does_not_shift_the_qr_code_s_lines() -> None:
    text = payment_reference(["2026\n0042"]).text

    lines = epc_payload(name="Alpha\nGroothandel", iban=IBAN, amount=Decimal("121.00"), text=text).decode().split("\n")

    assert lines[5] == "Alpha Groothandel"
    assert lines[7] == "EUR121.00"
    assert lines[10] == "Factuur 2026 0042"
    assert len(lines) == 11


def test_a_reference_with_a_control_character_is_refused() -> None:
    with pytest.raises(ValueError):
        epc_payload(name="Alpha", iban=IBAN, amount=Decimal("1.00"), reference="RF18539007547034", bic="ABNA\nNL2A")


# --- Imports ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("column", "cell"), [(0, "2026\n0042"), (4, "Bakkerij\nDe Vries"), (4, "Bakkerij\tDe Vries")])
def test_an_imported_row_with_a_control_character_is_refused_with_its_column(column: int, cell: str) -> None:
    cells: list[object] = ["2026-0042", "01-11-2026", "01-12-2026", "121,00", "Bakkerij De Vries"]
    cells[column] = cell

    row = RowReader(HEADERS, MAPPING).read(2, cells)

    assert row.invoice is None
    assert [(error.column, error.reason) for error in row.errors] == [
        (HEADERS[column], "Use a single line without control characters such as line breaks or tabs.")
    ]


def test_an_ordinary_imported_row_still_goes_in() -> None:
    row = RowReader(HEADERS, MAPPING).read(2, ["2026-0042", "01-11-2026", "01-12-2026", "121,00", "Café De Zon"])

    assert row.errors == []
    assert row.invoice is not None


# --- Web forms ----------------------------------------------------------------------------------------


def debtor_form(**changes: Any) -> DebtorForm:
    data = {"kind": "b2b", "name": "Bakkerij De Vries", "country": "NL", "language": "nl", **changes}
    return DebtorForm(data=data)


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "contact_person", "street", "postal_code", "city", "external_id"])
def test_the_debtor_form_refuses_a_line_break_inside_a_printed_field(field: str) -> None:
    form = debtor_form(**{field: "Bakkerij\nDe Vries"})

    assert not form.is_valid()
    assert field in form.errors


@pytest.mark.django_db
def test_the_debtor_form_keeps_line_breaks_in_the_notes() -> None:
    form = debtor_form(notes="Called on Monday.\r\nPromised to pay.")

    assert form.is_valid(), form.errors


@pytest.mark.django_db
def test_the_debtor_form_refuses_a_tab_in_the_notes() -> None:
    assert "notes" in debtor_form(notes="Called\ton Monday.").errors


@pytest.mark.django_db
def test_the_invoice_form_refuses_a_line_break_in_the_number(org_a: Tenant, debtor_a) -> None:  # type: ignore[no-untyped-def]
    data = {"debtor": debtor_a.pk, "number": "2026\n0042", "issue_date": "2026-11-01", "due_date": "2026-12-01",
            "amount": "121.00", "vat_amount": "21.00"}  # fmt: skip

    form = InvoiceForm(data=data, organization=org_a.organization)

    assert not form.is_valid()
    assert "number" in form.errors


# --- The schema states the rules ---------------------------------------------------------------------


@pytest.fixture
def components(db) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    response = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return response.json()["components"]["schemas"]


def _pattern(schema: dict[str, Any]) -> str:
    return schema.get("pattern") or schema["oneOf"][0]["pattern"]


def test_the_schema_states_the_country_currency_kvk_and_vat_rules(components: dict[str, Any]) -> None:
    debtor = components["DebtorRequest"]["properties"]
    invoice = components["InvoiceInputRequest"]["properties"]

    assert _pattern(debtor["country"]) == "^[A-Za-z]{2}$"
    assert _pattern(invoice["currency"]) == "^[A-Za-z]{3}$"
    assert _pattern(debtor["kvk_number"]) == "^[ .]*([0-9][ .]*){8}$"
    assert _pattern(debtor["vat_id"]).startswith("^[ .-]*[A-Za-z][ .-]*[A-Za-z]")


def test_the_schema_states_money_as_a_string_pattern(components: dict[str, Any]) -> None:
    amount = components["InvoiceInputRequest"]["properties"]["amount"]
    payment = components["PaymentInputRequest"]["properties"]["amount"]

    assert (amount["type"], amount["pattern"]) == ("string", "^[0-9]{1,12}(\\.[0-9]{1,2})?$")
    assert payment["pattern"].startswith("^(0\\.")


def test_the_schema_states_single_line_text_and_no_unknown_fields(components: dict[str, Any]) -> None:
    invoice = components["InvoiceInputRequest"]

    assert invoice["additionalProperties"] is False
    assert components["DebtorRequest"]["additionalProperties"] is False
    assert _pattern(invoice["properties"]["number"]) == "^[^\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029]+$"
    assert invoice["properties"]["number"]["maxLength"] == 64


def test_the_schema_says_external_ids_are_unique(components: dict[str, Any]) -> None:
    assert "unique" in components["DebtorRequest"]["properties"]["external_id"]["description"]
    assert "unique" in components["InvoiceInputRequest"]["properties"]["external_id"]["description"]


@pytest.mark.django_db
def test_the_schema_lists_the_rules_it_cannot_state() -> None:
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    for rule in RULES_BEYOND_SCHEMA.values():
        assert rule in schema["info"]["description"]


@pytest.mark.django_db
def test_the_schema_states_the_paging_parameters() -> None:
    schema = Client().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    listed = schema["paths"]["/api/v1/invoices/"]["get"]["parameters"]
    parameters = {parameter["name"]: parameter for parameter in listed}

    assert parameters["page_size"]["schema"]["minimum"] == 1
    assert parameters["page"]["schema"]["minimum"] == 1
    assert parameters["overdue"]["schema"]["type"] == "boolean"
