"""Large organizations, loaded with COPY as the benchmark does: the work the database does grows in
proportion to an organization's size, and reading the stored week ahead does not grow at all.

Work is counted in PostgreSQL buffers (pages read from cache or disk) from ``EXPLAIN (ANALYZE,
BUFFERS)``: deterministic for the same data and plan, unlike wall-clock time. A plan that looks up
each invoice's history the slow way, or a full scan where an index should serve, shows up as work
that grows faster than the organization.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.db import connection

from bench.dunning import RUN_DATE, _load, _organizations
from outstanding.models import Organization
from reminders import engine
from reminders.selectors import changes

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3_000, 12_000  # open invoices: the large one is four times the small one
# Work may grow a little faster than the size (index depth, hash batches), never much faster.
GROWTH_ALLOWED = 1.35
PAGES_PER_INVOICE = 12


@pytest.fixture
def organizations() -> tuple[Organization, Organization]:
    small_id, large_id = _organizations(2, prefix="Size")
    _load([small_id], invoices_per_org=SMALL, debtors_per_org=SMALL // 10)
    _load([large_id], invoices_per_org=LARGE, debtors_per_org=LARGE // 10)
    return Organization.objects.get(pk=small_id), Organization.objects.get(pk=large_id)


def buffers(sql: str, params: Any) -> int:
    """Pages the statement touched (shared hit + read, over the whole plan)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
    plan = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    return int(plan["Shared Hit Blocks"]) + int(plan["Shared Read Blocks"])


def due_buffers(organization: Organization, today: dt.date) -> int:
    with connection.cursor() as cursor:
        lead_days = engine._lead_days(cursor, organization.pk)
    params = engine.due_params(organization.pk, today, engine.dunning_settings(organization), lead_days)
    return buffers(engine.DUE_SQL, params)


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invoices_invoice, invoices_debtor, reminders_reminder, reminders_reminderitem")


def growth(small: int, large: int) -> float:
    """How much faster than the size the work grew (1.0: exactly in proportion)."""
    return (large / small) / (LARGE / SMALL)


def test_the_engine_reads_in_proportion_to_the_organization_first_morning_and_with_history(
    organizations: tuple[Organization, Organization],
) -> None:
    small, large = organizations
    analyze()
    first = growth(due_buffers(small, RUN_DATE), due_buffers(large, RUN_DATE))
    for organization in organizations:
        assert engine.plan(organization, RUN_DATE).created_reminder_ids  # history for the next run
    analyze()
    week_later = RUN_DATE + dt.timedelta(days=7)
    large_with_history = due_buffers(large, week_later)
    with_history = growth(due_buffers(small, week_later), large_with_history)

    assert first <= GROWTH_ALLOWED
    assert with_history <= GROWTH_ALLOWED
    # each invoice's history is a few index pages, its reminders joined by hash (looked up one by one
    # per item, as an earlier plan did, it was over 20 pages per invoice)
    assert large_with_history / LARGE <= PAGES_PER_INVOICE


@pytest.mark.django_db(transaction=True)
def test_whether_the_stored_week_is_current_is_read_in_the_same_few_pages_whatever_the_size(
    organizations: tuple[Organization, Organization],
) -> None:
    small, large = organizations
    snapshots = {}
    for organization in organizations:
        with connection.cursor() as cursor:
            cursor.execute(changes.SNAPSHOT_SQL)
            snapshots[organization.pk] = cursor.fetchone()[0]
        engine.plan(organization, RUN_DATE)  # thousands of rows changed since the snapshot

    def changed(organization: Organization) -> int:
        return buffers(changes.CHANGED_SQL, {"org": organization.pk, "snapshot": snapshots[organization.pk]})

    assert changes.changed_since(large, snapshots[large.pk])
    assert changed(large) <= changed(small) + 2 <= 12
