"""The daily dunning engine: which invoices are due for which flow step today, bundled per debtor.

For one organization and its local date the engine

1. decides in **one SQL statement** which open, unpaused invoices reached a flow step they have not
   had yet (the latest such step: a step missed on a non-sending day goes out on the next sending
   day, older missed steps are not sent on top of it; a consumer's 14-day letter is never skipped);
2. for a consumer who gets a 14-day letter, puts **all** of their overdue invoices in that one letter
   (art. 6:96 lid 7 BW: the principals are added together for the costs);
3. bundles per debtor and channel: one ``Reminder`` per debtor per channel per day listing every
   invoice (``ReminderItem``), skipping debtors contacted fewer than the minimum days ago;
4. writes it all in one transaction under a per-organization advisory lock. Unique constraints on
   (debtor, channel, day) and (invoice, step, channel) make a second or concurrent run a no-op.

``plan(..., dry_run=True)`` runs the same selection and writes nothing: the dashboard's week ahead.
Nothing is sent here; :mod:`reminders.services.dispatch` sends after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction

from outstanding.calendar import is_atw_holiday
from outstanding.models import Organization
from reminders.models import DunningSettings, StepKind

logger = logging.getLogger(__name__)

# Step kinds from mild to severe, as an SQL array: a bundle takes its most severe item's kind.
SEVERITY = "ARRAY[" + ",".join(f"'{kind}'" for kind in StepKind.values) + "]::text[]"

# One statement selects what is due. Parameters: org, today. Produces one row per
# (invoice, channel) with the step, its kind, tone and day, and the invoice's open amount.
DUE_SQL = """
WITH settings AS (
    SELECT s.min_days_between_contacts AS gap, s.dynamic_flows
    FROM reminders_dunningsettings s WHERE s.organization_id = %(org)s
),
candidates AS (
    SELECT i.id AS invoice_id, i.debtor_id, i.open_amount, i.due_date, d.kind AS debtor_kind,
           COALESCE(df.id, fv.id, fs.id) AS flow_id
    FROM invoices_invoice i
    JOIN invoices_debtor d ON d.id = i.debtor_id AND d.organization_id = %(org)s
    CROSS JOIN settings
    -- the creditor's explicit choice, unless the debtor has since changed kind: a consumer must
    -- never follow a business flow that lacks the 14-day letter
    LEFT JOIN reminders_flow df ON df.id = d.flow_id AND df.organization_id = %(org)s AND df.debtor_kind = d.kind
    LEFT JOIN reminders_flow fv ON settings.dynamic_flows AND fv.organization_id = i.organization_id
         AND fv.debtor_kind = d.kind AND fv.variant = d.flow_variant
    LEFT JOIN reminders_flow fs ON fs.organization_id = i.organization_id
         AND fs.debtor_kind = d.kind AND fs.variant = 'standard'
    WHERE i.organization_id = %(org)s
      AND i.status = 'open' AND i.open_amount > 0
      AND i.due_date <= %(today)s::date + 60
      AND NOT (i.is_paused AND (i.paused_until IS NULL OR i.paused_until >= %(today)s))
      AND NOT (d.is_paused AND (d.paused_until IS NULL OR d.paused_until >= %(today)s))
      -- minimum days between two contacts with one debtor (a bundle today is the same contact)
      AND NOT EXISTS (
          SELECT 1 FROM reminders_reminder r
          WHERE r.organization_id = %(org)s AND r.debtor_id = i.debtor_id AND r.status <> 'cancelled'
            AND r.planned_date < %(today)s AND r.planned_date > %(today)s::date - settings.gap
      )
),
done AS (
    -- per candidate invoice (one index lookup each, however big the history of other invoices):
    -- the last step it had, whether a 14-day letter covered it, and whether every 14-day letter about
    -- it went out and its term has run out
    SELECT c.invoice_id, history.last_day, history.had_letter, history.letter_term_over
    FROM candidates c
    CROSS JOIN LATERAL (
        SELECT MAX(ri.step_day) AS last_day,
               bool_or(ri.step_kind = 'fourteen_day_letter') AS had_letter,
               bool_and(r.status = 'sent' AND r.costs_chargeable_from <= %(today)s)
                   FILTER (WHERE ri.step_kind = 'fourteen_day_letter') AS letter_term_over
        FROM reminders_reminderitem ri
        JOIN reminders_reminder r ON r.id = ri.reminder_id
        WHERE ri.invoice_id = c.invoice_id
    ) history
    WHERE history.last_day IS NOT NULL
),
eligible AS (
    SELECT DISTINCT ON (c.invoice_id)
           c.invoice_id, c.debtor_id, c.open_amount, c.due_date, c.debtor_kind,
           s.id AS step_id, s.kind, s.tone, s.channels, s.days_after_due
    FROM candidates c
    JOIN reminders_flowstep s ON s.flow_id = c.flow_id AND s.organization_id = %(org)s
    LEFT JOIN done ON done.invoice_id = c.invoice_id
    WHERE c.due_date + s.days_after_due <= %(today)s
      AND s.days_after_due > COALESCE(done.last_day, -32768)
      -- never past a consumer's 14-day letter that has not gone out yet
      AND NOT EXISTS (
          SELECT 1 FROM reminders_flowstep f
          WHERE f.organization_id = %(org)s AND f.flow_id = c.flow_id AND f.kind = 'fourteen_day_letter'
            AND f.days_after_due < s.days_after_due AND f.days_after_due > COALESCE(done.last_day, -32768)
      )
      -- a consumer is handed over only once the 14-day term has run out (art. 6:96 lid 6 BW)
      AND (s.kind <> 'hand_over' OR c.debtor_kind = 'b2b' OR done.letter_term_over IS TRUE)
    ORDER BY c.invoice_id, s.days_after_due DESC
),
fourteen AS (
    SELECT DISTINCT ON (debtor_id) debtor_id, step_id, kind, tone, channels, days_after_due
    FROM eligible WHERE kind = 'fourteen_day_letter'
    ORDER BY debtor_id, days_after_due
),
chosen AS (
    SELECT e.invoice_id, e.debtor_id, e.open_amount, e.step_id, e.kind, e.tone, e.channels, e.days_after_due
    FROM eligible e WHERE e.debtor_id NOT IN (SELECT debtor_id FROM fourteen)
    UNION ALL
    -- every overdue invoice of that consumer goes into the one 14-day letter
    SELECT c.invoice_id, c.debtor_id, c.open_amount, f.step_id, f.kind, f.tone, f.channels, f.days_after_due
    FROM candidates c JOIN fourteen f ON f.debtor_id = c.debtor_id
    LEFT JOIN done ON done.invoice_id = c.invoice_id
    WHERE c.due_date < %(today)s AND done.had_letter IS NOT TRUE
)
SELECT ch.invoice_id, ch.debtor_id, ch.open_amount, ch.step_id, ch.kind::text AS kind, ch.tone::text AS tone,
       ch.days_after_due, unnest(ch.channels)::text AS channel
