"""What debtors said that the creditor still has to act on: unanswered questions, open disputes,
payments reported to check. Counted from the debtor's entries not yet handled (``handled_at``), which
a reply, a resolution or a check sets: one index (``thread_unhandled``) answers all three."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Count, Q

from outstanding.models import Organization
from portal.models import ThreadAuthor, ThreadEntry, ThreadEntryKind

REACTIONS_LIST_SIZE = 200
EXCERPT_LENGTH = 160


@dataclass(frozen=True)
class ReactionsBreakdown:
    questions: int
    disputes: int
    payment_claims: int

    @property
    def total(self) -> int:
        return self.questions + self.disputes + self.payment_claims


@dataclass(frozen=True)
class ReactionItem:
    kind: str
    kind_label: str
    created_at: dt.datetime
    invoice_public_id: UUID
    invoice_number: str
    debtor_name: str
    excerpt: str


def _waiting(organization: Organization):  # type: ignore[no-untyped-def]  # a TenantQuerySet of ThreadEntry
    return ThreadEntry.objects.for_organization(organization).filter(
        author=ThreadAuthor.DEBTOR, handled_at__isnull=True
    )


def reactions_needing_attention(*, organization: Organization) -> ReactionsBreakdown:
    """How many questions, disputes and payment claims of ``organization`` wait for the creditor (one query)."""
    counts = _waiting(organization).aggregate(
        questions=Count("pk", filter=Q(kind=ThreadEntryKind.QUESTION)),
        disputes=Count("pk", filter=Q(kind=ThreadEntryKind.DISPUTE)),
        payment_claims=Count("pk", filter=Q(kind=ThreadEntryKind.PAYMENT_CLAIM)),
    )
    return ReactionsBreakdown(**counts)


def reactions_needing_attention_count(*, organization: Organization) -> int:
    return _waiting(organization).count()


def reactions_list(*, organization: Organization, limit: int = REACTIONS_LIST_SIZE) -> list[ReactionItem]:
    """The waiting reactions, oldest first (who waited longest is answered first)."""
    entries = _waiting(organization).select_related("invoice", "debtor").order_by("created_at", "pk")[:limit]
    return [
        ReactionItem(
            kind=entry.kind,
            kind_label=str(entry.get_kind_display()),
            created_at=entry.created_at,
            invoice_public_id=entry.invoice.public_id,
            invoice_number=entry.invoice.number,
            debtor_name=entry.debtor.name,
            excerpt=_excerpt(entry.text),
        )
        for entry in entries
    ]


def _excerpt(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT_LENGTH else flat[: EXCERPT_LENGTH - 1].rstrip() + "…"
