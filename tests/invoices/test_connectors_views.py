"""Settings → Accounting package, and the OAuth round trip through Moneybird, as each persona sees it."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.test import Client
from django.urls import reverse
from responses import matchers

from invoices.connectors.base import AuthError
from invoices.connectors.oauth import oauth_state_create
from invoices.models import AccountingConnection, ConnectionStatus, Invoice
from tests.conftest import Tenant, client_for
from tests.factories import InvoiceFactory
from tests.fixtures.moneybird.stub import ADMINISTRATION, ADMINISTRATIONS, TOKEN_URL, load

pytestmark = pytest.mark.django_db

TOKENS = load("token.json")


@pytest.fixture(autouse=True)
def _english_and_configured(settings) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.SITE_URL = "https://outstanding.example.com"
    settings.MONEYBIRD_CLIENT_ID = "client-id-123"
    settings.MONEYBIRD_CLIENT_SECRET = "client-secret-456"


@pytest.fixture
def mb() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


def url(name: str, tenant: Tenant, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_id": tenant.organization.public_id, **kwargs})


def connection_for(tenant: Tenant, **fields: Any) -> AccountingConnection:
    values = {
        "access_token": "stored-access",
        "refresh_token": "stored-refresh",
        "account_id": ADMINISTRATION,
        **fields,
    }
    return AccountingConnection.objects.create(organization=tenant.organization, provider="moneybird", **values)


def connection_of(tenant: Tenant) -> AccountingConnection | None:
    return AccountingConnection.objects.for_organization(tenant.organization).filter(provider="moneybird").first()


def started(client: Client, tenant: Tenant) -> str:
    """The state of a connection started in ``client``'s session (as the connect button would)."""
    session = client.session
    state = oauth_state_create(session=session, organization=tenant.organization, provider="moneybird")
    session.save()
    return state


CALLBACK = "/connect/moneybird/callback/"


# --- The settings page -------------------------------------------------------------------------------


def test_an_owner_sees_the_connect_button(owner_client: Client, org_a: Tenant) -> None:
    response = owner_client.get(url("accounting_settings", org_a))
    assert response.status_code == 200
    assert b"Connect Moneybird" in response.content
    assert b'data-testid="connector-not-configured"' not in response.content


def test_a_viewer_reads_the_status_but_gets_no_buttons(viewer_client: Client, org_a: Tenant) -> None:
    connection_for(org_a, last_error=AuthError.message)
    response = viewer_client.get(url("accounting_settings", org_a))
    assert response.status_code == 200
    assert b"Reconnect to resume importing" in response.content
    for button in (b"Sync now", b"Disconnect", b"Reconnect Moneybird", b"Connect Moneybird"):
        assert button not in response.content


def test_a_member_may_read_but_not_connect(member_client: Client, org_a: Tenant) -> None:
    assert member_client.get(url("accounting_settings", org_a)).status_code == 200
    assert member_client.post(url("accounting_connect", org_a), {"provider": "moneybird"}).status_code == 403


def test_an_outsider_gets_404_everywhere(outsider_client: Client, org_a: Tenant) -> None:
    connection = connection_for(org_a)
    assert outsider_client.get(url("accounting_settings", org_a)).status_code == 404
    assert outsider_client.post(url("accounting_connect", org_a), {"provider": "moneybird"}).status_code == 404
    for name in ("accounting_administration", "accounting_sync_now", "accounting_disconnect"):
        assert outsider_client.post(url(name, org_a, connection_id=connection.public_id)).status_code == 404
    assert stored(connection).status == ConnectionStatus.ACTIVE


def test_the_page_says_clearly_when_moneybird_is_not_set_up(owner_client: Client, org_a: Tenant, settings) -> None:
    settings.MONEYBIRD_CLIENT_ID = ""
    response = owner_client.get(url("accounting_settings", org_a))
    content = response.content.decode()
    assert "Connecting to Moneybird is not set up on this server yet." in content
    assert "<code>MONEYBIRD_CLIENT_ID</code>" in content and "MONEYBIRD_CLIENT_SECRET" not in content
    assert "Connect Moneybird" not in content
    refused = owner_client.post(url("accounting_connect", org_a), {"provider": "moneybird"}, follow=True)
    assert b"Moneybird is not set up on this server yet." in refused.content


