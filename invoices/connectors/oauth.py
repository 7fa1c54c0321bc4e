"""The OAuth ``state``: which organization a callback belongs to, bound to the browser session (CSRF).

The redirect URI is fixed (``/connect/<provider>/callback/``), so the callback cannot take the
organization from its URL. It takes it from ``state``, which we sign: a callback cannot be pointed at
another organization. The state also carries a nonce that must match the one kept in the session of the
browser that started the connection, so an attacker cannot make a victim's browser finish a connection
the attacker started (login CSRF on the OAuth flow). The nonce is used once and the state expires.
"""

from __future__ import annotations

import secrets
from typing import Any
from uuid import UUID

from django.core import signing
from django.utils.crypto import constant_time_compare

from outstanding.models import Organization

STATE_SALT = "invoices.connectors.oauth-state"
STATE_MAX_AGE = 15 * 60  # seconds to log in at the package and grant access
SESSION_KEY = "connector_oauth_nonce"


class OAuthStateError(Exception):
    """The callback's state is missing, forged, expired, used, or from another browser or package."""


def oauth_state_create(*, session: Any, organization: Organization, provider: str) -> str:
    nonce = secrets.token_urlsafe(24)
    session[SESSION_KEY] = nonce
    return signing.dumps({"org": str(organization.public_id), "provider": provider, "nonce": nonce}, salt=STATE_SALT)


def oauth_state_check(*, session: Any, state: str, provider: str) -> UUID:
    """The organization's public id from a valid state; the session's nonce is spent either way."""
    expected = session.pop(SESSION_KEY, None)
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=STATE_MAX_AGE)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        raise OAuthStateError("bad or expired signature") from None
    if not isinstance(data, dict) or data.get("provider") != provider:
        raise OAuthStateError("another package")
    if not expected or not constant_time_compare(str(expected), str(data.get("nonce", ""))):
        raise OAuthStateError("not started in this browser session")
    try:
        return UUID(str(data.get("org")))
    except ValueError:
        raise OAuthStateError("no organization") from None
