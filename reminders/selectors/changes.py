"""Has an organization's data changed since a snapshot? The change log the triggers keep.

Statement-level triggers on every table the dunning engine reads (invoices, debtors, reminders and
their items, flows, steps, dunning settings; migration ``reminders/0008``), on the debtors' answers in
the portal (``portal/0002``) and on arrangements (``collection/0001``) add one
``PlanChange`` row per (organization, transaction), whatever code path wrote. A value computed from
those tables and stored with the database snapshot it was computed in stays exact until a
transaction that snapshot did not see logs a change: one index range read, however big the
organization (:func:`cached_while_unchanged`). The review page's week ahead, the home page's
figures and the portal's page are stored this way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import connection

from outstanding.models import Organization

T = TypeVar("T")

# The snapshot of this statement, unless this transaction has written (its own rows are not
# committed: what is computed from them must not be stored).
SNAPSHOT_SQL = "SELECT CASE WHEN txid_current_if_assigned() IS NULL THEN pg_current_snapshot()::text END"
# Did a transaction that ``snapshot`` did not see change the organization's data? Transactions older
# than the snapshot's xmin were all seen, so only the newer log rows are read (an index range).
# One round trip: a transaction that has written counts as changed (as in :func:`changed_since`).
CHANGED_SQL = """
SELECT txid_current_if_assigned() IS NOT NULL OR EXISTS (
    SELECT 1 FROM reminders_planchange c
    WHERE c.organization_id = %(org)s
      AND c.xid >= pg_snapshot_xmin(%(snapshot)s::pg_snapshot)::text::bigint
      AND NOT pg_visible_in_snapshot(c.xid::text::xid8, %(snapshot)s::pg_snapshot)
)
"""
SWEEP_SQL = "DELETE FROM reminders_planchange WHERE at < now() - make_interval(secs => %(seconds)s)"
# A stored value is exact while current; this only bounds memory (and the change log's sweep).
STORE_SECONDS = 24 * 60 * 60


def snapshot() -> str | None:
    """The current snapshot; None inside a transaction that has written."""
    with connection.cursor() as cursor:
        cursor.execute(SNAPSHOT_SQL)
        value = cursor.fetchone()[0]
    return None if value is None else str(value)


def changed_since(organization: Organization, since: str) -> bool:
    """Whether the organization's data changed after the snapshot ``since`` (True when unsure)."""
    if not since:
        return True
    with connection.cursor() as cursor:  # a transaction that wrote: what it sees is not what is stored
        cursor.execute(CHANGED_SQL, {"org": organization.pk, "snapshot": since})
        return bool(cursor.fetchone()[0])


def cached_while_unchanged(organization: Organization, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, stored under ``key`` until the organization's data changes.

    ``compute`` must read only the tables the triggers watch (see the module docstring)."""
    cache_key = f"unchanged:v1:{organization.pk}:{key}"
    stored: tuple[str, Any] | None = cache.get(cache_key)
    if stored is not None and not changed_since(organization, stored[0]):
        return stored[1]  # type: ignore[no-any-return]
    taken = snapshot()  # before computing: a change committed meanwhile makes the stored value stale
    value = compute()
    if taken is not None:
        cache.set(cache_key, (taken, value), STORE_SECONDS)
    return value