def test_the_page_shows_the_last_sync_and_the_last_problem_in_plain_words(owner_client: Client, org_a: Tenant) -> None:
    import datetime as dt

    connection_for(
        org_a,
        status=ConnectionStatus.ERROR,
        last_sync_at=dt.datetime(2026, 11, 26, 8, 17, tzinfo=dt.UTC),
        last_error=AuthError.message,
        last_error_at=dt.datetime(2026, 11, 26, 9, 17, tzinfo=dt.UTC),
    )
    content = owner_client.get(url("accounting_settings", org_a)).content.decode()
    assert "needs attention" in content
    assert "26 Nov 2026, 09:17" in content  # 08:17 UTC in Amsterdam
    assert "Sync now" not in content  # only reconnecting helps
    assert "no longer gives us access" in content
    assert "Reconnect Moneybird" in content
    assert "stored-access" not in content and "stored-refresh" not in content


def test_the_settings_navigation_links_to_the_page(owner_client: Client, org_a: Tenant) -> None:
    response = owner_client.get(reverse("organization_settings", args=[org_a.organization.public_id]))
    assert url("accounting_settings", org_a).encode() in response.content


# --- Connecting --------------------------------------------------------------------------------------


def test_connecting_sends_the_owner_to_moneybird_with_a_state_bound_to_the_session(
    owner_client: Client, org_a: Tenant
) -> None:
    response = owner_client.post(url("accounting_connect", org_a), {"provider": "moneybird"})
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    query = {key: values[0] for key, values in parse_qs(location.query).items()}
    assert f"{location.scheme}://{location.netloc}{location.path}" == "https://moneybird.com/oauth/authorize"
    assert query["client_id"] == "client-id-123"
    assert query["redirect_uri"] == "https://outstanding.example.com/connect/moneybird/callback/"
    assert (query["response_type"], query["scope"]) == ("code", "sales_invoices")
    assert query["state"] and "connector_oauth_nonce" in owner_client.session
    assert "client-secret-456" not in response["Location"]


def test_an_unknown_package_is_not_found(owner_client: Client, org_a: Tenant) -> None:
    assert owner_client.post(url("accounting_connect", org_a), {"provider": "exact"}).status_code == 404


def test_the_callback_stores_the_tokens_and_offers_the_administrations(
    mb: responses.RequestsMock, owner_client: Client, org_a: Tenant, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    state = started(owner_client, org_a)
    mb.post(
        TOKEN_URL,
        json=TOKENS,
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "grant_type": "authorization_code",
                    "code": "code-from-moneybird",
                    "client_id": "client-id-123",
                    "client_secret": "client-secret-456",
                    "redirect_uri": "https://outstanding.example.com/connect/moneybird/callback/",
                }
            )
        ],
    )
    mb.get(ADMINISTRATIONS, json=load("administrations.json"))
    response = owner_client.get(CALLBACK, {"code": "code-from-moneybird", "state": state}, follow=True)
    connection = connection_of(org_a)
    assert connection is not None
    assert (connection.access_token, connection.refresh_token) == (TOKENS["access_token"], TOKENS["refresh_token"])
    assert (connection.status, connection.account_id) == (ConnectionStatus.ACTIVE, "")
    assert response.redirect_chain[-1][0] == url("accounting_administration", org_a, connection_id=connection.public_id)
    content = response.content.decode()
    assert "Alpha Groothandel B.V." in content and "Alpha Holding B.V." in content
    assert mb.calls[-1].request.headers["Authorization"] == f"Bearer {TOKENS['access_token']}"
    # Never shown, never logged.
    for secret in (TOKENS["access_token"], TOKENS["refresh_token"], "client-secret-456"):
        assert secret not in content
        assert secret not in caplog.text
    assert "connector_oauth_nonce" not in owner_client.session  # a state is used once


def test_a_callback_with_a_state_from_another_session_is_refused(
    mb: responses.RequestsMock, owner_client: Client, org_a: Tenant
) -> None:
    """An attacker's own connection attempt, replayed in the owner's browser, connects nothing."""
    attacker = client_for(org_a.owner)  # another browser session
    state = started(attacker, org_a)
    started(owner_client, org_a)  # the owner has a connection of their own under way
    response = owner_client.get(CALLBACK, {"code": "attackers-code", "state": state})
    assert response.status_code == 400
    assert b"This connection attempt was refused" in response.content
    assert connection_of(org_a) is None
    assert len(mb.calls) == 0


