"""The review list (the week ahead, every planned message) and the home page: how long they take.

Seeds the demo organization (``seed_demo``: 400 debtors, 6,000 invoices) and a large one as the
hardening issue found it (5,030 debtors, 200,000 invoices), switches reminders on, and for each
times, as the median of a few runs (p95 of 20 for the pages a creditor opens every day):

- the old week ahead (``reminders.selectors.reminders.week_ahead``: the real engine run day after
  day in a transaction that is rolled back), when it still exists;
- the engine alone: seven dry runs (``reminders.engine.plan(..., dry_run=True)``), the floor of a
  page that has to re-plan;
- the review page through the whole Django stack: cold (nothing stored: planned in the request for
  the demo; for the large one the page answers at once that a worker plans it) and warm (the
  organization's data unchanged since the week was stored), with its number of queries; for the
  large organization also the worker's planning of the week;
- the home page (p95 of 20 loads);
- opening one planned message (rendered as it would go out).
"""

from __future__ import annotations

import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

RUNS = 3
LARGE_NAME = "Bench Groot B.V."
PAGE_LOADS = 20


def _median_seconds(run: Callable[[], Any], runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def _p95(runs: list[tuple[float, int, int]]) -> float:
    return sorted(run[0] for run in runs)[max(0, round(0.95 * len(runs)) - 1)]


def _organizations() -> list[Any]:
    from outstanding.demo import demo_seed
    from outstanding.demo.planning import SIZES, DemoSize
    from outstanding.models import Organization
    from outstanding.services import organization_create

    demo = demo_seed().organization
    SIZES.setdefault("bench_large", DemoSize(debtors=5030, invoices=200_000))
    large = Organization.objects.filter(name=LARGE_NAME).first()  # --keep: seeded by an earlier run
    if large is None:
        owner = demo.memberships.get().user  # the demo login, its only member
        large = organization_create(name=LARGE_NAME, owner=owner, iban="NL91ABNA0417164300")
    demo_seed(organization=large, size="bench_large")
    return [demo, large]


def _switch_on(organization: Any) -> None:
    from reminders.models import DunningSettings

    DunningSettings.objects.for_organization(organization).update(reminders_active=True)


def _client(organization: Any) -> Any:
    from django.test import Client

    client = Client()
    client.force_login(organization.memberships.get().user)
    return client


def _page(client: Any, url: str, **params: str) -> tuple[float, int, int]:
    """(seconds, queries, status) of one GET through the whole stack."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params, secure=True)
    return time.perf_counter() - started, len(queries), response.status_code


def _figures(organization: Any) -> list[str]:
    from django.core.cache import cache
    from django.urls import reverse

    from invoices.models import Invoice, InvoiceStatus
    from outstanding.calendar import local_today
    from reminders import engine
    from reminders.selectors import reminders as reminder_selectors
    from reminders.selectors.review import week_ahead_review, week_plan_store

    _switch_on(organization)
    today = local_today(organization.time_zone)
    name = organization.name
    invoices = Invoice.objects.for_organization(organization)
    lines = [f"{name}: {invoices.count()} invoices, {invoices.filter(status=InvoiceStatus.OPEN).count()} open"]
    old = getattr(reminder_selectors, "week_ahead", None)
    if old is not None:
        seconds = _median_seconds(lambda: old(organization=organization, today=today))
        lines.append(f"{name}: old week ahead (real runs rolled back) {seconds * 1000:.0f} ms")

    def dry_runs() -> None:
        for offset in range(7):
            engine.plan(organization, today + dt.timedelta(days=offset), dry_run=True)

    lines.append(f"{name}: engine, 7 dry runs {_median_seconds(dry_runs) * 1000:.0f} ms")
    stored = week_plan_store(organization=organization, today=today)
    lines.append(f"{name}: the week planned and stored (as the worker does) {stored.seconds * 1000:.0f} ms")
    days = week_ahead_review(organization=organization, today=today).days
    count = sum(len(day.messages) for day in days)
    lines.append(f"{name}: {count} planned messages over 7 days")
    client = _client(organization)
    url = reverse("review_list", args=[organization.public_id])
    _page(client, url)  # templates compiled, connections warm

    def cold() -> tuple[float, int, int]:
        cache.clear()
        return _page(client, url)

    colds = [cold() for _ in range(RUNS)]
    week_plan_store(organization=organization, today=today)
    warms = [_page(client, url) for _ in range(PAGE_LOADS)]
    for label, runs in (("cold (nothing stored)", colds), ("warm (data unchanged)", warms)):
        seconds = statistics.median(run[0] for run in runs)
        lines.append(f"{name}: review page {label} {seconds * 1000:.0f} ms, {runs[0][1]} queries, HTTP {runs[0][2]}")
    lines.append(f"{name}: review page warm p95 {_p95(warms) * 1000:.0f} ms")
    homes = [_page(client, reverse("organization_home", args=[organization.public_id])) for _ in range(PAGE_LOADS)]
    lines.append(
        f"{name}: home page median {statistics.median(run[0] for run in homes) * 1000:.0f} ms, "
        f"p95 {_p95(homes) * 1000:.0f} ms, {homes[0][1]} queries, HTTP {homes[0][2]}"
    )
    message = next((m for day in days for m in day.messages), None)
    if message is not None:
        params = {"day": message.day.isoformat(), "debtor": str(message.debtor_public_id), "channel": message.channel}
        opened = [_page(client, reverse("review_message", args=[organization.public_id]), **params) for _ in range(3)]
        seconds = statistics.median(run[0] for run in opened)
        lines.append(f"{name}: one message opened (rendered) {seconds * 1000:.0f} ms, {opened[0][1]} queries")
    return lines


def run() -> list[str]:
    from django.test.utils import override_settings

    # The page as a browser gets it, without needing collected static files or HTTPS.
    static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    storages = {"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}, "staticfiles": static}
    with override_settings(ALLOWED_HOSTS=["testserver"], STORAGES=storages, WHITENOISE_USE_FINDERS=True):
        lines = []
        for organization in _organizations():
            lines.extend(_figures(organization))
    return lines
