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
from portal.ratelimit import portal_request_allowed_reading
from portal.selectors import portal_access_for_token
from portal.selectors.access import TOKEN_PATTERN
from portal.views.page_cache import PageSlot, portal_page_slot_key

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
    portal_page_slot: PageSlot  # only in a view decorated with :func:`portal_cached_view`


def asked_language(request: HttpRequest) -> str:
    """``?lang=en`` or ``?lang=nl``; "" when no (known) language was asked."""
    asked = request.GET.get("lang", "")
    return asked if asked in LANGUAGES else ""


def portal_language(request: HttpRequest, access: PortalAccess | None) -> str:
    """``?lang=en`` or ``?lang=nl`` wins; else the debtor's language; else Dutch."""
    return asked_language(request) or unasked_language(access)


def unasked_language(access: PortalAccess | None) -> str:
    """The language of a portal page when none is asked: the debtor's; else Dutch."""
    if access is not None and access.debtor.language in LANGUAGES:
        return access.debtor.language
    return "nl"


def _page_slot(key: str, stored: Any, *, token: str, page: str, asked: str, access: PortalAccess) -> PageSlot:
    """The request's slot (``key``, holding ``stored``), and the other slot that holds the same page: the
    page drawn without ``?lang`` is the one drawn with ``?lang=`` its language, and the other way round."""
    unasked = unasked_language(access)
    same = (unasked,) if not asked else ("",) if asked == unasked else ()
    others = tuple(portal_page_slot_key(token=token, asked_language=other, page=page) for other in same)
    return PageSlot(key=key, stored=stored, same_page_keys=others)


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


def portal_cached_view(page: str) -> Callable[[PortalView], PortalView]:
    """Like :func:`portal_view`, for a page kept by :mod:`portal.views.page_cache` under ``page``: the
    rate limit's round trip to Redis fetches the stored page too (``request.portal_page_slot``)."""
    return lambda view: _guarded(view, READ_METHODS, cached_page=page)


def portal_form_view(view: PortalView) -> PortalView:
    """Like :func:`portal_view`, for a form's POST only.

    Exempt from Django's CSRF check, which needs a cookie and the portal sets none. The view must check
    the signed form token of :mod:`portal.views.form_token` instead (a form we rendered for this link).
    """
    return csrf_exempt(_guarded(view, FORM_METHODS))


def _guarded(view: PortalView, methods: tuple[str, ...], cached_page: str | None = None) -> PortalView:
    @functools.wraps(view)
    def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponseBase:
        slot_key = None
        if cached_page is not None and request.method in methods and TOKEN_PATTERN.fullmatch(token):
            slot_key = portal_page_slot_key(token=token, asked_language=asked_language(request), page=cached_page)
        allowed, stored = portal_request_allowed_reading(request, slot_key)
        if not allowed:
            return plain_page(request, "portal/too_many_requests.html", 429)
        if request.method not in methods:
            return with_portal_headers(HttpResponse(status=405, headers={"Allow": ", ".join(methods)}), "nl")
        access = portal_access_for_token(token)
        if access is None:
            return not_found(request)
        language = portal_language(request, access)
        request.portal_access = access  # type: ignore[attr-defined]
        request.portal_language = language  # type: ignore[attr-defined]
        if slot_key is not None and cached_page is not None:
            slot = _page_slot(
                slot_key, stored, token=token, page=cached_page, asked=asked_language(request), access=access
            )
            request.portal_page_slot = slot  # type: ignore[attr-defined]
        with translation.override(language):
            response = view(request, *args, **kwargs)
        return with_portal_headers(response, language)

    return wrapper
