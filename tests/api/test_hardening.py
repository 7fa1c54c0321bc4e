"""The API's hardening (issue 8): failed keys throttled per address, refused requests cost no quota,
one JSON error format under /api/ (CSRF and unknown paths too), money only as strings, no empty
query parameters, and no control characters in text that ends up in a letter or an EPC QR code."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from invoices.models import Debtor, Invoice
from outstanding.api.exceptions import csrf_failure_view
from outstanding.models import ApiKeyAccess, Organization
from tests.api_clients import api_client, api_key_for, assert_error, client_with_key
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

DEBTORS = "/api/v1/debtors/"
INVOICES = "/api/v1/invoices/"
WRONG_KEY = "ost_" + "x" * 40


def invoice_body(**changes: Any) -> dict[str, Any]:
    body = {
        "number": "2026-0042", "issue_date": "2026-11-01", "due_date": "2026-12-01",
        "amount": "121.00", "vat_amount": "21.00", "debtor": {"name": "Bakkerij De Vries"},
    }  # fmt: skip
    return {**body, **changes}


def from_address(client: APIClient, address: str) -> APIClient:
    client.defaults["REMOTE_ADDR"] = address
    return client


# --- Failed key checks are throttled per client address ---------------------------------------------


@pytest.fixture
def five_failures_a_minute(settings) -> None:  # type: ignore[no-untyped-def]
    settings.API_FAILED_AUTH_RATE = "5/minute"


def test_wrong_keys_up_to_the_limit_are_401(five_failures_a_minute, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    client = client_with_key(WRONG_KEY)

    for _ in range(5):
        assert_error(client.get(DEBTORS), 401, "authentication_failed")


def test_one_wrong_key_past_the_limit_is_429_in_the_error_format(five_failures_a_minute, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    client = client_with_key(WRONG_KEY)
    for _ in range(5):
        client.get(DEBTORS)

    response = client.get(DEBTORS)

    error = assert_error(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60
    assert error["details"]["retry_after"] == int(response["Retry-After"])


def test_a_throttled_address_has_no_key_looked_up(five_failures_a_minute, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    """Past the limit even a right key waits: guessing must cost the guesser, not the database."""
    _key, raw = api_key_for(org_a.organization)
    for _ in range(5):
        client_with_key(WRONG_KEY).get(DEBTORS)

    assert_error(client_with_key(raw).get(DEBTORS), 429, "throttled")


def test_malformed_authorization_headers_count_as_failures(five_failures_a_minute, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer two parts")
    for _ in range(5):
        assert client.get(DEBTORS).status_code == 401

    assert_error(client.get(DEBTORS), 429, "throttled")


def test_failures_are_counted_per_address(five_failures_a_minute, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    _key, raw = api_key_for(org_a.organization)
    guesser = from_address(client_with_key(WRONG_KEY), "203.0.113.7")
    for _ in range(6):
        guesser.get(DEBTORS)
    assert guesser.get(DEBTORS).status_code == 429

    assert from_address(client_with_key(raw), "198.51.100.1").get(DEBTORS).status_code == 200


def test_right_keys_are_not_counted_as_failures(five_failures_a_minute, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    client = api_client(org_a.organization)

    assert all(client.get(DEBTORS).status_code == 200 for _ in range(8))


def test_the_default_allows_twenty_failures_a_minute(org_a: Tenant) -> None:
    client = client_with_key(WRONG_KEY)
    statuses = [client.get(DEBTORS).status_code for _ in range(21)]

    assert statuses == [401] * 20 + [429]


# --- Refused requests do not use up a key's quota ---------------------------------------------------


@pytest.fixture
def tight_rates(settings) -> None:  # type: ignore[no-untyped-def]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key_burst": "3/minute", "api_key_sustained": "5/hour"},
    }


def _burst_window_passes(organization: Organization) -> None:
    """What a minute's wait does to the burst limit, without waiting: its history is forgotten."""
    for api_key in organization.api_keys.all():
        cache.delete(f"throttle_api_key_burst_{api_key.pk}")


