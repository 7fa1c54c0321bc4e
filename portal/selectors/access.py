"""The one place a portal token becomes an (organization, debtor)."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from portal.models import PortalAccess, portal_token_hash

# secrets.token_urlsafe output; anything else is not worth hashing (and cannot match).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def portal_access_for_token(token: str, *, now: dt.datetime | None = None) -> PortalAccess | None:
    """The valid link behind ``token``, with its organization and debtor; None for a wrong, expired or
    revoked token alike, so a caller cannot answer them differently.

    ``unscoped`` on purpose: the token is how the tenant is found (like an API key). Everything read
    after this goes through ``access.organization`` and ``access.debtor``.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    # token_hash is unique: no ORDER BY (``first()`` would add one, and compiling it costs every request).
    found = PortalAccess.unscoped.select_related("organization", "debtor").filter(token_hash=portal_token_hash(token))
    access = next(iter(found[:1]), None)
    if access is None or not access.is_valid(now or timezone.now()):
        return None
    return access
