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


# What the server checks beyond the JSON Schema of each request: rules across fields, against the
# database or the calendar, and check digits. A schema-valid request can still be refused (400) for
# these, and only these; ``details`` then names the field. The schema's description lists them.
RULES_BEYOND_SCHEMA = {
    "debtor": "`debtor` (of an invoice) is the id of one of your debtors, or a debtor object; a name that "
    "several of your debtors share needs an external id.",
    "invoice": "`invoice` (of a payment) is the id of one of your invoices.",
    "due_date": "`due_date` is not before `issue_date`.",
    "open_amount": "`open_amount` lies between 0 and `amount`.",
    "status": "`status` paid leaves nothing open.",
    "number": "An invoice's `number` cannot change (PUT, PATCH).",
    "external_id": "`external_id` is unique among your debtors, and among your invoices.",
    "date": "A payment's `date` is not in the future, in your organization's time zone.",
    "until": "`until` (of a pause) is after today, in your organization's time zone.",
    "email": "`email` and the first of `emails` agree when both are sent.",
    "phone": "`phone` and the first of `phones` agree when both are sent.",
    "vat_id": "A Dutch or other EU `vat_id` passes its check digits.",
    "iban": "`iban` passes its check digits (ISO 13616).",
    "online_payment_minimum": "`online_payment_minimum` (of the organization) is at least 1.00, or null.",
    "arrangement_min_term_amount": "`arrangement_min_term_amount` (of the organization) is at least 1.00.",
    "invoices": "`invoices` (of a dossier) are ids of invoices of that `debtor`.",
    "problems": "A dossier opens only for a debtor with a complete name and address (a consumer: after a valid "
    "14-day letter's term), for open, overdue invoices in no other dossier; `problems` lists what is missing.",
    "on": "`on` (of a statement) lies between 2000-01-01 and 2099-12-31.",
}
# Refusals of a whole request body that a schema cannot foresee: a UBL file is checked as XML.
CODES_BEYOND_SCHEMA = {"ubl_invalid": "A UBL upload is valid UBL XML (Peppol BIS 3 / SI-UBL 2.0)."}


def _rules_description() -> str:
    rules = [*RULES_BEYOND_SCHEMA.values(), *CODES_BEYOND_SCHEMA.values()]
    return "\n\nBesides what this schema states, the server checks (400, `details` naming the field):\n\n" + "\n".join(
        f"- {rule}" for rule in rules
    )


def add_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook: document the error format on every API operation, and the
    rules the server checks beyond the schema in the API's description."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    _hoist_blank_defaults(result)
    info = result.setdefault("info", {})
    info["description"] = info.get("description", "") + _rules_description()
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


def _hoist_blank_defaults(node: Any) -> None:
    """drf-spectacular writes a blank-allowed field with a pattern as ``oneOf: [pattern, blank]`` and
    puts its default ``""`` inside the pattern branch, where ``""`` does not match: move it out."""
    if isinstance(node, dict):
        branches = node.get("oneOf")
        if isinstance(branches, list) and branches and isinstance(branches[0], dict) and "default" in branches[0]:
            node["default"] = branches[0].pop("default")
        for value in node.values():
            _hoist_blank_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _hoist_blank_defaults(value)


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI from our own static files (drf-spectacular-sidecar), its start script a separate
    request: the page needs no inline script or style, so it runs under the site's CSP unchanged."""

    template_name = "outstanding/api_docs.html"
