"""Requests per client address to the portal: a window that opens with the address's first request
(a counter in the cache, Redis in production, that expires with the window).

Tokens carry 192 bits, so guessing is hopeless anyway; the limit keeps a scraper or a broken client
from costing the database, and it applies to every portal request, valid token or not, so its answer
tells nothing about a token.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
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
    backend = caches["default"]
    count = _redis_count(backend, key, duration) if isinstance(backend, RedisCache) else _cache_count(key, duration)
    return count <= limit


def _redis_count(backend: RedisCache, key: str, duration: int) -> int:
    """The window's count with this request, in one round trip (every portal request pays it).

    Opening the window and counting run as one MULTI: the window opens with the first request and its
    expiry stays (INCR keeps it), so the window does not slide. Django stores integers as plain Redis
    integers, so this counter is the same one ``cache.add``/``cache.incr`` would keep.
    """
    redis_key = backend.make_and_validate_key(key)
    # Django's cache API has no pipeline: the backend's own client (its pool, its server for the key).
    client = backend._cache.get_client(redis_key, write=True)  # type: ignore[attr-defined]
    with client.pipeline() as pipeline:
        pipeline.set(redis_key, 0, ex=duration, nx=True)
        pipeline.incr(redis_key)
        _opened, count = pipeline.execute()
    return int(count)


def _cache_count(key: str, duration: int) -> int:
    """The same with any other cache backend (tests and development use the local-memory one)."""
    if cache.add(key, 1, duration):  # counting it keeps the expiry: the window does not slide
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, duration)
        return 1
