"""The OpenAPI document is valid and complete, and Swagger UI runs from our own files under the CSP."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from openapi_spec_validator import validate

from tests.browser import CHROMEDRIVER, CHROMIUM, chromium

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/debtors/": {"get", "post"},
    "/api/v1/debtors/{id}/": {"get", "put", "patch"},
    "/api/v1/debtors/{id}/pause/": {"post"},
    "/api/v1/debtors/{id}/resume/": {"post"},
    "/api/v1/invoices/": {"get", "post"},
    "/api/v1/invoices/{id}/": {"get", "put", "patch"},
    "/api/v1/invoices/{id}/pause/": {"post"},
    "/api/v1/invoices/{id}/resume/": {"post"},
    "/api/v1/invoices/ubl/": {"post"},
    "/api/v1/payments/": {"get", "post"},
    "/api/v1/payments/{id}/": {"get"},
    "/api/v1/reminders/": {"get"},
    "/api/v1/reminders/{id}/": {"get"},
    "/api/v1/organization/": {"get", "patch"},
    "/api/v1/organization/reminders/activate/": {"post"},
    "/api/v1/organization/reminders/deactivate/": {"post"},
    "/api/v1/summary/": {"get"},
    "/api/v1/dossiers/": {"get", "post"},
    "/api/v1/dossiers/{id}/": {"get"},
    "/api/v1/dossiers/{id}/statement/": {"get"},
}


@pytest.fixture
def schema(client: Client) -> dict[str, Any]:
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_the_schema_is_valid_openapi_3(schema: dict[str, Any]) -> None:
    validate(schema)

    assert schema["openapi"].startswith("3.")


def test_the_schema_has_every_endpoint_and_nothing_else(schema: dict[str, Any]) -> None:
    found = {path: set(operations) - {"parameters"} for path, operations in schema["paths"].items()}

    assert found == ENDPOINTS


def test_every_operation_requires_the_bearer_key(schema: dict[str, Any]) -> None:
    assert schema["components"]["securitySchemes"]["ApiKey"] == {
        **schema["components"]["securitySchemes"]["ApiKey"],
        "type": "http",
        "scheme": "bearer",
    }
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"ApiKey": []}], f"{method} {path}"


def test_every_operation_documents_the_error_format(schema: dict[str, Any]) -> None:
    assert "error" in schema["components"]["schemas"]["Error"]["properties"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status in ("401", "404", "429"):
                content = operation["responses"][status]["content"]["application/json"]
                assert content["schema"] == {"$ref": "#/components/schemas/Error"}, f"{method} {path} {status}"


def test_money_is_a_decimal_string_in_the_schema(schema: dict[str, Any]) -> None:
    amount = schema["components"]["schemas"]["Invoice"]["properties"]["amount"]

    assert amount["type"] == "string"
    assert amount["format"] == "decimal"


def test_an_invoice_takes_a_debtor_id_or_a_debtor_object(schema: dict[str, Any]) -> None:
    debtor = schema["components"]["schemas"]["InvoiceInputRequest"]["properties"]["debtor"]

    assert {"type": "string", "format": "uuid"}.items() <= debtor["oneOf"][0].items()
    assert debtor["oneOf"][1] == {"$ref": "#/components/schemas/DebtorRequest"}


def test_the_ubl_import_takes_xml_or_zip_bodies(schema: dict[str, Any]) -> None:
    content = schema["paths"]["/api/v1/invoices/ubl/"]["post"]["requestBody"]["content"]

    assert set(content) == {"application/xml", "text/xml", "application/zip"}


# --- docs page ------------------------------------------------------------------------------------------------


def test_the_docs_page_has_no_inline_script_or_style_and_keeps_the_csp(client: Client) -> None:
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    page = response.content.decode()
    assert "<style" not in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page), "an inline script would be blocked by the CSP"
    assert "cdn" not in page.lower()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page


def test_the_docs_start_script_and_assets_are_served_by_us(client: Client) -> None:
    page = client.get("/api/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)

    for source in sources:
        response = client.get(source.replace("&amp;", "&"))
        assert response.status_code == 200, source
    script = client.get("/api/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in script.content


# --- a real browser ---------------------------------------------------------------------------------------------


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


@pytest.mark.browser
@pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER), reason="no Chromium/chromedriver installed (.ci/run installs them)"
)
def test_swagger_ui_renders_every_operation_under_the_csp(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    browser.get(f"{live_server.url}/api/docs/")

    operations = browser.find_elements(By.CSS_SELECTOR, ".opblock")
    assert len(operations) == sum(len(methods) for methods in ENDPOINTS.values())
    assert browser.find_element(By.CSS_SELECTOR, ".btn.authorize")
    problems = [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert not [message for message in problems if "Content Security Policy" in message], problems
