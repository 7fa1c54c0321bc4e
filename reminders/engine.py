"""The daily dunning engine: which invoices are due for which flow step today, bundled per debtor.

For one organization and its local date the engine

1. decides in **one SQL statement** which open, unpaused invoices reached a flow step they have not
   had yet. By default (``backlog_start = gentle``) that is the *next* step of the invoice's flow: an
   invoice with no earlier message starts at the first step (a reminder) whatever its age, and each
   later step follows the previous contact by the flow's interval, never several at once. An
   organization that chose "continue by age" gets the latest step the invoice's age reached
   instead. Either way the **legal steps** (notice of default, 14-day letter) are never skipped:
   nothing goes beyond one before the invoice had it, *sent*, and its term ran out, and a hand-over
   needs the legal step of the debtor's kind (notice of default for a business, 14-day letter for a
   consumer);
2. for a consumer who gets a 14-day letter, puts **all** of their overdue invoices in that one letter
   (art. 6:96 lid 7 BW: the principals are added together for the costs);
3. bundles per debtor and channel: one ``Reminder`` per debtor per channel per day listing every
   invoice (``ReminderItem``), skipping debtors contacted fewer than the minimum days ago. The bundle
   takes its most severe item's kind; an escalation never lists a not-yet-due invoice, and overdue
   invoices at a milder step are rendered apart ("also open");
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
from reminders.models import BacklogStart, DunningSettings, StepKind

logger = logging.getLogger(__name__)

# Step kinds from mild to severe, as an SQL array: a bundle takes its most severe item's kind.
SEVERITY = "ARRAY[" + ",".join(f"'{kind}'" for kind in StepKind.values) + "]::text[]"

# One statement selects what is due. Parameters: org, today. Produces one row per
# (invoice, channel) with the step, its kind, tone and day, and the invoice's open amount and due date.
DUE_SQL = """
WITH candidates AS (
    SELECT i.id AS invoice_id, i.debtor_id, i.open_amount, i.due_date, d.kind AS debtor_kind,
           COALESCE(df.id, fv.id, fs.id) AS flow_id
    FROM invoices_invoice i
    JOIN invoices_debtor d ON d.id = i.debtor_id AND d.organization_id = %(org)s
    -- the creditor's explicit choice, unless the debtor has since changed kind: a consumer must
    -- never follow a business flow that lacks the 14-day letter
    LEFT JOIN reminders_flow df ON df.id = d.flow_id AND df.organization_id = %(org)s AND df.debtor_kind = d.kind
    LEFT JOIN reminders_flow fv ON %(dynamic_flows)s AND fv.organization_id = i.organization_id
         AND fv.debtor_kind = d.kind AND fv.variant = d.flow_variant
    LEFT JOIN reminders_flow fs ON fs.organization_id = i.organization_id
         AND fs.debtor_kind = d.kind AND fs.variant = 'standard'
    WHERE i.organization_id = %(org)s
      AND i.status = 'open' AND i.open_amount > 0
      -- due by the last day an invoice can have its first step (a flow may start before the due date)
      AND i.due_date <= %(latest_due)s
      AND NOT (i.is_paused AND (i.paused_until IS NULL OR i.paused_until >= %(today)s))
      AND NOT (d.is_paused AND (d.paused_until IS NULL OR d.paused_until >= %(today)s))
      -- minimum days between two contacts with one debtor (a bundle today is the same contact)
      AND NOT EXISTS (
          SELECT 1 FROM reminders_reminder r
          WHERE r.organization_id = %(org)s AND r.debtor_id = i.debtor_id AND r.status <> 'cancelled'
            AND r.planned_date < %(today)s AND r.planned_date > %(today)s::date - %(gap)s
      )
),
history AS (
    -- each candidate with its own history, carried along, never joined back: the last step it had and
    -- when, and per legal step whether it had one and whether every written copy of it (letter,
    -- e-mail; a cancelled copy aside) went out and its term has run out. The items of the candidates
    -- only (an index lookup each), their reminders joined by hash: cost in proportion to the
    -- organization, whatever the other organizations hold
    SELECT c.*, h.last_day, h.last_contact, h.had_notice, h.notice_term_over, h.had_letter, h.letter_term_over
    FROM candidates c
    LEFT JOIN (
        SELECT ri.invoice_id,
               MAX(ri.step_day) AS last_day,
               MAX(r.planned_date) FILTER (WHERE r.status <> 'cancelled') AS last_contact,
               bool_or(ri.step_kind = 'notice_of_default') AS had_notice,
               bool_and(r.status = 'sent' AND r.costs_chargeable_from <= %(today)s)
                   FILTER (WHERE ri.step_kind = 'notice_of_default' AND r.channel IN ('email', 'letter')
                           AND r.status <> 'cancelled') AS notice_term_over,
               bool_or(ri.step_kind = 'fourteen_day_letter') AS had_letter,
               bool_and(r.status = 'sent' AND r.costs_chargeable_from <= %(today)s)
                   FILTER (WHERE ri.step_kind = 'fourteen_day_letter' AND r.channel IN ('email', 'letter')
                           AND r.status <> 'cancelled') AS letter_term_over
        FROM reminders_reminderitem ri
        JOIN reminders_reminder r ON r.id = ri.reminder_id AND r.organization_id = %(org)s
        WHERE ri.organization_id = %(org)s AND ri.invoice_id IN (SELECT invoice_id FROM candidates)
        GROUP BY ri.invoice_id
    ) h ON h.invoice_id = c.invoice_id
),
paths AS (
    -- the (flow, last step had) pairs the candidates are at: a handful, however many invoices
    SELECT DISTINCT flow_id, COALESCE(last_day, -32768) AS after_day FROM history
),
options AS (
    -- per pair the steps an invoice there may have next: after its last one, never beyond the first
    -- legal step it has not had
    SELECT p.flow_id, p.after_day, s.id AS step_id, s.kind, s.tone, s.channels, s.days_after_due
    FROM paths p
    JOIN reminders_flowstep s ON s.flow_id = p.flow_id AND s.organization_id = %(org)s
         AND s.days_after_due > p.after_day
    WHERE s.days_after_due <= COALESCE((
        SELECT MIN(l.days_after_due) FROM reminders_flowstep l
        WHERE l.flow_id = p.flow_id AND l.organization_id = %(org)s
          AND l.kind IN ('notice_of_default', 'fourteen_day_letter') AND l.days_after_due > p.after_day
    ), 32767)
),
next_steps AS (
    -- per invoice the one step it may have next, joined by hash on its pair: gently (the default) the
    -- flow's next step; by age the latest option the invoice's age reached (catching up skips plain
    -- reminders only)
    SELECT c.*, o.step_id, o.kind, o.tone, o.channels, o.days_after_due
    FROM history c
    JOIN (SELECT DISTINCT ON (flow_id, after_day) * FROM options ORDER BY flow_id, after_day, days_after_due) o
      ON o.flow_id = c.flow_id AND o.after_day = COALESCE(c.last_day, -32768)
    WHERE NOT %(by_age)s
    UNION ALL
    SELECT * FROM (
        SELECT DISTINCT ON (c.invoice_id) c.*, o.step_id, o.kind, o.tone, o.channels, o.days_after_due
        FROM history c
        JOIN options o ON o.flow_id = c.flow_id AND o.after_day = COALESCE(c.last_day, -32768)
        WHERE %(by_age)s AND c.due_date + o.days_after_due <= %(today)s
        ORDER BY c.invoice_id, o.days_after_due DESC
    ) latest
),
eligible AS (
    SELECT c.invoice_id, c.debtor_id, c.open_amount, c.due_date, c.debtor_kind,
           c.step_id, c.kind, c.tone, c.channels, c.days_after_due
    FROM next_steps c
    -- gently: at the flow's interval after the invoice's last contact
    WHERE c.due_date + c.days_after_due <= %(today)s
      AND (%(by_age)s OR c.last_contact IS NULL
           OR c.last_contact + (c.days_after_due - c.last_day) <= %(today)s)
      -- after a legal step, nothing until every one of them went out and its term ran out
      AND (c.had_notice IS NOT TRUE OR c.notice_term_over IS TRUE)
      AND (c.had_letter IS NOT TRUE OR c.letter_term_over IS TRUE)
      -- hand-over only after the legal step of the debtor's kind: a notice of default for a business
      -- (no default otherwise, art. 6:82 BW), a 14-day letter for a consumer (art. 6:96 lid 6 BW)
      AND (c.kind <> 'hand_over' OR CASE WHEN c.debtor_kind = 'b2c' THEN c.had_letter IS TRUE
                                          ELSE c.had_notice IS TRUE END)
),
fourteen AS (
    SELECT DISTINCT ON (debtor_id) debtor_id, step_id, kind, tone, channels, days_after_due
    FROM eligible WHERE kind = 'fourteen_day_letter'
    ORDER BY debtor_id, days_after_due
),
chosen AS (
    SELECT e.invoice_id, e.debtor_id, e.open_amount, e.due_date, e.step_id, e.kind, e.tone, e.channels,
           e.days_after_due
    FROM eligible e WHERE e.debtor_id NOT IN (SELECT debtor_id FROM fourteen)
    UNION ALL
    -- every overdue invoice of that consumer goes into the one 14-day letter (art. 6:96 lid 7 BW)
    SELECT c.invoice_id, c.debtor_id, c.open_amount, c.due_date, f.step_id, f.kind, f.tone, f.channels,
           f.days_after_due
    FROM history c JOIN fourteen f ON f.debtor_id = c.debtor_id
    WHERE c.due_date < %(today)s AND c.had_letter IS NOT TRUE
)
SELECT ch.invoice_id, ch.debtor_id, ch.open_amount, ch.due_date, ch.step_id, ch.kind::text AS kind,
       ch.tone::text AS tone, ch.days_after_due, unnest(ch.channels)::text AS channel