FROM chosen ch
"""


@dataclass(frozen=True)
class PlannedMessage:
    """One message the engine plans: a debtor, a channel, the most severe step and its invoices."""

    debtor_id: int
    channel: str
    kind: str
    tone: str
    invoice_ids: tuple[int, ...]
    total_open_amount: Decimal


@dataclass
class PlanResult:
    organization_id: int
    today: dt.date
    sending_day: bool
    # False while the organization has not switched reminders on (the go-live gate): a dry run still
    # shows what would go out, a real run writes nothing.
    active: bool = True
    messages: list[PlannedMessage] = field(default_factory=list)
    created_reminder_ids: list[int] = field(default_factory=list)

    @property
    def invoice_count(self) -> int:
        return len({invoice for message in self.messages for invoice in message.invoice_ids})

    def summary(self) -> str:
        if not self.active:
            return f"{self.today}: reminders are switched off"
        if not self.sending_day:
            return f"{self.today}: not a sending day"
        per_channel: dict[str, int] = defaultdict(int)
        for message in self.messages:
            per_channel[message.channel] += 1
        channels = ", ".join(f"{count} {channel}" for channel, count in sorted(per_channel.items())) or "nothing"
        return f"{self.today}: {len(self.messages)} messages ({channels}) for {self.invoice_count} invoices"


def dunning_settings(organization: Organization) -> DunningSettings:
    settings, _created = DunningSettings.objects.for_organization(organization).get_or_create(organization=organization)
    return settings


def is_sending_day(settings: DunningSettings, today: dt.date) -> bool:
    """The organization's weekdays, never an ATW holiday, and not while all reminders are paused."""
    if settings.is_paused and (settings.paused_until is None or settings.paused_until >= today):
        return False
    return today.weekday() in settings.send_weekdays and not is_atw_holiday(today)


