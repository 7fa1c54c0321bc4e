"""Mollie's webhook: ``POST /hooks/mollie/`` with ``id=tr_...`` when one of our payments changed.

Not a creditor page: no session, no CSRF token, no organization in the URL, no secret (Mollie signs
nothing). The body is only a hint which payment to fetch (``invoices.payments.mollie``); the answer is
the same empty 200 for a booked, an ignored, a forged and an unknown id, so it tells a prober nothing.
Only when Mollie itself could not be asked about a payment we know is the answer 503: Mollie then
calls again later.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from invoices.payments.client import MollieUnavailable
from invoices.payments.mollie import online_payment_webhook


@csrf_exempt  # Mollie's server posts here, not a browser with a session
@require_POST
def mollie_webhook(request: HttpRequest) -> HttpResponse:
    mollie_id = request.POST.get("id", "").strip()
    try:
        online_payment_webhook(mollie_id=mollie_id)
    except MollieUnavailable:
        return HttpResponse(status=503)
    return HttpResponse(status=200)