FROM chosen ch
"""

# An escalation (anything but a plain reminder) never lists an invoice that is not yet due: such an
# invoice waits for the debtor's next friendly reminder. Overdue invoices at a milder step stay in
# the bundle and are shown apart, as "also open".
ESCALATION_ONLY_OVERDUE_SQL = """
DELETE FROM dunning_due d
WHERE d.due_date >= %(today)s
  AND EXISTS (SELECT 1 FROM dunning_due e WHERE e.debtor_id = d.debtor_id AND e.channel = d.channel
              AND e.kind <> 'reminder')
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


def plan_ahead(organization: Organization, days: list[dt.date]) -> list[PlanResult]:
    """What each of ``days`` (consecutive, from the first) would send, as if every earlier one had run.

    The real engine runs day after day inside a transaction that is rolled back, so the minimum gap
    between contacts and the steps' intervals play out exactly as they will; nothing is written. An
    organization that has not switched reminders on sees what going live would send.
    """
    settings = dunning_settings(organization)
    results = []
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(SESSION_SQL)
        lead_days = _lead_days(cursor, organization.pk)
        for index, day in enumerate(days):
            result = PlanResult(organization.pk, day, is_sending_day(settings, day), active=settings.reminders_active)
            if result.sending_day:
                # the rows are written only for the days after it to see; nothing follows the last day
                _plan_into(cursor, result, write=index < len(days) - 1, settings=settings, lead_days=lead_days)
            results.append(result)
        transaction.set_rollback(True)
    return results


