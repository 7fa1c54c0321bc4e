"""The OpenAPI document: error answers on every operation, and Swagger UI served under a strict CSP."""

from __future__ import annotations

from typing import Any

from drf_spectacular.views import SpectacularSwaggerSplitView

API_PREFIX = "/api/v1/"
ERROR_REF = {"$ref": "#/components/schemas/Error"}
ERROR_RESPONSES = {
    "400": "The request is not valid: `details` names the fields.",
    "401": "No API key, or an invalid or revoked one.",
    "403": "The key may not do this (a read-only key writing).",
    "404": "Not found (also for ids of other organizations).",
    "429": "Too many requests for this key; `details.retry_after` says how many seconds to wait.",
}
ERROR_SCHEMA = {
    "type": "object",
    "description": "The one error format of the API.",
    "properties": {
        "error": {
            "type": "object",
            "properties": {
                "code": {"type": "string", "example": "validation_error"},
                "message": {"type": "string", "example": "The request is not valid; see details."},
                "details": {
                    "type": "object",
                    "additionalProperties": True,
                    "example": {"amount": ['Use at most two decimals (cents), e.g. "121.00".']},
                },
            },
            "required": ["code", "message", "details"],
        }
    },
    "required": ["error"],
}


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the error format on every API operation."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    for path, operations in result.get("paths", {}).items():
        if not path.startswith(API_PREFIX):
            continue
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            for status, description in ERROR_RESPONSES.items():
                if status == "400" and method == "get" and "{id}" in path:
                    continue  # fetching one object takes no input that could be invalid
                if status == "403" and method == "get":
                    continue
                responses.setdefault(status, {"description": description, "content": _json(ERROR_REF)})
    return result


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files (drf-spectacular-sidecar), its start script a separate
    request: the page needs no inline script or style, so it runs under the site's CSP unchanged."""

    template_name = "outstanding/api_docs.html"
