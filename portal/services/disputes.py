"""Disputes (betwisting): the debtor contests an invoice in the portal; the creditor resolves it.

Opening a dispute holds the invoice at once (``invoice_pause`` without an end date: no reminder about
it until resolved) and puts it in the creditor's attention list. The creditor resolves it with a reply
the debtor sees: *resume* lifts the hold, so the flow continues at the step where it was (the engine
plans from what was sent, not from the calendar of a hold); *credit note* credits what is open; *write
off* gives it up. The hold's reason is stored in the organization's language, like every pause reason
a person reads on the invoice page later.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from invoices.models import Debtor, Invoice, InvoiceStatus
from invoices.services import credit_note_apply, invoice_pause, invoice_resume, invoice_write_off
from outstanding.models import Organization, User
from portal.models import (
    Dispute,
    DisputeReason,
    DisputeResolution,
    DisputeStatus,
    ThreadAuthor,
    ThreadEntryKind,
)
from portal.services.threads import thread_entries_handle, thread_entry_create, thread_invoice_check

logger = logging.getLogger(__name__)


def dispute_pause_reason(*, organization: Organization, reason: str) -> str:
    """What the invoice page shows as the hold's reason, in the organization's language."""
    with translation.override(organization.default_language):
        return _("Disputed by the debtor in the portal: %(reason)s") % {"reason": DisputeReason(reason).label}


def dispute_open_for(*, organization: Organization, invoice: Invoice) -> Dispute | None:
    return Dispute.objects.for_organization(organization).filter(invoice=invoice, status=DisputeStatus.OPEN).first()


@transaction.atomic
def dispute_open(*, organization: Organization, debtor: Debtor, invoice: Invoice, reason: str, text: str) -> Dispute:
    """The debtor disputes ``invoice``: it is held now, the creditor is told. One open dispute at a time."""
    thread_invoice_check(organization=organization, debtor=debtor, invoice=invoice)
    if reason not in DisputeReason.values:
        raise ValidationError({"reason": _("Please choose a reason.")})
    if not text.strip():
        raise ValidationError({"text": _("Please write your message.")})
    if invoice.status != InvoiceStatus.OPEN:
        raise ValidationError(_("This invoice is no longer open."))
    locked = Invoice.objects.for_organization(organization).select_for_update().get(pk=invoice.pk)
    if dispute_open_for(organization=organization, invoice=locked) is not None:
        raise ValidationError(_("You have already disputed this invoice; we will answer you soon."))
    dispute = Dispute.objects.for_organization(organization).create(
        organization=organization, invoice=locked, debtor=debtor, reason=reason
    )
    invoice_pause(invoice=locked, reason=dispute_pause_reason(organization=organization, reason=reason))
    thread_entry_create(
        organization=organization,
        invoice=locked,
        author=ThreadAuthor.DEBTOR,
        kind=ThreadEntryKind.DISPUTE,
        text=text,
        dispute=dispute,
    )
    logger.info("dispute.opened", extra={"dispute": dispute.pk, "invoice": locked.pk, "reason": reason})
    return dispute


@transaction.atomic
def dispute_resolve(
    *,
    organization: Organization,
    dispute: Dispute,
    resolution: str,
    text: str,
    user: User,
    today: dt.date,
    credit_note_number: str = "",
) -> Dispute:
    """Close an open dispute with ``resolution`` and a reply the debtor sees (required)."""
    if resolution not in DisputeResolution.values:
        raise ValidationError({"resolution": _("Choose how the dispute is resolved.")})
    if not text.strip():
        raise ValidationError({"text": _("Write the debtor a reply: they see it with the resolution.")})
    locked = Dispute.objects.for_organization(organization).select_for_update().get(pk=dispute.pk)
    if locked.status != DisputeStatus.OPEN:
        raise ValidationError(_("This dispute was already resolved."))
    invoice = Invoice.objects.for_organization(organization).get(pk=locked.invoice_id)
    _apply(organization, invoice, resolution, today, credit_note_number or f"DISPUTE-{locked.public_id.hex[:8]}")
    invoice_resume(invoice=Invoice.objects.for_organization(organization).get(pk=invoice.pk))
    locked.status, locked.resolution = DisputeStatus.RESOLVED, resolution
    locked.resolved_at, locked.resolved_by = timezone.now(), user
    locked.save(update_fields=["status", "resolution", "resolved_at", "resolved_by"])
    thread_entries_handle(organization=organization, invoice=invoice, kinds=(ThreadEntryKind.DISPUTE,), dispute=locked)
    thread_entry_create(
        organization=organization,
        invoice=invoice,
        author=ThreadAuthor.CREDITOR,
        author_user=user,
        kind=ThreadEntryKind.DISPUTE_RESOLVED,
        text=text,
        dispute=locked,
    )
    logger.info("dispute.resolved", extra={"dispute": locked.pk, "resolution": resolution})
    return locked


def _apply(organization: Organization, invoice: Invoice, resolution: str, today: dt.date, number: str) -> None:
    """What the resolution does to the invoice; *resume* only lifts the hold (done by the caller)."""
    if resolution == DisputeResolution.CREDIT_NOTE and invoice.open_amount > 0:
        credit_note_apply(
            organization=organization, invoice=invoice, number=number, amount=invoice.open_amount, date=today
        )
    elif resolution == DisputeResolution.WRITE_OFF:
        invoice_write_off(organization=organization, invoice=invoice)
