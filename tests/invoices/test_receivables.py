"""The dashboard's receivables figures (invoices.selectors.receivables) equal an independent computation
over the same rows (tests/invoices/receivables_reference.py), on a seeded random history with a fixed
``today``; and the pure rules (countback, best possible DSO, arrangement terms) on small hand examples.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from invoices.selectors.receivables import (
    PlannedPayment,
    arrangement_open_terms,
    best_possible_dso,
    countback_dso,
    trend_month_ends,
)
from outstanding.dashboard import receivables_summary_for
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory
from tests.invoices import receivables_reference as reference

pytestmark = pytest.mark.django_db

TODAYS = (reference.TODAY, reference.TODAY + dt.timedelta(days=12), dt.date(2026, 11, 30))


@pytest.fixture
def history(org_a: Tenant) -> Tenant:
    reference.history_create(org_a.organization)
    DebtorFactory(organization=org_a.organization)  # a debtor with nothing at all
    return org_a


@pytest.mark.parametrize("today", TODAYS)
def test_every_figure_equals_the_independent_computation(history: Tenant, today: dt.date) -> None:
    organization = history.organization
    rows = reference.rows(organization, today)

    summary = receivables_summary_for(organization=organization, today=today)

    assert {b.key: (b.amount, b.count) for b in summary.aging.buckets} == reference.aging(rows, today)
    assert summary.dso.dso == reference.dso(rows, today)
    assert summary.dso.best_possible_dso == reference.best_possible(rows, today)
    assert [(p.month_end, p.receivables, p.dso) for p in summary.dso.trend] == reference.trend(rows, today)
    weeks, later = reference.cash_in(rows, today)
    assert [(w.starts_on, w.amount, w.count) for w in summary.cash_in.weeks] == weeks
    assert summary.cash_in.later_amount == later
    received = summary.payments_this_week
    assert (received.amount, received.count) == reference.payments_this_week(rows, today)


def test_the_fixture_reaches_every_kind_of_figure(history: Tenant) -> None:
    """Guards the comparison above against an empty or one-sided fixture."""
    today = reference.TODAY
    summary = receivables_summary_for(organization=history.organization, today=today)

    assert all(bucket.count > 0 for bucket in summary.aging.buckets)
    assert summary.dso.dso > 0 and summary.dso.best_possible_dso is not None
    assert len({point.dso for point in summary.dso.trend}) > 3
    assert sum(1 for week in summary.cash_in.weeks if week.amount) >= 4
    # Monday's 21.00, today's 100.00 and yesterday's refund of 21.00, besides the random history's.
    assert summary.payments_this_week.count >= 3


def test_arrangement_terms_and_a_promise_come_before_the_predicted_date(history: Tenant) -> None:
    today = reference.TODAY
    summary = receivables_summary_for(organization=history.organization, today=today)
    rows = reference.rows(history.organization, today)
    without = reference.Rows(invoices=rows.invoices, payments=rows.payments, arrangements=[], promised={})
    plain_weeks, plain_later = reference.cash_in(without, today)
    plain = {monday: amount for monday, amount, _count in plain_weeks}
    weeks = {week.starts_on: week.amount for week in summary.cash_in.weeks}

    def week_of(days: int) -> dt.date:
        day = today + dt.timedelta(days=days)
        return day - dt.timedelta(days=day.weekday())

    # The promise (250.00, today + 16 days) and the arrangement's terms still to pay (200.00 of the
    # second at today + 20, the third's 300.00 at today + 50) move money into their weeks; the
    # arrangement's invoices (500.00 open) are not expected a second time.
    assert all(weeks[week_of(days)] != plain[week_of(days)] for days in (16, 20, 50))
    total = sum(weeks.values(), Decimal(0)) + summary.cash_in.later_amount
    assert total == sum(plain.values(), Decimal(0)) + plain_later


def test_the_figures_cost_a_handful_of_queries_whatever_the_number_of_debtors(org_a: Tenant) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            receivables_summary_for(
                organization=org_a.organization, today=reference.TODAY + dt.timedelta(days=len(seen))
            )
        seen.append(1)
        return len(queries)

    seen: list[int] = []
    for _ in range(3):
        InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization))
    few = count()
    for _ in range(30):
        InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization))
    assert count() == few <= 15


def test_another_organizations_invoices_are_not_counted(history: Tenant, org_b: Tenant) -> None:
    summary = receivables_summary_for(organization=org_b.organization, today=reference.TODAY)

    assert summary.aging.open_amount == 0 and summary.dso.dso == 0
    assert all(week.amount == 0 for week in summary.cash_in.weeks)


# --- the pure rules on hand examples ------------------------------------------------------------------


def test_countback_uses_up_the_receivables_month_by_month() -> None:
    sales = {dt.date(2026, 11, 1): Decimal("1000"), dt.date(2026, 10, 1): Decimal("3100")}

    # November up to the 10th (10 days, 1000), then 1550 of October's 3100: half of 31 days.
    assert countback_dso(receivables=Decimal("2550"), sales_by_month=sales, end=dt.date(2026, 11, 10)) == Decimal(
        "25.5"
    )
    assert countback_dso(receivables=Decimal("0"), sales_by_month=sales, end=dt.date(2026, 11, 10)) == 0


def test_countback_stops_after_24_months_when_sales_never_use_it_up() -> None:
    end = dt.date(2026, 11, 30)
    days = (end - dt.date(2024, 12, 1)).days + 1

    assert countback_dso(receivables=Decimal("5"), sales_by_month={}, end=end) == Decimal(days)


def test_best_possible_dso_is_current_receivables_over_sales_times_days() -> None:
    assert best_possible_dso(current_receivables=Decimal("3000"), sales=Decimal("9000")) == Decimal("30.0")
    assert best_possible_dso(current_receivables=Decimal("3000"), sales=Decimal("0")) is None


def test_what_was_paid_on_an_arrangement_pays_its_first_terms_first() -> None:
    terms = [PlannedPayment(dt.date(2026, 12, 1), Decimal("300")), PlannedPayment(dt.date(2027, 1, 1), Decimal("300"))]

    assert arrangement_open_terms(terms=terms, total=Decimal("600"), still_open=Decimal("450")) == [
        PlannedPayment(dt.date(2026, 12, 1), Decimal("150")),
        PlannedPayment(dt.date(2027, 1, 1), Decimal("300")),
    ]
    assert arrangement_open_terms(terms=terms, total=Decimal("600"), still_open=Decimal("0")) == []


def test_the_trend_has_the_twelve_month_ends_before_today() -> None:
    ends = trend_month_ends(dt.date(2026, 3, 5))

    assert ends[0] == dt.date(2025, 3, 31) and ends[-1] == dt.date(2026, 2, 28) and len(ends) == 12
