"""A local fake of Mollie's payments API, for running the real ``mollie-api-python`` client in tests.

``FakeMollie`` is a threaded ``http.server`` on 127.0.0.1 (a free port) implementing what we use of
https://docs.mollie.com/reference/payments-api:

- ``POST /v2/payments``: validates like Mollie (amount as a string with two decimals, a currency,
  description, redirectUrl) and answers 201 with a payment in Mollie's JSON shape, status ``open``;
- ``GET /v2/payments/<id>``: the payment, or Mollie's 404 error object (also for another account's);
- ``GET /v2/payments/<id>/refunds`` and ``/chargebacks``: the payment's refunds and chargebacks as
  Mollie lists them (``count``, ``_embedded``, ``_links``);
- ``GET /checkout/<id>/?outcome=paid|failed|canceled|expired``: the hosted checkout page. Without an
  outcome it shows one link per outcome; with one it sets the status, calls the webhook when
  ``call_webhooks`` is on, and redirects to the payment's redirectUrl (a browser test "pays" there).

Every API request needs ``Authorization: Bearer <key>`` of a known account (401 otherwise, like
Mollie): ``api_key``, or one added with ``add_account``. A payment belongs to the account whose key
created it; another account's key gets Mollie's 404 for it. Tests change payments directly with
``set_status``/``refund``/``chargeback``/``update`` and read ``requests`` to see what the client sent.

Refunds and chargebacks behave as at Mollie: the payment stays ``paid``; ``amountRefunded`` (always
present on a paid payment) and ``amountChargedBack`` (present once something was charged back) are
the running totals, ``amountRemaining`` what can still be refunded, and ``_links`` gains ``refunds``
and ``chargebacks``.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
import json
import re
import secrets
import threading
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

AMOUNT_VALUE = re.compile(r"^\d+\.\d{2}$")
OUTCOMES = ("paid", "failed", "canceled", "expired")
TIMESTAMP_FIELD = {"paid": "paidAt", "failed": "failedAt", "canceled": "canceledAt", "expired": "expiredAt"}


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any] | None


@dataclass
class FakeMollie:
    api_key: str = "test_fakemolliekey00000000000000000"
    call_webhooks: bool = False
    payments: dict[str, dict[str, Any]] = field(default_factory=dict)
    # payment id → the key of the account it belongs to
    owners: dict[str, str] = field(default_factory=dict)
    other_keys: set[str] = field(default_factory=set)
    refunds: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    chargebacks: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> FakeMollie:
        fake = self

        class Handler(_Handler):
            mollie = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # --- what tests do to payments -------------------------------------------------------------------

    def add_account(self, api_key: str) -> str:
        """Another Mollie account (another organization's key); returns its key."""
        with self.lock:
            self.other_keys.add(api_key)
        return api_key

    def add_payment(self, **fields: Any) -> dict[str, Any]:
        """A payment Mollie knows but we may not (a forged id, another account's payment)."""
        body = {
            "amount": {"currency": "EUR", "value": "10.00"},
            "description": "Someone else's payment",
            "redirectUrl": "https://example.test/",
            **fields,
        }
        with self.lock:
            payment = self._new_payment(body, self.api_key)
        return payment

    def set_status(self, payment_id: str, status: str) -> None:
        with self.lock:
            payment = self.payments[payment_id]
            payment["status"] = status
            if status in TIMESTAMP_FIELD:
                payment[TIMESTAMP_FIELD[status]] = _now()
            if status == "paid":
                payment["amountRefunded"] = {"currency": payment["amount"]["currency"], "value": "0.00"}
                payment["amountRemaining"] = dict(payment["amount"])
            payment["isCancelable"] = status == "open"

    def update(self, payment_id: str, **fields: Any) -> None:
        with self.lock:
            self.payments[payment_id].update(fields)

    def refund(self, payment_id: str, value: str) -> dict[str, Any]:
        """The merchant refunds ``value`` of a paid payment (one more refund; the totals add up)."""
        with self.lock:
            payment = self.payments[payment_id]
            refund = self._reversal("refund", "re_", payment, value, status="refunded")
            self.refunds.setdefault(payment_id, []).append(refund)
            payment["amountRefunded"] = _added(payment.get("amountRefunded"), payment["amount"]["currency"], value)
            self._after_reversal(payment, "refunds")
            return copy.deepcopy(refund)

    def chargeback(self, payment_id: str, value: str) -> dict[str, Any]:
        """The debtor's bank takes ``value`` back (one more chargeback; the totals add up)."""
        with self.lock:
            payment = self.payments[payment_id]
            chargeback = self._reversal("chargeback", "chb_", payment, value)
            self.chargebacks.setdefault(payment_id, []).append(chargeback)
            payment["amountChargedBack"] = _added(
                payment.get("amountChargedBack"), payment["amount"]["currency"], value
            )
            self._after_reversal(payment, "chargebacks")
            return copy.deepcopy(chargeback)

    def requests_to(self, method: str, path_prefix: str) -> list[RecordedRequest]:
        return [r for r in self.requests if r.method == method and r.path.startswith(path_prefix)]

    # --- the API ---------------------------------------------------------------------------------------

    def _reversal(
        self, resource: str, prefix: str, payment: dict[str, Any], value: str, status: str = ""
    ) -> dict[str, Any]:
        if not AMOUNT_VALUE.match(value):
            raise ValueError(f"an amount as Mollie writes it, e.g. 10.00: {value!r}")
        reversal: dict[str, Any] = {
            "resource": resource,
            "id": prefix + secrets.token_hex(5),
            "amount": {"currency": payment["amount"]["currency"], "value": value},
            "createdAt": _now(),
            "paymentId": payment["id"],
        }
        if status:
            reversal["status"] = status
        return reversal

    def _after_reversal(self, payment: dict[str, Any], kind: str) -> None:
        taken = _value(payment.get("amountRefunded")) + _value(payment.get("amountChargedBack"))
        remaining = max(Decimal("0.00"), _value(payment["amount"]) - taken)
        payment["amountRemaining"] = {"currency": payment["amount"]["currency"], "value": f"{remaining:.2f}"}
        payment["_links"][kind] = {
            "href": f"{self.url}/v2/payments/{payment['id']}/{kind}",
            "type": "application/hal+json",
        }

    def _new_payment(self, body: dict[str, Any], api_key: str) -> dict[str, Any]:
        payment_id = "tr_" + secrets.token_hex(5)
        payment = {
            "resource": "payment",
            "id": payment_id,
            "mode": "test",
            "createdAt": _now(),
            "amount": dict(body["amount"]),
            "description": body["description"],
            "method": body.get("method"),
            "metadata": body.get("metadata"),
            "status": "open",
            "isCancelable": True,
            "expiresAt": (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=15)).isoformat(timespec="seconds"),
            "profileId": "pfl_fake000000",
            "sequenceType": "oneoff",
            "redirectUrl": body["redirectUrl"],
            "webhookUrl": body.get("webhookUrl"),
            "locale": body.get("locale"),
            "_links": {
                "self": {"href": f"{self.url}/v2/payments/{payment_id}", "type": "application/hal+json"},
                "checkout": {"href": f"{self.url}/checkout/{payment_id}/", "type": "text/html"},
            },
        }
        self.payments[payment_id] = payment
        self.owners[payment_id] = api_key
        return payment

    def _create(self, body: dict[str, Any] | None, api_key: str) -> tuple[int, dict[str, Any]]:
        problem = _create_problem(body)
        if problem:
            field_name, detail = problem
            return 422, _error(422, "Unprocessable Entity", detail, field_name)
        with self.lock:
            return 201, copy.deepcopy(self._new_payment(body or {}, api_key))

    def _get(self, payment_id: str, api_key: str) -> tuple[int, dict[str, Any]]:
        with self.lock:
            payment = self.payments.get(payment_id)
            if payment is None or self.owners.get(payment_id) != api_key:  # another account's: as missing
                return 404, _error(404, "Not Found", f"No payment exists with token {payment_id}.")
            return 200, copy.deepcopy(payment)

    def _list(self, payment_id: str, kind: str, api_key: str) -> tuple[int, dict[str, Any]]:
        """``GET /v2/payments/<id>/refunds`` or ``/chargebacks``, in Mollie's list shape."""
        status, payment = self._get(payment_id, api_key)
        if status != 200:
            return status, payment
        with self.lock:
            items = copy.deepcopy((self.refunds if kind == "refunds" else self.chargebacks).get(payment_id, []))
        href = f"{self.url}/v2/payments/{payment_id}/{kind}"
        links = {"self": {"href": href, "type": "application/hal+json"}, "previous": None, "next": None}
        return 200, {"count": len(items), "_embedded": {kind: items}, "_links": links}

    def _checkout(self, payment_id: str, outcome: str) -> tuple[int, str, str]:
        """(status code, redirect location or "", page)."""
        with self.lock:
            payment = self.payments.get(payment_id)
        if payment is None:
            return 404, "", "<p>Unknown payment</p>"
        if outcome not in OUTCOMES:
            links = "".join(f'<li><a href="?outcome={name}">{name}</a></li>' for name in OUTCOMES)
            return 200, "", f"<h1>Fake Mollie checkout</h1><p>{payment['description']}</p><ul>{links}</ul>"
        self.set_status(payment_id, outcome)
        if self.call_webhooks and payment.get("webhookUrl"):
            _post_form(payment["webhookUrl"], {"id": payment_id})
        return 303, payment["redirectUrl"], ""


