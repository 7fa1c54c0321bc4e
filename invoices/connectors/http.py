"""A small JSON-over-HTTPS client that every connector shares.

It does what each package's API needs alike: a bearer token, timeouts, amounts parsed as ``Decimal``
(never float), ``Link: <...>; rel="next"`` pagination, one token refresh on 401, waiting out a 429
within a bounded time, and mapping failures onto :mod:`invoices.connectors.base` errors. It counts
requests, so a connector can stay inside the package's rate limit by design instead of by luck.

Log lines and error details carry the method, the path and the status code: never a token, a query
string or a response body (bodies hold personal data).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import requests

from invoices.connectors.base import (
    AccountNotFoundError,
    AuthError,
    ConnectorError,
    RateLimitedError,
    Sleep,
    TemporaryError,
)

logger = logging.getLogger(__name__)

TIMEOUT = (5, 60)  # seconds to connect, seconds to read
FIRST_BACKOFF = 5.0  # seconds, doubled per attempt when a 429 names no Retry-After
MAX_PAGES = 1000  # a runaway Link chain must not loop forever


class JsonApi:
    """Requests against one package's API for one connection.

    ``token``: returns the current access token. ``refresh``: called once on a 401; returns True when
    it obtained a new token (the request is then repeated). ``max_wait``: the total seconds this client
    may spend waiting for 429s before giving up with :class:`RateLimitedError`.
    """

    def __init__(
        self,
        *,
        session: requests.Session,
        token: Callable[[], str],
        refresh: Callable[[], bool] | None = None,
        sleep: Sleep = time.sleep,
        max_wait: float = 120.0,
    ) -> None:
        self.session = session
        self.token = token
        self.refresh = refresh
        self.sleep = sleep
        self.max_wait = max_wait
        self.requests_made = 0
        self.waited = 0.0

    def get(self, url: str, params: dict[str, str] | None = None) -> Any:
        return decode_json(self.send("GET", url, params=params))

    def get_all(self, url: str, params: dict[str, str] | None = None) -> list[Any]:
        """A list answer, following ``Link: rel="next"`` until the last page."""
        response = self.send("GET", url, params=params)
        items = _list(decode_json(response), url)
        for _page in range(MAX_PAGES):
            next_url = response.links.get("next", {}).get("url")
            if not next_url:
                return items
            response = self.send("GET", next_url)  # the next link carries the query itself
            items.extend(_list(decode_json(response), next_url))
        raise ConnectorError(f"GET {_path(url)}: more than {MAX_PAGES} pages")

    def post(self, url: str, payload: dict[str, Any]) -> Any:
        return decode_json(self.send("POST", url, json=payload))

    def send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        refreshed = False
        attempt = 0
        while True:
            response = self._request(method, url, **kwargs)
            if response.status_code == 429:
                self._wait_for_rate_limit(response, attempt, f"{method} {_path(url)}")
                attempt += 1
                continue
            if response.status_code == 401 and self.refresh is not None and not refreshed:
                refreshed = True
                if self.refresh():
                    continue
            raise_for_status(response, f"{method} {_path(url)}")
            return response

    def _request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token()}", "Accept": "application/json"}
        try:
            response = self.session.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise TemporaryError(f"{method} {_path(url)}: {type(exc).__name__}") from None
        self.requests_made += 1
        return response

    def _wait_for_rate_limit(self, response: requests.Response, attempt: int, what: str) -> None:
        delay = retry_after(response, attempt)
        if self.waited + delay > self.max_wait:
            raise RateLimitedError(f"{what}: 429, would wait {delay:.0f}s after {self.waited:.0f}s")
        logger.info("connector.rate_limited", extra={"wait": delay, "attempt": attempt})
        self.sleep(delay)
        self.waited += delay


def retry_after(response: requests.Response, attempt: int) -> float:
    """Seconds to wait: the Retry-After header (seconds) when given, else 5, 10, 20, ... seconds."""
    header = response.headers.get("Retry-After", "").strip()
    if header.isdigit():
        return max(1.0, float(header))
    return FIRST_BACKOFF * 2**attempt


def raise_for_status(response: requests.Response, what: str) -> None:
    """Map an HTTP failure onto the connector error that says what to do about it."""
    status = response.status_code
    if status < 400:
        return
    detail = f"{what}: HTTP {status}"
    if status in (401, 403):
        raise AuthError(detail)
    if status == 404:
        raise AccountNotFoundError(detail)
    if status == 429 or status >= 500:
        raise TemporaryError(detail)
    raise ConnectorError(detail)


def decode_json(response: requests.Response) -> Any:
    """The JSON body with every decimal number as ``Decimal``: money never passes through a float."""
    try:
        return response.json(parse_float=Decimal)
    except ValueError:
        raise ConnectorError(f"{response.request.method} {_path(response.url)}: not JSON") from None


def _list(data: Any, url: str) -> list[Any]:
    if not isinstance(data, list):
        raise ConnectorError(f"GET {_path(url)}: expected a list")
    return data


def _path(url: str) -> str:
    """The URL without host and query: safe to log."""
    return urlsplit(url).path
