"""API clients for the REST API tests: a real key of an organization, sent as a Bearer header."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from outstanding.api_keys import api_key_create
from outstanding.models import ApiKey, ApiKeyAccess, Organization


def api_key_for(organization: Organization, access: str = ApiKeyAccess.READ_WRITE) -> tuple[ApiKey, str]:
    return api_key_create(organization=organization, name=f"test {access}", access=access, created_by=None)


def client_with_key(raw_key: str) -> APIClient:
    """Asks for English, so tests may read messages whatever the translations say."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}", HTTP_ACCEPT_LANGUAGE="en")
    return client


def api_client(organization: Organization, access: str = ApiKeyAccess.READ_WRITE) -> APIClient:
    return client_with_key(api_key_for(organization, access)[1])


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    """The response is an error in the API's one format with this status and code; returns its body."""
    assert response.status_code == status, (response.status_code, getattr(response, "content", b"")[:500])
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code, body
    assert body["error"]["message"]
    return body["error"]
