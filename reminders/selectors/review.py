"""Review before sending: every message the engine plans for the coming days, and one of them rendered.

The list runs the engine's dry run once per day (it writes nothing) and then reads what the page
shows in two queries for the whole week, one for the debtors and one for the invoices, never one per
message. Each day is planned from today's state: a dry run of day N does not know what day N-1 would
have sent, so the days after the first are an estimate (a debtor contacted tomorrow may well not be
contacted again the day after). Nothing is rendered for the list; :func:`planned_message_render`
renders one message when it is opened, from plain values, without saving a reminder.

The dry runs are what costs (tens of milliseconds or more per sending day), so each day's plan is
cached under a fingerprint of everything the engine reads for the organization: per table (invoices,
debtors, reminders and their items, flows, steps, dunning settings) the number of its rows and the
sum of their ``xmin``, the id of the transaction that wrote each row version. An insert or delete
changes the count, and every UPDATE writes a new row version with a newer transaction id, whatever
column it touched and whichever code path (ORM, bulk update, raw SQL) did it. So a cached plan is
the plan of the current data (a payment, a hold, an import, a message sent, a flow edited: a new
fingerprint); the time limit only bounds memory and covers a new version of the engine. Rows a
transaction wrote itself may keep their ``xmin``, so a transaction that has written anything (a test,
a command) always plans afresh.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.cache import cache
from django.db import connection

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

REVIEW_DAYS = 7
PLAN_CACHE_SECONDS = 15 * 60

# Every table the engine reads for one organization. Row versions, not chosen columns: the engine's
# SQL may start reading another column without anyone updating this list.
FINGERPRINT_TABLES = (
    "invoices_invoice",
    "invoices_debtor",
    "reminders_reminder",
    "reminders_reminderitem",
    "reminders_flow",
    "reminders_flowstep",
    "reminders_dunningsettings",
)
FINGERPRINT_SQL = "SELECT CASE WHEN txid_current_if_assigned() IS NULL THEN md5(concat_ws('|', {})) END".format(
    ", ".join(
        f"(SELECT count(*) || ':' || coalesce(sum(t.xmin::text::bigint), 0) FROM {table} t "  # noqa: S608 (constants)
        "WHERE t.organization_id = %(org)s)"
        for table in FINGERPRINT_TABLES
    )
)


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
    """One planned message as the list shows it: who, how, which step, which invoices, how much."""

    day: dt.date
    debtor_id: int
    debtor_public_id: uuid.UUID
    debtor_name: str
    channel: str
    kind: str
    tone: str
    invoices: tuple[ReviewInvoice, ...]
    total_open_amount: Decimal

    @property
    def channel_label(self) -> str:
        return str(Channel(self.channel).label)

    @property
    def kind_label(self) -> str:
        return str(StepKind(self.kind).label)

    @property
    def invoice_ids(self) -> tuple[int, ...]:
        return tuple(invoice.id for invoice in self.invoices)


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
        return len({invoice.id for message in self.messages for invoice in message.invoices})


def week_ahead_review(
    *, organization: Organization, today: dt.date, days: int = REVIEW_DAYS, filters: ReviewFilters | None = None
) -> list[ReviewDay]:
    """Every message planned for ``today`` and the ``days - 1`` days after it, per day, filtered."""
    filters = filters or ReviewFilters()
    return [
        ReviewDay(
            day.date,
            day.sending_day,
            [message for message in day.messages if filters.keeps(message)],
            planned_count=len(day.messages),
        )
        for day in _week(organization, [today + dt.timedelta(days=offset) for offset in range(days)])
    ]


def _week(organization: Organization, days: list[dt.date]) -> list[ReviewDay]:
    """Every planned message of ``days`` with what the list shows of it, cached under the fingerprint."""
    fingerprint = _fingerprint(organization)
    key = f"review:week:v1:{organization.pk}:{days[0].isoformat()}:{len(days)}:{fingerprint}"
    week: list[ReviewDay] | None = cache.get(key) if fingerprint is not None else None
    if week is None:
        week = _week_planned(organization, _day_plans(organization, days, fingerprint))
        if fingerprint is not None:
            cache.set(key, week, PLAN_CACHE_SECONDS)
    return week


def _week_planned(organization: Organization, plans: list[engine.PlanResult]) -> list[ReviewDay]:
    """The plans with debtor names and invoice numbers: two queries for the whole week."""
    messages = [message for plan in plans for message in plan.messages]
    debtors = _debtors(organization, {message.debtor_id for message in messages})
    invoices = _invoices(organization, {invoice for message in messages for invoice in message.invoice_ids})
    return [
        ReviewDay(
            plan.today,
            plan.sending_day,
            [
                review
                for message in plan.messages
                if (review := _review_message(plan.today, message, debtors, invoices)) is not None
            ],
        )
        for plan in plans
    ]


def planned_message_find(
    *, organization: Organization, day: dt.date, debtor: Debtor, channel: str
) -> ReviewMessage | None:
    """The message the engine plans for this debtor and channel on ``day`` of the review's week."""
    today = local_today(organization.time_zone)
    days = [today + dt.timedelta(days=offset) for offset in range(REVIEW_DAYS)]
    if day not in days:
        return None
    plan = day_plans(organization=organization, days=days)[days.index(day)]
    planned = next((m for m in plan.messages if m.debtor_id == debtor.pk and m.channel == channel), None)
    if planned is None:
        return None
    names = {debtor.pk: (debtor.public_id, debtor.name)}
    return _review_message(day, planned, names, _invoices(organization, set(planned.invoice_ids)))


