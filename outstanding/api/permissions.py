"""Who may do what with a key: any valid key reads; only read-and-write keys change anything."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from outstanding.models import ApiKey


class ReadOnlyKey(exceptions.PermissionDenied):
    default_detail = _("This API key is read-only; create a read-and-write key to change data.")
    default_code = "read_only_key"


class HasApiKey(BasePermission):
    """A valid API key (401 without one); a read-only key may only use safe methods (403)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        api_key = request.auth
        if not isinstance(api_key, ApiKey):
            return False  # DRF turns this into 401: no key was authenticated
        if request.method in SAFE_METHODS or api_key.can_write:
            return True
        raise ReadOnlyKey
