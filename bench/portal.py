"""The debtor portal under concurrent load, through gunicorn as deployed (the Procfile's two gthread
workers of two threads each, DEBUG off), from a bounded load generator on 127.0.0.1.

Seeds the demo organization, issues a portal link for its debtor with the most open invoices (as a
reminder would), and for a fixed time keeps ``CLIENTS`` clients loading that page. The portal's per
address rate limit is lifted for the server (every client here has the same address). Prints requests
per second and the median and p95 latency; the issue's target is at least 500 requests a second with a
p95 of at most 50 ms.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

import requests

from bench.fairness import _free_port, _p95, _server
from bench.load import load

CLIENTS = 8
SECONDS = 10.0
IN_PROCESS_PAGES = 200


def _debtor_with_most_open_invoices(organization: Any) -> Any:
    from django.db.models import Count, Q

    from invoices.models import Debtor, InvoiceStatus

    return (
        Debtor.objects.for_organization(organization)
        .annotate(open_count=Count("invoices", filter=Q(invoices__status=InvoiceStatus.OPEN)))
        .order_by("-open_count", "pk")
        .first()
    )


def _server_cpu_seconds(master: int) -> float:
    """User + system time so far of gunicorn's workers (the children of ``master``), from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == master:  # ppid; utime and stime follow as fields 14 and 15 of the line
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def _database_transactions() -> int:
    """Transactions the bench database has run so far (PostgreSQL's statistics; under autocommit every
    statement is one, so this counts round trips). A backend reports its counts when it ends at the
    latest, so read this with the server's connections closed."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def _redis_reads() -> int:
    """Reads from its clients the Redis server has processed so far: one a round trip (a pipeline's
    commands arrive together)."""
    import redis
    from django.conf import settings

    with redis.Redis.from_url(settings.REDIS_URL) as client:
        return int(client.info("stats")["total_reads_processed"])


def _in_process(path: str) -> tuple[float, float, int]:
    """(ms a page, CPU ms a page, queries a page) of the page rendered in this process through Django's test client,
    the rate limit, token and cache included: what one request costs the server, without HTTP."""
    from django.db import connection
    from django.test import Client

    queries: list[str] = []

    def counted(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries.append(sql)
        return execute(sql, params, many, context)

    client = Client()
    client.get(path, secure=True)  # the page is in the cache from here on, as under load
    with connection.execute_wrapper(counted):
        client.get(path, secure=True)
    started, cpu = time.perf_counter(), time.process_time()
    for _ in range(IN_PROCESS_PAGES):
        assert client.get(path, secure=True).status_code == 200
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return wall / IN_PROCESS_PAGES * 1000, cpu / IN_PROCESS_PAGES * 1000, len(queries)


def run() -> list[str]:
    from django.conf import settings

    from invoices.models import Invoice, InvoiceStatus
    from outstanding.demo import demo_seed
    from portal.services import portal_link_issue

    organization = demo_seed().organization
    debtor = _debtor_with_most_open_invoices(organization)
    open_count = Invoice.objects.for_organization(organization).filter(debtor=debtor, status=InvoiceStatus.OPEN).count()
    link = portal_link_issue(organization=organization, debtor=debtor)
    port = _free_port()
    url = link.replace(settings.SITE_URL, f"http://127.0.0.1:{port}")
    os.environ["PORTAL_RATE_LIMIT"] = "1000000000/minute"  # one address here; the limit is measured in tests
    settings.PORTAL_RATE_LIMIT = os.environ["PORTAL_RATE_LIMIT"]
    page_ms, page_cpu_ms, page_queries = _in_process(link.replace(settings.SITE_URL, ""))
    transactions, reads = _database_transactions(), _redis_reads()
    server = _server(port)
    try:
        requests.get(url, timeout=60)  # workers warm
        server_cpu = _server_cpu_seconds(server.pid)
        result = load(url, clients=CLIENTS, seconds=SECONDS)
        server_cpu = _server_cpu_seconds(server.pid) - server_cpu
    finally:
        server.terminate()
        server.wait(timeout=30)
        del os.environ["PORTAL_RATE_LIMIT"]
    time.sleep(1)  # the workers' backends have ended and reported their statistics
    # Counted from before the server started: its start and warm-up requests are in (a few dozen).
    transactions, reads = _database_transactions() - transactions, _redis_reads() - reads
    assert result.failures == 0, f"{result.failures} requests did not answer 200"
    latencies = list(result.latencies)
    return [
        f"gunicorn, 2 workers × 2 threads, DEBUG off; {CLIENTS} clients for {SECONDS:.0f} s on a debtor with "
        f"{open_count} open invoices",
        f"in process: {page_ms:.1f} ms a page ({page_cpu_ms:.1f} ms of CPU), {page_queries} queries a page",
        f"portal page: {result.rate:.0f} requests/s, median {statistics.median(latencies) * 1000:.1f} ms, "
        f"p95 {_p95(latencies) * 1000:.1f} ms (target: >= 500/s, p95 <= 50 ms); the load generator used "
        f"{result.client_cpu_share:.0%} of one core",
        f"per request: {transactions / max(1, len(latencies)):.1f} round trips to PostgreSQL (transactions "
        f"it counted), {reads / max(1, len(latencies)):.1f} to Redis",
        f"gunicorn's workers: {server_cpu / max(1, len(latencies)) * 1000:.1f} ms of CPU a request "
        f"({server_cpu / result.seconds:.0%} of one core; the machine has {os.cpu_count()} cores)",
    ]
