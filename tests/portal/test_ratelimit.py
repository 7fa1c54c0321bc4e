"""The portal's rate limit against a real Redis (production's cache): one round trip per request."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import RequestFactory

from portal.ratelimit import portal_request_allowed, portal_request_allowed_reading


@pytest.fixture
def redis_cache(settings) -> Iterator[None]:
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": django_settings.REDIS_URL,
            "KEY_PREFIX": f"test-ratelimit-{uuid.uuid4().hex}",  # nothing shared with another run
        }
    }
    yield
    cache.clear()


def request_from(address: str):
    return RequestFactory().get("/p/x/", REMOTE_ADDR=address)


def test_the_request_just_past_the_limit_is_refused_per_address(redis_cache, settings):
    settings.PORTAL_RATE_LIMIT = "5/minute"

    answers = [portal_request_allowed(request_from("192.0.2.1")) for _ in range(6)]

    assert answers == [True] * 5 + [False]
    assert portal_request_allowed(request_from("192.0.2.2"))  # another address has its own allowance


def test_the_window_opens_with_the_first_request_and_does_not_slide(redis_cache, settings):
    settings.PORTAL_RATE_LIMIT = "5/minute"
    for _ in range(3):
        portal_request_allowed(request_from("192.0.2.1"))

    key = cache.make_and_validate_key("portal:requests:192.0.2.1")
    client = cache._cache.get_client(key)
    assert 55 <= client.ttl(key) <= 60
    assert cache.get("portal:requests:192.0.2.1") == 3  # the same counter cache.incr would keep


def test_the_same_round_trip_reads_a_stored_value_as_cache_get_would(redis_cache, settings):
    settings.PORTAL_RATE_LIMIT = "2/minute"
    cache.set("portal:page:test", ("stamp", "snapshot", b"<html>"), 60)

    assert portal_request_allowed_reading(request_from("192.0.2.1"), "portal:page:test") == (
        True,
        ("stamp", "snapshot", b"<html>"),
    )
    assert portal_request_allowed_reading(request_from("192.0.2.1"), "portal:page:missing") == (True, None)
    assert cache.get("portal:requests:192.0.2.1") == 2  # both counted


def test_a_refused_request_is_handed_nothing_stored(redis_cache, settings):
    settings.PORTAL_RATE_LIMIT = "1/minute"
    cache.set("portal:page:test", ("stamp", "snapshot", b"<html>"), 60)
    portal_request_allowed(request_from("192.0.2.1"))

    assert portal_request_allowed_reading(request_from("192.0.2.1"), "portal:page:test") == (False, None)
