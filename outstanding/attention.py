"""What waits for the creditor, gathered from every app for the home page: each item a count and a link.

Debtors' questions, disputes and reported payments (portal), arrangement proposals (collection) and
messages that could not go out (reminders). Only what is waiting is listed, in that order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import ngettext_lazy

from collection.selectors import arrangement_proposals_open_count
from outstanding.models import Organization
from portal.selectors import reactions_needing_attention
from reminders.selectors import reminders as reminder_selectors


@dataclass(frozen=True)
class WaitingCounts:
    """Counted once (four small queries), stored with the home page's figures until something changes."""

    questions: int
    disputes: int
    payment_claims: int
    arrangement_proposals: int
    messages_needing_attention: int


@dataclass(frozen=True)
class WaitingItem:
    key: str
    text: str
    count: int
    url: str


def waiting_counts(*, organization: Organization) -> WaitingCounts:
    reactions = reactions_needing_attention(organization=organization)
    return WaitingCounts(
        questions=reactions.questions,
        disputes=reactions.disputes,
        payment_claims=reactions.payment_claims,
        arrangement_proposals=arrangement_proposals_open_count(organization=organization),
        messages_needing_attention=reminder_selectors.attention_count(organization=organization),
    )


_TEXTS = {
    "disputes": ngettext_lazy("%(count)d disputed invoice", "%(count)d disputed invoices", "count"),
    "questions": ngettext_lazy("%(count)d question from a debtor", "%(count)d questions from debtors", "count"),
    "payment_claims": ngettext_lazy(
        "%(count)d reported payment to check", "%(count)d reported payments to check", "count"
    ),
    "arrangement_proposals": ngettext_lazy(
        "%(count)d payment arrangement proposed", "%(count)d payment arrangements proposed", "count"
    ),
    "messages_needing_attention": ngettext_lazy(
        "%(count)d message that could not go out", "%(count)d messages that could not go out", "count"
    ),
}


def waiting_items(*, organization: Organization, counts: WaitingCounts) -> list[WaitingItem]:
    org_id = organization.public_id
    reactions = reverse("debtor_reactions", args=[org_id])
    urls = {
        "disputes": reactions,
        "questions": reactions,
        "payment_claims": reactions,
        "arrangement_proposals": reverse("arrangement_list", args=[org_id]),
        "messages_needing_attention": reverse("reminder_overview", args=[org_id]) + "?status=attention",
    }
    return [
        WaitingItem(key, str(text) % {"count": count}, count, urls[key])
        for key, text in _TEXTS.items()
        if (count := getattr(counts, key))
    ]
