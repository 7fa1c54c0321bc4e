"""Flows: the editor's rules (what makes a flow unlawful or unusable), its writes, and each debtor's flow."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from invoices.models import Debtor, DebtorKind
from outstanding.models import Organization
from reminders.models import (
    Channel,
    Flow,
    FlowStep,
    StepKind,
)
from reminders.scoring import PaymentHistory, flow_variant_for
from reminders.selectors.flows import debtor_payment_histories

logger = logging.getLogger(__name__)

# Legal steps go in writing (art. 6:82 and 6:96 lid 6 BW): by letter or e-mail, never only by SMS or phone.
WRITTEN_KINDS = frozenset({StepKind.NOTICE_OF_DEFAULT, StepKind.FOURTEEN_DAY_LETTER})
WRITTEN_CHANNELS = frozenset({Channel.LETTER, Channel.EMAIL})
WRITTEN_PROBLEMS: dict[str, Callable[[], str]] = {
    StepKind.NOTICE_OF_DEFAULT: lambda: _("A notice of default must go in writing: send it by letter or e-mail."),
    StepKind.FOURTEEN_DAY_LETTER: lambda: _("The 14-day letter must go in writing: send it by letter or e-mail."),
}


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
        elif step.kind in WRITTEN_KINDS and not set(step.channels) & WRITTEN_CHANNELS:
            problems.append(WRITTEN_PROBLEMS[step.kind]())
    kinds = [step.kind for step in ordered]
    before_hand_over = kinds[: kinds.index(StepKind.HAND_OVER)] if StepKind.HAND_OVER in kinds else None
    if flow.debtor_kind == DebtorKind.CONSUMER:
        if before_hand_over is not None and StepKind.FOURTEEN_DAY_LETTER not in before_hand_over:
            problems.append(
                _(
                    "A consumer flow must send the 14-day letter before handing over: "
                    "without it no collection costs may be charged."
                )
            )
    else:
        if StepKind.FOURTEEN_DAY_LETTER in kinds:
            problems.append(
                _(
                    "The 14-day letter is for consumers; a business flow puts the debtor in default "
                    "with a notice of default."
                )
            )
        if before_hand_over is not None and StepKind.NOTICE_OF_DEFAULT not in before_hand_over:
            problems.append(
                _(
                    "A business flow must send a notice of default before handing over: "
                    "without it the debtor is not in default."
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


UPDATE_BATCH_SIZE = 500


NO_HISTORY = PaymentHistory()


@transaction.atomic
def debtor_flow_variants_update(*, organization: Organization, today: dt.date) -> int:
    """Score every debtor of ``organization`` and store the variant and its reason; returns how many changed.

    One query reads all payment histories, one reads the debtors, and only the debtors whose variant or
    reason changed are written (in batches). The reason is stored as a code with its numbers, without a
    language: the debtor page puts it into words in the reader's language.
    """
    histories = debtor_payment_histories(organization=organization, today=today)
    debtors = Debtor.objects.for_organization(organization).only("id", "flow_variant", "flow_variant_reason")
    changed = []
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