class _Handler(BaseHTTPRequestHandler):
    mollie: FakeMollie

    def log_message(self, format: str, *args: Any) -> None:  # quiet in test output
        pass

    def do_POST(self) -> None:
        body = self._json_body()
        self._record(body)
        if not self._authorized():
            return
        if self.path.rstrip("/") == "/v2/payments":
            self._send_json(*self.mollie._create(body, self._api_key()))
        else:
            self._send_json(404, _error(404, "Not Found", "The resource does not exist."))

    def do_GET(self) -> None:
        parsed = urllib.parse.urlsplit(self.path)
        checkout = re.fullmatch(r"/checkout/(tr_\w+)/?", parsed.path)
        if checkout:
            outcome = urllib.parse.parse_qs(parsed.query).get("outcome", [""])[0]
            self._send_page(*self.mollie._checkout(checkout.group(1), outcome))
            return
        self._record(None)
        if not self._authorized():
            return
        payment = re.fullmatch(r"/v2/payments/([^/]+)", parsed.path)
        listing = re.fullmatch(r"/v2/payments/([^/]+)/(refunds|chargebacks)", parsed.path)
        if payment:
            self._send_json(*self.mollie._get(payment.group(1), self._api_key()))
        elif listing:
            self._send_json(*self.mollie._list(listing.group(1), listing.group(2), self._api_key()))
        else:
            self._send_json(404, _error(404, "Not Found", "The resource does not exist."))

    def _json_body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def _record(self, body: dict[str, Any] | None) -> None:
        with self.mollie.lock:
            self.mollie.requests.append(RecordedRequest(self.command, self.path, dict(self.headers), body))

    def _api_key(self) -> str:
        return (self.headers.get("Authorization") or "").removeprefix("Bearer ")

    def _authorized(self) -> bool:
        key = self._api_key()
        with self.mollie.lock:
            known = key == self.mollie.api_key or key in self.mollie.other_keys
        if known:
            return True
        self._send_json(401, _error(401, "Unauthorized Request", "Missing authentication, or failed to authenticate"))
        return False

    def _send_json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/hal+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _send_page(self, status: int, location: str, page: str) -> None:
        data = page.encode()
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def _create_problem(body: dict[str, Any] | None) -> tuple[str, str] | None:
    """What Mollie would refuse in a create request: (field, detail), or None."""
    if body is None:
        return "", "The request body is not valid JSON."
    amount = body.get("amount")
    if not isinstance(amount, dict) or not isinstance(amount.get("value"), str):
        return "amount", "The amount is required and must be an object with a value and a currency."
    if not AMOUNT_VALUE.match(amount["value"]) or amount["value"] == "0.00":
        return "amount.value", "The amount value must be a string with two decimals, more than zero."
    if amount.get("currency") != "EUR":
        return "amount.currency", "The currency is not supported."
    if not body.get("description") or len(body["description"]) > 255:
        return "description", "The description is required and at most 255 characters."
    if not body.get("redirectUrl"):
        return "redirectUrl", "The redirect URL is required."
    if len(json.dumps(body.get("metadata"))) > 1024:
        return "metadata", "The metadata is too large (at most 1024 bytes)."
    return None


def _error(status: int, title: str, detail: str, field_name: str = "") -> dict[str, Any]:
    error: dict[str, Any] = {"status": status, "title": title, "detail": detail}
    if field_name:
        error["field"] = field_name
    error["_links"] = {
        "documentation": {"href": "https://docs.mollie.com/overview/handling-errors", "type": "text/html"}
    }
    return error


def _value(amount: object) -> Decimal:
    return Decimal(amount["value"]) if isinstance(amount, dict) else Decimal("0.00")


def _added(total: object, currency: str, value: str) -> dict[str, str]:
    return {"currency": currency, "value": f"{_value(total) + Decimal(value):.2f}"}


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _post_form(url: str, fields: dict[str, str]) -> None:
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, method="POST")  # noqa: S310 - a URL the test gave us
    request.add_header("Content-Type", "application/x-www-form-urlencoded")
    with contextlib.suppress(OSError):  # like Mollie: a failing webhook does not stop the checkout
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 - a URL the test gave us
