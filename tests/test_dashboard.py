"""The organization's home as a dashboard: every figure on the page equals an independent computation
over the fixture rows (tests/invoices/receivables_reference.py) on a fixed today, links to the list
behind it, and its charts are escaped SVG that needs no script."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from outstanding import charts
from outstanding.money import format_money
from tests.conftest import Tenant, client_for
from tests.invoices import receivables_reference as reference

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(org_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> Tenant:
    monkeypatch.setattr("outstanding.views.local_today", lambda time_zone: reference.TODAY)
    reference.history_create(org_a.organization)
    return org_a


def page(tenant: Tenant) -> str:
    client = client_for(tenant.member)
    url = reverse("organization_home", args=[tenant.organization.public_id])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def shown(html: str, testid: str) -> str:
    """The text inside the element with ``data-testid=testid`` (tags stripped)."""
    match = re.search(rf'data-testid="{re.escape(testid)}"[^>]*>(.*?)</(td|div|p)>', html, re.S)
    assert match, testid
    return re.sub(r"<[^>]+>", "", match.group(1)).replace("\N{NO-BREAK SPACE}", " ").strip()


def euros(amount: Decimal) -> str:
    return format_money(amount, "EUR", "en").replace("\N{NO-BREAK SPACE}", " ")


def test_every_figure_on_the_page_equals_the_independent_computation(history: Tenant) -> None:
    today = reference.TODAY
    rows = reference.rows(history.organization, today)
    html = page(history)

    aging = reference.aging(rows, today)
    for key, (amount, count) in aging.items():
        assert shown(html, f"aging-{key}-amount") == euros(amount)
        assert shown(html, f"aging-{key}-count") == str(count)
    assert shown(html, "open-amount") == euros(sum((a for a, _c in aging.values()), Decimal(0)))
    overdue = sum((aging[key][0] for key in ("1_30", "31_60", "61_90", "over_90")), Decimal(0))
    assert shown(html, "overdue-amount") == euros(overdue)
    assert shown(html, "dso-headline") == f"{reference.dso(rows, today)} days"
    assert shown(html, "best-possible-dso") == f"{reference.best_possible(rows, today)} days"
    for month_end, _open, dso in reference.trend(rows, today):
        assert shown(html, f"dso-trend-{month_end:%Y-%m}-dso") == str(dso)
    weeks, _later = reference.cash_in(rows, today)
    for monday, amount, count in weeks:
        week = f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}"
        assert shown(html, f"cash-in-{week}-amount") == euros(amount)
        assert shown(html, f"cash-in-{week}-count") == str(count)
    received, count = reference.payments_this_week(rows, today)
    assert shown(html, "payments-this-week") == euros(received)
    assert shown(html, "payments-this-week-count").startswith(str(count))
    assert shown(html, "dossiers-amicable-count") == "0"


def test_each_aging_bucket_links_to_the_invoices_due_in_its_range(history: Tenant) -> None:
    html = page(history)
    today = reference.TODAY

    link = re.search(r'data-testid="aging-31_60">\s*<td><a href="([^"]+)"', html)
    assert link
    href = link.group(1).replace("&amp;", "&")
    assert f"due_from={today - dt.timedelta(days=60)}" in href and f"due_to={today - dt.timedelta(days=31)}" in href
    assert "status=open" in href and "overdue=on" in href


def test_the_page_says_how_the_figures_are_computed(history: Tenant) -> None:
    html = page(history)

    assert "current receivables ÷ total credit sales × number of days" in html
    assert "countback" in html
    assert "median number of days between due date and payment" in html


def test_an_outsider_gets_404(history: Tenant, outsider_client) -> None:  # type: ignore[no-untyped-def]
    url = reverse("organization_home", args=[history.organization.public_id])

    assert outsider_client.get(url).status_code == 404


def test_charts_escape_their_labels_and_scale_to_the_page() -> None:
    with translation.override("en"):
        svg = charts.bar_chart(
            [charts.ChartBar('<script>"x"</script>', Decimal("10"), "€10.00", "/list/?a=1&b=2")], title="T & U"
        )

    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'href="/list/?a=1&amp;b=2"' in svg and "T &amp; U" in svg
    assert 'viewBox="0 0 600 36"' in svg and 'width="100%"' in svg


def test_an_empty_chart_draws_nothing_and_does_not_fail() -> None:
    assert "<rect" not in charts.column_chart([], title="Empty")
    assert "<polyline" not in charts.line_chart([], title="Empty")