@pytest.mark.parametrize("state", ["", "forged", "eyJvcmciOiAiMSJ9:1tZzZz:abc"])
def test_a_callback_with_a_missing_or_forged_state_is_refused(
    mb: responses.RequestsMock, owner_client: Client, org_a: Tenant, state: str
) -> None:
    started(owner_client, org_a)
    response = owner_client.get(CALLBACK, {"code": "code-from-moneybird", "state": state})
    assert response.status_code == 400
    assert connection_of(org_a) is None


def test_a_state_is_good_for_one_callback_only(mb: responses.RequestsMock, owner_client: Client, org_a: Tenant) -> None:
    state = started(owner_client, org_a)
    mb.post(TOKEN_URL, json=TOKENS)
    assert owner_client.get(CALLBACK, {"code": "code-1", "state": state}).status_code == 302
    assert owner_client.get(CALLBACK, {"code": "code-2", "state": state}).status_code == 400


def test_a_member_who_is_not_an_administrator_gets_404_from_the_callback(
    mb: responses.RequestsMock, member_client: Client, org_a: Tenant
) -> None:
    state = started(member_client, org_a)
    assert member_client.get(CALLBACK, {"code": "code-from-moneybird", "state": state}).status_code == 404
    assert connection_of(org_a) is None
    assert len(mb.calls) == 0  # the code was never traded for tokens


def test_an_outsider_gets_404_from_the_callback_even_with_a_valid_state(
    mb: responses.RequestsMock, outsider_client: Client, org_a: Tenant
) -> None:
    state = started(outsider_client, org_a)
    assert outsider_client.get(CALLBACK, {"code": "code-from-moneybird", "state": state}).status_code == 404
    assert connection_of(org_a) is None


