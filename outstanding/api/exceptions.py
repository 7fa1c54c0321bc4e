"""The one error format of the API, for every error:

    {"error": {"code": "not_found", "message": "Not found.", "details": {}}}

``details`` holds field errors for invalid input: ``{"amount": ["..."], "debtor": {"name": ["..."]}}``;
errors that concern the whole request sit under ``non_field_errors``. Installed as DRF's
``EXCEPTION_HANDLER``; URLs the router does not know get the same shape from :func:`not_found_view`,
and a CSRF refusal under /api/ from :func:`csrf_failure_view`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import csrf
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.serializers import as_serializer_error

from invoices.ubl import UblError

logger = logging.getLogger(__name__)

NON_FIELD_ERRORS = "non_field_errors"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = gettext_lazy("The request body is too large.")
    default_code = "payload_too_large"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = gettext_lazy("The request conflicts with what is already recorded.")
    default_code = "conflict"


class UblInvalid(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "ubl_invalid"


def error_body(code: str, message: str, details: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or {}}}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, then reshaped into the one format; unexpected errors become a logged 500."""
    # Imported here: rest_framework.views loads the parsers, which import this module.
    from rest_framework.views import exception_handler, set_rollback

    exc = _as_api_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        if settings.DEBUG:
            return None  # the debug page with the traceback
        logger.exception("api.unhandled_error", extra={"view": type(context.get("view")).__name__})
        set_rollback()
        body = error_body("server_error", _("Something went wrong on our side; nothing was changed."))
        return Response(body, status=status.HTTP_500_INTERNAL_SERVER_ERROR)
    assert isinstance(exc, exceptions.APIException)
    response.data = error_body(_code(exc), _message(exc), _details(exc))
    return response


def _as_api_exception(exc: Exception) -> Exception:
    if isinstance(exc, Http404):
        return exceptions.NotFound()  # never Django's message: it names our models
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(as_serializer_error(exc))
    if isinstance(exc, UblError):
        return UblInvalid(str(exc))
    return exc


def _code(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return "validation_error"
    if isinstance(exc.detail, str) and getattr(exc.detail, "code", None):
        return str(exc.detail.code)
    return exc.default_code


def _message(exc: exceptions.APIException) -> str:
    if isinstance(exc, exceptions.ValidationError):
        return _("The request is not valid; see details.")
    wait = _throttle_wait(exc)
    if wait is not None:
        return _("Too many requests; try again in %(seconds)d seconds.") % {"seconds": wait}
    return str(exc.detail)


def _details(exc: exceptions.APIException) -> dict[str, Any]:
    if isinstance(exc, exceptions.ValidationError):
        detail = exc.detail
        return detail if isinstance(detail, dict) else {NON_FIELD_ERRORS: detail}
    wait = _throttle_wait(exc)
    if wait is not None:
        return {"retry_after": wait}
    return {}


def _throttle_wait(exc: exceptions.APIException) -> int | None:
    """Whole seconds until a throttled client may try again (the Retry-After header's number)."""
    wait = getattr(exc, "wait", None) if isinstance(exc, exceptions.Throttled) else None
    return None if wait is None else max(1, round(wait))


API_PATH_PREFIX = "/api/"


@csrf_exempt  # it changes nothing; without this a POST here would get Django's HTML CSRF page
def not_found_view(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any /api/ URL that matches no endpoint: a 404 in the API's format, not an HTML page."""
    message = _("Not found.")
    if not request.path.endswith("/"):
        message = _("Not found. API URLs end with a slash, e.g. /api/v1/invoices/.")
    return JsonResponse(error_body("not_found", message), status=status.HTTP_404_NOT_FOUND)


def csrf_failure_view(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: under /api/ a 403 in the API's format, elsewhere Django's own page.

    The API's endpoints take no cookies and are exempt; this answers whatever else under /api/ a
    browser-style check refuses, so an API client never has to parse an HTML page.
    """
    if not request.path.startswith(API_PATH_PREFIX):
        return csrf.csrf_failure(request, reason)
    message = _("This request was refused: API requests authenticate with an API key, not a session.")
    return JsonResponse(error_body("csrf_failed", message), status=status.HTTP_403_FORBIDDEN)
