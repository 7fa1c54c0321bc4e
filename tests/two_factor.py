"""Two factors the way a person uses them: a TOTP authenticator and the real login pages."""

from __future__ import annotations

import time

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)
from django.test import Client
from django.urls import reverse

from outstanding.models import User
from tests.factories import PASSWORD


def totp_activate(user: User) -> str:
    """Give ``user`` an authenticator app; returns its secret (what the QR code holds)."""
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def totp_code(secret: str, *, steps_ahead: int = 0) -> str:
    """The code the authenticator app shows now (or ``steps_ahead`` periods later)."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + steps_ahead))


def password_login(client: Client, email: str, password: str = PASSWORD, *, next_url: str = "", **extra: str):  # type: ignore[no-untyped-def]
    """Post allauth's login form; ``extra`` are request headers/META (e.g. ``REMOTE_ADDR``)."""
    url = reverse("account_login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"login": email, "password": password}, **extra)


def login_with_totp(client: Client, user: User, secret: str, *, next_url: str = "") -> None:
    """Log ``user`` in through the password page and the second-factor page."""
    response = password_login(client, user.email, next_url=next_url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("mfa_authenticate"))
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302, response.content[:500]


def has_totp(user: User) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def login_error_codes(response) -> set[str]:  # type: ignore[no-untyped-def]
    """The codes of the errors on a re-shown login form (empty when the login went through)."""
    form = response.context["form"] if response.context and "form" in response.context else None
    if form is None:
        return set()
    return {error.code for errors in form.errors.as_data().values() for error in errors if error.code}


TOO_MANY_ATTEMPTS = "too_many_login_attempts"
