"""Pausing reminders: per debtor, per invoice, or for every invoice of one planned message (a hold).

A pause is three fields on the row (``is_paused``, ``pause_reason``, ``paused_until``); the dunning
engine skips a paused invoice or debtor up to and including ``paused_until`` (no end date: until
resumed). Every pause has a reason, so whoever looks later knows why nothing went out. Resuming
clears all three, which is also how a hold is undone.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoices.models import Debtor, Invoice
from outstanding.models import Organization

logger = logging.getLogger(__name__)

PAUSE_REASON_MAX_LENGTH = int(Debtor._meta.get_field("pause_reason").max_length or 0)
PAUSE_FIELDS = ["is_paused", "pause_reason", "paused_until", "updated_at"]


def pause_reason_clean(reason: str) -> str:
    """The reason without surrounding spaces; refused when empty or longer than the column."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"pause_reason": _("Give a reason for pausing.")})
    if len(reason) > PAUSE_REASON_MAX_LENGTH:
        message = _("Keep the reason to %(max)d characters or fewer.") % {"max": PAUSE_REASON_MAX_LENGTH}
        raise ValidationError({"pause_reason": message})
    return reason


def pause_until_check(until: dt.date | None, *, today: dt.date | None, required: bool = False) -> None:
    """A pause ends after ``today`` (a pause that ends today or earlier would pause nothing)."""
    if until is None:
        if required:
            raise ValidationError({"paused_until": _("Give the date the hold ends.")})
        return
    if today is not None and until <= today:
        raise ValidationError({"paused_until": _("The end date must be after today.")})


def debtor_pause(*, debtor: Debtor, reason: str, until: dt.date | None = None, today: dt.date | None = None) -> Debtor:
    """Stop all reminders to this debtor (a dispute by phone, a bankruptcy, a personal situation).

    ``today`` given (views and the API pass it): an end date that is not after it is refused.
    """
    reason = pause_reason_clean(reason)
    pause_until_check(until, today=today)
    debtor.is_paused, debtor.pause_reason, debtor.paused_until = True, reason, until
    debtor.save(update_fields=PAUSE_FIELDS)
    logger.info("debtor.paused", extra={"debtor": debtor.pk, "until": str(until or "")})
    return debtor


def debtor_resume(*, debtor: Debtor) -> Debtor:
    debtor.is_paused, debtor.pause_reason, debtor.paused_until = False, "", None
    debtor.save(update_fields=PAUSE_FIELDS)
    logger.info("debtor.resumed", extra={"debtor": debtor.pk})
    return debtor


def invoice_pause(
    *, invoice: Invoice, reason: str, until: dt.date | None = None, today: dt.date | None = None
) -> Invoice:
    """Stop reminders about this one invoice (disputed, a payment arrangement, a question open)."""
    reason = pause_reason_clean(reason)
    pause_until_check(until, today=today)
    invoice.is_paused, invoice.pause_reason, invoice.paused_until = True, reason, until
    invoice.save(update_fields=PAUSE_FIELDS)
    logger.info("invoice.paused", extra={"invoice": invoice.pk, "until": str(until or "")})
    return invoice


def invoice_resume(*, invoice: Invoice) -> Invoice:
    invoice.is_paused, invoice.pause_reason, invoice.paused_until = False, "", None
    invoice.save(update_fields=PAUSE_FIELDS)
    logger.info("invoice.resumed", extra={"invoice": invoice.pk})
    return invoice


@transaction.atomic
def invoices_pause(
    *,
    organization: Organization,
    invoice_ids: Iterable[int],
    reason: str,
    until: dt.date | None,
    today: dt.date | None = None,
    until_required: bool = False,
) -> list[Invoice]:
    """Pause several invoices of ``organization`` at once (a hold on one planned message); all or none."""
    reason = pause_reason_clean(reason)
    pause_until_check(until, today=today, required=until_required)
    invoices = list(Invoice.objects.for_organization(organization).filter(pk__in=list(invoice_ids)).order_by("pk"))
    Invoice.objects.for_organization(organization).filter(pk__in=[invoice.pk for invoice in invoices]).update(
        is_paused=True, pause_reason=reason, paused_until=until, updated_at=timezone.now()
    )
    logger.info("invoices.paused", extra={"organization": organization.pk, "invoices": len(invoices)})
    return invoices


def invoices_resume(*, organization: Organization, invoice_ids: Iterable[int]) -> int:
    """Resume several invoices of ``organization`` (undoing a hold); returns how many were paused."""
    paused = Invoice.objects.for_organization(organization).filter(pk__in=list(invoice_ids), is_paused=True)
    count = paused.update(is_paused=False, pause_reason="", paused_until=None, updated_at=timezone.now())
    logger.info("invoices.resumed", extra={"organization": organization.pk, "invoices": count})
    return count
