"""Staff log in to the admin through allauth: its rate limits and, outside DEBUG, two factors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from outstanding.models import User
from tests.conftest import Tenant, client_for
from tests.factories import PASSWORD, UserFactory
from tests.two_factor import (
    TOO_MANY_ATTEMPTS,
    login_error_codes,
    login_with_totp,
    password_login,
    totp_activate,
    totp_code,
)

pytestmark = pytest.mark.django_db

ADMIN = "/admin/"
CHANGELIST = "/admin/invoices/invoice/"


@pytest.fixture(autouse=True)
def _staff_need_two_factors(settings) -> None:  # type: ignore[no-untyped-def]
    settings.STAFF_REQUIRE_MFA = True


@pytest.fixture
def staff() -> User:
    return UserFactory(email="staff@operator.test", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_secret(staff: User) -> str:
    return totp_activate(staff)


def messages_of(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(message) for message in response.context["messages"]]


# --- The admin's own login form is gone -------------------------------------------------------


def test_the_admin_login_sends_a_visitor_to_allauths_login_with_next(client: Client) -> None:
    response = client.get(reverse("admin:login"), {"next": CHANGELIST})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={CHANGELIST.replace('/', '%2F')}"


def test_an_admin_page_sends_a_visitor_to_allauths_login_in_the_end(client: Client) -> None:
    response = client.get(CHANGELIST, follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    assert response.status_code == 200


def test_a_password_posted_to_the_admin_login_logs_nobody_in(client: Client, staff: User, staff_secret: str) -> None:
    response = client.post(reverse("admin:login"), {"username": staff.email, "password": PASSWORD, "next": ADMIN})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session
    assert client.get(ADMIN).status_code == 302


def test_a_logged_in_member_who_is_not_staff_is_refused_at_the_admin_login(owner_client: Client) -> None:
    assert owner_client.get(reverse("admin:login")).status_code == 403


# --- Two factors --------------------------------------------------------------------------------


def test_a_staff_user_with_totp_needs_the_code_before_the_admin_opens(
    client: Client, staff: User, staff_secret: str
) -> None:
    response = password_login(client, staff.email, next_url=ADMIN)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert client.get(ADMIN).status_code == 302  # the password alone opens nothing

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(staff_secret)})

    assert response.status_code == 302 and response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200
    assert client.get(CHANGELIST).status_code == 200


def test_a_wrong_totp_code_keeps_the_admin_closed(client: Client, staff: User, staff_secret: str) -> None:
    password_login(client, staff.email, next_url=ADMIN)
    wrong = f"{(int(totp_code(staff_secret)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_authenticate"), {"code": wrong})

    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get(ADMIN).status_code == 302


def test_staff_without_two_factors_are_sent_to_set_up_totp_with_a_message(client: Client, staff: User) -> None:
    password_login(client, staff.email)

    response = client.get(ADMIN, follow=True)

    # allauth asks for the password once more before an authenticator is added.
    assert [url for url, _status in response.redirect_chain][-2:] == [
        reverse("mfa_activate_totp"),
        f"{reverse('account_reauthenticate')}?next=%2Faccounts%2F2fa%2Ftotp%2Factivate%2F",
    ]
    assert any("tweestapsverificatie" in message for message in messages_of(response))  # Dutch by default
    assert client.get(CHANGELIST).status_code == 302


def test_after_setting_up_totp_staff_confirm_a_code_and_the_admin_opens(client: Client, staff: User) -> None:
    password_login(client, staff.email)
    secret = totp_activate(staff)  # what the activation page does

    response = client.get(ADMIN, follow=True)

    assert response.redirect_chain[-1][0] == f"{reverse('mfa_reauthenticate')}?next=%2Fadmin%2F"
    assert any("authenticator-app" in message for message in messages_of(response))
    response = client.post(response.redirect_chain[-1][0], {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == ADMIN
    assert client.get(ADMIN).status_code == 200


def test_a_session_made_without_the_second_factor_does_not_open_the_admin(staff: User, staff_secret: str) -> None:
    client = client_for(staff)  # as if some other door had logged the user in

    response = client.get(ADMIN)

    assert response.status_code == 302
    assert client.get(response["Location"])["Location"].startswith(reverse("mfa_reauthenticate"))


def test_under_debug_staff_without_two_factors_may_open_the_admin(settings, client: Client, staff: User) -> None:  # type: ignore[no-untyped-def]
    settings.STAFF_REQUIRE_MFA = False
    password_login(client, staff.email)

    assert client.get(ADMIN).status_code == 200


def test_a_staff_user_who_logged_in_with_totp_is_sent_on_from_the_admin_login(
    client: Client, staff: User, staff_secret: str
) -> None:
    login_with_totp(client, staff, staff_secret)

    response = client.get(reverse("admin:login"), {"next": CHANGELIST})

    assert response.status_code == 302 and response["Location"] == CHANGELIST


def test_the_admin_login_does_not_send_staff_to_another_site(client: Client, staff: User, staff_secret: str) -> None:
    login_with_totp(client, staff, staff_secret)

    response = client.get(reverse("admin:login"), {"next": "https://evil.example/"})

    assert response["Location"] == ADMIN


def test_members_of_a_tenant_never_reach_the_admin_even_with_totp(client: Client, org_a: Tenant) -> None:
    secret = totp_activate(org_a.owner)
    login_with_totp(client, org_a.owner, secret)

    assert client.get(ADMIN).status_code == 302
    assert client.get(reverse("admin:login")).status_code == 403


# --- Rate limits --------------------------------------------------------------------------------


def test_wrong_staff_passwords_use_up_allauths_limit(client: Client, staff: User, staff_secret: str) -> None:
    """The counter the admin login never touched: after five misses even the right password waits."""
    for _attempt in range(5):
        response = password_login(client, staff.email, "wrong-password-123", next_url=ADMIN)
        assert response.status_code == 200
        assert TOO_MANY_ATTEMPTS not in login_error_codes(response)

    refused = password_login(client, staff.email, "wrong-password-123", next_url=ADMIN)
    also_refused = password_login(client, staff.email, PASSWORD, next_url=ADMIN)

    assert TOO_MANY_ATTEMPTS in login_error_codes(refused)
    assert also_refused.status_code == 200
    assert TOO_MANY_ATTEMPTS in login_error_codes(also_refused)


# --- The setting ----------------------------------------------------------------------------------


def test_without_debug_staff_two_factors_cannot_be_switched_off() -> None:
    root = Path(__file__).resolve().parent.parent
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "TESTING")}
    env.update(
        DEBUG="0",
        TESTING="0",
        STAFF_REQUIRE_MFA="0",
        SECRET_KEY="x" * 50,
        ALLOWED_HOSTS="outstanding.example.com",
        SITE_URL="https://outstanding.example.com",
        EMAIL_URL="smtp://mail.example.com:25",
    )
    code = "import outstanding.settings as s; print(s.STAFF_REQUIRE_MFA)"
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["True"], result.stderr
