"""The API's authentication, permissions, limits and its one error format for every kind of error."""

from __future__ import annotations

import json

import pytest
from rest_framework.test import APIClient

from invoices.models import Debtor, Invoice
from outstanding.api_keys import api_key_revoke
from outstanding.models import ApiKeyAccess
from tests.api_clients import api_client, api_key_for, assert_error, client_with_key
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

DEBTORS = "/api/v1/debtors/"
ENDPOINTS = ["/api/v1/debtors/", "/api/v1/invoices/", "/api/v1/payments/", "/api/v1/reminders/"]


@pytest.fixture
def client(org_a: Tenant) -> APIClient:
    return api_client(org_a.organization)


# --- 401: who is asking -------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_request_without_a_key_is_401(db, url: str) -> None:  # type: ignore[no-untyped-def]
    response = APIClient().get(url)

    assert_error(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_key_is_401(org_a: Tenant) -> None:
    api_key_for(org_a.organization)

    response = client_with_key("ost_" + "x" * 40).get(DEBTORS)

    assert_error(response, 401, "authentication_failed")


def test_a_revoked_key_is_401(org_a: Tenant) -> None:
    api_key, raw = api_key_for(org_a.organization)
    assert client_with_key(raw).get(DEBTORS).status_code == 200
    api_key_revoke(api_key=api_key)

    response = client_with_key(raw).get(DEBTORS)

    assert_error(response, 401, "authentication_failed")


@pytest.mark.parametrize("header", ["Bearer", "Bearer two parts", "Basic dXNlcjpwYXNz", "ost_abc"])
def test_a_malformed_authorization_header_is_401(org_a: Tenant, header: str) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(DEBTORS)

    assert response.status_code == 401
    assert response.json()["error"]["code"] in ("authentication_failed", "not_authenticated")


def test_a_session_login_is_not_an_api_credential(owner_client, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    response = owner_client.get(DEBTORS)

    assert_error(response, 401, "not_authenticated")


def test_the_tenant_comes_from_the_key(org_a: Tenant, org_b: Tenant) -> None:
    DebtorFactory(organization=org_a.organization, name="Alpha's debtor")
    DebtorFactory(organization=org_b.organization, name="Beta's debtor")

    names_a = [row["name"] for row in api_client(org_a.organization).get(DEBTORS).json()["results"]]
    names_b = [row["name"] for row in api_client(org_b.organization).get(DEBTORS).json()["results"]]

    assert names_a == ["Alpha's debtor"]
    assert names_b == ["Beta's debtor"]


# --- 403: read-only keys -------------------------------------------------------------------------------


def test_a_read_only_key_reads(org_a: Tenant) -> None:
    DebtorFactory(organization=org_a.organization)

    response = api_client(org_a.organization, ApiKeyAccess.READ).get(DEBTORS)

    assert response.status_code == 200
    assert response.json()["count"] == 1


@pytest.mark.parametrize(
    ("method", "url", "payload"),
    [
        ("post", "/api/v1/debtors/", {"name": "New B.V."}),
        ("patch", "/api/v1/debtors/{debtor}/", {"name": "Renamed"}),
        ("put", "/api/v1/debtors/{debtor}/", {"name": "Renamed"}),
        ("post", "/api/v1/invoices/", {"number": "X-1"}),
        ("patch", "/api/v1/invoices/{invoice}/", {"amount": "1.00"}),
        ("post", "/api/v1/payments/", {"invoice": "{invoice}", "amount": "1.00", "date": "2026-01-01"}),
    ],
)
def test_a_read_only_key_cannot_write(org_a: Tenant, method: str, url: str, payload: dict[str, str]) -> None:
    invoice = InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization, name="Old name"))
    ids = {"debtor": invoice.debtor.public_id, "invoice": invoice.public_id}
    payload = {key: value.format(**ids) for key, value in payload.items()}

    response = getattr(api_client(org_a.organization, ApiKeyAccess.READ), method)(url.format(**ids), payload)

    assert_error(response, 403, "read_only_key")
    assert list(Debtor.objects.for_organization(org_a.organization).values_list("name", flat=True)) == ["Old name"]
    assert Invoice.objects.for_organization(org_a.organization).get().amount == invoice.amount
    assert not invoice.payments.exists()


# --- 404, 405, 415, 413 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/v1/nothing/", "/api/v2/debtors/", "/api/v1/debtors", "/api/", "/api/v1/debtors/not-a-uuid/"]
)
def test_an_unknown_url_is_404_in_the_error_format(client: APIClient, url: str) -> None:
    assert_error(client.get(url), 404, "not_found")


def test_a_url_without_its_trailing_slash_says_so(client: APIClient) -> None:
    error = assert_error(client.post("/api/v1/invoices", {}), 404, "not_found")

    assert "slash" in error["message"]


def test_a_missing_object_is_404_without_naming_our_models(client: APIClient) -> None:
    error = assert_error(client.get("/api/v1/invoices/00000000-0000-0000-0000-000000000000/"), 404, "not_found")

    assert "Invoice" not in error["message"]


def test_a_page_past_the_end_is_404(client: APIClient) -> None:
    assert_error(client.get(DEBTORS + "?page=9"), 404, "not_found")


def test_deleting_is_not_offered(client: APIClient, org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization)

    response = client.delete(f"{DEBTORS}{debtor.public_id}/")

    assert_error(response, 405, "method_not_allowed")
    assert Debtor.objects.for_organization(org_a.organization).count() == 1


