"""The dashboard (the organization's home) and GET /api/v1/summary/ for an organization with 200,000
invoices and two years of their history (``seed_demo`` at the ``bench_large`` size, as
``bench.week_ahead`` seeds it; reused when that benchmark ran first).

Times, through the whole Django stack:

- the receivables figures computed (``outstanding.dashboard.receivables_summary_for`` with nothing
  stored): what the first load after a change costs, median of a few runs;
- the dashboard page and the API summary warm (the organization's data unchanged since the figures
  were stored): p95 of 20 loads each, with the number of queries;
- both cold (the store emptied before each load): median of a few;
- a load right after one invoice changed (a payment recorded by another transaction): the figures
  are computed again, median of a few.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

from bench.week_ahead import LARGE_NAME, PAGE_LOADS, RUNS, _p95, _page

THROTTLE_OFF = {"api_key_burst": None, "api_key_sustained": None}


def _organization() -> Any:
    from outstanding.demo import demo_seed
    from outstanding.demo.planning import SIZES, DemoSize
    from outstanding.models import Organization
    from outstanding.services import organization_create

    SIZES.setdefault("bench_large", DemoSize(debtors=5030, invoices=200_000))
    large = Organization.objects.filter(name=LARGE_NAME).first()  # seeded by bench.week_ahead or --keep
    if large is None:
        demo = demo_seed(size="small").organization
        owner = demo.memberships.get().user
        large = organization_create(name=LARGE_NAME, owner=owner, iban="NL91ABNA0417164300")
        demo_seed(organization=large, size="bench_large")
    return large


def _median_ms(run: Callable[[], Any], runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings) * 1000


def _api_get(client: Any, url: str) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    return time.perf_counter() - started, len(queries), response.status_code


def _touch(organization: Any) -> None:
    """One invoice changed in a committed transaction of its own, as a payment coming in would."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE invoices_invoice SET updated_at = now() WHERE id = "
            "(SELECT id FROM invoices_invoice WHERE organization_id = %s AND status = 'open' LIMIT 1)",
            [organization.pk],
        )


def _figures(organization: Any) -> list[str]:
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse
    from rest_framework.test import APIClient

    from invoices.models import Invoice, Payment
    from outstanding import dashboard
    from outstanding.api_keys import api_key_create
    from outstanding.calendar import local_today
    from outstanding.models import ApiKeyAccess

    name = organization.name
    today = local_today(organization.time_zone)
    invoices = Invoice.objects.for_organization(organization).count()
    payments = Payment.objects.for_organization(organization).count()
    lines = [f"{name}: {invoices:,} invoices, {payments:,} payments"]

    def compute() -> None:
        cache.clear()
        dashboard.receivables_summary_for(organization=organization, today=today)

    lines.append(f"{name}: receivables figures computed (nothing stored) median {_median_ms(compute):.0f} ms")

    page = Client()
    page.force_login(organization.memberships.get().user)
    page_url = reverse("organization_home", args=[organization.public_id])
    _raw_key = api_key_create(organization=organization, name="bench", access=ApiKeyAccess.READ, created_by=None)[1]
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {_raw_key}")
    api_url = "/api/v1/summary/"
    loads: dict[str, Callable[[], tuple[float, int, int]]] = {
        "dashboard page": lambda: _page(page, page_url),
        "API summary": lambda: _api_get(api, api_url),
    }
    for label, load in loads.items():
        load()  # templates compiled, connections warm, figures stored
        warm = [load() for _ in range(PAGE_LOADS)]
        lines.append(
            f"{name}: {label} warm median {statistics.median(r[0] for r in warm) * 1000:.0f} ms, "
            f"p95 {_p95(warm) * 1000:.0f} ms, {warm[0][1]} queries, HTTP {warm[0][2]}"
        )

        def cold(load: Callable[[], tuple[float, int, int]] = load) -> tuple[float, int, int]:
            cache.clear()
            return load()

        colds = [cold() for _ in range(RUNS)]
        lines.append(f"{name}: {label} cold median {statistics.median(r[0] for r in colds) * 1000:.0f} ms")

        def changed(load: Callable[[], tuple[float, int, int]] = load) -> tuple[float, int, int]:
            _touch(organization)
            return load()

        after = statistics.median(changed()[0] for _ in range(RUNS))
        lines.append(f"{name}: {label} right after an invoice changed median {after * 1000:.0f} ms")
    return lines


def run() -> list[str]:
    from django.conf import settings
    from django.test.utils import override_settings

    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": static}
    # The API's per-key limits (20 a second) would answer 429 to the timed loop: off for the benchmark.
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": THROTTLE_OFF}
    with override_settings(
        ALLOWED_HOSTS=["testserver"], STORAGES=storages, WHITENOISE_USE_FINDERS=True, REST_FRAMEWORK=rest
    ):
        return _figures(_organization())
