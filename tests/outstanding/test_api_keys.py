"""API keys: made with a hash only, shown once, refused when revoked; the settings page and the command."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outstanding.api_keys import api_key_authenticate, api_key_create, api_key_revoke
from outstanding.models import ApiKey, ApiKeyAccess, Role
from tests.api_clients import api_key_for, client_with_key
from tests.conftest import Tenant, client_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def tables_containing(text: str) -> list[str]:
    """Every table of the database with a row whose text form contains ``text``."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        found = []
        for table in tables:
            # Table names come from pg_tables, not from input.
            query = f'SELECT 1 FROM "{table}" AS t WHERE t::text LIKE %s LIMIT 1'  # noqa: S608
            cursor.execute(query, [f"%{text}%"])
            if cursor.fetchone():
                found.append(table)
    return found


# --- services -----------------------------------------------------------------------------------------


def test_a_new_key_has_the_ost_prefix_and_forty_url_safe_characters(org_a: Tenant) -> None:
    api_key, raw = api_key_create(organization=org_a.organization, name="Sync", access="read", created_by=org_a.owner)

    assert raw.startswith("ost_")
    assert len(raw) == 44
    assert all(char.isalnum() or char in "-_" for char in raw[4:])
    assert api_key.prefix == raw[:12]
    assert api_key.created_by == org_a.owner


def test_only_the_sha256_of_the_key_is_stored(org_a: Tenant) -> None:
    api_key, raw = api_key_create(organization=org_a.organization, name="Sync", access="read", created_by=None)

    stored = ApiKey.objects.get(pk=api_key.pk)
    assert stored.hashed_key == hashlib.sha256(raw.encode()).hexdigest()
    assert tables_containing(stored.hashed_key) == ["outstanding_apikey"]  # the search does find things
    assert tables_containing(raw[12:]) == []


def test_two_keys_are_never_the_same(org_a: Tenant) -> None:
    keys = {api_key_for(org_a.organization)[1] for _ in range(20)}

    assert len(keys) == 20


def test_a_key_without_a_name_is_refused_and_nothing_is_created(org_a: Tenant) -> None:
    with pytest.raises(ValidationError) as error:
        api_key_create(organization=org_a.organization, name="  ", access="read", created_by=None)

    assert "name" in error.value.message_dict
    assert ApiKey.objects.count() == 0


def test_an_unknown_access_level_is_refused(org_a: Tenant) -> None:
    with pytest.raises(ValidationError) as error:
        api_key_create(organization=org_a.organization, name="Sync", access="admin", created_by=None)

    assert "access" in error.value.message_dict
    assert ApiKey.objects.count() == 0


def test_the_key_authenticates_as_its_organization(org_a: Tenant) -> None:
    api_key, raw = api_key_for(org_a.organization)

    found = api_key_authenticate(raw)

    assert found == api_key
    assert found is not None and found.organization == org_a.organization


@pytest.mark.parametrize("attempt", ["", "ost_", "ost_wrong", "xyz_" + "a" * 40, "ost_" + "a" * 200])
def test_a_wrong_key_does_not_authenticate(org_a: Tenant, attempt: str) -> None:
    api_key_for(org_a.organization)

    assert api_key_authenticate(attempt) is None


def test_a_key_with_one_character_changed_does_not_authenticate(org_a: Tenant) -> None:
    _api_key, raw = api_key_for(org_a.organization)
    changed = raw[:-1] + ("a" if raw[-1] != "a" else "b")

    assert api_key_authenticate(changed) is None


def test_a_revoked_key_does_not_authenticate(org_a: Tenant) -> None:
    api_key, raw = api_key_for(org_a.organization)

    api_key_revoke(api_key=api_key)

    assert api_key.revoked_at is not None
    assert api_key_authenticate(raw) is None


def test_revoking_twice_keeps_the_first_moment(org_a: Tenant) -> None:
    api_key, _raw = api_key_for(org_a.organization)
    api_key_revoke(api_key=api_key)
    first = api_key.revoked_at

    api_key_revoke(api_key=ApiKey.objects.get(pk=api_key.pk))

    assert ApiKey.objects.get(pk=api_key.pk).revoked_at == first


