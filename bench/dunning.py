"""The daily dunning run at scale: 1,000 organizations × 1,000 open invoices (1,000,000).

Loads the invoices with COPY, then runs ``reminders.engine.plan`` for every organization on one
morning (a Wednesday) and reports invoices per second, queries, and peak Python memory. The floor is
one bare SQL query selecting the same due invoices for all organizations at once; the ratio says
what the per-organization engine (isolation, bundling, writes) costs on top of reading.

Environment: BENCH_DUNNING_ORGS and BENCH_DUNNING_INVOICES override the sizes.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import random
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

RUN_DATE = dt.date(2026, 4, 15)  # a Wednesday, no holiday
ORGS = int(os.environ.get("BENCH_DUNNING_ORGS", "1000"))
INVOICES_PER_ORG = int(os.environ.get("BENCH_DUNNING_INVOICES", "1000"))
DEBTORS_PER_ORG = max(1, INVOICES_PER_ORG // 10)

FLOOR_SQL = """
SELECT count(DISTINCT i.id)
FROM invoices_invoice i
JOIN invoices_debtor d ON d.id = i.debtor_id
JOIN reminders_flow f ON f.organization_id = i.organization_id AND f.debtor_kind = d.kind AND f.variant = 'standard'
JOIN reminders_flowstep s ON s.flow_id = f.id AND i.due_date + s.days_after_due <= %(today)s
WHERE i.status = 'open' AND i.open_amount > 0
"""


def _copy(table: str, columns: str, rows: Iterator[str]) -> None:
    buffer = io.StringIO()
    count = 0
    with connection.cursor() as cursor:
        for row in rows:
            buffer.write(row)
            count += 1
            if count % 200_000 == 0:
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
                buffer = io.StringIO()
        buffer.seek(0)
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)


def _organizations(count: int = ORGS, prefix: str = "Bench") -> list[int]:
    """Organization 1 gets the defaults the normal way; the others copy its flows in SQL."""
    from outstanding.models import Organization
    from outstanding.services import organization_defaults_install

    template = Organization.objects.create(name=f"{prefix} 0000")
    organization_defaults_install(template)
    others = Organization.objects.bulk_create(Organization(name=f"{prefix} {n:04d}") for n in range(1, count))
    ids = [template.pk, *(organization.pk for organization in others)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO reminders_dunningsettings (organization_id, send_weekdays, min_days_between_contacts,
                dynamic_flows, is_paused, pause_reason, payment_term_days_notice, reply_to_email, sms_sender,
                reminders_active, backlog_start)
            SELECT o.id, s.send_weekdays, s.min_days_between_contacts, s.dynamic_flows, false, '', 14, '', '',
                true, s.backlog_start
            FROM outstanding_organization o, reminders_dunningsettings s
            WHERE s.organization_id = %(template)s AND o.id = ANY(%(others)s);
            UPDATE reminders_dunningsettings SET reminders_active = true WHERE organization_id = %(template)s;
            INSERT INTO reminders_flow (public_id, organization_id, name, debtor_kind, variant, created_at)
            SELECT gen_random_uuid(), o.id, f.name, f.debtor_kind, f.variant, now()
            FROM outstanding_organization o, reminders_flow f
            WHERE f.organization_id = %(template)s AND o.id = ANY(%(others)s);
            INSERT INTO reminders_flowstep (public_id, organization_id, flow_id, days_after_due, kind, channels, tone)
            SELECT gen_random_uuid(), nf.organization_id, nf.id, s.days_after_due, s.kind, s.channels, s.tone
            FROM reminders_flowstep s
            JOIN reminders_flow tf ON tf.id = s.flow_id AND tf.organization_id = %(template)s
            JOIN reminders_flow nf ON nf.debtor_kind = tf.debtor_kind AND nf.variant = tf.variant
                 AND nf.organization_id = ANY(%(others)s);
            """,
            {"template": template.pk, "others": ids[1:]},
        )
    return ids


