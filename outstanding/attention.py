"""What waits for the creditor, gathered from every app for the home page and the weekly e-mail: each
item a count, what it is, and the action that deals with it, one click away.

In order: debtors' disputes, questions and reported payments (portal), defences in collection
dossiers, arrangement proposals and broken arrangements, debtors ready to hand over to collection
(collection), messages that could not go out — bounced, failed or held for missing facts —
(reminders), invoices that fail the legal check (invoices), an organization-wide pause still on, and
an interest table without the current half-year's rate. Only what is waiting is listed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from collection.legal import rate_table_missing_since
from collection.selectors import arrangement_proposals_open_count
from collection.selectors.arrangements import arrangements_broken_recently_count
from collection.selectors.defences import dossier_defences_unanswered_count
from collection.selectors.dossier_approvals import dossier_approvals_waiting_count
from invoices import selectors as invoice_selectors
from outstanding.models import Organization
from portal.selectors import reactions_needing_attention
from reminders.engine import dunning_settings
from reminders.selectors import reminders as reminder_selectors


@dataclass(frozen=True)
class WaitingCounts:
    """Counted once (a dozen small queries), stored with the home page's figures until something changes."""

    questions: int
    disputes: int
    payment_claims: int
    defences: int = 0
    arrangement_proposals: int = 0
    arrangements_broken: int = 0
    hand_overs: int = 0
    messages_needing_attention: int = 0
    invoices_failing_checks: int = 0
    reminders_paused: int = 0  # 1 while the organization-wide pause is on
    rate_table_missing_since: dt.date | None = None


@dataclass(frozen=True)
class WaitingItem:
    key: str
    text: str
    count: int
    url: str
    action: str  # what the link does, as the button says it


def waiting_counts(*, organization: Organization, today: dt.date) -> WaitingCounts:
    """Every count, for the organization's ``today``."""
    reactions = reactions_needing_attention(organization=organization)
    settings = dunning_settings(organization)
    return WaitingCounts(
        questions=reactions.questions,
        disputes=reactions.disputes,
        payment_claims=reactions.payment_claims,
        defences=dossier_defences_unanswered_count(organization=organization),
        arrangement_proposals=arrangement_proposals_open_count(organization=organization),
        arrangements_broken=arrangements_broken_recently_count(organization=organization, today=today),
        hand_overs=dossier_approvals_waiting_count(organization=organization),
        messages_needing_attention=reminder_selectors.attention_count(organization=organization),
        invoices_failing_checks=invoice_selectors.invoices_failing_legal_check_count(organization=organization),
        reminders_paused=int(settings.is_paused and (settings.paused_until is None or settings.paused_until >= today)),
        rate_table_missing_since=rate_table_missing_since(today),
    )


_TEXTS = {
    "disputes": ngettext_lazy("%(count)d disputed invoice", "%(count)d disputed invoices", "count"),
    "questions": ngettext_lazy("%(count)d question from a debtor", "%(count)d questions from debtors", "count"),
    "payment_claims": ngettext_lazy(
        "%(count)d reported payment to check", "%(count)d reported payments to check", "count"
    ),
    "defences": ngettext_lazy(
        "%(count)d defence in a collection dossier", "%(count)d defences in collection dossiers", "count"
    ),
    "arrangement_proposals": ngettext_lazy(
        "%(count)d payment arrangement proposed", "%(count)d payment arrangements proposed", "count"
    ),
    "arrangements_broken": ngettext_lazy(
        "%(count)d payment arrangement broken", "%(count)d payment arrangements broken", "count"
    ),
    "hand_overs": ngettext_lazy(
        "%(count)d debtor ready to hand over to collection",
        "%(count)d debtors ready to hand over to collection",
        "count",
    ),
    "messages_needing_attention": ngettext_lazy(
        "%(count)d message that could not go out (bounced, failed or held for missing facts)",
        "%(count)d messages that could not go out (bounced, failed or held for missing facts)",
        "count",
    ),
    "invoices_failing_checks": ngettext_lazy(
        "An invoice misses what the law requires", "%(count)d invoices miss what the law requires", "count"
    ),
    "reminders_paused": ngettext_lazy("All reminders are paused", "All reminders are paused", "count"),
}

_ACTIONS = {
    "disputes": _("Resolve"),
    "questions": _("Answer"),
    "payment_claims": _("Check"),
    "defences": _("Answer"),
    "arrangement_proposals": _("Decide"),
    "arrangements_broken": _("See what next"),
    "hand_overs": _("Hand over"),
    "messages_needing_attention": _("Retry or fix"),
    "invoices_failing_checks": _("Fix"),
    "reminders_paused": _("Switch back on"),
}


def waiting_items(*, organization: Organization, counts: WaitingCounts) -> list[WaitingItem]:
    org_id = organization.public_id
    reactions = reverse("debtor_reactions", args=[org_id])
    urls = {
        "disputes": reactions,
        "questions": reactions,
        "payment_claims": reactions,
        "defences": reverse("dossier_list", args=[org_id]) + "?stage=open",
        "arrangement_proposals": reverse("arrangement_list", args=[org_id]) + "?status=proposed",
        "arrangements_broken": reverse("arrangement_list", args=[org_id]) + "?status=broken",
        "hand_overs": reverse("dossier_ready", args=[org_id]),
        "messages_needing_attention": reverse("reminder_overview", args=[org_id]) + "?status=attention",
        "invoices_failing_checks": reverse("organization_home", args=[org_id]) + "#what-to-fix",
        "reminders_paused": reverse("dunning_settings", args=[org_id]),
    }
    items = [
        WaitingItem(key, str(text) % {"count": count}, count, urls[key], str(_ACTIONS[key]))
        for key, text in _TEXTS.items()
        if (count := getattr(counts, key))
    ]
    if counts.rate_table_missing_since is not None:
        day = counts.rate_table_missing_since.strftime("%d-%m-%Y")
        text = _(
            "The statutory interest rates from %(date)s are not in the table yet: interest from then on is provisional."
        )
        items.append(WaitingItem("rate_table", str(text) % {"date": day}, 1, "", ""))
    return items
