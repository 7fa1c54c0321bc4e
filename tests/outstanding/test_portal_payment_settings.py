"""Settings "Portal and payments": the organization's own Mollie key (write-only) and the portal limits.

Owners and administrators only; members and viewers get 403, outsiders 404.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation

from outstanding.models import Organization, Role
from tests.conftest import Tenant, client_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

KEY = "live_abcdefghijklmnopqrstuvwxyz1234WXYZ"
OTHER_KEY = "test_zyxwvutsrqponmlkjihgfedcba98765432"


@pytest.fixture(autouse=True)
def _in_english():
    with translation.override("en"):
        yield


def url(tenant: Tenant) -> str:
    return reverse("portal_payment_settings", args=[tenant.organization.public_id])


def form_data(organization: Organization, **changes: str) -> dict[str, str]:
    """What the page posts back when nothing is changed (the key field empty), plus ``changes``."""
    data = {
        "mollie_api_key": "",
        "online_payment_minimum": ""
        if organization.online_payment_minimum is None
        else str(organization.online_payment_minimum),
        "payment_claim_hold_days": str(organization.payment_claim_hold_days),
        "arrangement_max_terms": str(organization.arrangement_max_terms),
        "arrangement_min_term_amount": str(organization.arrangement_min_term_amount),
    }
    if organization.arrangement_auto_approve:
        data["arrangement_auto_approve"] = "on"
    data.update(changes)
    return data


def stored(tenant: Tenant) -> Organization:
    return Organization.objects.get(pk=tenant.organization.pk)


def stored_column(organization: Organization) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT mollie_api_key FROM outstanding_organization WHERE id = %s", [organization.pk])
        return cursor.fetchone()[0]


def test_an_owner_saves_the_key_which_is_stored_encrypted_and_never_shown_again(
    org_a: Tenant, owner_client: Client
) -> None:
    response = owner_client.post(url(org_a), form_data(org_a.organization, mollie_api_key=f"  {KEY} "))

    assert response.status_code == 302
    assert stored(org_a).mollie_api_key == KEY
    assert stored_column(org_a.organization).startswith("fernet:") and KEY not in stored_column(org_a.organization)
    page = owner_client.get(url(org_a)).content.decode()
    assert KEY not in page and KEY[:-4] not in page
    assert "Ingesteld, eindigt op …WXYZ" in page
    assert 'name="mollie_api_key"' in page and 'value="' not in page.split('name="mollie_api_key"')[1].split(">")[0]


def test_without_a_key_the_page_says_so_and_offers_no_removal(org_a: Tenant, owner_client: Client) -> None:
    page = owner_client.get(url(org_a)).content.decode()

    assert "Niet ingesteld: debiteuren kunnen nog niet online betalen" in page
    assert 'name="remove_mollie_api_key"' not in page


def test_an_empty_key_field_keeps_the_key_and_saves_the_limits(org_a: Tenant, owner_client: Client) -> None:
    Organization.objects.filter(pk=org_a.organization.pk).update(mollie_api_key=KEY)
    organization = stored(org_a)

    response = owner_client.post(
        url(org_a),
        form_data(
            organization,
            online_payment_minimum="25.00",
            payment_claim_hold_days="14",
            arrangement_max_terms="12",
            arrangement_min_term_amount="50.00",
            arrangement_auto_approve="on",
        ),
    )

    assert response.status_code == 302
    after = stored(org_a)
    assert after.mollie_api_key == KEY
    assert (
        after.online_payment_minimum,
        after.payment_claim_hold_days,
        after.arrangement_max_terms,
        after.arrangement_min_term_amount,
        after.arrangement_auto_approve,
    ) == (Decimal("25.00"), 14, 12, Decimal("50.00"), True)


def test_a_new_key_replaces_the_old_one(org_a: Tenant, owner_client: Client) -> None:
    Organization.objects.filter(pk=org_a.organization.pk).update(mollie_api_key=KEY)

    owner_client.post(url(org_a), form_data(stored(org_a), mollie_api_key=OTHER_KEY))

    assert stored(org_a).mollie_api_key == OTHER_KEY


def test_the_key_can_be_removed(org_a: Tenant, owner_client: Client) -> None:
    Organization.objects.filter(pk=org_a.organization.pk).update(mollie_api_key=KEY)
    assert 'name="remove_mollie_api_key"' in owner_client.get(url(org_a)).content.decode()

    response = owner_client.post(url(org_a), form_data(stored(org_a), remove_mollie_api_key="on"))

    assert response.status_code == 302
    assert stored(org_a).mollie_api_key == ""
    assert "Niet ingesteld" in owner_client.get(url(org_a)).content.decode()


@pytest.mark.parametrize(
    "key",
    [
        "live_abc",  # too short
        "live_" + "a" * 29,  # one short of 30
        "prod_" + "a" * 30,
        "access_" + "a" * 30,  # an OAuth token is not a key
        "test_" + "a" * 29 + "-",
        "test_" + "a" * 20 + " " + "a" * 10,
        "test_" + "a" * 200,
    ],
)
def test_a_malformed_key_is_refused_with_a_clear_message_and_nothing_changes(
    org_a: Tenant, owner_client: Client, key: str
) -> None:
    Organization.objects.filter(pk=org_a.organization.pk).update(mollie_api_key=KEY)

    response = owner_client.post(url(org_a), form_data(stored(org_a), mollie_api_key=key, payment_claim_hold_days="20"))

    assert response.status_code == 200
    assert "Dit is geen Mollie-API-sleutel" in response.content.decode()
    after = stored(org_a)
    assert (after.mollie_api_key, after.payment_claim_hold_days) == (KEY, 10)
    assert key not in response.content.decode()  # not even a wrong secret is echoed back


def test_a_key_of_exactly_thirty_characters_is_accepted(org_a: Tenant, owner_client: Client) -> None:
    key = "test_" + "a1" * 15

    assert owner_client.post(url(org_a), form_data(org_a.organization, mollie_api_key=key)).status_code == 302
    assert stored(org_a).mollie_api_key == key


def test_a_new_key_and_removal_at_once_is_refused(org_a: Tenant, owner_client: Client) -> None:
    Organization.objects.filter(pk=org_a.organization.pk).update(mollie_api_key=KEY)

    response = owner_client.post(
        url(org_a), form_data(stored(org_a), mollie_api_key=OTHER_KEY, remove_mollie_api_key="on")
    )

    assert response.status_code == 200
    assert "niet allebei" in response.content.decode()
    assert stored(org_a).mollie_api_key == KEY


@pytest.mark.parametrize(
    ("field", "refused", "accepted"),
    [
        ("online_payment_minimum", "0.99", "1.00"),
        ("payment_claim_hold_days", "0", "1"),
        ("payment_claim_hold_days", "91", "90"),
        ("arrangement_max_terms", "37", "36"),
        ("arrangement_max_terms", "-1", "0"),
        ("arrangement_min_term_amount", "0.99", "1.00"),
        ("arrangement_min_term_amount", "", "1.00"),
    ],
)
def test_limits_are_checked_just_past_them(
    org_a: Tenant, owner_client: Client, field: str, refused: str, accepted: str
) -> None:
    before = getattr(stored(org_a), field)

    response = owner_client.post(url(org_a), form_data(org_a.organization, **{field: refused}))

    assert response.status_code == 200 and "has-error" in response.content.decode()
    assert getattr(stored(org_a), field) == before
    assert owner_client.post(url(org_a), form_data(org_a.organization, **{field: accepted})).status_code == 302
    assert str(getattr(stored(org_a), field)) == accepted


def test_an_empty_minimum_means_whole_invoices_only(org_a: Tenant, owner_client: Client) -> None:
    Organization.objects.filter(pk=org_a.organization.pk).update(online_payment_minimum=Decimal("10.00"))

    owner_client.post(url(org_a), form_data(stored(org_a), online_payment_minimum=""))

    assert stored(org_a).online_payment_minimum is None


def test_an_administrator_may_change_it_too(org_a: Tenant) -> None:
    admin = MembershipFactory(organization=org_a.organization, role=Role.ADMIN).user

    response = client_for(admin).post(url(org_a), form_data(org_a.organization, mollie_api_key=KEY))

    assert response.status_code == 302
    assert stored(org_a).mollie_api_key == KEY


def test_members_and_viewers_may_not_even_read_it(org_a: Tenant, member_client: Client, viewer_client: Client) -> None:
    for client in (member_client, viewer_client):
        assert client.get(url(org_a)).status_code == 403
        assert client.post(url(org_a), form_data(org_a.organization, mollie_api_key=KEY)).status_code == 403
    assert stored(org_a).mollie_api_key == ""


def test_the_settings_menu_links_it_for_administrators_only(
    org_a: Tenant, owner_client: Client, member_client: Client
) -> None:
    company = reverse("organization_settings", args=[org_a.organization.public_id])

    assert url(org_a) in owner_client.get(company).content.decode()
    assert url(org_a) not in member_client.get(company).content.decode()


def test_an_outsider_gets_404_and_changes_nothing(org_a: Tenant, outsider_client: Client) -> None:
    assert outsider_client.get(url(org_a)).status_code == 404
    assert outsider_client.post(url(org_a), form_data(org_a.organization, mollie_api_key=KEY)).status_code == 404
    assert stored(org_a).mollie_api_key == ""


def test_an_anonymous_visitor_is_sent_to_log_in(org_a: Tenant) -> None:
    assert Client().get(url(org_a)).status_code == 302
