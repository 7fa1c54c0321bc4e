"""What the dunning established that collection builds on: the legal letters that went out, and the
invoices whose flow reached its hand-over step. Read by ``collection`` (dossiers), never the reverse."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from outstanding.models import Organization
from reminders.models import ReminderItem, ReminderStatus, StepKind

# A message counts as gone out once it was sent (e-mail, SMS), posted (letter) or logged (a call).
WENT_OUT = (ReminderStatus.SENT, ReminderStatus.LOGGED)


@dataclass(frozen=True)
class LegalLetter:
    """A 14-day letter (or notice of default) that went out about an invoice, with its dates."""

    reminder_public_id: str
    channel: str
    sent_date: dt.date
    term_end_date: dt.date | None
    costs_chargeable_from: dt.date | None
    collection_costs: Decimal | None


def fourteen_day_letters(*, organization: Organization, invoice_ids: Iterable[int]) -> dict[int, LegalLetter]:
    """Per invoice, the latest 14-day letter that went out about it (one query).

    A letter and its e-mail copy are two reminders; the later term counts (the engine waits for both).
    """
    rows = (
        ReminderItem.objects.for_organization(organization)
        .filter(
            invoice_id__in=list(invoice_ids),
            step_kind=StepKind.FOURTEEN_DAY_LETTER,
            reminder__status__in=WENT_OUT,
            reminder__sent_date__isnull=False,
        )
        .values_list(
            "invoice_id", "reminder__public_id", "reminder__channel", "reminder__sent_date",
            "reminder__term_end_date", "reminder__costs_chargeable_from", "reminder__collection_costs",
        )
        .order_by("invoice_id", "reminder__term_end_date", "reminder__sent_date")
    )  # fmt: skip
    letters: dict[int, LegalLetter] = {}
    for invoice_id, public_id, channel, sent, term_end, chargeable, costs in rows:
        letters[invoice_id] = LegalLetter(str(public_id), channel, sent, term_end, chargeable, costs)
    return letters


def hand_over_reached(*, organization: Organization) -> dict[int, dt.date]:
    """Invoice id → the day its flow's hand-over step went out, for every invoice that reached it."""
    rows = (
        ReminderItem.objects.for_organization(organization)
        .filter(step_kind=StepKind.HAND_OVER, reminder__status__in=WENT_OUT, reminder__sent_date__isnull=False)
        .values_list("invoice_id", "reminder__sent_date")
        .order_by("invoice_id", "reminder__sent_date")
    )
    return dict(rows)
