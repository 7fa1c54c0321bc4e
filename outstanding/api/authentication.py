"""``Authorization: Bearer <key>``: the API key is the credential and decides the tenant."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.request import Request

from outstanding.api.throttling import failed_auth_record, failed_auth_wait
from outstanding.api_keys import api_key_authenticate
from outstanding.models import ApiKey

KEYWORD = b"bearer"


class ApiKeyAuthentication(BaseAuthentication):
    """``request.auth`` becomes the :class:`ApiKey`; ``request.user`` stays anonymous.

    A key acts for its organization, not for a person, so no user is pretended. Views read the
    tenant from ``request.auth.organization`` (see ``outstanding.api.views.TenantViewSet``).
    """

    def authenticate(self, request: Request) -> tuple[Any, ApiKey] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD:
            return None  # no credentials: the permission check answers 401
        wait = failed_auth_wait(request)
        if wait is not None:  # too many wrong keys from this address: no key is looked up now
            raise exceptions.Throttled(wait=wait)
        if len(parts) != 2:
            failed_auth_record(request)
            raise exceptions.AuthenticationFailed(_("Send the key as: Authorization: Bearer <key>."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        api_key = api_key_authenticate(raw) if raw else None
        if api_key is None:
            failed_auth_record(request)
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        return AnonymousUser(), api_key

    def authenticate_header(self, request: Request) -> str:
        # Present, so DRF answers 401 (not 403) to a request without a valid key.
        return 'Bearer realm="api"'


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    """Tells drf-spectacular that the API uses an HTTP bearer scheme."""

    target_class = ApiKeyAuthentication
    name = "ApiKey"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        definition = build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Bearer")  # noqa: S106
        definition["description"] = (
            "An API key of your organization (Settings → API keys), sent as `Authorization: Bearer ost_…`. "
            "Read-only keys may only use GET."
        )
        return definition
