"""Accounts through allauth's real views: sign-up, verification, login, brute force, password reset, TOTP."""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, format_hotp_value, hotp_value
from django.core import mail
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from outstanding.models import Membership, Role, User
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-passphrase-2026"


@pytest.fixture(autouse=True)
def _empty_rate_limits() -> None:
    # allauth keeps its rate limits in the cache; every test client comes from 127.0.0.1.
    cache.clear()


@pytest.fixture(autouse=True)
def _totp_tolerance(settings: Settings) -> None:
    # A code computed just before a 30-second boundary must not fail the test just after it.
    settings.MFA_TOTP_TOLERANCE = 1


def link_in(message: mail.EmailMessage) -> str:
    """The path of the first link in an e-mail."""
    url = re.search(r"https?://\S+", message.body)
    assert url, message.body
    return urlsplit(url.group(0)).path


def sign_up(client: Client, email: str = "founder@gamma.test") -> None:
    response = client.post(
        reverse("account_signup"),
        {"organization_name": "Gamma Techniek B.V.", "email": email, "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302, response.content.decode()


def log_in(client: Client, email: str, password: str = PASSWORD) -> HttpResponse:
    return client.post(reverse("account_login"), {"login": email, "password": password})


def landing_url(client: Client, response: HttpResponse) -> str:
    """Where a redirect ends up after /app/ chose the organization (that page itself is not requested)."""
    assert response.status_code == 302, response.status_code
    url = response.url
    if url == reverse("app_home"):
        url = client.get(url).url
    return url


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def totp_code(secret: str) -> str:
    """What an authenticator app shows now (RFC 6238, as allauth computes it)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


@pytest.fixture
def person() -> User:
    """A verified user who owns one organization."""
    return MembershipFactory(role=Role.OWNER).user


# --- sign-up and verification ------------------------------------------------------------------


def test_signing_up_creates_the_user_an_organization_and_an_owner_membership(client: Client) -> None:
    sign_up(client)

    user = User.objects.get(email="founder@gamma.test")
    membership = Membership.objects.select_related("organization").get(user=user)
    assert membership.role == Role.OWNER
    assert membership.organization.name == "Gamma Techniek B.V."
    assert user.check_password(PASSWORD)


def test_signing_up_sends_a_verification_email(client: Client) -> None:
    sign_up(client)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["founder@gamma.test"]
    assert link_in(mail.outbox[0]).startswith("/accounts/confirm-email/")


def test_signing_up_without_a_company_name_is_refused(client: Client) -> None:
    response = client.post(
        reverse("account_signup"), {"email": "x@gamma.test", "password1": PASSWORD, "password2": PASSWORD}
    )

    assert response.status_code == 200
    assert "organization_name" in response.context["form"].errors
    assert not User.objects.filter(email="x@gamma.test").exists()


def test_logging_in_before_verification_does_not_reach_the_app(client: Client) -> None:
    sign_up(client)
    other_browser = Client()

    response = log_in(other_browser, "founder@gamma.test")

    assert response.status_code == 302
    assert response.url == reverse("account_email_verification_sent")
    assert not is_logged_in(other_browser)
    assert other_browser.get(reverse("app_home")).url.startswith(reverse("account_login"))


def test_following_the_verification_link_leads_to_the_organization_home(client: Client) -> None:
    sign_up(client)
    link = link_in(mail.outbox[0])

    assert client.get(link).status_code == 200  # a confirm button: mail scanners must not verify by GET
    response = client.post(link)

    organization = Membership.objects.get(user__email="founder@gamma.test").organization
    assert landing_url(client, response) == reverse("organization_home", args=[organization.public_id])
    assert is_logged_in(client)


def test_after_verification_the_user_can_log_in_from_another_browser(client: Client) -> None:
    sign_up(client)
    client.post(link_in(mail.outbox[0]))
    other_browser = Client()

    response = log_in(other_browser, "founder@gamma.test")

    assert response.status_code == 302
    assert response.url == reverse("app_home")
    assert is_logged_in(other_browser)


# --- login --------------------------------------------------------------------------------------


def test_logging_in_at_accounts_login_reaches_the_organization_home(client: Client, person: User) -> None:
    response = log_in(client, person.email)

    organization = person.memberships.get().organization
    assert landing_url(client, response) == reverse("organization_home", args=[organization.public_id])


def test_login_ignores_the_case_of_the_email_address(client: Client, person: User) -> None:
    log_in(client, person.email.upper())

    assert is_logged_in(client)


def test_a_wrong_password_is_refused(client: Client, person: User) -> None:
    response = log_in(client, person.email, "not-the-password")

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not is_logged_in(client)


def test_after_five_failed_logins_the_right_password_is_refused_too(client: Client, person: User) -> None:
    for _attempt in range(5):
        log_in(client, person.email, "guess-123456")

    response = log_in(client, person.email, PASSWORD)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not is_logged_in(client)


def test_failed_logins_for_one_address_do_not_lock_out_another(client: Client, person: User) -> None:
    for _attempt in range(5):
        log_in(client, "someone-else@example.test", "guess-123456")

    log_in(client, person.email, PASSWORD)

    assert is_logged_in(client)


def test_logging_out_ends_the_session(client: Client, person: User) -> None:
    log_in(client, person.email)

    client.post(reverse("account_logout"))

    assert not is_logged_in(client)


# --- password reset -----------------------------------------------------------------------------


def test_password_reset_sends_an_email_and_its_link_sets_a_new_password(client: Client, person: User) -> None:
    response = client.post(reverse("account_reset_password"), {"email": person.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [person.email]

    # allauth moves the key from the URL into the session, then shows the form.
    response = client.get(link_in(mail.outbox[0]), follow=True)
    assert response.status_code == 200
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302

    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)
    assert not person.check_password(PASSWORD)
    assert client.get(form_url).context["token_fail"]  # the link works once


def test_a_password_reset_for_an_unknown_address_sends_no_reset_link(client: Client) -> None:
    client.post(reverse("account_reset_password"), {"email": "nobody@example.test"})

    assert all("/accounts/password/reset/key/" not in message.body for message in mail.outbox)


def test_a_password_reset_lifts_the_brute_force_lock(client: Client, person: User) -> None:
    for _attempt in range(5):
        log_in(client, person.email, "guess-123456")
    client.post(reverse("account_reset_password"), {"email": person.email})
    form_url = client.get(link_in(mail.outbox[0]), follow=True).redirect_chain[-1][0]
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    log_in(client, person.email, NEW_PASSWORD)

    assert is_logged_in(client)


def test_a_logged_in_user_changes_their_password(client: Client, person: User) -> None:
    log_in(client, person.email)

    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


# --- two-factor authentication -----------------------------------------------------------------


def activate_totp(client: Client) -> str:
    """Go through allauth's activation page like a person with an authenticator app; returns the secret."""
    response = client.get(reverse("mfa_activate_totp"))
    assert response.url.startswith(reverse("account_reauthenticate"))  # security changes ask for the password again
    response = client.post(response.url, {"password": PASSWORD})
    assert response.url == reverse("mfa_activate_totp")
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    secret = client.session[SECRET_SESSION_KEY]
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.context["form"].errors
    return secret


def test_a_user_activates_totp_with_a_code_from_their_app(client: Client, person: User) -> None:
    log_in(client, person.email)

    activate_totp(client)

    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.RECOVERY_CODES).exists()


def test_a_wrong_code_does_not_activate_totp(client: Client, person: User) -> None:
    log_in(client, person.email)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))

    response = client.post(reverse("mfa_activate_totp"), {"code": "000000"})

    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=person).exists()


