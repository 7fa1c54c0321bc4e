"""Writes around the dunning engine: runs (recorded for staff) and their sending."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from invoices.models import Debtor, DebtorKind
from outstanding.models import Organization
from reminders.models import (
    Flow,
    FlowStep,
    StepKind,
)
from reminders.scoring import PaymentHistory, flow_variant_for
from reminders.selectors.flows import debtor_payment_histories

logger = logging.getLogger(__name__)


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


logger = logging.getLogger(__name__)


UPDATE_BATCH_SIZE = 500


NO_HISTORY = PaymentHistory()


@transaction.atomic
def debtor_flow_variants_update(*, organization: Organization, today: dt.date) -> int:
    """Score every debtor of ``organization`` and store the variant and its reason; returns how many changed.

    One query reads all payment histories, one reads the debtors, and only the debtors whose variant or
    reason changed are written (in batches). The reason is stored in the organization's language: it is
    one sentence for the creditor, read on the debtor page.
    """
    histories = debtor_payment_histories(organization=organization, today=today)
    debtors = Debtor.objects.for_organization(organization).only("id", "flow_variant", "flow_variant_reason")
    changed = []
    with translation.override(organization.default_language):
        for debtor in debtors.iterator(chunk_size=2000):
            variant, reason = flow_variant_for(histories.get(debtor.pk, NO_HISTORY), today=today)
            if (debtor.flow_variant, debtor.flow_variant_reason) != (variant, reason):
                debtor.flow_variant, debtor.flow_variant_reason = variant, reason
                changed.append(debtor)
    debtors.bulk_update(changed, ["flow_variant", "flow_variant_reason"], batch_size=UPDATE_BATCH_SIZE)
    logger.info(
        "flow_variants.updated",
        extra={"organization": organization.pk, "today": str(today), "changed": len(changed)},
    )
    return len(changed)


def debtor_flow_choose(*, organization: Organization, debtor: Debtor, flow: Flow | None) -> Debtor:
    """The creditor's explicit flow for ``debtor``, or ``None`` for the automatic choice.

    The flow must be the organization's own and meant for the debtor's kind: a consumer flow holds the
    14-day letter (art. 6:96 lid 6 BW) that a business flow lacks.
    """
    if debtor.organization_id != organization.pk:
        raise ValidationError(_("The debtor belongs to another organization."))
    if flow is not None and flow.organization_id != organization.pk:
        raise ValidationError({"flow": _("Choose one of your own flows.")})
    if flow is not None and flow.debtor_kind != debtor.kind:
        raise ValidationError({"flow": _("Choose a flow for this kind of debtor.")})
    debtor.flow = flow
    debtor.save(update_fields=["flow", "updated_at"])
    logger.info(
        "debtor.flow_chosen",
        extra={"debtor": str(debtor.public_id), "flow": str(flow.public_id) if flow else "automatic"},
    )
    return debtor
