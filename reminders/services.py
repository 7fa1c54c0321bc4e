"""Writes around the dunning engine: runs (recorded for staff) and their sending."""

from __future__ import annotations

import datetime as dt
import logging
import traceback

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoices.models import DebtorKind
from outstanding.models import Organization
from reminders import dispatch, engine
from reminders.models import (
    DunningRun,
    DunningSettings,
    Flow,
    FlowStep,
    Reminder,
    ReminderItem,
    ReminderStatus,
    StepKind,
)

logger = logging.getLogger(__name__)


def dunning_run(*, organization: Organization, today: dt.date, send_now: bool = False) -> engine.PlanResult:
    """Plan today's reminders of one organization and queue (or with ``send_now``, send) them.

    The run is recorded as a ``DunningRun`` whether it succeeds or fails, so staff see failures in
    the admin; the exception is raised again for the caller (the beat task logs it and moves on).
    """
    run = DunningRun.objects.create(organization=organization, date=today)
    try:
        result = engine.plan(organization, today)
        if send_now:
            for reminder_id in result.created_reminder_ids:
                dispatch.reminder_send(reminder_id)
        else:
            dispatch.reminders_enqueue(result.created_reminder_ids)
    except Exception:
        run.error = traceback.format_exc()[-4000:]
        run.finished_at = timezone.now()
        run.save(update_fields=["error", "finished_at"])
        logger.exception("dunning.failed", extra={"organization": organization.pk, "today": str(today)})
        raise
    run.succeeded = True
    run.reminders_created = len(result.created_reminder_ids)
    run.summary = result.summary()[:300]
    run.finished_at = timezone.now()
    run.save(update_fields=["succeeded", "reminders_created", "summary", "finished_at"])
    return result


# --- Flow editing ----------------------------------------------------------------------------------


def flow_problems(*, flow: Flow, steps: list[FlowStep]) -> list[str]:
    """What makes a flow unlawful or unusable, in words for the creditor (empty: fine)."""
    problems = []
    days = [step.days_after_due for step in steps]
    if len(days) != len(set(days)):
        problems.append(_("Two steps fall on the same day; give each step its own day."))
    ordered = sorted(steps, key=lambda step: step.days_after_due)
    for step in ordered:
        if step.kind == StepKind.FOURTEEN_DAY_LETTER and step.days_after_due <= 0:
            problems.append(_("The 14-day letter can only be sent after the due date has passed (art. 6:96 lid 6 BW)."))
        if not step.channels:
            problems.append(_("Every step needs at least one channel."))
    if flow.debtor_kind == DebtorKind.CONSUMER:
        kinds = [step.kind for step in ordered]
        if StepKind.HAND_OVER in kinds and StepKind.FOURTEEN_DAY_LETTER not in kinds[: kinds.index(StepKind.HAND_OVER)]:
            problems.append(
                _(
                    "A consumer flow must send the 14-day letter before handing over: "
                    "without it no collection costs may be charged."
                )
            )
    return problems


@transaction.atomic
def flow_step_save(*, flow: Flow, step: FlowStep | None, days_after_due: int, kind: str, channels: list[str],
                   tone: str) -> FlowStep:  # fmt: skip
    """Add or change a step; refused (nothing saved) when the flow would become unlawful or unusable."""
    step = step or FlowStep(organization=flow.organization, flow=flow)
    step.days_after_due, step.kind, step.channels, step.tone = days_after_due, kind, list(channels), tone
    others = [other for other in flow.steps.all() if other.pk != step.pk]
    problems = flow_problems(flow=flow, steps=[*others, step])
    if problems:
        raise ValidationError(problems)
    step.save()
    return step


@transaction.atomic
def flow_step_delete(*, step: FlowStep) -> None:
    flow = step.flow
    remaining = [other for other in flow.steps.all() if other.pk != step.pk]
    if not remaining:
        raise ValidationError(_("A flow needs at least one step."))
    problems = flow_problems(flow=flow, steps=remaining)
    if problems:
        raise ValidationError(problems)
    step.delete()


def dunning_settings_update(*, settings: DunningSettings, **fields: object) -> DunningSettings:
    if fields.get("is_paused") and not str(fields.get("pause_reason", "")).strip():
        raise ValidationError({"pause_reason": _("Give a reason for pausing all reminders.")})
    if not fields.get("is_paused"):
        fields.update(pause_reason="", paused_until=None)
    for name, value in fields.items():
        setattr(settings, name, value)
    settings.full_clean()
    settings.save()
    return settings


def reminder_cancel(*, reminder: Reminder) -> Reminder:
    """Stop a message that has not gone out.

    Its invoices stay in their flow: the step is freed, so they come up again on the next sending day
    (to silence a debtor, pause the debtor or the invoice instead). The cancelled row keeps the
    invoice numbers it held, so the timeline still tells what was stopped.
    """
    if reminder.status not in (ReminderStatus.PLANNED, ReminderStatus.FAILED, ReminderStatus.NEEDS_ATTENTION):
        raise ValidationError(_("Only a message that has not gone out can be cancelled."))
    with transaction.atomic():
        items = ReminderItem.objects.for_organization(reminder.organization).filter(reminder=reminder)
        numbers = ", ".join(items.order_by("invoice__number").values_list("invoice__number", flat=True))
        reminder.status = ReminderStatus.CANCELLED
        reminder.error = _("Cancelled before sending. Invoices: %(numbers)s") % {"numbers": numbers}
        reminder.save(update_fields=["status", "error", "updated_at"])
        items.delete()
    return reminder
