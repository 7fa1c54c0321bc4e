"""Reads of the conversation per invoice, for the debtor's portal page and the creditor's invoice page."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import Prefetch

from invoices.models import Invoice
from outstanding.models import Organization
from portal.models import (
    Dispute,
    DisputeStatus,
    PaymentClaim,
    PaymentClaimStatus,
    PortalAccess,
    ProofOfPayment,
    ThreadAuthor,
    ThreadEntry,
    ThreadEntryKind,
)

# What a debtor's invoice row says while a reaction is open.
STATE_DISPUTED = "disputed"
STATE_PAYMENT_CLAIMED = "payment_claimed"


@dataclass(frozen=True)
class InvoiceThread:
    entries: tuple[ThreadEntry, ...]  # oldest first, each with its proofs
    open_dispute: Dispute | None
    pending_claim: PaymentClaim | None

    @property
    def unanswered(self) -> int:
        return sum(
            1
            for entry in self.entries
            if entry.by_debtor and entry.handled_at is None and entry.kind == ThreadEntryKind.QUESTION
        )


def invoice_thread(*, organization: Organization, invoice: Invoice) -> InvoiceThread:
    """Everything said about ``invoice``, and the dispute or payment claim still open on it.

    One query (two when there are entries: their proofs): every dispute and claim has the entry that
    opened it, so the open ones are read off the entries instead of asked for apart.
    """
    proofs = Prefetch("proofs", queryset=ProofOfPayment.objects.for_organization(organization).order_by("pk"))
    entries = tuple(
        ThreadEntry.objects.for_organization(organization)
        .filter(invoice=invoice)
        .select_related("author_user", "dispute", "payment_claim")
        .prefetch_related(proofs)
        .order_by("created_at", "pk")
    )
    disputes = (entry.dispute for entry in entries if entry.kind == ThreadEntryKind.DISPUTE and entry.dispute)
    claims = (
        entry.payment_claim for entry in entries if entry.kind == ThreadEntryKind.PAYMENT_CLAIM and entry.payment_claim
    )
    return InvoiceThread(
        entries=entries,
        open_dispute=next((dispute for dispute in disputes if dispute.status == DisputeStatus.OPEN), None),
        pending_claim=next((claim for claim in claims if claim.status == PaymentClaimStatus.PENDING), None),
    )


def portal_invoice_states(*, access: PortalAccess) -> dict[UUID, str]:
    """Per invoice of the link's debtor with an open dispute or a payment claim being checked: which
    (the dispute wins: it holds the invoice longest). One query for the whole page."""
    rows = (
        ThreadEntry.objects.for_organization(access.organization)
        .filter(
            debtor=access.debtor,
            author=ThreadAuthor.DEBTOR,
            kind__in=(ThreadEntryKind.DISPUTE, ThreadEntryKind.PAYMENT_CLAIM),
            handled_at__isnull=True,
        )
        .values_list("invoice__public_id", "kind")
    )
    states: dict[UUID, str] = {}
    for public_id, kind in rows:
        if kind == ThreadEntryKind.DISPUTE or public_id not in states:
            states[public_id] = STATE_DISPUTED if kind == ThreadEntryKind.DISPUTE else STATE_PAYMENT_CLAIMED
    return states


def portal_proof(*, access: PortalAccess, invoice: Invoice, proof_id: UUID | str) -> ProofOfPayment | None:
    """A proof on an invoice of the link's own debtor, or None (another debtor's answers like a missing one)."""
    try:
        return (
            ProofOfPayment.objects.for_organization(access.organization)
            .filter(public_id=proof_id, entry__invoice=invoice, entry__debtor=access.debtor)
            .first()
        )
    except (ValueError, TypeError):
        return None
