"""Reads for the call list: planned phone reminders grouped per debtor, and its CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext as _

from invoices.models import Debtor, Invoice, InvoiceStatus
from outstanding.models import Organization
from reminders.channels import PermanentFailure
from reminders.models import CallOutcome, CallOutcomeKind, Channel, Reminder, ReminderStatus
from reminders.rendering import render_reminder

logger = logging.getLogger(__name__)


MAX_UNANSWERED_CALLS = 3


def calls_due(*, organization: Organization, today: dt.date) -> QuerySet[Reminder]:
    """Planned phone reminders up to ``today``: what is on today's list."""
    return (
        Reminder.objects.for_organization(organization)
        .filter(channel=Channel.PHONE, status=ReminderStatus.PLANNED, planned_date__lte=today)
        .annotate(unanswered=Count("call_outcomes", filter=Q(call_outcomes__outcome=CallOutcomeKind.NO_ANSWER)))
        .select_related("debtor", "organization")
        .order_by("debtor__name", "debtor_id", "planned_date", "pk")
    )


@dataclass
class CallTask:
    """One debtor to call: their planned phone reminders, the invoices in them and what to say."""

    debtor: Debtor
    reminders: list[Reminder] = field(default_factory=list)
    invoices: list[Invoice] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    unanswered: int = 0
    last_outcome: CallOutcome | None = None

    @property
    def total(self) -> Decimal:
        return sum((invoice.open_amount for invoice in self.invoices), Decimal("0.00"))

    @property
    def planned_date(self) -> dt.date:
        return min(reminder.planned_date for reminder in self.reminders)


def call_list(*, organization: Organization, today: dt.date) -> list[CallTask]:
    """Today's call list, one task per debtor, each with the open invoices of its reminders and the script."""
    tasks: dict[int, CallTask] = {}
    for reminder in calls_due(organization=organization, today=today):
        task = tasks.setdefault(reminder.debtor_id, CallTask(debtor=reminder.debtor))
        task.reminders.append(reminder)
        task.unanswered = max(task.unanswered, reminder.unanswered)  # type: ignore[attr-defined]
        task.scripts.append(_script(reminder, today))
    for task in tasks.values():
        task.invoices = _open_invoices(organization, task.reminders)
        task.last_outcome = (
            CallOutcome.objects.for_organization(organization).filter(reminder__in=task.reminders).first()
        )
    return list(tasks.values())


def _script(reminder: Reminder, today: dt.date) -> str:
    try:
        return render_reminder(reminder, today=today).phone_script
    except PermanentFailure:  # everything in it was paid since planning: nothing to say
        return ""
    except Exception:  # the list must still show who to call when one template is broken
        logger.exception("calls.script_failed", extra={"reminder": reminder.pk})
        return ""


def _open_invoices(organization: Organization, reminders: list[Reminder]) -> list[Invoice]:
    return list(
        Invoice.objects.for_organization(organization)
        .filter(reminder_items__reminder__in=reminders, status=InvoiceStatus.OPEN, open_amount__gt=0)
        .distinct()
        .order_by("due_date", "number")
    )


# Cells a spreadsheet would run as a formula (CSV injection). A phone number like "+31 6 1234 5678" is safe.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


HARMLESS_NUMBER = re.compile(r"^[+-][\d\s()./,+-]*$")  # phone numbers and amounts: no function can hide here


def _cell(value: str) -> str:
    if value.startswith(FORMULA_START) and not HARMLESS_NUMBER.match(value):
        return "'" + value
    return value


def _amount(value: Decimal) -> str:
    """Dutch Excel reads "1234,56" as a number; no currency sign, no thousands separator."""
    return f"{value:.2f}".replace(".", ",")


def call_list_csv(tasks: Iterable[CallTask]) -> bytes:
    """The call list for Excel: UTF-8 with a byte order mark, semicolons, Dutch decimal commas."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(
        [
            _("Debtor"),
            _("Phone numbers"),
            _("Invoices"),
            _("Open"),
            _("Planned for"),
            _("Unanswered calls"),
            _("Script"),
        ]
    )
    for task in tasks:
        row = [
            task.debtor.name,
            ", ".join(task.debtor.phones),
            ", ".join(invoice.number for invoice in task.invoices),
            _amount(task.total),
            formats.date_format(task.planned_date, "d-m-Y"),
            str(task.unanswered),
            "\n\n".join(script for script in task.scripts if script),
        ]
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