def test_an_anonymous_callback_goes_to_the_login_page(client: Client) -> None:
    response = client.get(CALLBACK, {"code": "x", "state": "y"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_access_not_granted_at_moneybird_connects_nothing(
    mb: responses.RequestsMock, owner_client: Client, org_a: Tenant
) -> None:
    state = started(owner_client, org_a)
    response = owner_client.get(CALLBACK, {"error": "access_denied", "state": state}, follow=True)
    assert b"Moneybird was not connected: access was not granted." in response.content
    assert connection_of(org_a) is None


def test_a_code_moneybird_refuses_to_trade_connects_nothing(
    mb: responses.RequestsMock, owner_client: Client, org_a: Tenant
) -> None:
    state = started(owner_client, org_a)
    mb.post(TOKEN_URL, status=400, json=load("token_invalid_grant.json"))
    response = owner_client.get(CALLBACK, {"code": "expired", "state": state}, follow=True)
    assert b"no longer gives us access" in response.content
    assert connection_of(org_a) is None


def test_reconnecting_after_an_error_keeps_the_administration_and_resumes(
    mb: responses.RequestsMock, owner_client: Client, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    connection = connection_for(org_a, status=ConnectionStatus.ERROR, last_error=AuthError.message, cursor={"v": 1})
    state = started(owner_client, org_a)
    mb.post(TOKEN_URL, json=TOKENS)
    with django_capture_on_commit_callbacks() as queued:
        response = owner_client.get(CALLBACK, {"code": "new-code", "state": state})
    assert response["Location"] == url("accounting_settings", org_a)
    after = stored(connection)
    assert (after.status, after.last_error, after.account_id) == (ConnectionStatus.ACTIVE, "", ADMINISTRATION)
    assert (after.access_token, after.cursor) == (TOKENS["access_token"], {"v": 1})
    assert len(queued) == 1


# --- Choosing the administration, syncing, disconnecting ---------------------------------------------


def test_choosing_an_administration_starts_the_first_import(
    mb: responses.RequestsMock, owner_client: Client, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    connection = connection_for(org_a, account_id="", cursor={"v": 1, "contacts": {"1": 1}})
    mb.get(ADMINISTRATIONS, json=load("administrations.json"))
    with django_capture_on_commit_callbacks() as queued:
        response = owner_client.post(
            url("accounting_administration", org_a, connection_id=connection.public_id), {"account": ADMINISTRATION}
        )
    assert response["Location"] == url("accounting_settings", org_a)
    assert (stored(connection).account_id, stored(connection).cursor) == (ADMINISTRATION, {})
    assert len(queued) == 1


def test_an_administration_moneybird_did_not_offer_is_refused(
    mb: responses.RequestsMock, owner_client: Client, org_a: Tenant
) -> None:
    connection = connection_for(org_a, account_id="")
    mb.get(ADMINISTRATIONS, json=load("administrations.json"))
    response = owner_client.post(
        url("accounting_administration", org_a, connection_id=connection.public_id), {"account": "999"}
    )
    assert response.status_code == 400
    assert b"Choose one of the administrations listed." in response.content
    assert stored(connection).account_id == ""


def test_sync_now_queues_a_sync_for_a_ready_connection_only(
    owner_client: Client, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    connection = connection_for(org_a)
    sync_url = url("accounting_sync_now", org_a, connection_id=connection.public_id)
    assert owner_client.get(sync_url).status_code == 405
    with django_capture_on_commit_callbacks() as queued:
        response = owner_client.post(sync_url, follow=True)
    assert len(queued) == 1
    assert b"Sync started." in response.content
    AccountingConnection.objects.for_organization(org_a.organization).update(account_id="")
    with django_capture_on_commit_callbacks() as queued:
        response = owner_client.post(sync_url, follow=True)
    assert queued == []
    assert b"This connection cannot sync" in response.content


def test_a_member_cannot_sync_or_disconnect(member_client: Client, org_a: Tenant) -> None:
    connection = connection_for(org_a)
    for name in ("accounting_sync_now", "accounting_disconnect", "accounting_administration"):
        assert member_client.post(url(name, org_a, connection_id=connection.public_id)).status_code == 403
    assert stored(connection).status == ConnectionStatus.ACTIVE


def test_disconnecting_forgets_the_tokens_and_keeps_the_imported_data(owner_client: Client, org_a: Tenant) -> None:
    connection = connection_for(org_a)
    invoice = InvoiceFactory(debtor__organization=org_a.organization, external_id="moneybird:1")
    response = owner_client.post(url("accounting_disconnect", org_a, connection_id=connection.public_id), follow=True)
    assert b"Imported debtors, invoices and payments stay." in response.content
    after = stored(connection)
    assert (after.status, after.access_token, after.refresh_token) == (ConnectionStatus.DISCONNECTED, "", "")
    assert Invoice.objects.for_organization(org_a.organization).filter(pk=invoice.pk).exists()
    assert b"Connect Moneybird" in response.content


def test_another_organizations_connection_is_not_found_in_ones_own(
    owner_client: Client, org_a: Tenant, org_b: Tenant
) -> None:
    foreign = connection_for(org_b)
    for name in ("accounting_administration", "accounting_sync_now", "accounting_disconnect"):
        assert owner_client.post(url(name, org_a, connection_id=foreign.public_id)).status_code == 404
    assert stored(foreign).status == ConnectionStatus.ACTIVE


def stored(connection: AccountingConnection) -> AccountingConnection:
    return AccountingConnection.objects.for_organization(connection.organization).get(pk=connection.pk)


def test_tokens_are_encrypted_at_rest(org_a) -> None:
    """The column holds ciphertext; the code still reads the token."""
    from django.db import connection

    from invoices.models import AccountingConnection

    stored = AccountingConnection.objects.create(
        organization=org_a.organization, provider="moneybird", access_token="tok-secret-123", refresh_token="ref-456"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token FROM invoices_accountingconnection WHERE id = %s", [stored.pk]
        )
        raw_access, raw_refresh = cursor.fetchone()
    assert raw_access.startswith("fernet:") and "tok-secret-123" not in raw_access
    assert raw_refresh.startswith("fernet:") and "ref-456" not in raw_refresh
    reread = AccountingConnection.objects.for_organization(org_a.organization).get(pk=stored.pk)
    assert (reread.access_token, reread.refresh_token) == ("tok-secret-123", "ref-456")