def test_requests_refused_with_429_do_not_use_up_the_sustained_quota(tight_rates, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    client = api_client(org_a.organization)
    assert [client.get(DEBTORS).status_code for _ in range(3)] == [200] * 3
    assert all(client.get(DEBTORS).status_code == 429 for _ in range(10))

    _burst_window_passes(org_a.organization)

    # 3 of 5 used: two more pass (before, the ten refused ones had used up the hour's quota).
    assert [client.get(DEBTORS).status_code for _ in range(3)] == [200, 200, 429]


def test_requests_refused_with_403_do_not_use_up_the_quota(tight_rates, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    client = api_client(org_a.organization, ApiKeyAccess.READ)
    for _ in range(5):
        assert_error(client.post(DEBTORS, {"name": "X"}), 403, "read_only_key")

    assert [client.get(DEBTORS).status_code for _ in range(4)] == [200, 200, 200, 429]


# --- One JSON error format for everything under /api/ ----------------------------------------------


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_a_write_to_an_unknown_api_path_is_a_json_404_even_with_csrf_checks(owner_client, method: str) -> None:  # type: ignore[no-untyped-def]
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = owner_client.cookies  # a logged-in session without a CSRF token

    response = getattr(browser, method)("/api/v1/nothing/", data="{}", content_type="application/json")

    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("url", ["/api/v1/nothing/", "/api/v1/debtors/a.b/", "/api/v1/debtors/x/y/z/", "/api/v9/"])
def test_unknown_api_paths_are_json_404s(url: str) -> None:
    assert_error(Client().get(url), 404, "not_found")


def test_a_csrf_refusal_under_the_api_is_json() -> None:
    request = RequestFactory().post("/api/v1/anything/")

    response = csrf_failure_view(request, reason="CSRF cookie not set.")

    assert response.status_code == 403
    assert json.loads(response.content)["error"]["code"] == "csrf_failed"


def test_a_csrf_refusal_elsewhere_stays_django_s_page(owner_client, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = owner_client.cookies

    response = browser.post(f"/app/{org_a.organization.public_id}/settings/", {"name": "X"})

    assert response.status_code == 403
    assert response["Content-Type"].startswith("text/html")


# --- Money only as strings with at most two decimals ------------------------------------------------


@pytest.mark.parametrize("amount", [121, 121.5, 0, "121.005", "1e2", "+1.00", "1,00", " 121.00", "121.00 "])
def test_money_that_is_not_a_string_with_two_decimals_is_refused(org_a: Tenant, amount: Any) -> None:
    response = api_client(org_a.organization).post(INVOICES, invoice_body(amount=amount, vat_amount="0.00"))

    details = assert_error(response, 400, "validation_error")["details"]
    assert list(details) == ["amount"]
    assert Invoice.unscoped.count() == 0


def test_an_integer_amount_gets_a_clear_message(org_a: Tenant) -> None:
    response = api_client(org_a.organization).post(INVOICES, invoice_body(amount=121))

    details = assert_error(response, 400, "validation_error")["details"]
    assert details["amount"] == ['Send the amount as a string, e.g. "121.00", not as a number.']


def test_a_payment_of_zero_is_refused_by_the_money_field(org_a: Tenant, invoice_a: Invoice) -> None:
    body = {"invoice": str(invoice_a.public_id), "amount": "0.00", "date": "2026-01-05"}

    details = assert_error(api_client(org_a.organization).post("/api/v1/payments/", body), 400, "validation_error")

    assert "amount" in details["details"]
    assert not invoice_a.payments.exists()


# --- Query parameters: a value or nothing ----------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "status=", "status=%20", "page_size=null", "page_size=", "page=abc", "page=0", "page_size=-1",
        "overdue=null", "overdue=", "overdue=1", "debtor=", "due_before=", "statsu=open",
    ],
)  # fmt: skip
def test_empty_null_and_unknown_query_parameters_are_refused(org_a: Tenant, query: str) -> None:
    InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization))

    error = assert_error(api_client(org_a.organization).get(f"{INVOICES}?{query}"), 400, "validation_error")

    assert list(error["details"]) == [query.split("=")[0]]


@pytest.mark.parametrize("query", ["overdue=false", "overdue=true", "page_size=1", "page=1", "status=open"])
def test_well_formed_query_parameters_still_work(org_a: Tenant, query: str) -> None:
    assert api_client(org_a.organization).get(f"{INVOICES}?{query}").status_code == 200


def test_leaving_out_overdue_lists_every_invoice(org_a: Tenant) -> None:
    InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization))

    assert api_client(org_a.organization).get(INVOICES).json()["count"] == 1


# --- No control characters in text that is printed -------------------------------------------------


@pytest.mark.parametrize("number", ["2026\n0042", "2026-0042\n", "2026\t42", "2026\r42", "20\x0026", "20\u202826"])
def test_an_invoice_number_with_a_control_character_is_refused(org_a: Tenant, number: str) -> None:
    response = api_client(org_a.organization).post(INVOICES, invoice_body(number=number))

    details = assert_error(response, 400, "validation_error")["details"]
    assert "Use a single line without control characters such as line breaks or tabs." in details["number"]
    assert Invoice.unscoped.count() == 0


@pytest.mark.parametrize("field", ["name", "address", "city", "postal_code", "contact_person", "external_id"])
def test_a_debtor_text_with_a_line_break_is_refused(org_a: Tenant, field: str) -> None:
    body = {"name": "Bakkerij De Vries", field: "Bakkerij\nDe Vries"}

    error = assert_error(api_client(org_a.organization).post(DEBTORS, body), 400, "validation_error")

    assert field in error["details"]
    assert Debtor.unscoped.count() == 0


def test_an_inline_debtor_name_with_a_line_break_is_refused(org_a: Tenant) -> None:
    response = api_client(org_a.organization).post(INVOICES, invoice_body(debtor={"name": "Bakkerij\nDe Vries"}))

    assert "name" in assert_error(response, 400, "validation_error")["details"]["debtor"]


def test_an_organization_name_with_a_line_break_is_refused(org_a: Tenant) -> None:
    response = api_client(org_a.organization).patch("/api/v1/organization/", {"legal_name": "Alpha\nB.V."})

    assert "legal_name" in assert_error(response, 400, "validation_error")["details"]
    org_a.organization.refresh_from_db()
    assert "\n" not in org_a.organization.legal_name


def test_surrounding_spaces_are_still_trimmed(org_a: Tenant) -> None:
    response = api_client(org_a.organization).post(DEBTORS, {"name": "  Bakkerij De Vries  ", "country": "nl"})

    assert response.status_code == 201
    assert (response.json()["name"], response.json()["country"]) == ("Bakkerij De Vries", "NL")


@pytest.mark.parametrize("country", ["N", "NLD", "1A", "é1", "ÉÜ", "N\n"])
def test_a_country_that_is_not_two_ascii_letters_is_refused(org_a: Tenant, country: str) -> None:
    response = api_client(org_a.organization).post(DEBTORS, {"name": "A", "country": country})

    assert "country" in assert_error(response, 400, "validation_error")["details"]


@pytest.mark.parametrize("vat_id", ["123456789", "N1", "NL\n000099998B57"])
def test_a_vat_id_without_its_country_prefix_is_refused(org_a: Tenant, vat_id: str) -> None:
    response = api_client(org_a.organization).post(DEBTORS, {"name": "A", "vat_id": vat_id})

    assert "vat_id" in assert_error(response, 400, "validation_error")["details"]
