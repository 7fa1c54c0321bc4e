"""GET /api/v1/summary/: the dashboard's figures for the key's organization, equal to an independent
computation over the fixture rows (tests/invoices/receivables_reference.py) and to the page's."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from outstanding.models import ApiKeyAccess
from tests.api_clients import api_client
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory
from tests.invoices import receivables_reference as reference

pytestmark = pytest.mark.django_db

URL = "/api/v1/summary/"


@pytest.fixture
def history(org_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> Tenant:
    monkeypatch.setattr("outstanding.api.summary.local_today", lambda time_zone: reference.TODAY)
    reference.history_create(org_a.organization)
    return org_a


def money(amount: Decimal) -> str:
    return f"{amount:.2f}"


@pytest.mark.parametrize("on", [None, reference.TODAY + dt.timedelta(days=5)])
def test_the_summary_equals_the_independent_computation(history: Tenant, on: dt.date | None) -> None:
    day = on or reference.TODAY
    rows = reference.rows(history.organization, day)
    client = api_client(history.organization, ApiKeyAccess.READ)

    response = client.get(URL, {"on": on.isoformat()} if on else {})

    assert response.status_code == 200, response.content
    body = response.json()
    aging = reference.aging(rows, day)
    open_amount = sum((amount for amount, _count in aging.values()), Decimal(0))
    overdue = [aging[key] for key in ("1_30", "31_60", "61_90", "over_90")]
    assert body["on"] == day.isoformat()
    assert body["open"] == {"amount": money(open_amount), "count": sum(c for _a, c in aging.values())}
    assert body["overdue"] == {
        "amount": money(sum((a for a, _c in overdue), Decimal(0))),
        "count": sum(c for _a, c in overdue),
    }
    names = {"not_due": "not_due", "1_30": "days_1_30", "31_60": "days_31_60", "61_90": "days_61_90"}
    assert body["aging"] == {
        names.get(key, key): {"amount": money(amount), "count": count} for key, (amount, count) in aging.items()
    }
    assert body["dso"] == str(reference.dso(rows, day))
    assert body["best_possible_dso"] == str(reference.best_possible(rows, day))
    weeks, _later = reference.cash_in(rows, day)
    assert body["expected_cash_in"] == [
        {
            "week": f"{monday.isocalendar()[0]}-W{monday.isocalendar()[1]:02d}",
            "starts_on": monday.isoformat(),
            "amount": money(amount),
            "count": count,
        }
        for monday, amount, count in weeks
    ]


def test_an_empty_organization_has_zero_figures_and_no_best_possible_dso(org_a: Tenant) -> None:
    body = api_client(org_a.organization).get(URL).json()

    assert body["open"] == {"amount": "0.00", "count": 0}
    assert body["dso"] == "0.0" and body["best_possible_dso"] is None
    assert len(body["expected_cash_in"]) == 8


def test_it_shows_only_the_keys_organization(history: Tenant, org_b: Tenant) -> None:
    body = api_client(org_b.organization).get(URL, {"on": reference.TODAY.isoformat()}).json()

    assert body["open"]["count"] == 0


@pytest.mark.parametrize("query", [{"on": "18-11-2026"}, {"on": "2026-02-30"}, {"on": ""}, {"day": "2026-11-18"}])
def test_a_malformed_day_or_unknown_parameter_is_refused(history: Tenant, query: dict[str, str]) -> None:
    response = api_client(history.organization).get(URL, query)

    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == set(query)


def test_a_day_more_than_a_year_away_is_refused(history: Tenant) -> None:
    response = api_client(history.organization).get(URL, {"on": "2030-01-01"})

    assert response.status_code == 400
    assert "on" in response.json()["error"]["details"]


def test_it_requires_a_key(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get(URL).status_code == 401


def test_a_very_large_best_possible_dso_is_still_answered(org_a: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    """Little sold lately and much not yet due: the ratio is large, never a server error.

    (9,999,999.00 + 0.01 not yet due) ÷ 0.01 sold in the last 90 days × 90."""
    monkeypatch.setattr("outstanding.api.summary.local_today", lambda time_zone: reference.TODAY)
    debtor = DebtorFactory(organization=org_a.organization)
    long_ago = reference.TODAY - dt.timedelta(days=200)
    InvoiceFactory(
        debtor=debtor, issue_date=long_ago, due_date=reference.TODAY + dt.timedelta(days=5), amount=Decimal("9999999")
    )
    InvoiceFactory(debtor=debtor, issue_date=reference.TODAY, amount=Decimal("0.01"))

    body = api_client(org_a.organization).get(URL).json()

    assert body["best_possible_dso"] == "89999991090.0"