def test_reminders_are_read_only(client: APIClient) -> None:
    assert_error(client.post("/api/v1/reminders/", {}), 405, "method_not_allowed")


def test_form_data_is_415(client: APIClient) -> None:
    response = client.post(DEBTORS, {"name": "Form B.V."}, format="multipart")

    assert_error(response, 415, "unsupported_media_type")
    assert Debtor.unscoped.count() == 0


def test_json_to_the_ubl_import_is_415(client: APIClient) -> None:
    assert_error(client.post("/api/v1/invoices/ubl/", {"xml": "<Invoice/>"}), 415, "unsupported_media_type")


def test_malformed_json_is_400(client: APIClient) -> None:
    response = client.post(DEBTORS, data='{"name": "Broken', content_type="application/json")

    assert_error(response, 400, "parse_error")


@pytest.mark.parametrize("constant", ["NaN", "Infinity"])
def test_json_constants_that_are_not_numbers_are_refused(client: APIClient, constant: str) -> None:
    body = '{"name": "X", "number": "1", "amount": CONSTANT}'.replace("CONSTANT", constant)

    assert_error(client.post("/api/v1/invoices/", data=body, content_type="application/json"), 400, "parse_error")


def test_a_json_body_over_the_limit_is_413(client: APIClient, settings) -> None:  # type: ignore[no-untyped-def]
    settings.API_MAX_JSON_BYTES = 1000
    body = json.dumps({"name": "Big B.V.", "contact_person": "x" * 2000})

    response = client.post(DEBTORS, data=body, content_type="application/json")

    assert_error(response, 413, "payload_too_large")
    assert Debtor.unscoped.count() == 0


def test_an_upload_over_the_limit_is_413(client: APIClient, settings) -> None:  # type: ignore[no-untyped-def]
    settings.API_MAX_UPLOAD_BYTES = 1000

    response = client.generic("POST", "/api/v1/invoices/ubl/", b"<Invoice>" + b" " * 2000, "application/xml")

    assert_error(response, 413, "payload_too_large")
    assert Invoice.unscoped.count() == 0


# --- 400: validation ------------------------------------------------------------------------------------


def test_validation_errors_name_their_fields(client: APIClient) -> None:
    response = client.post(DEBTORS, {"kind": "b2x", "email": "not-an-address"})

    error = assert_error(response, 400, "validation_error")
    assert set(error["details"]) == {"name", "kind", "email"}
    assert all(isinstance(messages, list) and messages for messages in error["details"].values())


def test_a_body_that_is_not_an_object_is_400(client: APIClient) -> None:
    error = assert_error(client.post(DEBTORS, [{"name": "A"}]), 400, "validation_error")

    assert "non_field_errors" in error["details"]


def test_an_invalid_filter_is_400(client: APIClient) -> None:
    error = assert_error(client.get("/api/v1/invoices/?due_before=tomorrow&status=late"), 400, "validation_error")

    assert set(error["details"]) == {"due_before", "status"}


# --- 429: throttling -----------------------------------------------------------------------------------


@pytest.fixture
def tight_rates(settings) -> None:  # type: ignore[no-untyped-def]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key_burst": "3/minute", "api_key_sustained": "100/hour"},
    }


def test_too_many_requests_are_429_in_the_error_format(tight_rates, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    client = api_client(org_a.organization)
    for _ in range(3):
        assert client.get(DEBTORS).status_code == 200

    response = client.get(DEBTORS)

    error = assert_error(response, 429, "throttled")
    assert 0 < int(response["Retry-After"]) <= 60
    assert error["details"]["retry_after"] == int(response["Retry-After"])


def test_the_limit_counts_per_key(tight_rates, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    busy = api_client(org_a.organization)
    for _ in range(4):
        busy.get(DEBTORS)
    assert busy.get(DEBTORS).status_code == 429

    assert api_client(org_a.organization).get(DEBTORS).status_code == 200


def test_the_sustained_limit_applies_too(settings, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_key_burst": "100/second", "api_key_sustained": "2/hour"},
    }
    client = api_client(org_a.organization)
    client.get(DEBTORS)
    client.get(DEBTORS)

    assert_error(client.get(DEBTORS), 429, "throttled")


def test_a_throttled_write_changes_nothing(tight_rates, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    client = api_client(org_a.organization)
    for _ in range(3):
        client.get(DEBTORS)

    assert_error(client.post(DEBTORS, {"name": "Late B.V."}), 429, "throttled")
    assert Debtor.unscoped.count() == 0


# --- paging -----------------------------------------------------------------------------------------------


def test_lists_are_paged_with_a_page_size(client: APIClient, org_a: Tenant) -> None:
    for name in ("A", "B", "C"):
        DebtorFactory(organization=org_a.organization, name=name)

    first = client.get(DEBTORS + "?page_size=2").json()
    second = client.get(first["next"]).json()

    assert first["count"] == 3
    assert [row["name"] for row in first["results"]] == ["A", "B"]
    assert [row["name"] for row in second["results"]] == ["C"]
    assert second["next"] is None


def test_a_page_holds_at_most_500(client: APIClient, org_a: Tenant) -> None:
    Debtor.objects.bulk_create(Debtor(organization=org_a.organization, name=f"D{n:04d}") for n in range(501))

    response = client.get(DEBTORS + "?page_size=10000")

    assert len(response.json()["results"]) == 500