GROUPED_SQL = f"""
SELECT debtor_id, channel,
       ({SEVERITY})[MAX(array_position({SEVERITY}, kind))] AS kind,
       (ARRAY_AGG(tone ORDER BY array_position({SEVERITY}, kind) DESC, days_after_due DESC))[1] AS tone,
       ARRAY_AGG(invoice_id ORDER BY invoice_id) AS invoice_ids,
       SUM(open_amount) AS total
FROM dunning_due
GROUP BY debtor_id, channel
"""  # noqa: S608 (built from constants only)

# One statement: the bundles become reminders, and the due rows become their items. A bundle that
# already exists for (debtor, channel, day) is left alone; its invoices wait for the next contact.
INSERT_SQL = f"""
WITH new_reminders AS (
    INSERT INTO reminders_reminder
        (public_id, organization_id, debtor_id, channel, kind, tone, planned_date, status, attempts, error,
         recipient, subject, body, language, provider_reference, total_open_amount, registered, pdf,
         created_at, updated_at)
    SELECT gen_random_uuid(), %(org)s, b.debtor_id, b.channel, b.kind, b.tone, %(today)s, 'planned', 0, '',
           '', '', '', d.language, '', b.total, false, '', now(), now()
    FROM ({GROUPED_SQL}) b JOIN invoices_debtor d ON d.id = b.debtor_id
    ON CONFLICT (debtor_id, channel, planned_date) DO NOTHING
    RETURNING id, debtor_id, channel
)
INSERT INTO reminders_reminderitem
    (organization_id, reminder_id, invoice_id, step_id, step_kind, step_day, channel, open_amount)
SELECT %(org)s, nr.id, due.invoice_id, due.step_id, due.kind, due.days_after_due, due.channel, due.open_amount
FROM dunning_due due JOIN new_reminders nr ON nr.debtor_id = due.debtor_id AND nr.channel = due.channel
ON CONFLICT DO NOTHING
RETURNING reminder_id
"""  # noqa: S608 (built from constants only)

DUNNING_LOCK_NAMESPACE = 7_301  # pg_advisory_xact_lock(namespace, organization id)


def plan(organization: Organization, today: dt.date, *, dry_run: bool = False) -> PlanResult:
    """Plan (and unless ``dry_run``, write) the reminders of ``organization`` for ``today``.

    Everything happens inside PostgreSQL: the due rows go into a temporary table, the bundles and
    items are inserted from it. Python only sees one row per planned message.
    """
    settings = dunning_settings(organization)
    result = PlanResult(organization.pk, today, is_sending_day(settings, today), active=settings.reminders_active)
    if not result.sending_day or not (result.active or dry_run):
        return result
    params: dict[str, Any] = {"org": organization.pk, "today": today}
    with transaction.atomic(), connection.cursor() as cursor:
        # Serialize runs per organization; a concurrent run waits, then finds everything done.
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [DUNNING_LOCK_NAMESPACE, organization.pk])
        # JIT compiling pays off for long analytic queries, not for one organization's thousand rows.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("CREATE TEMP TABLE dunning_due ON COMMIT DROP AS " + DUE_SQL, params)
        cursor.execute(GROUPED_SQL + " ORDER BY debtor_id, channel")
        result.messages = [
            PlannedMessage(debtor_id, channel, kind, tone, tuple(invoice_ids), total)
            for debtor_id, channel, kind, tone, invoice_ids, total in cursor.fetchall()
        ]
        if dry_run or not result.messages:
            transaction.set_rollback(True)  # also drops the temporary table
            return result
        cursor.execute(INSERT_SQL, params)
        result.created_reminder_ids = sorted({row[0] for row in cursor.fetchall()})
        cursor.execute("DROP TABLE dunning_due")
    logger.info(
        "dunning.planned",
        extra={"organization": organization.pk, "today": str(today), "reminders": len(result.created_reminder_ids)},
    )
    return result
