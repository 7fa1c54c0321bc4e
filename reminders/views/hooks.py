"""Calls from outside services: the e-mail provider's bounce report (``POST /hooks/email-bounce/``).

Not a creditor page: no session, no CSRF token, no organization in the URL. The provider proves
itself with the shared secret ``EMAIL_BOUNCE_WEBHOOK_SECRET`` in ``Authorization: Bearer <secret>``,
compared in constant time. With no secret configured the endpoint does not exist (404).
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from reminders.services.bounces import email_bounce_record

MAX_BODY_BYTES = 64 * 1024


@csrf_exempt  # a provider's server posts here with a shared secret, not a browser with a session
@require_POST
def email_bounce(request: HttpRequest) -> HttpResponse:
    secret = settings.EMAIL_BOUNCE_WEBHOOK_SECRET
    if not secret:
        return JsonResponse({"error": "not_found"}, status=404)
    if not _authorized(request, secret):
        return JsonResponse({"error": "forbidden"}, status=403)
    payload = _payload(request)
    if payload is None:
        return JsonResponse({"error": "invalid", "detail": "Send a JSON object."}, status=400)
    reference = _text(payload.get("message_id")) or _text(payload.get("reference"))
    if not reference:
        return JsonResponse({"error": "invalid", "detail": "message_id or reference is required."}, status=400)
    reminder = email_bounce_record(
        reference=reference, recipient=_text(payload.get("recipient")), reason=_text(payload.get("reason"))
    )
    if reminder is None:
        return JsonResponse({"error": "not_found", "detail": "No e-mail with this reference."}, status=404)
    return JsonResponse({"reminder": str(reminder.public_id), "status": reminder.status})


def _authorized(request: HttpRequest, secret: str) -> bool:
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), secret.encode())


def _payload(request: HttpRequest) -> dict[str, Any] | None:
    if len(request.body) > MAX_BODY_BYTES:
        return None
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return None
    return payload if isinstance(payload, dict) else None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
