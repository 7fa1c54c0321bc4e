"""The read-only reminders API: what was planned and sent, with its invoices, filtered, tenants apart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from outstanding.models import ApiKeyAccess
from reminders.models import Channel, Reminder, ReminderStatus
from tests.api_clients import api_client, assert_error
from tests.conftest import Tenant
from tests.factories import TODAY, DebtorFactory, InvoiceFactory
from tests.reminders.conftest import MakeReminder

pytestmark = pytest.mark.django_db

REMINDERS = "/api/v1/reminders/"


@pytest.fixture
def client(org_a: Tenant) -> APIClient:
    return api_client(org_a.organization, ApiKeyAccess.READ)


def planned_on(reminder: Reminder, day: dt.date) -> Reminder:
    """``make_reminder`` plans for TODAY; move a reminder to another day."""
    Reminder.objects.for_organization(reminder.organization).filter(pk=reminder.pk).update(planned_date=day)
    reminder.refresh_from_db()
    return reminder


def ids(response) -> list[str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_a_reminder_shows_its_debtor_invoices_and_outcome(
    client: APIClient, org_a: Tenant, make_reminder: MakeReminder
) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    first, second = InvoiceFactory(debtor=debtor), InvoiceFactory(debtor=debtor)
    sent_at = timezone.now()
    reminder = make_reminder(debtor, invoices=(first, second), status=ReminderStatus.SENT, sent_at=sent_at)

    body = client.get(f"{REMINDERS}{reminder.public_id}/").json()

    assert body["id"] == str(reminder.public_id)
    assert body["debtor"] == str(debtor.public_id)
    assert body["invoices"] == [str(first.public_id), str(second.public_id)]
    assert (body["channel"], body["kind"], body["status"]) == ("email", "reminder", "sent")
    assert body["date"] == TODAY.isoformat()
    assert body["sent_at"] is not None and body["error"] == ""


def test_a_failed_reminder_says_why(client: APIClient, org_a: Tenant, make_reminder: MakeReminder) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    reminder = make_reminder(debtor, status=ReminderStatus.NEEDS_ATTENTION, error="No e-mail address.")

    body = client.get(f"{REMINDERS}{reminder.public_id}/").json()

    assert (body["status"], body["error"], body["sent_at"]) == ("needs_attention", "No e-mail address.", None)


def test_reminders_are_listed_newest_first(client: APIClient, org_a: Tenant, make_reminder: MakeReminder) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    older = planned_on(make_reminder(debtor), TODAY - dt.timedelta(days=7))
    newer = make_reminder(debtor)

    assert ids(client.get(REMINDERS)) == [str(newer.public_id), str(older.public_id)]


@pytest.fixture
def planned(org_a: Tenant, make_reminder: MakeReminder) -> dict[str, Reminder]:
    acme = DebtorFactory(organization=org_a.organization, name="Acme")
    bakker = DebtorFactory(organization=org_a.organization, name="Bakker")
    acme_invoice, bakker_invoice = InvoiceFactory(debtor=acme), InvoiceFactory(debtor=bakker)
    return {
        "acme_email": make_reminder(acme, invoices=(acme_invoice,), status=ReminderStatus.SENT),
        "acme_letter": planned_on(
            make_reminder(acme, invoices=(acme_invoice,), channel=Channel.LETTER), TODAY - dt.timedelta(days=3)
        ),
        "bakker_sms": make_reminder(bakker, invoices=(bakker_invoice,), channel=Channel.SMS),
    }


def test_reminders_are_filtered(client: APIClient, planned: dict[str, Reminder]) -> None:
    def found(query: str) -> set[str]:
        by_id = {str(reminder.public_id): name for name, reminder in planned.items()}
        return {by_id[reminder_id] for reminder_id in ids(client.get(REMINDERS + query))}

    acme = planned["acme_email"].debtor
    acme_invoice = planned["acme_email"].items.get().invoice
    assert found("") == {"acme_email", "acme_letter", "bakker_sms"}
    assert found(f"?debtor={acme.public_id}") == {"acme_email", "acme_letter"}
    assert found(f"?invoice={acme_invoice.public_id}") == {"acme_email", "acme_letter"}
    assert found(f"?date={TODAY - dt.timedelta(days=3)}") == {"acme_letter"}
    assert found("?status=sent") == {"acme_email"}
    assert found("?channel=sms") == {"bakker_sms"}
    assert found(f"?debtor={acme.public_id}&channel=letter") == {"acme_letter"}


@pytest.mark.parametrize("query", ["?date=yesterday", "?status=lost", "?channel=fax", "?debtor=12", "?invoice=x"])
def test_an_invalid_filter_is_400(client: APIClient, query: str) -> None:
    error = assert_error(client.get(REMINDERS + query), 400, "validation_error")

    assert query[1:].split("=")[0] in error["details"]


def test_a_page_of_reminders_takes_a_fixed_number_of_queries(
    client: APIClient, org_a: Tenant, make_reminder: MakeReminder, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    for _ in range(25):
        debtor = DebtorFactory(organization=org_a.organization)
        make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor), InvoiceFactory(debtor=debtor)))

    # key lookup, count, page, items with their invoices: the same for 25 reminders as for one
    with django_assert_max_num_queries(5):
        response = client.get(REMINDERS + "?page_size=25")

    assert len(response.json()["results"]) == 25
    assert all(len(row["invoices"]) == 2 for row in response.json()["results"])


def test_reminders_cannot_be_changed_through_the_api(org_a: Tenant, make_reminder: MakeReminder) -> None:
    reminder = make_reminder(DebtorFactory(organization=org_a.organization))
    client = api_client(org_a.organization, ApiKeyAccess.READ_WRITE)

    assert_error(client.patch(f"{REMINDERS}{reminder.public_id}/", {"status": "sent"}), 405, "method_not_allowed")
    assert_error(client.delete(f"{REMINDERS}{reminder.public_id}/"), 405, "method_not_allowed")
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.PLANNED


def test_another_organizations_reminders_are_404_and_never_listed(
    client: APIClient, org_b: Tenant, make_reminder: MakeReminder
) -> None:
    foreign_debtor = DebtorFactory(organization=org_b.organization)
    foreign_invoice = InvoiceFactory(debtor=foreign_debtor)
    foreign = make_reminder(foreign_debtor, invoices=(foreign_invoice,))

    assert_error(client.get(f"{REMINDERS}{foreign.public_id}/"), 404, "not_found")
    assert ids(client.get(REMINDERS)) == []
    assert ids(client.get(REMINDERS + f"?debtor={foreign_debtor.public_id}")) == []
    assert ids(client.get(REMINDERS + f"?invoice={foreign_invoice.public_id}")) == []
