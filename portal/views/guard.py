"""What every portal response goes through: the rate limit, the token, the language and the headers.

A wrong, expired or revoked token, or another debtor's invoice, all answer the same plain 404 page, so a
visitor learns nothing from the difference. Portal pages are never indexed, never send a referrer
(the token is in the URL), and are never kept by a shared cache.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.template.loader import render_to_string
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from portal.models import PortalAccess
from portal.ratelimit import portal_request_allowed
from portal.selectors import portal_access_for_token

PORTAL_HEADERS = {
    "X-Robots-Tag": "noindex, nofollow",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "private, no-store",
}
LANGUAGES = ("nl", "en")
READ_METHODS = ("GET", "HEAD")
FORM_METHODS = ("POST",)

PortalView = Callable[..., HttpResponseBase]


class PortalRequest(HttpRequest):
    """What a view decorated with :func:`portal_view` receives (for type checkers)."""

    portal_access: PortalAccess
    portal_language: str


def portal_language(request: HttpRequest, access: PortalAccess | None) -> str:
    """``?lang=en`` or ``?lang=nl`` wins; else the debtor's language; else Dutch."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGES:
        return asked
    if access is not None and access.debtor.language in LANGUAGES:
        return access.debtor.language
    return "nl"


def with_portal_headers(response: HttpResponseBase, language: str) -> HttpResponseBase:
    for name, value in PORTAL_HEADERS.items():
        response[name] = value
    response["Content-Language"] = language
    if settings.CONTENT_SECURITY_POLICY_ENABLED:
        response["Content-Security-Policy"] = portal_content_security_policy()
    return response


@functools.cache
def _portal_policy(policy: str, checkout_origin: str) -> str:
    return policy.replace("form-action 'self'", f"form-action 'self' {checkout_origin}")


def portal_content_security_policy() -> str:
    """The site's policy, with Mollie's checkout as a form target: the pay form's answer redirects there."""
    return _portal_policy(settings.CONTENT_SECURITY_POLICY, settings.MOLLIE_CHECKOUT_ORIGIN)


def plain_page(request: HttpRequest, template: str, status: int) -> HttpResponseBase:
    language = portal_language(request, None)
    with translation.override(language):
        html = render_to_string(template, {"language": language})
    return with_portal_headers(HttpResponse(html, status=status), language)


def not_found(request: HttpRequest) -> HttpResponseBase:
    return plain_page(request, "portal/not_found.html", 404)


def portal_view(view: PortalView) -> PortalView:
    """Decorate a portal view taking ``token`` from the URL; only GET and HEAD."""
    return _guarded(view, READ_METHODS)


def portal_form_view(view: PortalView) -> PortalView:
    """Like :func:`portal_view`, for a form's POST only.

    Exempt from Django's CSRF check, which needs a cookie and the portal sets none. The view must check
    the signed form token of :mod:`portal.views.form_token` instead (a form we rendered for this link).
    """
    return csrf_exempt(_guarded(view, FORM_METHODS))


def _guarded(view: PortalView, methods: tuple[str, ...]) -> PortalView:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not portal_request_allowed(request):
            return plain_page(request, "portal/too_many_requests.html", 429)
        if request.method not in methods:
            return with_portal_headers(HttpResponse(status=405, headers={"Allow": ", ".join(methods)}), "nl")
        access = portal_access_for_token(token)
        if access is None:
            return not_found(request)
        language = portal_language(request, access)
        request.portal_access = access  # type: ignore[attr-defined]
        request.portal_language = language  # type: ignore[attr-defined]
        with translation.override(language):
            response = view(request, *args, **kwargs)
        return with_portal_headers(response, language)

    return wrapper
