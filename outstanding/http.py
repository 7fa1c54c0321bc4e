"""The client's address, the one way every part of the product reads it.

Behind a TLS proxy ``REMOTE_ADDR`` is the proxy, so every visitor would share one address and one
rate limit. Each proxy appends the address it received the request from to ``X-Forwarded-For``; the
``TRUSTED_PROXY_COUNT``-th entry from the right is therefore the last one written by a proxy we run,
and anything to its left may be made up by the client. With 0 (the default) the header is ignored.
allauth reads the address through :meth:`outstanding.accounts.AccountAdapter.get_client_ip`, which
calls :func:`client_address`.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid_address(value: str) -> str | None:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def forwarded_address(forwarded_for: str, trusted_proxies: int) -> str | None:
    """The client address a chain of ``trusted_proxies`` proxies reported, or None if it did not."""
    hops = [hop for hop in forwarded_for.split(",") if hop.strip()]
    if trusted_proxies <= 0 or len(hops) < trusted_proxies:
        # Fewer hops than proxies: the request did not come through all of them; trust none.
        return None
    return _valid_address(hops[-trusted_proxies])


def client_address(request: HttpRequest) -> str | None:
    """The IP address of the client that sent ``request`` (None when it cannot be told)."""
    forwarded_for = request.headers.get("X-Forwarded-For", "")
    if forwarded_for and settings.TRUSTED_PROXY_COUNT > 0:
        address = forwarded_address(forwarded_for, settings.TRUSTED_PROXY_COUNT)
        if address is not None:
            return address
    return _valid_address(request.META.get("REMOTE_ADDR", ""))
