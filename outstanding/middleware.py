from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


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
