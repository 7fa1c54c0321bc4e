"""The call list: planned phone reminders, grouped per debtor, and what came of each call.

A phone step of a flow plans a ``Reminder`` on the phone channel; nobody "sends" it: it waits on the
call list until a person logs an outcome. Reached and a promise to pay count as the contact made:
the reminder is *logged* (a call is not "sent"), with the day of the call as its sent date. A
promise pauses the debtor's open invoices until the promised day, so the engine sends nothing
before then. No answer keeps the call on the list, until the third unanswered
attempt hands it to a person; a wrong number does so at once and notes the number on the debtor.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from invoices.models import Debtor, Invoice, InvoiceStatus
from outstanding.models import Organization, User
from reminders.models import CallOutcome, CallOutcomeKind, Channel, Reminder, ReminderStatus
from reminders.selectors.calls import MAX_UNANSWERED_CALLS

logger = logging.getLogger(__name__)


PROMISE_HORIZON = dt.timedelta(days=365)


NOTE_MAX_LENGTH = 2000


# Stored texts (a pause reason, an error for a person to act on) are kept in the organization's
# language, as dispatch keeps its errors; marked here for translation, translated in _stored.
PROMISE_PAUSE_REASON = gettext_noop("payment promised")


NO_ANSWER_ERROR = gettext_noop(
    "No answer after %(count)d calls; call again later or choose another way to reach the debtor."
)


WRONG_NUMBER_ERROR = gettext_noop("The phone number was reported wrong; check the debtor's phone numbers.")


def _stored(organization: Organization, message: str) -> str:
    with translation.override(organization.default_language):
        return _(message)


def call_outcome_log(
    *,
    organization: Organization,
    debtor: Debtor,
    today: dt.date,
    outcome: str,
    promised_date: dt.date | None = None,
    note: str = "",
    user: User | None = None,
) -> list[CallOutcome]:
    """Record what came of calling ``debtor`` for every call of theirs on today's list, and act on it."""
    note = note.strip()
    _validate(outcome, promised_date, note, today)
    with transaction.atomic():
        reminders = list(
            Reminder.objects.for_organization(organization)
            .filter(debtor=debtor, channel=Channel.PHONE, status=ReminderStatus.PLANNED, planned_date__lte=today)
            .select_for_update()
            .order_by("planned_date", "pk")
        )
        if not reminders:
            raise ValidationError(_("There is no call to log for this debtor today; it may have been logged already."))
        outcomes = [
            CallOutcome.objects.create(
                organization=organization,
                reminder=reminder,
                outcome=outcome,
                promised_date=promised_date if outcome == CallOutcomeKind.PROMISE else None,
                note=note,
                created_by=user,
            )
            for reminder in reminders
        ]
        _apply(outcome, organization, debtor, reminders, promised_date, note, today)
    logger.info("calls.outcome", extra={"debtor": debtor.pk, "outcome": outcome, "reminders": len(reminders)})
    return outcomes


def _validate(outcome: str, promised_date: dt.date | None, note: str, today: dt.date) -> None:
    if outcome not in CallOutcomeKind.values:
        raise ValidationError({"outcome": _("Choose what came of the call.")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({"note": _("Keep the note to %(max)d characters or fewer.") % {"max": NOTE_MAX_LENGTH}})
    if outcome != CallOutcomeKind.PROMISE:
        return
    if promised_date is None:
        raise ValidationError({"promised_date": _("Give the date the debtor promised to pay on.")})
    if promised_date < today:
        raise ValidationError({"promised_date": _("A promised payment date cannot lie in the past.")})
    if promised_date > today + PROMISE_HORIZON:
        raise ValidationError(
            {"promised_date": _("A promise more than a year ahead is an arrangement, not a promise.")}
        )


def _apply(
    outcome: str,
    organization: Organization,
    debtor: Debtor,
    reminders: list[Reminder],
    promised_date: dt.date | None,
    note: str,
    today: dt.date,
) -> None:
    if outcome in (CallOutcomeKind.REACHED, CallOutcomeKind.PROMISE):
        _mark_called(reminders, debtor, outcome, note, today)
    if outcome == CallOutcomeKind.PROMISE:
        assert promised_date is not None  # checked by _validate
        _pause_until(organization, debtor, promised_date)
    elif outcome == CallOutcomeKind.NO_ANSWER:
        _count_unanswered(organization, reminders)
    elif outcome == CallOutcomeKind.WRONG_NUMBER:
        _wrong_number(organization, reminders, debtor, today)


def _mark_called(reminders: list[Reminder], debtor: Debtor, outcome: str, note: str, today: dt.date) -> None:
    with translation.override(debtor.organization.default_language):
        label = str(CallOutcomeKind(outcome).label)[:300]
    for reminder in reminders:
        reminder.status = ReminderStatus.LOGGED
        reminder.sent_at = timezone.now()
        reminder.sent_date = today
        reminder.recipient = ", ".join(debtor.phones)[:300]
        reminder.subject = label
        reminder.body = note
        reminder.attempts += 1
        reminder.error = ""
        reminder.save(
            update_fields=[
                "status",
                "sent_at",
                "sent_date",
                "recipient",
                "subject",
                "body",
                "attempts",
                "error",
                "updated_at",
            ]
        )


def _pause_until(organization: Organization, debtor: Debtor, promised_date: dt.date) -> None:
    """Pause the debtor's open invoices up to and including the promised day; the engine resumes after.

    An invoice paused for another reason (a dispute, an arrangement) keeps its own pause.
    """
    Invoice.objects.for_organization(organization).filter(
        debtor=debtor, status=InvoiceStatus.OPEN, open_amount__gt=0, is_paused=False
    ).update(
        is_paused=True,
        pause_reason=_stored(organization, PROMISE_PAUSE_REASON),
        paused_until=promised_date,
        updated_at=timezone.now(),
    )


def _count_unanswered(organization: Organization, reminders: list[Reminder]) -> None:
    counts = dict(
        CallOutcome.objects.for_organization(organization)
        .filter(reminder__in=reminders, outcome=CallOutcomeKind.NO_ANSWER)
        .values("reminder")
        .annotate(count=Count("pk"))
        .values_list("reminder", "count")
    )
    for reminder in reminders:
        reminder.attempts += 1
        fields = ["attempts", "updated_at"]
        if counts.get(reminder.pk, 0) >= MAX_UNANSWERED_CALLS:
            error = _stored(organization, NO_ANSWER_ERROR) % {"count": MAX_UNANSWERED_CALLS}
            reminder.status, reminder.error = ReminderStatus.NEEDS_ATTENTION, error
            fields += ["status", "error"]
        reminder.save(update_fields=fields)


def _wrong_number(organization: Organization, reminders: list[Reminder], debtor: Debtor, today: dt.date) -> None:
    for reminder in reminders:
        reminder.status, reminder.error = ReminderStatus.NEEDS_ATTENTION, _stored(organization, WRONG_NUMBER_ERROR)
        reminder.attempts += 1
        reminder.save(update_fields=["status", "error", "attempts", "updated_at"])
    # Until the debtor has a field for it, the flag is a dated line in the debtor's notes.
    with translation.override(organization.default_language):
        flag = _("%(date)s: phone number %(phones)s reported wrong on the call list.") % {
            "date": today.isoformat(),
            "phones": ", ".join(debtor.phones) or "–",
        }
    debtor.notes = f"{debtor.notes.rstrip()}\n{flag}".strip()
    # Only the notes change: a full clean of the debtor must not be able to undo the logged call.
    Debtor.objects.for_organization(organization).filter(pk=debtor.pk).update(
        notes=debtor.notes, updated_at=timezone.now()
    )
