"""The Monday e-mail: what is owed, what goes out this week and what waits, to every member who wants it.

Gathered once per organization (:func:`weekly_summary_facts`: the receivables figures, the week the
engine plans, the attention items), then rendered per member in the member's language (or the
organization's), as plain text and HTML. Each member's e-mail of a week is a :class:`WeeklySummary`
row first (unique per member and week), claimed before sending and marked sent after, so a second
run in the same week, or two workers at once, send nothing twice; a failed send is retried by the
next run (the claim lapses after :data:`CLAIM_SECONDS`).

Beat runs :func:`weekly_summaries_due` every hour; an organization's summaries go out on the first
run on or after Monday :data:`SEND_HOUR`:00 in its own time zone.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from invoices import selectors as invoice_selectors
from outstanding import attention
from outstanding.calendar import local_today
from outstanding.models import Membership, Organization, WeeklySummary
from reminders.selectors.review import ReviewDay, ReviewFilters, week_plan_store

logger = logging.getLogger(__name__)

SEND_HOUR = 7  # Monday 07:00 local: before the working day starts
CLAIM_SECONDS = 15 * 60
UNSUBSCRIBE_SALT = "outstanding.weekly-summary.unsubscribe"


def week_start(day: dt.date) -> dt.date:
    """The Monday of ``day``'s ISO week."""
    return day - dt.timedelta(days=day.weekday())


@dataclass(frozen=True)
class DayAhead:
    """One day of the week ahead: how many messages per channel, over how many invoices and how much."""

    date: dt.date
    sending_day: bool
    per_channel: dict[str, int]
    message_count: int
    invoice_count: int
    total_open: Decimal


@dataclass(frozen=True)
class SummaryFacts:
    """Everything the e-mail says, the same for every member of the organization."""

    organization: Organization
    week_start: dt.date
    open_amount: Decimal
    open_count: int
    overdue_amount: Decimal
    overdue_count: int
    dso: Decimal | None
    best_possible_dso: Decimal | None
    paid_last_week: Decimal
    days: list[DayAhead]
    waiting: attention.WaitingCounts

    @property
    def messages_planned(self) -> int:
        return sum(day.message_count for day in self.days)


def _day_ahead(day: ReviewDay) -> DayAhead:
    return DayAhead(
        date=day.date,
        sending_day=day.sending_day,
        per_channel=day.per_channel,
        message_count=day.message_count,
        invoice_count=day.invoice_count,
        total_open=sum((message.total_open_amount for message in day.messages), Decimal("0.00")),
    )


def weekly_summary_facts(*, organization: Organization, today: dt.date) -> SummaryFacts:
    """The figures of the week starting on ``today``'s Monday, gathered once for every member."""
    monday = week_start(today)
    totals = invoice_selectors.receivables_totals(organization=organization, today=today)
    figures = invoice_selectors.receivables_summary(organization=organization, today=today)
    paid_last_week = invoice_selectors.payments_received_this_week(
        organization=organization, today=monday - dt.timedelta(days=1)
    )
    week = week_plan_store(organization=organization, today=today, days=7)
    return SummaryFacts(
        organization=organization,
        week_start=monday,
        open_amount=totals.open_amount,
        open_count=totals.open_count,
        overdue_amount=totals.overdue_amount,
        overdue_count=totals.overdue_count,
        dso=figures.dso.dso,
        best_possible_dso=figures.dso.best_possible_dso,
        paid_last_week=paid_last_week.amount,
        days=[_day_ahead(day.review_day(ReviewFilters())) for day in week.days],
        waiting=attention.waiting_counts(organization=organization, today=today),
    )


