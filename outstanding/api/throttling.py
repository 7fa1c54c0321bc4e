"""Rate limits: per API key for accepted requests, and per client address for failed key checks.

Accepted requests are counted per key (not per address): an integration behind a shared egress IP is
not punished for its neighbours, and one key cannot use up another's allowance. Both the burst and
the sustained limit are checked before either counts, so a request one of them refuses (429) uses up
nothing; requests refused earlier (401, 403) never reach the throttle.

Failed key checks are counted per client address (``API_FAILED_AUTH_RATE``, e.g. 20 a minute): past
the limit that address gets 429 with ``Retry-After`` and no key is looked up at all until the window
ends, so guessing keys costs the guesser time and the database nothing.
"""

from __future__ import annotations

import time
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

from outstanding.http import client_address
from outstanding.models import ApiKey

DEFAULT_FAILED_AUTH_RATE = "20/minute"
SCOPES = ("api_key_burst", "api_key_sustained")


class _Window(SimpleRateThrottle):
    """One scope's sliding-window history for one key (DRF's algorithm), checked and recorded apart."""

    def __init__(self, scope: str, rate: str) -> None:
        self.scope = scope
        self.rate = rate
        self.limit, self.window = _parse_rate(rate)

    def get_rate(self) -> str:
        return str(self.rate)

    def check(self, ident: Any) -> bool:
        self.key = self.cache_format % {"scope": self.scope, "ident": ident}
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.window:
            self.history.pop()
        return len(self.history) < self.limit

    def wait(self) -> float:
        """Seconds until the oldest request in the window leaves it (and one more may pass)."""
        return float(self.window - (self.now - self.history[-1])) if self.history else float(self.window)

    def record(self) -> None:
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.window)


class ApiKeyThrottle(BaseThrottle):
    """The burst and the sustained limit of a key; a request counts only when both let it through."""

    def allow_request(self, request: Request, view: Any) -> bool:
        if not isinstance(request.auth, ApiKey):
            return True  # unauthenticated requests are refused before they cost anything
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)  # read now: tests override
        windows = [_Window(scope, rate) for scope in SCOPES if (rate := rates.get(scope))]
        refused = [window for window in windows if not window.check(request.auth.pk)]
        if refused:
            self._wait = max(float(window.wait() or 0) for window in refused)
            return False
        for window in windows:
            window.record()
        return True

    def wait(self) -> float | None:
        return getattr(self, "_wait", None)


# --- Failed key checks, per client address ---------------------------------------------------------


def _failed_auth_limit() -> tuple[int, int]:
    rate = str(getattr(settings, "API_FAILED_AUTH_RATE", DEFAULT_FAILED_AUTH_RATE))
    return _parse_rate(rate)


def _parse_rate(rate: str) -> tuple[int, int]:
    """ "20/minute" → (20, 60), as DRF reads its rates."""
    count, period = rate.split("/")
    seconds = {"s": 1, "m": 60, "h": 3600, "d": 86400}[period[0]]
    return int(count), seconds


def _failed_auth_key(request: HttpRequest, duration: int, now: float) -> str:
    # No address to tell (a broken proxy chain): all such requests share one allowance.
    return f"api:failed_auth:{client_address(request) or 'unknown'}:{int(now // duration)}"


def failed_auth_wait(request: HttpRequest) -> int | None:
    """Seconds until this address may try a key again; None while it is under the limit."""
    limit, duration = _failed_auth_limit()
    now = time.time()
    if int(cache.get(_failed_auth_key(request, duration, now), 0)) < limit:
        return None
    return max(1, int(duration - now % duration))


def failed_auth_record(request: HttpRequest) -> None:
    """One more failed key check from this address (a fixed window per ``duration``)."""
    _limit, duration = _failed_auth_limit()
    key = _failed_auth_key(request, duration, time.time())
    cache.add(key, 0, duration)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, duration)
