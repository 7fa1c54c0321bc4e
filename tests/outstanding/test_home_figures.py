"""The home page's totals and legal-check counts are stored until an invoice or debtor changes: a
second load reads no aggregate, and any change (an ORM save, raw SQL) shows at once.

Committed transactions, as in production: a stored value keeps the snapshot it was computed in.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from outstanding.calendar import local_today
from tests.conftest import Tenant, client_for
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db(transaction=True)


def load(tenant: Tenant) -> tuple[Decimal, bool]:
    """(the open total the page shows, whether it summed the invoices to get it)."""
    with CaptureQueriesContext(connection) as queries:
        response = client_for(tenant.member).get(reverse("organization_home", args=[tenant.organization.public_id]))
    assert response.status_code == 200
    summed = any('SUM("invoices_invoice"."open_amount"' in query["sql"] for query in queries)
    return response.context["totals"].open_amount, summed


def test_the_home_figures_are_stored_until_an_invoice_changes(org_a: Tenant) -> None:
    due = local_today(org_a.organization.time_zone) - dt.timedelta(days=3)
    debtor = DebtorFactory(organization=org_a.organization)
    invoice = InvoiceFactory(debtor=debtor, due_date=due, amount=Decimal("100.00"), open_amount=Decimal("100.00"))

    assert load(org_a) == (Decimal("100.00"), True)
    assert load(org_a) == (Decimal("100.00"), False)

    with connection.cursor() as cursor:  # no ORM, no signal: as a bulk sync might write
        cursor.execute("UPDATE invoices_invoice SET open_amount = 40 WHERE id = %s", [invoice.pk])
    assert load(org_a) == (Decimal("40.00"), True)

    InvoiceFactory(debtor=debtor, due_date=due, amount=Decimal("10.00"), open_amount=Decimal("10.00"))
    assert load(org_a) == (Decimal("50.00"), True)


def test_another_organizations_change_leaves_them_stored(org_a: Tenant, org_b: Tenant) -> None:
    InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization))
    load(org_a)
    InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization))

    assert load(org_a)[1] is False