def unsubscribe_token(membership: Membership) -> str:
    return signing.dumps(str(membership.public_id), salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_membership(token: str) -> Membership | None:
    """The membership a stop link is for, or None for a forged or mangled link (links do not expire)."""
    try:
        public_id = str(signing.loads(token, salt=UNSUBSCRIBE_SALT))
    except signing.BadSignature:
        return None
    return Membership.objects.select_related("organization", "user").filter(public_id=public_id).first()


def weekly_summary_set(*, membership: Membership, on: bool) -> Membership:
    """Switch the member's Monday e-mail on or off (the stop link, and its undo)."""
    membership.weekly_summary = on
    membership.save(update_fields=["weekly_summary"])
    logger.info("weekly_summary.switched", extra={"membership": membership.pk, "on": on})
    return membership


def _email(facts: SummaryFacts, membership: Membership) -> EmailMultiAlternatives:
    organization = facts.organization
    language = membership.language or organization.default_language
    org_id = organization.public_id
    context = {
        "facts": facts,
        "organization": organization,
        "member": membership.user,
        "home_url": settings.SITE_URL + reverse("organization_home", args=[org_id]),
        "review_url": settings.SITE_URL + reverse("review_list", args=[org_id]),
        "overdue_url": settings.SITE_URL + reverse("invoice_list", args=[org_id]) + "?overdue=1",
        "waiting": [
            (item.text, settings.SITE_URL + item.url)
            for item in attention.waiting_items(organization=organization, counts=facts.waiting)
        ],
        "unsubscribe_url": settings.SITE_URL + reverse("weekly_summary_stop", args=[unsubscribe_token(membership)]),
    }
    with translation.override(language), timezone.override(organization.time_zone):
        subject = render_to_string("emails/weekly_summary_subject.txt", context).strip()
        text = render_to_string("emails/weekly_summary.txt", context)
        html = render_to_string("emails/weekly_summary.html", context)
    email = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [membership.user.email])
    email.attach_alternative(html, "text/html")
    email.extra_headers["List-Unsubscribe"] = f"<{context['unsubscribe_url']}>"
    return email


def _recipients(organization: Organization) -> list[Membership]:
    """Members who want the summary and can receive it: active users with a verified address."""
    return list(
        Membership.objects.filter(organization=organization, weekly_summary=True, user__is_active=True)
        .filter(user__emailaddress__verified=True, user__emailaddress__email__iexact=F("user__email"))
        .select_related("user")
        .order_by("pk")
        .distinct()
    )


def _claim(membership: Membership, monday: dt.date) -> WeeklySummary | None:
    """This member's row for the week, claimed for sending; None when it went out already or is being sent."""
    try:
        with transaction.atomic():
            row, _created = WeeklySummary.objects.get_or_create(membership=membership, week_start=monday)
    except IntegrityError:  # another worker created it at the same moment
        row = WeeklySummary.objects.get(membership=membership, week_start=monday)
    now = timezone.now()
    lapsed = now - dt.timedelta(seconds=CLAIM_SECONDS)
    claimed = (
        WeeklySummary.objects.filter(pk=row.pk, sent_at__isnull=True)
        .filter(Q(claimed_at__isnull=True) | Q(claimed_at__lt=lapsed))
        .update(claimed_at=now)
    )
    return row if claimed else None


def weekly_summaries_send(*, organization: Organization, today: dt.date) -> int:
    """Send this week's summary to each member of ``organization`` who has not had it; returns how many went."""
    monday = week_start(today)
    recipients = _recipients(organization)
    claims = [(membership, row) for membership in recipients if (row := _claim(membership, monday)) is not None]
    if not claims:
        return 0
    facts = weekly_summary_facts(organization=organization, today=today)
    sent = 0
    with get_connection() as connection:
        for membership, row in claims:
            try:
                connection.send_messages([_email(facts, membership)])
            except Exception:  # this member's e-mail is retried by the next run; the others still go
                logger.exception("weekly_summary.failed", extra={"membership": membership.pk})
                WeeklySummary.objects.filter(pk=row.pk).update(claimed_at=None)
                continue
            WeeklySummary.objects.filter(pk=row.pk).update(sent_at=timezone.now())
            sent += 1
    logger.info("weekly_summary.sent", extra={"organization": organization.pk, "sent": sent})
    return sent


def is_due(organization: Organization, now: dt.datetime) -> bool:
    """Whether ``now`` is on Monday, at or after :data:`SEND_HOUR`:00, in the organization's time zone."""
    local = now.astimezone(ZoneInfo(organization.time_zone))
    return local.weekday() == 0 and local.hour >= SEND_HOUR


def weekly_summaries_due(*, now: dt.datetime | None = None) -> int:
    """Beat's hourly run: every organization where it is Monday morning gets its summaries (once)."""
    now = now or timezone.now()
    sent = 0
    for organization in Organization.objects.order_by("pk").iterator():
        if is_due(organization, now):
            sent += weekly_summaries_send(organization=organization, today=local_today(organization.time_zone, now))
    return sent
