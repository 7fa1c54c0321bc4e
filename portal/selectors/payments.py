"""What the portal reads to pay online: the chosen invoices and a started payment, of the link's debtor only."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from django.core.exceptions import ValidationError

from invoices.models import Invoice, OnlinePayment
from portal.models import PortalAccess


def portal_invoices_chosen(*, access: PortalAccess, invoice_ids: Sequence[str]) -> list[Invoice] | None:
    """The link's debtor's invoices named by public id, or None when any id is not one of them (another
    debtor's invoice answers like a made-up id, and nothing is paid rather than a part of the choice)."""
    wanted = set(invoice_ids)
    try:
        rows = list(
            Invoice.objects.for_organization(access.organization).filter(debtor=access.debtor, public_id__in=wanted)
        )
    except (ValueError, TypeError, ValidationError):  # not a UUID
        return None
    return rows if len(rows) == len(wanted) else None


def portal_online_payment(*, access: PortalAccess, payment_id: UUID | str) -> OnlinePayment | None:
    """A payment the link's debtor started, or None: another debtor's answers exactly like a missing one."""
    try:
        return (
            OnlinePayment.objects.for_organization(access.organization)
            .filter(debtor=access.debtor, public_id=payment_id)
            .first()
        )
    except (ValueError, TypeError, ValidationError):
        return None
