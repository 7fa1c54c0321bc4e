"""The one RF payment reference of a bundle of invoices: a message about several invoices, and the
portal's transfer block for them, ask for it; the bank matcher resolves it back (issue 9, point 7).

Stored, not derived from the message: the same set of invoices gets the same reference however often
it is printed (an e-mail and a letter, a reprint, the portal), and an incoming reference resolves to
its invoices with one indexed read. The rules of the reference itself (its form, which no invoice
number's reference can take) are in :mod:`reminders.channels.letter.payment`.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection
from uuid import UUID

from django.db import IntegrityError, transaction

from invoices.models import Debtor, Invoice, InvoiceStatus
from outstanding.models import Organization
from reminders.channels.letter.payment import bundle_reference_new
from reminders.models import BundleReference, Reminder
from reminders.rendering.context import is_about

logger = logging.getLogger(__name__)

# A clash of 16 random digits within one organization is next to impossible; a few tries settle it.
NEW_REFERENCE_ATTEMPTS = 3


def invoice_set_key(invoice_public_ids: Collection[UUID]) -> str:
    """The set's identity, whatever the order: sha256 of the sorted public ids."""
    joined = ",".join(sorted(str(public_id) for public_id in set(invoice_public_ids)))
    return hashlib.sha256(joined.encode()).hexdigest()


def bundle_reference(*, organization: Organization, debtor: Debtor, invoice_public_ids: Collection[UUID]) -> str:
    """The compact RF reference of exactly these invoices of ``debtor``; made the first time it is asked.

    "" for fewer than two invoices (one invoice is paid by its own number, as before) and for ids that
    are not all invoices of this debtor in this organization (nothing is stored for them).
    """
    public_ids = set(invoice_public_ids)
    if len(public_ids) < 2:
        return ""
    key = invoice_set_key(public_ids)
    found = BundleReference.objects.for_organization(organization).filter(invoice_set=key).first()
    if found is not None:
        return found.reference
    ids = list(
        Invoice.objects.for_organization(organization)
        .filter(debtor=debtor, public_id__in=public_ids)
        .values_list("pk", flat=True)
    )
    if len(ids) != len(public_ids):
        logger.warning("bundle_reference.foreign_invoices", extra={"debtor": debtor.pk})
        return ""
    return _create(organization, debtor, key, sorted(ids)).reference


def _create(organization: Organization, debtor: Debtor, key: str, ids: list[int]) -> BundleReference:
    for _attempt in range(NEW_REFERENCE_ATTEMPTS):
        try:
            with transaction.atomic():  # a savepoint: a clash must not break the caller's transaction
                return BundleReference.objects.for_organization(organization).create(
                    organization=organization,
                    debtor=debtor,
                    reference=bundle_reference_new(),
                    invoice_ids=ids,
                    invoice_set=key,
                )
        except IntegrityError:
            # Another request made this set's row meanwhile (take it), or the reference clashed (try again).
            found = BundleReference.objects.for_organization(organization).filter(invoice_set=key).first()
            if found is not None:
                return found
    raise RuntimeError("no free bundle reference after several attempts")


def reminder_bundle_reference(*, reminder: Reminder) -> str:
    """The reference of the invoices ``reminder`` asks to be paid: those it is about and still open
    (what the renderer lists and the letter totals); "" when that is one invoice or none."""
    rows = reminder.items.filter(invoice__status=InvoiceStatus.OPEN, invoice__open_amount__gt=0).values_list(
        "invoice__public_id", "step_kind"
    )
    about = [public_id for public_id, step_kind in rows if is_about(reminder.kind, step_kind)]
    return bundle_reference(organization=reminder.organization, debtor=reminder.debtor, invoice_public_ids=about)
