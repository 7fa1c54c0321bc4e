"""The debtor portal under concurrent load, through gunicorn as deployed (the Procfile's two workers,
DEBUG off), from a bounded load generator on 127.0.0.1.

Seeds the demo organization, issues a portal link for its debtor with the most open invoices (as a
reminder would), and for a fixed time keeps ``CLIENTS`` clients loading that page. The portal's per
address rate limit is lifted for the server (every client here has the same address). Prints requests
per second and the median and p95 latency; the issue's target is at least 500 requests a second with a
p95 of at most 50 ms.
"""

from __future__ import annotations

import os
import statistics
import threading
import time
from typing import Any

import requests

from bench.fairness import _free_port, _p95, _server

CLIENTS = 8
SECONDS = 10.0


def _debtor_with_most_open_invoices(organization: Any) -> Any:
    from django.db.models import Count, Q

    from invoices.models import Debtor, InvoiceStatus

    return (
        Debtor.objects.for_organization(organization)
        .annotate(open_count=Count("invoices", filter=Q(invoices__status=InvoiceStatus.OPEN)))
        .order_by("-open_count", "pk")
        .first()
    )


def _load(url: str) -> tuple[int, list[float], float]:
    """(requests answered 200, their latencies, seconds) of CLIENTS clients for SECONDS."""
    latencies: list[float] = []
    failures = [0]
    lock = threading.Lock()
    deadline = time.perf_counter() + SECONDS

    def client() -> None:
        session = requests.Session()
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status = session.get(url, timeout=60).status_code
            elapsed = time.perf_counter() - started
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    failures[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures[0] == 0, f"{failures[0]} requests did not answer 200"
    return len(latencies), latencies, time.perf_counter() - started


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
    server = _server(port)
    try:
        requests.get(url, timeout=60)  # workers warm
        count, latencies, elapsed = _load(url)
    finally:
        server.terminate()
        server.wait(timeout=30)
        del os.environ["PORTAL_RATE_LIMIT"]
    return [
        f"gunicorn, 2 workers, DEBUG off; {CLIENTS} clients for {SECONDS:.0f} s on a debtor with {open_count} open "
        "invoices",
        f"portal page: {count / elapsed:.0f} requests/s, median {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {_p95(latencies) * 1000:.0f} ms (target: >= 500/s, p95 <= 50 ms)",
    ]