def plan(organization: Organization, today: dt.date, *, dry_run: bool = False) -> PlanResult:
    """Plan (and unless ``dry_run``, write) the reminders of ``organization`` for ``today``.

    Everything happens inside PostgreSQL: the due rows go into a temporary table, the bundles and
    items are inserted from it. Python only sees one row per planned message.
    """
    settings = dunning_settings(organization)
    result = PlanResult(organization.pk, today, is_sending_day(settings, today), active=settings.reminders_active)
    if not result.sending_day or not (result.active or dry_run):
        return result
    with transaction.atomic(), connection.cursor() as cursor:
        if not dry_run:
            # Serialize runs per organization; a concurrent run waits, then finds everything done. (A dry
            # run writes nothing: it does not wait for a run in progress.)
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [DUNNING_LOCK_NAMESPACE, organization.pk])
        # JIT compiling pays off for long analytic queries, not for one organization's thousand rows.
        cursor.execute(SESSION_SQL)
        _plan_into(cursor, result, write=not dry_run, settings=settings, lead_days=_lead_days(cursor, organization.pk))
        if dry_run:
            transaction.set_rollback(True)
            return result
    logger.info(
        "dunning.planned",
        extra={"organization": organization.pk, "today": str(today), "reminders": len(result.created_reminder_ids)},
    )
    return result


# How many days before its due date an invoice can have its first step (a step at -3 days after due):
# invoices due later need no look. A parameter, not a subquery, so the planner knows how many rows
# come (it plans the history's joins by that).
LEAD_DAYS_SQL = "SELECT GREATEST(0, -MIN(days_after_due)) FROM reminders_flowstep WHERE organization_id = %s"
# Sorting and hashing a big organization's candidates stays in memory (the default 4 MB spills to disk).
SESSION_SQL = "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"


def _lead_days(cursor: Any, organization_id: int) -> int:
    cursor.execute(LEAD_DAYS_SQL, [organization_id])
    return int(cursor.fetchone()[0] or 0)


def due_params(organization_id: int, today: dt.date, settings: DunningSettings, lead_days: int) -> dict[str, Any]:
    """The parameters of :data:`DUE_SQL`. The organization's settings are values, not a join: the
    planner sees them (and prunes the backlog-start branch not taken)."""
    return {
        "org": organization_id,
        "today": today,
        "latest_due": today + dt.timedelta(days=lead_days),
        "gap": settings.min_days_between_contacts,
        "dynamic_flows": settings.dynamic_flows,
        "by_age": settings.backlog_start == BacklogStart.BY_AGE,
    }


def _plan_into(cursor: Any, result: PlanResult, *, write: bool, settings: DunningSettings, lead_days: int) -> None:
    """Select what is due on ``result.today`` into ``result.messages`` and, with ``write``, insert it."""
    params = due_params(result.organization_id, result.today, settings, lead_days)
    cursor.execute("CREATE TEMP TABLE dunning_due ON COMMIT DROP AS " + DUE_SQL, params)
    cursor.execute(ESCALATION_ONLY_OVERDUE_SQL, params)
    cursor.execute(GROUPED_SQL + " ORDER BY debtor_id, channel")
    result.messages = [
        PlannedMessage(debtor_id, channel, kind, tone, tuple(invoice_ids), total)
        for debtor_id, channel, kind, tone, invoice_ids, total in cursor.fetchall()
    ]
    if write and result.messages:
        cursor.execute(INSERT_SQL, params)
        result.created_reminder_ids = sorted({row[0] for row in cursor.fetchall()})
    cursor.execute("DROP TABLE dunning_due")