def day_plans(*, organization: Organization, days: list[dt.date]) -> list[engine.PlanResult]:
    """The engine's plan of each of ``days`` as if the earlier ones had run (``engine.plan_ahead``),
    from the cache while the organization's data is unchanged."""
    return _day_plans(organization, days, _fingerprint(organization))


def _day_plans(organization: Organization, days: list[dt.date], fingerprint: str | None) -> list[engine.PlanResult]:
    if fingerprint is None:
        return engine.plan_ahead(organization, days)
    key = f"review:plan:v2:{organization.pk}:{days[0].isoformat()}:{len(days)}:{fingerprint}"
    plans: list[engine.PlanResult] | None = cache.get(key)
    if plans is None:
        plans = engine.plan_ahead(organization, days)
        cache.set(key, plans, PLAN_CACHE_SECONDS)
    return plans


def _fingerprint(organization: Organization) -> str | None:
    """The state of everything the engine reads; None inside a transaction that has written."""
    with connection.cursor() as cursor:
        cursor.execute(FINGERPRINT_SQL, {"org": organization.pk})
        fingerprint = cursor.fetchone()[0]
    return None if fingerprint is None else str(fingerprint)


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


def _debtors(organization: Organization, ids: set[int]) -> dict[int, tuple[uuid.UUID, str]]:
    rows = Debtor.objects.for_organization(organization).filter(pk__in=ids).values_list("pk", "public_id", "name")
    return {pk: (public_id, name) for pk, public_id, name in rows}


def _invoices(organization: Organization, ids: set[int]) -> dict[int, ReviewInvoice]:
    rows = (
        Invoice.objects.for_organization(organization)
        .filter(pk__in=ids)
        .values_list("pk", "public_id", "number", "open_amount", "currency")
    )
    return {row[0]: ReviewInvoice(*row) for row in rows}


def _review_message(
    day: dt.date,
    planned: engine.PlannedMessage,
    debtors: dict[int, tuple[uuid.UUID, str]],
    invoices: dict[int, ReviewInvoice],
) -> ReviewMessage | None:
    if planned.debtor_id not in debtors:  # deleted between the plan and the read
        return None
    public_id, name = debtors[planned.debtor_id]
    listed = tuple(
        sorted((invoices[pk] for pk in planned.invoice_ids if pk in invoices), key=lambda invoice: invoice.number)
    )
    return ReviewMessage(
        day=day,
        debtor_id=planned.debtor_id,
        debtor_public_id=public_id,
        debtor_name=name,
        channel=planned.channel,
        kind=planned.kind,
        tone=planned.tone,
        invoices=listed,
        total_open_amount=planned.total_open_amount,
    )