def test_using_a_key_records_when_it_was_last_used(org_a: Tenant) -> None:
    api_key, raw = api_key_for(org_a.organization)
    assert api_key.last_used_at is None

    api_key_authenticate(raw)

    last_used = ApiKey.objects.get(pk=api_key.pk).last_used_at
    assert last_used is not None
    assert timezone.now() - last_used < dt.timedelta(seconds=10)


def test_last_used_is_written_at_most_once_a_minute(org_a: Tenant, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    api_key, raw = api_key_for(org_a.organization)
    api_key_authenticate(raw)
    first = ApiKey.objects.get(pk=api_key.pk).last_used_at

    with django_assert_num_queries(1):  # the lookup only, no UPDATE
        api_key_authenticate(raw)

    assert ApiKey.objects.get(pk=api_key.pk).last_used_at == first


def test_last_used_moves_on_after_a_minute(org_a: Tenant) -> None:
    api_key, raw = api_key_for(org_a.organization)
    long_ago = timezone.now() - dt.timedelta(minutes=5)
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=long_ago)

    api_key_authenticate(raw)

    assert ApiKey.objects.get(pk=api_key.pk).last_used_at > long_ago


# --- settings pages -----------------------------------------------------------------------------------


def list_url(tenant: Tenant) -> str:
    return reverse("api_key_list", args=[tenant.organization.public_id])


def create_url(tenant: Tenant) -> str:
    return reverse("api_key_create", args=[tenant.organization.public_id])


def revoke_url(tenant: Tenant, api_key: ApiKey) -> str:
    return reverse("api_key_revoke", args=[tenant.organization.public_id, api_key.public_id])


def test_the_settings_navigation_links_to_the_api_keys(owner_client: Client, org_a: Tenant) -> None:
    response = owner_client.get(reverse("organization_settings", args=[org_a.organization.public_id]))

    assert f'href="{list_url(org_a)}"'.encode() in response.content


def test_an_owner_sees_the_keys_with_their_prefix_and_never_the_key(owner_client: Client, org_a: Tenant) -> None:
    api_key, raw = api_key_create(
        organization=org_a.organization, name="Boekhouding sync", access="read_write", created_by=org_a.owner
    )

    response = owner_client.get(list_url(org_a))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Boekhouding sync" in page
    assert f"{api_key.prefix}…" in page
    assert raw not in page
    assert create_url(org_a) in page


