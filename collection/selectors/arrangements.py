"""Reads of payment arrangements, each inside one organization (and for the portal, one debtor)."""

from __future__ import annotations

from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Case, IntegerField, QuerySet, Value, When

from collection.models import Arrangement, ArrangementInvoice, ArrangementStatus
from invoices.models import Debtor
from outstanding.models import Organization


def arrangement_proposals_open_count(*, organization: Organization) -> int:
    """How many proposals wait for the creditor's decision (for the home page and the menu)."""
    return Arrangement.objects.for_organization(organization).filter(status=ArrangementStatus.PROPOSED).count()


def arrangement_list(*, organization: Organization, status: str | None = None) -> QuerySet[Arrangement]:
    """The organization's arrangements, open proposals first, then newest first."""
    arrangements = Arrangement.objects.for_organization(organization).select_related("debtor", "decided_by")
    if status:
        arrangements = arrangements.filter(status=status)
    waiting_first = Case(
        When(status=ArrangementStatus.PROPOSED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return arrangements.order_by(waiting_first, "-created_at", "-id")


def arrangement_list_for_debtor(*, organization: Organization, debtor: Debtor) -> QuerySet[Arrangement]:
    """One debtor's arrangements, newest first, with their terms (what the portal shows)."""
    return (
        Arrangement.objects.for_organization(organization)
        .filter(debtor=debtor)
        .prefetch_related("terms", "items__invoice")
        .order_by("-created_at", "-id")
    )


def arrangement_for_debtor(
    *, organization: Organization, debtor: Debtor, arrangement_id: UUID | str
) -> Arrangement | None:
    """One arrangement of this debtor, or None: another debtor's answers exactly like a missing one."""
    try:
        arrangements = arrangement_list_for_debtor(organization=organization, debtor=debtor)
        return arrangements.filter(public_id=arrangement_id).first()
    except (ValueError, TypeError, ValidationError):
        return None


def arrangement_held_invoice_public_ids(*, organization: Organization, debtor: Debtor) -> set[UUID]:
    """Public ids of this debtor's invoices that a proposal or approved arrangement holds (not offered again)."""

    return set(
        ArrangementInvoice.objects.for_organization(organization)
        .filter(arrangement__debtor=debtor, holds=True)
        .values_list("invoice__public_id", flat=True)
    )