def _load(
    organization_ids: list[int], invoices_per_org: int = INVOICES_PER_ORG, debtors_per_org: int = DEBTORS_PER_ORG
) -> None:
    rng = random.Random(42)
    now = "2026-04-01 08:00:00+00"

    def debtors() -> Iterator[str]:
        for org in organization_ids:
            for n in range(debtors_per_org):
                kind = "b2c" if n % 4 == 0 else "b2b"
                yield (
                    f"{uuid.uuid4()}\t{org}\t{kind}\tDebtor {org}-{n}\t\t{{d{n}@example.test}}\t{{}}\tStraat 1\t"
                    f"1234 AB\tAmsterdam\tNL\tnl\t\t\t\t\tf\t\t\\N\t\\N\tstandard\t{{}}\t{now}\t{now}\n"
                )

    _copy(
        "invoices_debtor",
        "public_id, organization_id, kind, name, contact_person, emails, phones, street, postal_code, city, "
        "country, language, kvk_number, vat_id, external_id, notes, is_paused, pause_reason, paused_until, "
        "flow_id, flow_variant, flow_variant_reason, created_at, updated_at",
        debtors(),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT organization_id, array_agg(id ORDER BY id) FROM invoices_debtor WHERE organization_id = ANY(%s) "
            "GROUP BY 1",
            [organization_ids],
        )
        debtor_ids = dict(cursor.fetchall())

    def invoices() -> Iterator[str]:
        for org in organization_ids:
            ids = debtor_ids[org]
            for n in range(invoices_per_org):
                due = RUN_DATE - dt.timedelta(days=rng.randint(-5, 60))
                amount = f"{rng.randint(2_000, 500_000) / 100:.2f}"
                yield (
                    f"{uuid.uuid4()}\t{org}\tB-{n:06d}\t\t{ids[n % len(ids)]}\t{due - dt.timedelta(days=30)}\t{due}\t"
                    f"EUR\t{amount}\t0.00\t{amount}\topen\t\tf\t\t\\N\t{now}\t{now}\n"
                )

    _copy(
        "invoices_invoice",
        "public_id, organization_id, number, external_id, debtor_id, issue_date, due_date, currency, amount, "
        "vat_amount, open_amount, status, pdf, is_paused, pause_reason, paused_until, created_at, updated_at",
        invoices(),
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@contextmanager
def _query_counter() -> Iterator[list[int]]:
    counter = [0]

    def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield counter


def _run_all(today: dt.date) -> tuple[float, int, int, int]:
    from outstanding.models import Organization
    from reminders import engine

    organizations = list(Organization.objects.order_by("pk"))
    reminders = invoices = 0
    with _query_counter() as queries:
        started = time.perf_counter()
        for organization in organizations:
            result = engine.plan(organization, today)
            reminders += len(result.created_reminder_ids)
            invoices += result.invoice_count
        elapsed = time.perf_counter() - started
    return elapsed, queries[0], reminders, invoices


def _analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE reminders_reminder; ANALYZE reminders_reminderitem")


def _run_chunk(organization_ids: list[int], today: dt.date) -> tuple[int, int, int]:
    """One worker process: plan a share of the organizations (as one Celery worker would)."""
    import django

    django.setup()
    from outstanding.models import Organization
    from reminders import engine

    reminders = invoices = 0
    with _query_counter() as queries:
        for organization in Organization.objects.filter(pk__in=organization_ids).order_by("pk"):
            result = engine.plan(organization, today)
            reminders += len(result.created_reminder_ids)
            invoices += result.invoice_count
    return queries[0], reminders, invoices


def _run_parallel(today: dt.date, workers: int) -> tuple[float, int, int, int]:
    """The beat task fans out one task per organization; ``workers`` processes share them."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from outstanding.models import Organization

    ids = list(Organization.objects.order_by("pk").values_list("pk", flat=True))
    chunks = [ids[n::workers] for n in range(workers)]
    connection.close()
    started = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
        results = list(pool.map(_run_chunk, chunks, [today] * workers))
    elapsed = time.perf_counter() - started
    return elapsed, sum(r[0] for r in results), sum(r[1] for r in results), sum(r[2] for r in results)


def run() -> Iterator[str]:
    started = time.perf_counter()
    organization_ids = _organizations()
    _load(organization_ids)
    total = len(organization_ids) * INVOICES_PER_ORG
    load_time = time.perf_counter() - started
    yield f"loaded {len(organization_ids):,} organizations, {total:,} open invoices in {load_time:.1f} s"

    with connection.cursor() as cursor:
        floor_started = time.perf_counter()
        cursor.execute(FLOOR_SQL, {"today": RUN_DATE})
        due_invoices = cursor.fetchone()[0]
        floor = time.perf_counter() - floor_started

    yield f"floor: one SQL query selecting the {due_invoices:,} due invoices of all organizations: {floor:.2f} s"
    workers = os.cpu_count() or 2
    elapsed, queries, reminders, invoices = _run_parallel(RUN_DATE, workers)
    yield (
        f"first morning, {workers} worker processes (as {workers} Celery workers), no history yet: {elapsed:.1f} s "
        f"for {len(organization_ids):,} organizations ({total:,} open invoices), {total / elapsed:,.0f} open "
        f"invoices/s, {invoices:,} invoices in {reminders:,} reminders, {queries:,} queries "
        f"({queries / len(organization_ids):.1f} per organization); ratio to the floor {elapsed / floor:.1f}"
    )
    _analyze()  # what autovacuum does after a day's inserts (this machine's PostgreSQL has it off)

    day_after = RUN_DATE + dt.timedelta(days=7)  # a week later: the next steps fall due again
    elapsed_parallel, queries_parallel, reminders_parallel, invoices_parallel = _run_parallel(day_after, workers)
    yield (
        f"a week later, {workers} worker processes (as {workers} Celery workers): {elapsed_parallel:.1f} s, "
        f"{total / elapsed_parallel:,.0f} open invoices/s, {invoices_parallel:,} invoices in "
        f"{reminders_parallel:,} reminders, {queries_parallel:,} queries"
    )
    serial_day = day_after + dt.timedelta(days=7)
    elapsed_serial, _queries, reminders_serial, _invoices = _run_all(serial_day)
    yield f"two weeks later, one process: {elapsed_serial:.1f} s, {reminders_serial:,} reminders"

    tracemalloc.start()
    next_day = serial_day + dt.timedelta(days=1)
    elapsed_next, _queries, reminders_next, _invoices = _run_all(next_day)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    yield (
        f"the day after ({reminders_next:,} reminders, {elapsed_next:.1f} s under tracemalloc): "
        f"peak Python memory {peak / 1_048_576:.1f} MiB"
    )