def test_creating_a_key_shows_it_once_with_a_warning(owner_client: Client, org_a: Tenant) -> None:
    response = owner_client.post(create_url(org_a), {"name": "Exact sync", "access": "read_write"})

    assert response.status_code == 200
    api_key = ApiKey.objects.get(organization=org_a.organization)
    assert api_key.name == "Exact sync"
    assert api_key.access == ApiKeyAccess.READ_WRITE
    assert api_key.created_by == org_a.owner
    page = response.content.decode()
    raw = page.split('data-testid="api-key"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert raw.startswith(api_key.prefix)
    assert api_key_authenticate(raw) == api_key
    assert 'role="alert"' in page
    assert "no-store" in response["Cache-Control"]
    # The next visit shows the prefix only: the key is gone for good.
    assert raw not in owner_client.get(list_url(org_a)).content.decode()
    assert tables_containing(raw[12:]) == []


def test_an_admin_may_create_a_key(org_a: Tenant) -> None:
    admin = MembershipFactory(organization=org_a.organization, role=Role.ADMIN).user

    response = client_for(admin).post(create_url(org_a), {"name": "Script", "access": "read"})

    assert response.status_code == 200
    assert ApiKey.objects.filter(organization=org_a.organization, access="read").count() == 1


def test_a_key_without_a_name_shows_the_form_again(owner_client: Client, org_a: Tenant) -> None:
    response = owner_client.post(create_url(org_a), {"name": "", "access": "read"})

    assert response.status_code == 400
    assert "name" in response.context["form"].errors
    assert ApiKey.objects.count() == 0


def test_creating_a_key_needs_a_post(owner_client: Client, org_a: Tenant) -> None:
    response = owner_client.get(create_url(org_a))

    assert response.status_code == 405
    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize("persona", ["member", "viewer"])
def test_members_and_viewers_may_not_create_keys(org_a: Tenant, persona: str) -> None:
    response = client_for(getattr(org_a, persona)).post(create_url(org_a), {"name": "Mine", "access": "read_write"})

    assert response.status_code == 403
    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize("persona", ["member", "viewer"])
def test_members_and_viewers_see_the_list_without_actions(org_a: Tenant, persona: str) -> None:
    api_key, _raw = api_key_for(org_a.organization)

    response = client_for(getattr(org_a, persona)).get(list_url(org_a))

    assert response.status_code == 200
    page = response.content.decode()
    assert api_key.prefix in page
    assert create_url(org_a) not in page
    assert revoke_url(org_a, api_key) not in page


def test_an_owner_revokes_a_key_after_confirming(owner_client: Client, org_a: Tenant) -> None:
    api_key, raw = api_key_for(org_a.organization)
    page = owner_client.get(list_url(org_a)).content.decode()
    assert 'class="confirm"' in page and revoke_url(org_a, api_key) in page

    response = owner_client.post(revoke_url(org_a, api_key))

    assert response.status_code == 302
    assert response.url == list_url(org_a)
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None
    assert client_with_key(raw).get("/api/v1/debtors/").status_code == 401
    assert 'class="badge warn"' in owner_client.get(list_url(org_a)).content.decode()


def test_revoking_needs_a_post(owner_client: Client, org_a: Tenant) -> None:
    api_key, _raw = api_key_for(org_a.organization)

    response = owner_client.get(revoke_url(org_a, api_key))

    assert response.status_code == 405
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None


@pytest.mark.parametrize("persona", ["member", "viewer"])
def test_members_and_viewers_may_not_revoke_keys(org_a: Tenant, persona: str) -> None:
    api_key, _raw = api_key_for(org_a.organization)

    response = client_for(getattr(org_a, persona)).post(revoke_url(org_a, api_key))

    assert response.status_code == 403
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None


def test_an_outsider_gets_404_on_every_api_key_page(outsider_client: Client, org_a: Tenant) -> None:
    api_key, _raw = api_key_for(org_a.organization)

    assert outsider_client.get(list_url(org_a)).status_code == 404
    assert outsider_client.post(create_url(org_a), {"name": "x", "access": "read_write"}).status_code == 404
    assert outsider_client.post(revoke_url(org_a, api_key)).status_code == 404
    assert ApiKey.objects.count() == 1
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None


def test_another_organizations_key_cannot_be_revoked_from_ones_own(org_a: Tenant, org_b: Tenant) -> None:
    api_key, _raw = api_key_for(org_a.organization)

    response = client_for(org_b.owner).post(revoke_url(org_b, api_key))

    assert response.status_code == 404
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None


# --- create_api_key command ---------------------------------------------------------------------------


def run(*args: str) -> list[str]:
    stdout = StringIO()
    call_command("create_api_key", *args, stdout=stdout)
    return stdout.getvalue().strip().splitlines()


def test_the_command_prints_a_read_only_key_last_that_authenticates(org_a: Tenant) -> None:
    lines = run(str(org_a.organization.public_id))

    api_key = api_key_authenticate(lines[-1])
    assert api_key is not None
    assert api_key.organization == org_a.organization
    assert api_key.access == ApiKeyAccess.READ
    assert api_key.created_by is None


def test_the_command_makes_a_read_and_write_key_with_a_name(org_a: Tenant) -> None:
    lines = run(str(org_a.organization.public_id), "--write", "--name", "Nightly import")

    api_key = api_key_authenticate(lines[-1])
    assert api_key is not None
    assert api_key.access == ApiKeyAccess.READ_WRITE
    assert api_key.name == "Nightly import"


@pytest.mark.parametrize("organization", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_the_command_refuses_an_unknown_organization(db, organization: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="No organization"):
        run(organization)

    assert ApiKey.objects.count() == 0
