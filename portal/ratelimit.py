"""Requests per client address to the portal: a window that opens with the address's first request
(a counter in the cache, Redis in production, that expires with the window).

Tokens carry 192 bits, so guessing is hopeless anyway; the limit keeps a scraper or a broken client
from costing the database, and it applies to every portal request, valid token or not, so its answer
tells nothing about a token.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from outstanding.http import client_address

PERIOD_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def portal_rate() -> tuple[int, int]:
    """``PORTAL_RATE_LIMIT`` ("60/minute") as (requests, seconds)."""
    count, period = str(settings.PORTAL_RATE_LIMIT).split("/")
    return int(count), PERIOD_SECONDS[period.strip()[0]]


def portal_request_allowed(request: HttpRequest) -> bool:
    """Count this request for its address; False once the address went past the limit in this window."""
    limit, duration = portal_rate()
    # No address to tell (a broken proxy chain): such requests share one allowance.
    key = f"portal:requests:{client_address(request) or 'unknown'}"
    if cache.add(key, 1, duration):  # counting it keeps the expiry: the window does not slide
        return limit >= 1
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, duration)
        count = 1
    return count <= limit
