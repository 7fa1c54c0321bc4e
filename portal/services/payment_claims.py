""" "I have paid": the debtor reports a payment with proof; the invoice is held while the creditor checks.

The hold lasts ``organization.payment_claim_hold_days`` days (``paused_until``): long enough for a bank
transfer to arrive and be seen, short enough that a claim nobody checks does not stop the flow for
good. The creditor then marks the claim checked: *found* (the payment is recorded as any other, on
the invoice page) or *not found* (the hold is lifted and the flow continues where it was).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import PurePosixPath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from invoices.models import Debtor, Invoice, InvoiceStatus
from invoices.services import invoice_pause, invoice_resume
from outstanding.models import Organization, User
from outstanding.storage import storage_usage_add
from outstanding.text import single_line
from portal.models import (
    PaymentClaim,
    PaymentClaimStatus,
    ProofOfPayment,
    ThreadAuthor,
    ThreadEntry,
    ThreadEntryKind,
)
from portal.services.threads import thread_entries_handle, thread_entry_create, thread_invoice_check

logger = logging.getLogger(__name__)

PROOF_CONTENT_TYPES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
ORIGINAL_NAME_MAX_LENGTH = int(ProofOfPayment._meta.get_field("original_name").max_length or 120)
_UNSAFE_NAME = re.compile(r"[^\w.\- ]+")


def proof_original_name(name: str, content_type: str) -> str:
    """The uploader's file name, safe to show and to send back as a download name: no path, no
    control or quote characters, and the suffix of what the file really is."""
    stem = PurePosixPath(single_line(name).replace("\\", "/")).stem
    stem = _UNSAFE_NAME.sub("_", stem).strip(" ._") or "proof"
    suffix = PROOF_CONTENT_TYPES[content_type]
    return stem[: ORIGINAL_NAME_MAX_LENGTH - len(suffix)] + suffix


def payment_claim_pause_reason(*, organization: Organization) -> str:
    with translation.override(organization.default_language):
        return _("The debtor reported in the portal that this invoice is paid; check the payment.")


def payment_claim_pending_for(*, organization: Organization, invoice: Invoice) -> PaymentClaim | None:
    return (
        PaymentClaim.objects.for_organization(organization)
        .filter(invoice=invoice, status=PaymentClaimStatus.PENDING)
        .first()
    )


@transaction.atomic
def payment_claim_create(
    *,
    organization: Organization,
    debtor: Debtor,
    invoice: Invoice,
    text: str,
    proof: UploadedFile,
    content_type: str,
    today: dt.date,
) -> PaymentClaim:
    """The debtor says ``invoice`` is paid and uploads ``proof`` (its ``content_type`` sniffed by the form)."""
    thread_invoice_check(organization=organization, debtor=debtor, invoice=invoice)
    if content_type not in PROOF_CONTENT_TYPES:
        raise ValidationError({"proof": _("This file is not a PDF, JPEG or PNG.")})
    if invoice.status != InvoiceStatus.OPEN:
        raise ValidationError(_("This invoice is no longer open."))
    locked = Invoice.objects.for_organization(organization).select_for_update().get(pk=invoice.pk)
    if payment_claim_pending_for(organization=organization, invoice=locked) is not None:
        raise ValidationError(_("You have already reported this invoice as paid; we are checking it."))
    hold_until = today + dt.timedelta(days=organization.payment_claim_hold_days)
    claim = PaymentClaim.objects.for_organization(organization).create(
        organization=organization, invoice=locked, debtor=debtor, hold_until=hold_until
    )
    if not _disputed(locked):  # a dispute's hold has no end: a shorter one must not replace it
        invoice_pause(invoice=locked, reason=payment_claim_pause_reason(organization=organization), until=hold_until)
    entry = thread_entry_create(
        organization=organization,
        invoice=locked,
        author=ThreadAuthor.DEBTOR,
        kind=ThreadEntryKind.PAYMENT_CLAIM,
        text=text,
        payment_claim=claim,
    )
    _proof_store(organization, entry, proof, content_type)
    logger.info("payment_claim.created", extra={"claim": claim.pk, "invoice": locked.pk})
    return claim


def _disputed(invoice: Invoice) -> bool:
    return invoice.is_paused and invoice.paused_until is None


def _proof_store(organization: Organization, entry: ThreadEntry, proof: UploadedFile, content_type: str) -> None:
    """Keep the file in private storage. No quota check on purpose: refusing a debtor's proof because
    the creditor's storage is full would punish the wrong party; the file still counts towards it."""
    size = int(proof.size or 0)
    row = ProofOfPayment(
        organization=organization,
        entry=entry,
        content_type=content_type,
        size=size,
        original_name=proof_original_name(proof.name or "", content_type),
    )
    row.file.save(f"proof{PROOF_CONTENT_TYPES[content_type]}", proof, save=False)
    row.save()
    transaction.on_commit(lambda: storage_usage_add(organization=organization, added_bytes=size))


@transaction.atomic
def payment_claim_check(
    *, organization: Organization, claim: PaymentClaim, found: bool, user: User, text: str = ""
) -> PaymentClaim:
    """The creditor looked: *found* keeps the hold until the payment is recorded (on the invoice page);
    *not found* lifts the hold, so reminders continue where they were. The debtor is told either way."""
    locked = PaymentClaim.objects.for_organization(organization).select_for_update().get(pk=claim.pk)
    if locked.status != PaymentClaimStatus.PENDING:
        raise ValidationError(_("This payment was already checked."))
    invoice = Invoice.objects.for_organization(organization).get(pk=locked.invoice_id)
    if not found and not _disputed(invoice):
        invoice_resume(invoice=invoice)
    locked.status = PaymentClaimStatus.FOUND if found else PaymentClaimStatus.NOT_FOUND
    locked.checked_at, locked.checked_by = timezone.now(), user
    locked.save(update_fields=["status", "checked_at", "checked_by"])
    thread_entries_handle(
        organization=organization, invoice=invoice, kinds=(ThreadEntryKind.PAYMENT_CLAIM,), payment_claim=locked
    )
    thread_entry_create(
        organization=organization,
        invoice=invoice,
        author=ThreadAuthor.CREDITOR,
        author_user=user,
        kind=ThreadEntryKind.PAYMENT_CHECKED,
        text=text or _checked_text(organization, found),
        payment_claim=locked,
    )
    logger.info("payment_claim.checked", extra={"claim": locked.pk, "found": found})
    return locked


def _checked_text(organization: Organization, found: bool) -> str:
    """The reply when the member wrote none. In the organization's language: it is stored, and shown as
    written on both sides."""
    with translation.override(organization.default_language):
        if found:
            return _("We have found your payment. Thank you!")
        return _("We could not find your payment. Please check it, or contact us.")
