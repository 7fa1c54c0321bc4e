"""Promises to pay made on the phone (a call's outcome): when a debtor said they would pay what."""

from __future__ import annotations

import datetime as dt

from outstanding.models import Organization
from reminders.models import CallOutcome, CallOutcomeKind


def promised_payment_dates(*, organization: Organization, today: dt.date) -> dict[int, dt.date]:
    """Invoice id → the day its debtor promised to pay it, for promises still to come (``today`` or later).

    A promise covers the invoices of the call it was made in; a later promise replaces an earlier
    one. One query.
    """
    rows = (
        CallOutcome.objects.for_organization(organization)
        .filter(outcome=CallOutcomeKind.PROMISE, promised_date__gte=today, reminder__items__isnull=False)
        .order_by("created_at", "pk")
        .values_list("reminder__items__invoice_id", "promised_date")
    )
    return dict(rows)
