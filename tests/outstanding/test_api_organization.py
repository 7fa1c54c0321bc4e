"""The organization API: the key's own organization, its details, and switching reminders on and off."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from outstanding.calendar import local_today
from outstanding.models import ApiKeyAccess, Organization
from outstanding.services import organization_defaults_install
from reminders.models import DunningSettings, Reminder
from tests.api_clients import api_client, api_key_for, assert_error, client_with_key
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

ORGANIZATION = "/api/v1/organization/"
ACTIVATE = "/api/v1/organization/reminders/activate/"
DEACTIVATE = "/api/v1/organization/reminders/deactivate/"


@pytest.fixture
def org_off(org_a: Tenant) -> Organization:
    organization_defaults_install(org_a.organization)
    DunningSettings.objects.for_organization(org_a.organization).update(reminders_active=False)
    return org_a.organization


@pytest.fixture
def client(org_off: Organization) -> APIClient:
    return api_client(org_off)


def stored(organization: Organization) -> Organization:
    return Organization.objects.get(pk=organization.pk)


def reminders_active(organization: Organization) -> bool:
    return DunningSettings.objects.for_organization(organization).get().reminders_active


# --- GET ------------------------------------------------------------------------------------------


def test_get_shows_the_keys_own_organization(org_off: Organization) -> None:
    body = api_client(org_off, ApiKeyAccess.READ).get(ORGANIZATION).json()

    assert body == {
        "id": str(org_off.public_id),
        "name": "Alpha Groothandel B.V.",
        "legal_name": org_off.legal_name,
        "address": "Keizersgracht 1",
        "postal_code": "1015 CJ",
        "city": "Amsterdam",
        "country": "NL",
        "kvk": "12345678",
        "vat_id": "NL000099998B57",
        "iban": "NL91ABNA0417164300",
        "email": org_off.email,
        "phone": "",
        "mollie_api_key_set": False,
        "online_payment_minimum": None,
        "payment_claim_hold_days": 10,
        "arrangement_max_terms": 6,
        "arrangement_min_term_amount": "25.00",
        "arrangement_auto_approve": False,
        "dossier_auto_open": False,
        "dossier_pre_collection": True,
        "pre_collection_days": 14,
    }


def test_each_key_sees_only_its_own_organization(org_off: Organization, org_b: Tenant) -> None:
    body = api_client(org_b.organization).get(ORGANIZATION).json()

    assert body["id"] == str(org_b.organization.public_id)
    assert body["name"] == "Beta Installaties B.V."


def test_get_without_a_key_is_401(db) -> None:  # type: ignore[no-untyped-def]
    assert_error(APIClient().get(ORGANIZATION), 401, "not_authenticated")


# --- PATCH ----------------------------------------------------------------------------------------


def test_patch_changes_the_details_and_compacts_like_the_settings_page(
    client: APIClient, org_off: Organization
) -> None:
    response = client.patch(
        ORGANIZATION,
        {"address": "Damrak 5", "kvk": "3028 1757", "iban": "nl81 rabo 0312 3456 78", "phone": "+31201234567"},
    )

    assert response.status_code == 200, response.content
    organization = stored(org_off)
    assert (organization.street, organization.kvk_number, organization.iban) == (
        "Damrak 5",
        "30281757",
        "NL81RABO0312345678",
    )
    assert organization.city == "Amsterdam"  # left out: kept
    assert response.json()["iban"] == "NL81RABO0312345678"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"iban": "NL00ABNA0000000000"}, "iban"),
        ({"kvk": "1234"}, "kvk"),
        ({"email": "not-an-email"}, "email"),
        ({"vat_id": "NL123"}, "vat_id"),
        ({"name": ""}, "name"),
        ({"address": "x" * 201}, "address"),
        ({"organization": "another one"}, "organization"),
        ({"iban": 12}, "iban"),
        ({"address": -123973775}, "address"),  # a JSON number where the schema says string
        ({"name": 7}, "name"),
    ],
)
def test_bad_input_is_400_with_the_field_and_changes_nothing(
    client: APIClient, org_off: Organization, payload: dict[str, object], field: str
) -> None:
    before = stored(org_off)

    error = assert_error(client.patch(ORGANIZATION, {"city": "Utrecht", **payload}), 400, "validation_error")

    assert field in error["details"], error
    after = stored(org_off)
    assert (after.city, after.iban, after.kvk_number, after.name, after.email) == (
        before.city,
        before.iban,
        before.kvk_number,
        before.name,
        before.email,
    )


def test_a_read_only_key_cannot_patch(org_off: Organization) -> None:
    client = api_client(org_off, ApiKeyAccess.READ)

    assert_error(client.patch(ORGANIZATION, {"city": "Utrecht"}), 403, "read_only_key")
    assert stored(org_off).city == "Amsterdam"


def test_a_patch_changes_only_the_keys_own_organization(org_off: Organization, org_b: Tenant) -> None:
    response = api_client(org_b.organization).patch(ORGANIZATION, {"city": "Groningen"})

    assert response.status_code == 200
    assert stored(org_b.organization).city == "Groningen"
    assert stored(org_off).city == "Amsterdam"


# --- activate / deactivate --------------------------------------------------------------------------


def test_activate_with_missing_facts_is_409_with_the_missing_fields(client: APIClient, org_off: Organization) -> None:
    Organization.objects.filter(pk=org_off.pk).update(iban="", street="")

    error = assert_error(client.post(ACTIVATE), 409, "missing_facts")

    assert error["details"]["missing_fields"] == ["address", "iban"]
    assert error["details"]["iban"] and error["details"]["address"]
    assert reminders_active(org_off) is False


def test_activate_switches_on_and_tells_what_the_next_run_sends(client: APIClient, org_off: Organization) -> None:
    today = local_today(org_off.time_zone)
    debtor = DebtorFactory(organization=org_off)
    InvoiceFactory(debtor=debtor, due_date=today - dt.timedelta(days=5), issue_date=today - dt.timedelta(days=35))

    response = client.post(ACTIVATE, {"backlog_start": "by_age"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reminders_active"] is True
    assert body["next_run_messages"] == sum(line["messages"] for line in body["next_run"])
    assert body["next_run_date"] is None or body["next_run_date"] >= today.isoformat()
    assert body["activated_by"] is None and body["api_key"] == "test read_write"
    assert body["backlog_start"] == "by_age"
    settings = DunningSettings.objects.for_organization(org_off).get()
    assert settings.reminders_active and settings.activated_at is not None and settings.activated_by is None
    assert not Reminder.objects.for_organization(org_off).exists()


def test_activate_after_filling_in_the_facts_through_the_api(client: APIClient, org_off: Organization) -> None:
    Organization.objects.filter(pk=org_off.pk).update(iban="")
    assert_error(client.post(ACTIVATE), 409, "missing_facts")

    assert client.patch(ORGANIZATION, {"iban": "NL91ABNA0417164300"}).status_code == 200

    assert client.post(ACTIVATE).status_code == 200
    assert reminders_active(org_off) is True


def test_activate_with_a_bad_backlog_start_is_400_and_changes_nothing(client: APIClient, org_off: Organization) -> None:
    error = assert_error(client.post(ACTIVATE, {"backlog_start": "all_at_once"}), 400, "validation_error")

    assert "backlog_start" in error["details"]
    assert reminders_active(org_off) is False


def test_deactivate_switches_off(client: APIClient, org_off: Organization) -> None:
    client.post(ACTIVATE)

    response = client.post(DEACTIVATE)

    assert response.status_code == 200
    assert response.json()["reminders_active"] is False
    assert reminders_active(org_off) is False


@pytest.mark.parametrize("url", [ACTIVATE, DEACTIVATE])
def test_a_read_only_key_cannot_switch(org_a: Tenant, url: str) -> None:
    organization_defaults_install(org_a.organization)
    client = api_client(org_a.organization, ApiKeyAccess.READ)

    assert_error(client.post(url), 403, "read_only_key")
    assert reminders_active(org_a.organization) is True


def test_a_key_switches_only_its_own_organization(org_off: Organization) -> None:
    other = OrganizationFactory(reminders_active=False)
    organization_defaults_install(other)
    _api_key, raw = api_key_for(other)

    assert client_with_key(raw).post(ACTIVATE).status_code == 200

    assert reminders_active(other) is True
    assert reminders_active(org_off) is False


def test_switching_takes_a_post(client: APIClient, org_off: Organization) -> None:
    assert_error(client.get(ACTIVATE), 405, "method_not_allowed")
    assert reminders_active(org_off) is False


def test_the_paths_work_without_their_trailing_slash_too(client: APIClient, org_off: Organization) -> None:
    """As the docs spell them: a POST cannot follow a redirect to the slashed URL."""
    assert client.get("/api/v1/organization").json()["name"] == org_off.name
    response = client.post("/api/v1/organization/reminders/activate")
    assert response.status_code == 200, response.content
    assert reminders_active(org_off)
    assert client.post("/api/v1/organization/reminders/deactivate").status_code == 200
    assert not reminders_active(org_off)
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/organization/reminders/activate/" in schema["paths"]
    assert "/api/v1/organization/reminders/activate" not in schema["paths"]


# --- the portal and payments: the Mollie key (write-only) and the limits -----------------------------------

MOLLIE_KEY = "live_abcdefghijklmnopqrstuvwxyz1234WXYZ"


def test_patch_stores_the_mollie_key_and_no_response_ever_contains_it(client: APIClient, org_off: Organization) -> None:
    response = client.patch(ORGANIZATION, {"mollie_api_key": MOLLIE_KEY}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["mollie_api_key_set"] is True
    assert "mollie_api_key" not in response.json()
    assert MOLLIE_KEY not in response.content.decode()
    assert stored(org_off).mollie_api_key == MOLLIE_KEY
    again = client.get(ORGANIZATION)
    assert again.json()["mollie_api_key_set"] is True and MOLLIE_KEY not in again.content.decode()


def test_patch_without_the_key_keeps_it_and_an_empty_or_null_key_removes_it(
    client: APIClient, org_off: Organization
) -> None:
    client.patch(ORGANIZATION, {"mollie_api_key": MOLLIE_KEY}, format="json")
    client.patch(ORGANIZATION, {"city": "Utrecht", "payment_claim_hold_days": 5}, format="json")
    assert (stored(org_off).mollie_api_key, stored(org_off).payment_claim_hold_days) == (MOLLIE_KEY, 5)

    for removal in ("", None):
        client.patch(ORGANIZATION, {"mollie_api_key": MOLLIE_KEY}, format="json")
        response = client.patch(ORGANIZATION, {"mollie_api_key": removal}, format="json")
        assert response.status_code == 200, response.content
        assert response.json()["mollie_api_key_set"] is False
        assert stored(org_off).mollie_api_key == ""


def test_patch_changes_the_portal_limits(client: APIClient, org_off: Organization) -> None:
    response = client.patch(
        ORGANIZATION,
        {
            "online_payment_minimum": "15.00",
            "payment_claim_hold_days": 90,
            "arrangement_max_terms": 0,
            "arrangement_min_term_amount": "1.00",
            "arrangement_auto_approve": True,
        },
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (
        body["online_payment_minimum"],
        body["payment_claim_hold_days"],
        body["arrangement_max_terms"],
        body["arrangement_min_term_amount"],
        body["arrangement_auto_approve"],
    ) == ("15.00", 90, 0, "1.00", True)
    organization = stored(org_off)
    assert organization.online_payment_minimum == Decimal("15.00") and organization.arrangement_auto_approve
    response = client.patch(
        ORGANIZATION, {"online_payment_minimum": None, "arrangement_auto_approve": False}, format="json"
    )
    assert response.json()["online_payment_minimum"] is None
    assert stored(org_off).arrangement_auto_approve is False
    assert stored(org_off).arrangement_max_terms == 0  # left out: kept


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"mollie_api_key": "live_short"}, "mollie_api_key"),
        ({"mollie_api_key": "access_" + "a" * 30}, "mollie_api_key"),
        ({"mollie_api_key": 12}, "mollie_api_key"),
        ({"online_payment_minimum": "0.99"}, "online_payment_minimum"),
        ({"online_payment_minimum": 5}, "online_payment_minimum"),
        ({"payment_claim_hold_days": 0}, "payment_claim_hold_days"),
        ({"payment_claim_hold_days": 91}, "payment_claim_hold_days"),
        ({"arrangement_max_terms": 37}, "arrangement_max_terms"),
        ({"arrangement_min_term_amount": "0.99"}, "arrangement_min_term_amount"),
        ({"mollie_api_key_set": True}, "mollie_api_key_set"),
        ({"iban": "NL00ABNA0000000000", "mollie_api_key": MOLLIE_KEY}, "iban"),
    ],
)
def test_bad_portal_settings_are_400_with_the_field_and_change_nothing(
    client: APIClient, org_off: Organization, payload: dict[str, object], field: str
) -> None:
    error = assert_error(
        client.patch(ORGANIZATION, {"city": "Utrecht", "payment_claim_hold_days": 20, **payload}, format="json"),
        400,
        "validation_error",
    )

    assert field in error["details"], error
    after = stored(org_off)
    assert (after.city, after.mollie_api_key, after.payment_claim_hold_days, after.online_payment_minimum) == (
        "Amsterdam",
        "",
        10,
        None,
    )
    if isinstance(payload.get("mollie_api_key"), str):
        assert payload["mollie_api_key"] not in str(error)  # a secret is never echoed back


def test_a_read_only_key_cannot_set_the_mollie_key(org_off: Organization) -> None:
    client = api_client(org_off, ApiKeyAccess.READ)

    assert_error(client.patch(ORGANIZATION, {"mollie_api_key": MOLLIE_KEY}, format="json"), 403, "read_only_key")
    assert stored(org_off).mollie_api_key == ""
    assert "mollie_api_key_set" in client.get(ORGANIZATION).json()


def test_the_mollie_key_goes_to_the_keys_own_organization_only(org_off: Organization, org_b: Tenant) -> None:
    api_client(org_b.organization).patch(ORGANIZATION, {"mollie_api_key": MOLLIE_KEY}, format="json")

    assert stored(org_b.organization).mollie_api_key == MOLLIE_KEY
    assert stored(org_off).mollie_api_key == ""
