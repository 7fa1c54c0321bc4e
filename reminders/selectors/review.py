"""Review before sending: every message the engine plans for the coming days, and one of them rendered.

The list plans the week as the runs will (``engine.plan_ahead``: the real engine day after day, rolled
back) and then reads what the page shows in two queries for the whole week, one for the debtors and
one for the invoices, never one per message. Nothing is rendered for the list;
:func:`planned_message_render` renders one message when it is opened, from plain values, without
saving a reminder.

Planning is what costs (tens of milliseconds per day for the demo organization, seconds for one with
200,000 open invoices), so the planned week is **stored** (in the cache) with the database snapshot it
was planned in, and it stays current until a transaction that snapshot did not see changes anything
the engine reads for the organization. Triggers on those tables log each such (organization,
transaction) in ``PlanChange``, whatever code path wrote (ORM, bulk update, raw SQL), so the check is
one indexed read, not a scan of the organization's data. A payment, a hold, an import, a message
sent, a flow edited: the stored week is out of date.

An out-of-date week is planned again in the request when that is quick (the last planning took under
:data:`SYNC_PLAN_SECONDS`, or the organization is small); otherwise a worker plans it
(:func:`reminders.services.review.week_refresh_request`) and the page shows the stored week, minus
what has since been paid or held, with the time it was planned, until the new one is there.
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field, replace
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from invoices import selectors as invoice_selectors
from invoices.models import Debtor, Invoice, InvoiceStatus
from outstanding.calendar import local_today
from outstanding.models import Organization
from reminders import engine
from reminders.models import Channel, StepKind
from reminders.rendering import (
    RenderedMessage,
    debtor_facts,
    earlier_messages,
    invoice_facts,
    message_template_texts,
    payment_term_days,
    recipient,
    render_message,
)
from reminders.rendering.context import MessageFacts, message_language
from reminders.selectors import changes

REVIEW_DAYS = 7
STORE_SECONDS = changes.STORE_SECONDS
# Plan in the request when the last planning took less than this (else a worker plans, the page waits).
SYNC_PLAN_SECONDS = 1.5
# Never planned before: plan in the request up to this many open invoices.
SYNC_PLAN_OPEN_INVOICES = 20_000


@dataclass(frozen=True)
class ReviewFilters:
    """What the creditor narrowed the list to (from the query string); empty means everything."""

    channel: str = ""
    step: str = ""
    search: str = ""

    @classmethod
    def of(cls, *, channel: str = "", step: str = "", search: str = "") -> ReviewFilters:
        """Unknown channels and steps are ignored, not an error: the URL may be old or hand-made."""
        return cls(
            channel=channel if channel in Channel.values else "",
            step=step if step in StepKind.values else "",
            search=search.strip()[:100],
        )

    @property
    def active(self) -> bool:
        return bool(self.channel or self.step or self.search)

    def keeps(self, message: ReviewMessage) -> bool:
        return (
            (not self.channel or message.channel == self.channel)
            and (not self.step or message.kind == self.step)
            and (not self.search or self.search.casefold() in message.debtor_name.casefold())
        )


@dataclass(frozen=True)
class ReviewInvoice:
    id: int
    public_id: uuid.UUID
    number: str
    open_amount: Decimal
    currency: str


@dataclass(frozen=True)
class ReviewMessage:
    """One planned message as the list shows it: who, how, which step, which invoices, how much.

    As stored and filtered it carries plain values only (a week of a big organization is thousands of
    them); the page details the ones it shows (:func:`review_messages_detailed`: the debtor's public id
    and the invoices' numbers), two queries per page.
    """

    day: dt.date
    debtor_id: int
    debtor_name: str
    channel: str
    kind: str
    tone: str
    invoice_ids: tuple[int, ...]
    total_open_amount: Decimal
    debtor_public_id: uuid.UUID | None = None
    invoices: tuple[ReviewInvoice, ...] = ()

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def kind_label(self) -> str:
        return str(StepKind(self.kind).label)


# A planned message as stored: (debtor id, debtor name, channel, kind, tone, invoice ids, total).
StoredMessage = tuple[int, str, str, str, str, tuple[int, ...], Decimal]


@dataclass(frozen=True)
class ReviewDay:
    date: dt.date
    sending_day: bool
    messages: list[ReviewMessage] = field(default_factory=list)
    planned_count: int = 0  # before filtering

    @property
    def message_count(self) -> int:
        return len(self.messages)

    @property
    def per_channel(self) -> dict[str, int]:
        return dict(Counter(message.channel for message in self.messages))

    @property
    def invoice_count(self) -> int:
        return len({invoice for message in self.messages for invoice in message.invoice_ids})


@dataclass(frozen=True)
class StoredDay:
    date: dt.date
    sending_day: bool
    messages: list[StoredMessage]

    def review_day(self, filters: ReviewFilters) -> ReviewDay:
        messages = [ReviewMessage(self.date, *stored) for stored in self.messages]
        return ReviewDay(
            self.date,
            self.sending_day,
            [message for message in messages if filters.keeps(message)],
            planned_count=len(messages),
        )


@dataclass(frozen=True)
class ReviewWeek:
    """The planned week as the page shows it: current, or the last stored one while a worker plans."""

    days: list[ReviewDay]  # empty when it was never planned and a worker is planning it
    planned_at: dt.datetime | None
    current: bool

    @property
    def shown_count(self) -> int:
        return sum(len(day.messages) for day in self.days)

    @property
    def planned_count(self) -> int:
        return sum(day.planned_count for day in self.days)


@dataclass(frozen=True)
class StoredWeek:
    """A planned week as stored: unfiltered, with the snapshot it was planned in and what it cost."""

    snapshot: str
    planned_at: dt.datetime
    seconds: float
    days: list[StoredDay]


def week_ahead_review(
    *, organization: Organization, today: dt.date, days: int = REVIEW_DAYS, filters: ReviewFilters | None = None
) -> ReviewWeek:
    """Every message planned for ``today`` and the ``days - 1`` days after it, per day, filtered."""
    filters = filters or ReviewFilters()
    stored, current = _week(organization, today, days)
    if stored is None:
        return ReviewWeek([], None, current)
    return ReviewWeek([day.review_day(filters) for day in stored.days], stored.planned_at, current)


def _week(organization: Organization, today: dt.date, days: int) -> tuple[StoredWeek | None, bool]:
    """(the week, whether it is current): the stored one while current; else planned now when that is
    quick, else the stored one (or none) while a worker plans."""
    stored: StoredWeek | None = cache.get(_week_key(organization, today, days))
    if stored is not None and not changes.changed_since(organization, stored.snapshot):
        return stored, True
    if not _plan_in_request(organization, stored):
        return stored, False
    return week_plan_store(organization=organization, today=today, days=days), True


def week_plan_store(*, organization: Organization, today: dt.date, days: int = REVIEW_DAYS) -> StoredWeek:
    """Plan the week now and store it, unless this transaction has written (then it is not stored)."""
    snapshot = changes.snapshot()  # before planning: a change committed meanwhile makes the stored week stale
    started = time.perf_counter()
    dates = [today + dt.timedelta(days=offset) for offset in range(days)]
    planned = _week_planned(organization, engine.plan_ahead(organization, dates))
    stored = StoredWeek(snapshot or "", timezone.now(), time.perf_counter() - started, planned)
    if snapshot is not None:
        cache.set(_week_key(organization, today, days), stored, STORE_SECONDS)
        cache.set(_cost_key(organization), stored.seconds, 30 * STORE_SECONDS)
    return stored


def _week_key(organization: Organization, today: dt.date, days: int) -> str:
    return f"review:week:v3:{organization.pk}:{today.isoformat()}:{days}"


def _cost_key(organization: Organization) -> str:
    return f"review:seconds:v1:{organization.pk}"


def plans_quickly(organization: Organization) -> bool:
    """Whether the organization's week is planned in the request (else by a worker)."""
    return _plan_in_request(organization, None)


def _plan_in_request(organization: Organization, stored: StoredWeek | None) -> bool:
    """Quick enough to plan while the creditor waits: by what it took last time, else by size."""
    seconds = stored.seconds if stored is not None else cache.get(_cost_key(organization))
    if seconds is not None:
        return bool(seconds < SYNC_PLAN_SECONDS)
    open_invoices = Invoice.objects.for_organization(organization).filter(status=InvoiceStatus.OPEN).count()
    return open_invoices <= SYNC_PLAN_OPEN_INVOICES


def _week_planned(organization: Organization, plans: list[engine.PlanResult]) -> list[StoredDay]:
    """The plans with the debtors' names (to filter on): one query for the whole week."""
    names = _debtor_names(organization, {message.debtor_id for plan in plans for message in plan.messages})
    return [
        StoredDay(
            plan.today,
            plan.sending_day,
            [
                (m.debtor_id, names[m.debtor_id], m.channel, m.kind, m.tone, m.invoice_ids, m.total_open_amount)
                for m in plan.messages
                if m.debtor_id in names  # else deleted between the plan and the read
            ],
        )
        for plan in plans
    ]


def review_messages_detailed(*, organization: Organization, messages: list[ReviewMessage]) -> list[ReviewMessage]:
    """``messages`` with their debtor's public id and their invoices (number, open amount): two queries."""
    debtors = _debtor_public_ids(organization, {message.debtor_id for message in messages})
    invoices = _invoices(organization, {invoice for message in messages for invoice in message.invoice_ids})
    return [
        replace(
            message,
            debtor_public_id=debtors[message.debtor_id],
            invoices=tuple(
                sorted((invoices[pk] for pk in message.invoice_ids if pk in invoices), key=lambda i: i.number)
            ),
        )
        for message in messages
        if message.debtor_id in debtors
    ]


def messages_still_due(
    *, organization: Organization, messages: list[ReviewMessage], today: dt.date
) -> list[ReviewMessage]:
    """Of a week planned earlier, the messages that still have an invoice open and not held today
    (one query for the messages given, e.g. one page): what a new planning will at most keep."""
    ids = {invoice for message in messages for invoice in message.invoice_ids}
    due = invoice_selectors.invoices_still_due(organization=organization, invoice_ids=ids, today=today)
    return [message for message in messages if any(invoice in due for invoice in message.invoice_ids)]


def planned_message_find(
    *, organization: Organization, day: dt.date, debtor: Debtor, channel: str
) -> ReviewMessage | None:
    """The message planned for this debtor and channel on ``day`` of the review's week (detailed)."""
    stored, _current = _week(organization, local_today(organization.time_zone), REVIEW_DAYS)
    planned = next((one for one in stored.days if one.date == day), None) if stored else None
    if planned is None:
        return None
    found = [ReviewMessage(day, *m) for m in planned.messages if m[0] == debtor.pk and m[2] == channel]
    return review_messages_detailed(organization=organization, messages=found)[0] if found else None


def planned_message_render(*, organization: Organization, message: ReviewMessage) -> RenderedMessage:
    """The message as it would go out on its day: subject and text, SMS or letter, with the live texts.

    Reads the debtor, the invoices and the template, and writes nothing (no reminder is saved). Raises
    :class:`reminders.rendering.TemplateRenderError` when the organization's template does not render.
    """
    debtor = Debtor.objects.for_organization(organization).get(pk=message.debtor_id)
    invoices = (
        Invoice.objects.for_organization(organization)
        .filter(pk__in=message.invoice_ids, status=InvoiceStatus.OPEN, open_amount__gt=0)
        .order_by("due_date", "number")
    )
    facts = MessageFacts(
        organization=organization,
        debtor=debtor_facts(debtor),
        invoices=tuple(invoice_facts(invoice) for invoice in invoices),
        kind=message.kind,
        tone=message.tone,
        language=message_language(debtor.language),
        today=message.day,
        payment_term_days=payment_term_days(organization),
        # as the real message will count them, so the preview says "despite earlier reminders" exactly then
        **earlier_messages(
            organization=organization, debtor_id=message.debtor_id, invoice_ids=message.invoice_ids, before=message.day
        ),
    )
    texts = message_template_texts(organization=organization, kind=facts.kind, tone=facts.tone, language=facts.language)
    return render_message(
        facts, texts, channel=message.channel, recipient=recipient(debtor, message.channel), absolute_logo=False
    )


def _debtor_names(organization: Organization, ids: set[int]) -> dict[int, str]:
    return dict(Debtor.objects.for_organization(organization).filter(pk__in=ids).values_list("pk", "name"))


def _debtor_public_ids(organization: Organization, ids: set[int]) -> dict[int, uuid.UUID]:
    return dict(Debtor.objects.for_organization(organization).filter(pk__in=ids).values_list("pk", "public_id"))


def _invoices(organization: Organization, ids: set[int]) -> dict[int, ReviewInvoice]:
    rows = (
        Invoice.objects.for_organization(organization)
        .filter(pk__in=ids)
        .values_list("pk", "public_id", "number", "open_amount", "currency")
    )
    return {row[0]: ReviewInvoice(*row) for row in rows}
