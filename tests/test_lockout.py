"""Failed logins are limited per address and account, and per address: the attacker waits, the real
user (elsewhere) still logs in. Behind our proxies the client address comes from X-Forwarded-For."""

from __future__ import annotations

import pytest
from django.test import Client, RequestFactory

from outstanding.http import client_address, forwarded_address
from outstanding.models import User
from tests.factories import PASSWORD, UserFactory
from tests.two_factor import TOO_MANY_ATTEMPTS, login_error_codes, password_login

pytestmark = pytest.mark.django_db

ATTACKER = "203.0.113.5"
REAL_USER = "198.51.100.7"
PROXY = "10.0.0.2"
WRONG = "not-the-password-1"


@pytest.fixture
def victim() -> User:
    return UserFactory(email="piet@bakkerij.test")


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def hammer(email: str, times: int, **meta: str) -> list[set[str]]:
    """``times`` wrong passwords for ``email``; the error codes of each answer."""
    client = Client()
    return [login_error_codes(password_login(client, email, WRONG, **meta)) for _attempt in range(times)]


# --- Lockout ------------------------------------------------------------------------------------


def test_the_real_user_logs_in_from_elsewhere_while_the_account_is_hammered(victim: User) -> None:
    hammer(victim.email, 20, REMOTE_ADDR=ATTACKER)
    client = Client()

    response = password_login(client, victim.email, REMOTE_ADDR=REAL_USER)

    assert response.status_code == 302
    assert logged_in(client)


def test_the_attacker_is_refused_after_five_misses_and_the_right_password_is_not_even_checked(victim: User) -> None:
    answers = hammer(victim.email, 6, REMOTE_ADDR=ATTACKER)

    assert all(TOO_MANY_ATTEMPTS not in codes for codes in answers[:5])
    assert TOO_MANY_ATTEMPTS in answers[5]
    client = Client()
    response = password_login(client, victim.email, REMOTE_ADDR=ATTACKER)
    assert TOO_MANY_ATTEMPTS in login_error_codes(response)
    assert not logged_in(client)


def test_the_limit_does_not_depend_on_how_the_address_is_typed(victim: User) -> None:
    hammer(victim.email, 5, REMOTE_ADDR=ATTACKER)

    assert TOO_MANY_ATTEMPTS in hammer(victim.email.upper(), 1, REMOTE_ADDR=ATTACKER)[0]


def test_an_address_is_limited_across_accounts_after_ten_misses_a_minute() -> None:
    emails = [UserFactory().email for _user in range(11)]

    answers = [hammer(email, 1, REMOTE_ADDR=ATTACKER)[0] for email in emails]

    assert all(TOO_MANY_ATTEMPTS not in codes for codes in answers[:10])
    assert TOO_MANY_ATTEMPTS in answers[10]
    assert TOO_MANY_ATTEMPTS not in hammer(emails[0], 1, REMOTE_ADDR=REAL_USER)[0]


def test_a_successful_login_gives_back_its_attempt(victim: User) -> None:
    hammer(victim.email, 4, REMOTE_ADDR=REAL_USER)
    for _login in range(3):
        client = Client()
        assert password_login(client, victim.email, REMOTE_ADDR=REAL_USER).status_code == 302

    assert TOO_MANY_ATTEMPTS not in hammer(victim.email, 1, REMOTE_ADDR=REAL_USER)[0]
    assert TOO_MANY_ATTEMPTS in hammer(victim.email, 1, REMOTE_ADDR=REAL_USER)[0]


# --- The client address behind a proxy -------------------------------------------------------------


def test_without_trusted_proxies_a_forged_forwarded_for_does_not_dodge_the_limit(victim: User) -> None:
    answers = [
        hammer(victim.email, 1, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}")[0]
        for attempt in range(6)
    ]

    assert TOO_MANY_ATTEMPTS in answers[5]


def test_behind_one_trusted_proxy_users_are_told_apart_by_the_last_forwarded_hop(settings, victim: User) -> None:  # type: ignore[no-untyped-def]
    """Every request comes from the proxy; before, all users shared its address and its limit."""
    settings.TRUSTED_PROXY_COUNT = 1
    others = [UserFactory().email for _user in range(10)]
    for number, email in enumerate(others):
        hammer(email, 1, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    hammer(victim.email, 20, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ATTACKER)
    client = Client()

    response = password_login(client, victim.email, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=REAL_USER)

    assert response.status_code == 302 and logged_in(client)


def test_behind_a_trusted_proxy_a_forged_left_part_does_not_dodge_the_limit(settings, victim: User) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = 1
    answers = [
        hammer(victim.email, 1, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, {ATTACKER}")[0]
        for attempt in range(6)
    ]

    assert TOO_MANY_ATTEMPTS in answers[5]


@pytest.mark.parametrize(
    ("trusted", "forwarded_for", "expected"),
    [
        (0, "192.0.2.1", PROXY),  # header ignored
        (1, "192.0.2.1", "192.0.2.1"),
        (1, "6.6.6.6, 192.0.2.1", "192.0.2.1"),  # the client wrote the left part
        (2, "6.6.6.6, 192.0.2.1, 10.0.0.1", "192.0.2.1"),
        (2, "192.0.2.1", PROXY),  # fewer hops than proxies: trust none
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address(settings, trusted: int, forwarded_for: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    settings.TRUSTED_PROXY_COUNT = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_address(request) == expected


def test_no_forwarded_address_without_trusted_proxies() -> None:
    assert forwarded_address("192.0.2.1", 0) is None


def test_allauth_reads_the_same_trusted_proxy_count(settings) -> None:  # type: ignore[no-untyped-def]
    from django.conf import settings as live

    assert live.ALLAUTH_TRUSTED_PROXY_COUNT == live.TRUSTED_PROXY_COUNT == 0


def test_a_negative_trusted_proxy_count_stops_the_start() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    env = dict(os.environ, TRUSTED_PROXY_COUNT="-1")
    code = "import outstanding.settings"
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be 0 or more" in result.stderr


__all__ = ["PASSWORD"]
