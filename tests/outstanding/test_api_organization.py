"""The organization API: the key's own organization, its details, and switching reminders on and off."""

from __future__ import annotations

import datetime as dt

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
