"""Writes for the choice of a debtor's reminder flow: the nightly scoring and the creditor's own choice."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from invoices.models import Debtor
from outstanding.models import Organization
from reminders.flow_selectors import debtor_payment_histories
from reminders.models import Flow
from reminders.scoring import PaymentHistory, flow_variant_for

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
