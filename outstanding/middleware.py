from __future__ import annotations

import logging
import time
from collections.abc import Callable

import psycopg2
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from psycopg2.errors import QueryCanceled

from outstanding.views import health

HEALTH_PATH = "/health/"

logger = logging.getLogger(__name__)


class HealthCheckMiddleware:
    """Answers ``GET /health/`` first, before the SSL redirect and the host check.

    Load balancers and container probes call the instance over plain http by its own address (an IP
    that is not in ALLOWED_HOSTS): the redirect would answer 301 and the host check 400 to a healthy
    instance. Nothing else is answered here, and the answer says only "ok" (and needs the database).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return health(request)
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Adds the Content-Security-Policy header outside debug (scripts and styles from our origin only)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No exception for /api/docs/: Swagger UI is served from our static files with its start script
        # as a separate request (outstanding.api.schema.ApiDocsView), so it runs under this policy too.
        if settings.CONTENT_SECURITY_POLICY_ENABLED:
            response.headers.setdefault("Content-Security-Policy", settings.CONTENT_SECURITY_POLICY)
        return response


class RecentConnectionMiddleware:
    """Spares a request Django's connection health check (``CONN_HEALTH_CHECKS``: a ``SELECT 1``, one
    more round trip, before the request's first query) when the connection answered a query of an
    earlier request less than ``DATABASE_RECENTLY_USED_SECONDS`` ago, without an error since.

    The check finds a connection the server or a proxy dropped while it sat idle; one that served a
    request a moment ago is not idle, so under load (where the round trip counts) no request pays it,
    and after a pause the next request does. A connection lost within that moment (the database
    restarted) fails that request, as a request already running then does; Django closes the
    connection after the error, and the next request opens a new one.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        grace = float(settings.DATABASE_RECENTLY_USED_SECONDS)
        last = getattr(connection, _LAST_ANSWER_ATTRIBUTE, None)
        if (
            last is not None
            and last[0] is connection.connection
            and connection.connection is not None
            and time.monotonic() - last[1] < grace
        ):
            connection.health_check_done = True  # type: ignore[attr-defined]  # as after a check of its own
        answered = False

        def note_answer(
            execute: Callable[..., object], sql: str, params: object, many: bool, context: object
        ) -> object:
            nonlocal answered
            result = execute(sql, params, many, context)
            answered = True
            return result

        with connection.execute_wrapper(note_answer):
            try:
                return self.get_response(request)
            finally:
                if answered and connection.connection is not None and not connection.errors_occurred:
                    setattr(connection, _LAST_ANSWER_ATTRIBUTE, (connection.connection, time.monotonic()))


class StatementTimeoutMiddleware:
    """Every query of a web request stops after ``REQUEST_STATEMENT_TIMEOUT_MS`` (PostgreSQL's
    ``statement_timeout``), so one heavy page or export cannot hold a worker (and a database
    connection) for a minute while other tenants wait. The request then answers 503 with a plain
    message (JSON under /api/). Workers (Celery) and commands are not web requests: their tasks have
    time limits, and their connections never get this one.

    The limit is a setting of the database session, set when a request first uses a connection and
    kept on it: the requests after it on the same (persistent) connection pay no round trip for it.
    Only web requests use a web process's connections, and a connection opened outside a request (a
    worker's, a command's) never carries it. Set inside a transaction (the request's first query ran
    in ``atomic``), a rollback would undo it unseen: then it is set for that request only and reset
    after it, as every request did before. A changed setting is applied on the next request.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = int(settings.REQUEST_STATEMENT_TIMEOUT_MS)
        wanted = f"{timeout}ms" if timeout > 0 else None  # None: the server's default (no limit)
        checked = False
        reset = False

        def before_first_query(
            execute: Callable[..., object], sql: str, params: object, many: bool, context: object
        ) -> object:
            # Checked when the request first uses the database (a page without queries opens no
            # connection), after Django's health check: the connection this query runs on.
            nonlocal checked, reset
            if not checked:
                checked = True
                reset = _apply_statement_timeout(wanted)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(before_first_query):
            try:
                return self.get_response(request)
            finally:
                if reset:
                    _raw_execute("RESET statement_timeout")

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception.__cause__, QueryCanceled):
            return None
        logger.warning("request.statement_timeout", extra={"path": request.path})
        message = _(
            "This took too long to put together. Narrow the selection (a filter or a shorter period) "
            "or try again in a moment."
        )
        if request.path.startswith("/api/"):
            body = {"error": {"code": "timeout", "message": str(message), "details": {}}}
            return JsonResponse(body, status=503, headers={"Retry-After": "30"})
        return HttpResponse(
            render_to_string("503_timeout.html", {"message": message}, request=request),
            status=503,
            headers={"Retry-After": "30"},
        )


def _raw_execute(sql: str, params: list[str] | None = None) -> bool:
    """Run on the DB-API connection itself: a setting of the session, not one of the page's queries
    (query budgets and the debug toolbar count what the page asks, not this)."""
    connection.ensure_connection()
    try:
        with connection.connection.cursor() as cursor:
            cursor.execute(sql, params)
    except psycopg2.Error:  # e.g. inside a transaction a failed query aborted: it ends with it
        logger.info("request.statement_timeout_not_set", extra={"sql": sql})
        return False
    return True


# The DB-API connection that last answered a request's query, and when (time.monotonic()).
_LAST_ANSWER_ATTRIBUTE = "outstanding_last_answer"

# The DB-API connection a web request set the limit on, and the value it holds (kept on Django's
# connection object, one per thread: a reconnect makes another DB-API connection, so it is set again).
_SESSION_TIMEOUT_ATTRIBUTE = "outstanding_request_statement_timeout"


def _apply_statement_timeout(wanted: str | None) -> bool:
    """Give the connection the request's limit (None: the server's default); True when it holds for
    this request only and must be reset after it."""
    raw = connection.connection
    kept = getattr(connection, _SESSION_TIMEOUT_ATTRIBUTE, None)
    if (kept is None and wanted is None) or (kept is not None and kept[0] is raw and kept[1] == wanted):
        return False  # as an earlier request left it (or never set on this thread's connections)
    setattr(connection, _SESSION_TIMEOUT_ATTRIBUTE, None)
    if wanted is None:
        applied = _raw_execute("RESET statement_timeout")
    else:
        applied = _raw_execute("SELECT set_config('statement_timeout', %s, false)", [wanted])
    if not applied:
        return False
    if connection.in_atomic_block:  # a rollback would undo it unseen: for this request only
        return True
    if wanted is not None:
        setattr(connection, _SESSION_TIMEOUT_ATTRIBUTE, (raw, wanted))
    return False