def test_with_totp_the_next_login_asks_for_a_code(client: Client, person: User) -> None:
    log_in(client, person.email)
    secret = activate_totp(client)
    client.post(reverse("account_logout"))
    other_browser = Client()

    response = log_in(other_browser, person.email)

    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert not is_logged_in(other_browser)
    assert other_browser.get(reverse("app_home")).url.startswith(reverse("account_login"))

    response = other_browser.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})

    assert response.status_code == 302
    assert is_logged_in(other_browser)


def test_with_totp_a_wrong_code_does_not_log_in(client: Client, person: User) -> None:
    log_in(client, person.email)
    activate_totp(client)
    other_browser = Client()
    log_in(other_browser, person.email)

    response = other_browser.post(reverse("mfa_authenticate"), {"code": "000000"})

    assert response.status_code == 200
    assert not is_logged_in(other_browser)


# --- the pages themselves ----------------------------------------------------------------------

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def assert_in_our_layout(response: HttpResponse) -> None:
    html = response.content.decode()
    assert response.status_code == 200, response.status_code
    assert 'class="topbar"' in html  # our base.html
    assert 'class="auth-box"' in html
    assert not INLINE_SCRIPT.search(html), "the CSP allows no inline script"
    assert " style=" not in html, "the CSP allows no inline style"


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_reset_password_done",
        "account_email_verification_sent",
    ],
)
def test_the_public_account_pages_render_inside_our_layout(client: Client, url_name: str) -> None:
    assert_in_our_layout(client.get(reverse(url_name)))


@pytest.mark.parametrize(
    "url_name",
    ["account_email", "account_change_password", "account_logout", "account_reauthenticate", "mfa_index"],
)
def test_the_account_pages_of_a_logged_in_user_render_inside_our_layout(
    client: Client, person: User, url_name: str
) -> None:
    log_in(client, person.email)

    assert_in_our_layout(client.get(reverse(url_name)))


def test_the_totp_pages_render_inside_our_layout(client: Client, person: User) -> None:
    log_in(client, person.email)
    activate_totp(client)

    for url_name in ("mfa_index", "mfa_view_recovery_codes", "mfa_generate_recovery_codes", "mfa_deactivate_totp"):
        assert_in_our_layout(client.get(reverse(url_name)))
    client.post(reverse("account_logout"))
    log_in(client, person.email)
    assert_in_our_layout(client.get(reverse("mfa_authenticate")))


def test_the_verification_and_reset_links_render_inside_our_layout(client: Client, person: User) -> None:
    sign_up(client)
    assert_in_our_layout(client.get(link_in(mail.outbox[0])))

    client.post(reverse("account_reset_password"), {"email": person.email})
    assert_in_our_layout(client.get(link_in(mail.outbox[-1]), follow=True))
