"""The stored week ahead: current until anything the engine reads changes, whichever way it is written;
planned by a worker for an organization too big to plan while the creditor waits.

Committed transactions, as in production (``transaction=True``): a stored week keeps the snapshot
it was planned in, and the triggers' change log says whether a later transaction changed anything.
"""

from __future__ import annotations

import datetime as dt

import pytest
from celery import current_app
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoices.models import Debtor, Invoice
from invoices.services import invoices_pause
from outstanding.calendar import local_today
from outstanding.services import organization_defaults_install
from reminders.models import PlanChange
from reminders.selectors import review as review_selectors
from reminders.services import review as review_services
from tests.conftest import Tenant, client_for
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def org(org_a: Tenant) -> Tenant:
    organization_defaults_install(org_a.organization)
    return org_a


def overdue(debtor: Debtor, number: str) -> Invoice:
    due = local_today(debtor.organization.time_zone) - dt.timedelta(days=5)
    return InvoiceFactory(debtor=debtor, number=number, due_date=due, issue_date=due - dt.timedelta(days=30))


def load(tenant: Tenant, **params: str) -> tuple[set[str], bool, str]:
    """(debtor names listed on the chosen day's page, whether the week was planned, page text)."""
    with CaptureQueriesContext(connection) as queries:
        response = client_for(tenant.member).get(
            reverse("review_list", args=[tenant.organization.public_id]), params, HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    names = {message.debtor_name for message in response.context["page"].object_list}
    planned = any("CREATE TEMP TABLE" in query["sql"] for query in queries)
    return names, planned, response.content.decode()


def test_a_change_written_in_raw_sql_makes_the_stored_week_stale(org: Tenant) -> None:
    jansen = DebtorFactory(organization=org.organization, name="Jansen Bouw")
    invoice = overdue(jansen, "2026-0101")
    assert load(org)[:2] == ({"Jansen Bouw"}, True)
    assert load(org)[:2] == ({"Jansen Bouw"}, False)

    with connection.cursor() as cursor:  # no ORM, no signal: paid in the books, as a bulk sync might
        cursor.execute("UPDATE invoices_invoice SET open_amount = 0, status = 'paid' WHERE id = %s", [invoice.pk])

    names, planned, _page = load(org)
    assert (names, planned) == (set(), True)


def test_a_change_in_another_organization_leaves_the_stored_week_current(org: Tenant, org_b: Tenant) -> None:
    overdue(DebtorFactory(organization=org.organization, name="Jansen Bouw"), "2026-0101")
    load(org)
    theirs = overdue(DebtorFactory(organization=org_b.organization, name="Elders B.V."), "B-1")
    Invoice.objects.for_organization(org_b.organization).filter(pk=theirs.pk).update(open_amount=1)

    assert load(org)[:2] == ({"Jansen Bouw"}, False)
    assert PlanChange.objects.filter(organization_id=org_b.organization.pk).exists()


def test_a_big_organization_is_planned_by_a_worker_and_shown_without_what_was_held_meanwhile(
    org: Tenant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Too big to plan in the request: the first load says the plan is being made and asks a worker
    (run eagerly here); later loads show the stored week; after a hold the stored week is shown
    without the held message, with the time it was planned, while the worker plans it again."""
    monkeypatch.setattr(review_selectors, "SYNC_PLAN_OPEN_INVOICES", False)
    monkeypatch.setattr(review_selectors, "SYNC_PLAN_SECONDS", False)
    jansen = DebtorFactory(organization=org.organization, name="Jansen Bouw")
    held = overdue(jansen, "2026-0101")
    overdue(DebtorFactory(organization=org.organization, name="Pietersen"), "2026-0201")

    names, planned, page = load(org)
    assert names == set() and planned  # the worker's planning, after the page was read
    assert "The plan for this week is being made" in page and 'hx-trigger="every 3s"' in page

    names, planned, page = load(org)
    assert (names, planned) == ({"Jansen Bouw", "Pietersen"}, False)
    assert "being made" not in page and "every 3s" not in page

    invoices_pause(organization=org.organization, invoice_ids=[held.pk], reason="Belt zelf", until=None)
    names, planned, page = load(org)
    assert names == {"Pietersen"}
    assert "This is the plan as of" in page and planned  # shown stale, then planned by the worker

    assert load(org)[:2] == ({"Pietersen"}, False)


def test_while_a_worker_plans_the_week_no_second_one_is_asked(org: Tenant) -> None:
    today = local_today(org.organization.time_zone)
    assert review_services.week_refresh_request(organization=org.organization, today=today) is True  # ran, released
    cache.add(review_services._lock_key(org.organization.pk, today), True, 60)  # as a worker at it holds it

    assert review_services.week_refresh_request(organization=org.organization, today=today) is False


def test_the_sweep_forgets_old_changes_only(org: Tenant) -> None:
    overdue(DebtorFactory(organization=org.organization, name="Jansen Bouw"), "2026-0101")
    recent = PlanChange.objects.filter(organization_id=org.organization.pk).count()
    PlanChange.objects.create(organization_id=org.organization.pk, xid=1)
    PlanChange.objects.filter(xid=1).update(at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    assert review_services.plan_changes_sweep() == 1
    assert PlanChange.objects.filter(organization_id=org.organization.pk).count() == recent > 0


def test_with_the_broker_away_the_page_still_answers_and_asks_again_next_time(
    org: Tenant, monkeypatch: pytest.MonkeyPatch, settings
) -> None:  # type: ignore[no-untyped-def]
    """Redis down: the request for a worker fails at once; the page shows what it has, and the next load
    asks again (the lock is not left behind)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    app = current_app._get_current_object()
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:1/0")  # nothing listens there
    monkeypatch.setattr(app, "_pool", None)  # connections to the real broker are pooled: start afresh
    monkeypatch.setattr(app.amqp, "_producer_pool", None)
    monkeypatch.setattr(review_selectors, "SYNC_PLAN_OPEN_INVOICES", 0)
    overdue(DebtorFactory(organization=org.organization, name="Jansen Bouw"), "2026-0101")
    today = local_today(org.organization.time_zone)

    names, planned, page = load(org)

    assert (names, planned) == (set(), False)
    assert "being made" in page
    assert cache.get(review_services._lock_key(org.organization.pk, today)) is None
