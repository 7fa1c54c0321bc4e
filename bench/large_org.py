"""One large organization: 200,000 open invoices (20,000 debtors) planned as one organization of a
thousand is, and one of 50,000 beside it to show the cost grows in proportion to the size.

Loads each with COPY (as the dunning benchmark does), then times the engine on the first morning (no
history), a week later (each invoice's history read), a dry run, and the review page's week ahead
(``engine.plan_ahead``: seven days, as a worker plans it for an organization this size).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

from bench.dunning import RUN_DATE, _analyze, _load, _organizations

SIZES = (50_000, 200_000)


def _timed(work) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _figures(size: int) -> Iterator[str]:
    from outstanding.models import Organization
    from reminders import engine

    [organization_id] = _organizations(1, prefix=f"Large {size}")
    _load([organization_id], invoices_per_org=size, debtors_per_org=size // 10)
    organization = Organization.objects.get(pk=organization_id)
    label = f"{size:,} open invoices"
    first = _timed(lambda: engine.plan(organization, RUN_DATE))
    _analyze()
    later = RUN_DATE + dt.timedelta(days=7)
    dry = _timed(lambda: engine.plan(organization, later, dry_run=True))
    week_later = _timed(lambda: engine.plan(organization, later))
    _analyze()
    days = [later + dt.timedelta(days=offset + 1) for offset in range(7)]
    week = _timed(lambda: engine.plan_ahead(organization, days))
    yield (
        f"{label}: first morning {first:.1f} s ({size / first:,.0f} invoices/s), a week later {week_later:.1f} s, "
        f"dry run {dry:.1f} s, the week ahead (7 days) {week:.1f} s"
    )


def run() -> Iterator[str]:
    for size in SIZES:
        yield from _figures(size)
