"""Requests per client address to the portal: a window that opens with the address's first request
(a counter in the cache, Redis in production, that expires with the window).

Tokens carry 192 bits, so guessing is hopeless anyway; the limit keeps a scraper or a broken client
from costing the database, and it applies to every portal request, valid token or not, so its answer
tells nothing about a token.
"""

from __future__ import annotations

from typing import Any

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
    allowed, _stored = portal_request_allowed_reading(request, None)
    return allowed


def portal_request_allowed_reading(request: HttpRequest, key: str | None) -> tuple[bool, Any]:
    """:func:`portal_request_allowed`, and what the cache holds under ``key`` (None: nothing, or no
    ``key``), read in the same round trip: a cached page's request pays one round trip to Redis. A
    refused request gets None: nothing stored is handed out past the limit."""
    limit, duration = portal_rate()
    # No address to tell (a broken proxy chain): such requests share one allowance.
    rate_key = f"portal:requests:{client_address(request) or 'unknown'}"
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        count, stored = _redis_count(backend, rate_key, duration, key)
    else:
        count = _cache_count(rate_key, duration)
        stored = cache.get(key) if key is not None and count <= limit else None
    return (True, stored) if count <= limit else (False, None)


def _redis_count(backend: RedisCache, key: str, duration: int, read: str | None) -> tuple[int, Any]:
    """The window's count with this request, in one round trip (every portal request pays it), and the
    value under ``read`` fetched with it.

    Opening the window and counting run as one MULTI: the window opens with the first request and its
    expiry stays (INCR keeps it), so the window does not slide. Django stores integers as plain Redis
    integers, so this counter is the same one ``cache.add``/``cache.incr`` would keep; the value read
    is decoded as ``cache.get`` does.
    """
    redis_key = backend.make_and_validate_key(key)
    # Django's cache API has no pipeline: the backend's own client (its pool, its server for the key).
    client = backend._cache.get_client(redis_key, write=True)  # type: ignore[attr-defined]
    with client.pipeline() as pipeline:
        pipeline.set(redis_key, 0, ex=duration, nx=True)
        pipeline.incr(redis_key)
        if read is not None:
            pipeline.get(backend.make_and_validate_key(read))
        answers = pipeline.execute()
    raw = answers[2] if read is not None else None
    stored = None if raw is None else backend._cache._serializer.loads(raw)  # type: ignore[attr-defined]
    return int(answers[1]), stored


def _cache_count(key: str, duration: int) -> int:
    """The same with any other cache backend (tests and development use the local-memory one)."""
    if cache.add(key, 1, duration):  # counting it keeps the expiry: the window does not slide
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, duration)
        return 1
