"""What was sent to the debtor and when, with the legal dates and costs each legal step set (N12), and
what was said in the portal about their invoices (questions, disputes, "I have paid", the answers)."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from portal.models import PortalAccess, ThreadEntry
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
    """The messages sent to the link's debtor and the portal conversation, newest first (planned,
    printed or failed messages are not sent)."""
    sent = reminder_list(organization=access.organization, status=ReminderStatus.SENT, debtor=access.debtor)
    messages = tuple(
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
    merged = sorted((*messages, *_thread_entries(access)), key=lambda entry: entry.sent_date, reverse=True)
    return tuple(merged[:TIMELINE_SIZE])


def _thread_entries(access: PortalAccess) -> tuple[PortalTimelineEntry, ...]:
    """The conversation's entries about the debtor's invoices, newest first, dated in the creditor's zone."""
    zone = zoneinfo.ZoneInfo(access.organization.time_zone)
    entries = (
        ThreadEntry.objects.for_organization(access.organization)
        .filter(debtor=access.debtor)
        .select_related("invoice")
        .order_by("-created_at", "-pk")[:TIMELINE_SIZE]
    )
    return tuple(
        PortalTimelineEntry(
            sent_date=timezone.localtime(entry.created_at, zone).date(),
            channel=_("Portal"),
            kind=str(entry.get_kind_display()),
            invoice_numbers=(entry.invoice.number,),
            term_end_date=None,
            collection_costs=None,
            costs_chargeable_from=None,
        )
        for entry in entries
    )
