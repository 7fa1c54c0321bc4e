"""What was sent to the debtor and when, with the legal dates and costs each legal step set (N12)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from portal.models import PortalAccess
from reminders.models import ReminderStatus
from reminders.selectors.reminders import reminder_list

TIMELINE_SIZE = 25


@dataclass(frozen=True)
class PortalTimelineEntry:
    sent_date: dt.date
    channel: str  # translated label
    kind: str  # translated label
    invoice_numbers: tuple[str, ...]
    term_end_date: dt.date | None
    collection_costs: Decimal | None
    costs_chargeable_from: dt.date | None


def portal_timeline(*, access: PortalAccess) -> tuple[PortalTimelineEntry, ...]:
    """The messages sent to the link's debtor, newest first (planned, printed or failed ones are not sent)."""
    sent = reminder_list(organization=access.organization, status=ReminderStatus.SENT, debtor=access.debtor)
    return tuple(
        PortalTimelineEntry(
            sent_date=reminder.sent_date or reminder.planned_date,
            channel=str(reminder.get_channel_display()),
            kind=str(reminder.get_kind_display()),
            invoice_numbers=tuple(item.invoice.number for item in reminder.items.all()),
            term_end_date=reminder.term_end_date,
            collection_costs=reminder.collection_costs,
            costs_chargeable_from=reminder.costs_chargeable_from,
        )
        for reminder in sent[:TIMELINE_SIZE]
    )
