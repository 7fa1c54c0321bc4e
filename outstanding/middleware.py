from __future__ import annotations

import logging
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


class StatementTimeoutMiddleware:
    """Every query of a web request stops after ``REQUEST_STATEMENT_TIMEOUT_MS`` (PostgreSQL's
    ``statement_timeout``), so one heavy page or export cannot hold a worker (and a database
    connection) for a minute while other tenants wait. The request then answers 503 with a plain
    message (JSON under /api/). Workers (Celery) are not web requests: their tasks have time limits.
    The setting is reset after the request; a persistent connection carries nothing over.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        timeout = int(settings.REQUEST_STATEMENT_TIMEOUT_MS)
        if timeout <= 0:
            return self.get_response(request)
        applied = False

        def before_first_query(
            execute: Callable[..., object], sql: str, params: object, many: bool, context: object
        ) -> object:
            # Set when the request first uses the database: a page without queries opens no connection.
            nonlocal applied
            if not applied:
                applied = _raw_execute("SELECT set_config('statement_timeout', %s, false)", [f"{timeout}ms"])
            return execute(sql, params, many, context)

        with connection.execute_wrapper(before_first_query):
            try:
                return self.get_response(request)
            finally:
                if applied:
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
