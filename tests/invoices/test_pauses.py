"""Pausing reminders about one invoice (and a debtor) from the invoice page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from invoices import services
from invoices.models import Debtor, Invoice
from outstanding.calendar import local_today
from outstanding.models import ApiKeyAccess
from outstanding.services import organization_defaults_install
from reminders import engine
from tests.api_clients import api_client, assert_error
from tests.conftest import Tenant, client_for
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def today_of(tenant: Tenant) -> dt.date:
    return local_today(tenant.organization.time_zone)


def page_url(name: str, tenant: Tenant, invoice: Invoice) -> str:
    return reverse(name, args=[tenant.organization.public_id, invoice.public_id])


def pause_state(row: Invoice | Debtor) -> tuple[Any, ...]:
    row.refresh_from_db()
    return (row.is_paused, row.pause_reason, row.paused_until)


NOT_PAUSED = (False, "", None)


@pytest.fixture
def overdue(org_a: Tenant) -> Invoice:
    organization_defaults_install(org_a.organization)
    due = today_of(org_a) - dt.timedelta(days=5)
    return InvoiceFactory(
        debtor=DebtorFactory(organization=org_a.organization, name="Jansen"),
        due_date=due,
        issue_date=due - dt.timedelta(days=30),
    )


def first_planned_day(tenant: Tenant, invoice: Invoice) -> dt.date | None:
    """The first of the coming seven days on which the engine plans a message listing ``invoice``."""
    for offset in range(7):
        day = today_of(tenant) + dt.timedelta(days=offset)
        if any(invoice.pk in m.invoice_ids for m in engine.plan(tenant.organization, day, dry_run=True).messages):
            return day
    return None


# --- The invoice page -------------------------------------------------------------------------------------


def test_a_member_pauses_an_invoice_with_a_reason_and_an_end_date(org_a: Tenant, overdue: Invoice) -> None:
    assert first_planned_day(org_a, overdue) is not None
    until = today_of(org_a) + dt.timedelta(days=30)

    response = client_for(org_a.member).post(
        page_url("invoice_pause", org_a, overdue), {"reason": " Disputed ", "until": until.isoformat()}
    )

    assert response.status_code == 302
    assert pause_state(overdue) == (True, "Disputed", until)
    assert first_planned_day(org_a, overdue) is None
    page = client_for(org_a.viewer).get(page_url("invoice_detail", org_a, overdue)).content.decode()
    assert "Disputed" in page


def test_an_invoice_paused_without_an_end_date_stays_paused_until_resumed(org_a: Tenant, overdue: Invoice) -> None:
    member = client_for(org_a.member)
    member.post(page_url("invoice_pause", org_a, overdue), {"reason": "Payment arrangement"})
    assert pause_state(overdue) == (True, "Payment arrangement", None)

    response = member.post(page_url("invoice_resume", org_a, overdue))

    assert response.status_code == 302
    assert pause_state(overdue) == NOT_PAUSED
    assert first_planned_day(org_a, overdue) is not None


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": ""}, "Give a reason for pausing."),
        ({"reason": "x" * 201}, "200"),
        ({"reason": "Disputed", "until": "2020-01-01"}, "The end date must be after today."),
    ],
)
def test_a_bad_pause_on_the_invoice_page_shows_the_error_and_changes_nothing(
    org_a: Tenant, overdue: Invoice, data: dict[str, str], error: str
) -> None:
    response = client_for(org_a.member).post(page_url("invoice_pause", org_a, overdue), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert error in response.content.decode()
    assert pause_state(overdue) == NOT_PAUSED


def test_the_invoice_page_shows_pause_and_resume_to_members_only(org_a: Tenant, overdue: Invoice) -> None:
    pause_url = page_url("invoice_pause", org_a, overdue)
    assert pause_url in client_for(org_a.member).get(page_url("invoice_detail", org_a, overdue)).content.decode()
    viewer_page = client_for(org_a.viewer).get(page_url("invoice_detail", org_a, overdue)).content.decode()
    assert pause_url not in viewer_page
    assert client_for(org_a.viewer).post(pause_url, {"reason": "No"}).status_code == 403
    assert client_for(org_a.viewer).post(page_url("invoice_resume", org_a, overdue)).status_code == 403
    assert pause_state(overdue) == NOT_PAUSED


def test_pausing_needs_a_post(org_a: Tenant, overdue: Invoice) -> None:
    assert client_for(org_a.member).get(page_url("invoice_pause", org_a, overdue)).status_code == 405


def test_another_organizations_invoice_cannot_be_paused(org_a: Tenant, org_b: Tenant) -> None:
    theirs = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization))
    member = client_for(org_a.member)
    for name in ("invoice_pause", "invoice_resume"):
        response = member.post(reverse(name, args=[org_a.organization.public_id, theirs.public_id]), {"reason": "x"})
        assert response.status_code == 404
    response = client_for(org_b.owner).post(page_url("invoice_pause", org_a, theirs), {"reason": "x"})
    assert response.status_code == 404
    assert pause_state(theirs) == NOT_PAUSED


def test_the_pause_service_refuses_an_end_date_that_is_not_after_today(overdue: Invoice) -> None:
    today = dt.date(2026, 12, 1)
    with pytest.raises(ValidationError):
        services.invoice_pause(invoice=overdue, reason="Disputed", until=today, today=today)
    assert pause_state(overdue) == NOT_PAUSED


# --- The API ----------------------------------------------------------------------------------------------


def api_url(kind: str, row: Invoice | Debtor, action: str) -> str:
    return f"/api/v1/{kind}/{row.public_id}/{action}/"


@pytest.fixture
def api(org_a: Tenant) -> APIClient:
    return api_client(org_a.organization)


def test_the_api_pauses_and_resumes_an_invoice(api: APIClient, org_a: Tenant, overdue: Invoice) -> None:
    until = today_of(org_a) + dt.timedelta(days=21)

    response = api.post(api_url("invoices", overdue, "pause"), {"reason": "Disputed", "until": until.isoformat()})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["is_paused"], body["pause_reason"], body["paused_until"]) == (True, "Disputed", until.isoformat())
    assert pause_state(overdue) == (True, "Disputed", until)
    assert api.get(f"/api/v1/invoices/{overdue.public_id}/").json()["pause_reason"] == "Disputed"

    response = api.post(api_url("invoices", overdue, "resume"))

    assert response.status_code == 200
    assert (response.json()["is_paused"], response.json()["paused_until"]) == (False, None)
    assert pause_state(overdue) == NOT_PAUSED


def test_the_api_pauses_an_invoice_without_an_end_date(api: APIClient, overdue: Invoice) -> None:
    response = api.post(api_url("invoices", overdue, "pause"), {"reason": "Payment arrangement"}, format="json")
    assert response.status_code == 200
    assert pause_state(overdue) == (True, "Payment arrangement", None)


def test_the_api_pauses_and_resumes_a_debtor(api: APIClient, org_a: Tenant, overdue: Invoice) -> None:
    debtor = overdue.debtor
    until = today_of(org_a) + dt.timedelta(days=7)

    response = api.post(api_url("debtors", debtor, "pause"), {"reason": "Bankruptcy", "until": until.isoformat()})

    assert response.status_code == 200
    assert response.json()["pause_reason"] == "Bankruptcy"
    assert pause_state(debtor) == (True, "Bankruptcy", until)
    assert api.post(api_url("debtors", debtor, "resume")).status_code == 200
    assert pause_state(debtor) == NOT_PAUSED


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "reason"),
        ({"reason": "   "}, "reason"),
        ({"reason": "x" * 201}, "reason"),
        ({"reason": "Disputed", "until": "2020-01-01"}, "until"),
        ({"reason": "Disputed", "until": "soon"}, "until"),
        ({"reason": "Disputed", "paused": True}, "paused"),
    ],
)
@pytest.mark.parametrize("kind", ["invoices", "debtors"])
def test_a_bad_pause_through_the_api_is_a_validation_error_and_changes_nothing(
    api: APIClient, overdue: Invoice, body: dict[str, Any], field: str, kind: str
) -> None:
    row = overdue if kind == "invoices" else overdue.debtor
    response = api.post(api_url(kind, row, "pause"), body, format="json")
    error = assert_error(response, 400, "validation_error")
    assert field in error["details"]
    assert pause_state(row) == NOT_PAUSED


def test_a_pause_on_the_last_day_is_refused_today_itself(api: APIClient, org_a: Tenant, overdue: Invoice) -> None:
    response = api.post(api_url("invoices", overdue, "pause"), {"reason": "x", "until": today_of(org_a).isoformat()})
    assert assert_error(response, 400, "validation_error")["details"]["until"]
    assert pause_state(overdue) == NOT_PAUSED


@pytest.mark.parametrize("action", ["pause", "resume"])
@pytest.mark.parametrize("kind", ["invoices", "debtors"])
def test_a_read_only_key_cannot_pause_or_resume(org_a: Tenant, overdue: Invoice, action: str, kind: str) -> None:
    row = overdue if kind == "invoices" else overdue.debtor
    if action == "resume" and isinstance(row, Invoice):
        services.invoice_pause(invoice=row, reason="Already")
    elif action == "resume":
        services.debtor_pause(debtor=row, reason="Already")
    before = pause_state(row)
    client = api_client(org_a.organization, ApiKeyAccess.READ)
    response = client.post(api_url(kind, row, action), {"reason": "Disputed"}, format="json")
    assert_error(response, 403, "read_only_key")
    assert pause_state(row) == before


@pytest.mark.parametrize("action", ["pause", "resume"])
@pytest.mark.parametrize("kind", ["invoices", "debtors"])
def test_another_organizations_invoice_or_debtor_is_not_found_through_the_api(
    api: APIClient, org_b: Tenant, action: str, kind: str
) -> None:
    theirs = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization))
    row = theirs if kind == "invoices" else theirs.debtor
    response = api.post(api_url(kind, row, action), {"reason": "Disputed"}, format="json")
    assert_error(response, 404, "not_found")
    assert pause_state(row) == NOT_PAUSED
