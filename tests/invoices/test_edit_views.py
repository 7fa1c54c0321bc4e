"""Adding and editing debtors and invoices by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from invoices.models import Debtor, Invoice
from tests.conftest import Tenant, client_for
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def url(name: str, tenant: Tenant, *args: object) -> str:
    return reverse(name, args=[tenant.organization.public_id, *args])


def debtor_data(**changes: str) -> dict[str, str]:
    data = {
        "kind": "b2b", "name": "Bakkerij Jansen", "contact_person": "Piet Jansen",
        "emails": "Piet@Jansen.test\nboekhouding@jansen.test", "phones": "0612345678", "street": "Dorpsstraat 1",
        "postal_code": "1234 AB", "city": "Edam", "country": "NL", "language": "nl", "kvk_number": "1234 5678",
        "vat_id": "NL000099998B57", "external_id": "", "notes": "",
    }  # fmt: skip
    return {**data, **changes}


def test_a_member_adds_a_debtor_with_several_addresses(org_a: Tenant) -> None:
    response = client_for(org_a.member).post(url("debtor_new", org_a), debtor_data())
    assert response.status_code == 302
    debtor = Debtor.objects.for_organization(org_a.organization).get()
    assert debtor.emails == ["piet@jansen.test", "boekhouding@jansen.test"]
    assert (debtor.kvk_number, debtor.phones) == ("12345678", ["+31612345678"])


@pytest.mark.parametrize(
    ("field", "value"), [("emails", "not-an-address"), ("kvk_number", "1234"), ("vat_id", "NL123"), ("name", "")]
)
def test_bad_debtor_data_is_explained_and_nothing_is_saved(org_a: Tenant, field: str, value: str) -> None:
    response = client_for(org_a.member).post(url("debtor_new", org_a), debtor_data(**{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Debtor.objects.for_organization(org_a.organization).exists()


def test_a_member_edits_a_debtor(org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization, name="Oud")
    response = client_for(org_a.member).post(url("debtor_edit", org_a, debtor.public_id), debtor_data(name="Nieuw"))
    assert response.status_code == 302
    debtor.refresh_from_db()
    assert debtor.name == "Nieuw"


def test_a_viewer_cannot_add_or_edit(org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization, name="Oud")
    client = client_for(org_a.viewer)
    assert client.post(url("debtor_new", org_a), debtor_data()).status_code == 403
    assert client.post(url("debtor_edit", org_a, debtor.public_id), debtor_data(name="X")).status_code == 403
    assert client.post(url("invoice_new", org_a), {}).status_code == 403
    debtor.refresh_from_db()
    assert debtor.name == "Oud"


def test_a_member_adds_an_invoice_by_hand(org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    response = client_for(org_a.member).post(
        url("invoice_new", org_a),
        {"debtor": debtor.pk, "number": "2026-100", "issue_date": "2026-11-01", "due_date": "2026-12-01",
         "amount": "121.00", "vat_amount": "21.00"},
    )  # fmt: skip
    assert response.status_code == 302
    invoice = Invoice.objects.for_organization(org_a.organization).get(number="2026-100")
    assert (invoice.open_amount, invoice.due_date) == (Decimal("121.00"), dt.date(2026, 12, 1))


def test_a_duplicate_number_or_a_due_date_before_the_invoice_date_is_refused(org_a: Tenant) -> None:
    existing = InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization), number="2026-1")
    client = client_for(org_a.member)
    base = {"debtor": existing.debtor.pk, "issue_date": "2026-11-01", "amount": "10.00", "vat_amount": "0"}
    duplicate = client.post(url("invoice_new", org_a), {**base, "number": "2026-1", "due_date": "2026-12-01"})
    backwards = client.post(url("invoice_new", org_a), {**base, "number": "2026-2", "due_date": "2026-10-01"})
    assert (duplicate.status_code, backwards.status_code) == (400, 400)
    assert Invoice.objects.for_organization(org_a.organization).count() == 1


def test_another_organizations_debtor_cannot_be_chosen(org_a: Tenant, org_b: Tenant) -> None:
    theirs = DebtorFactory(organization=org_b.organization)
    response = client_for(org_a.member).post(
        url("invoice_new", org_a),
        {"debtor": theirs.pk, "number": "X-1", "issue_date": "2026-11-01", "due_date": "2026-12-01",
         "amount": "10.00", "vat_amount": "0"},
    )  # fmt: skip
    assert response.status_code == 400
    assert not Invoice.objects.for_organization(org_b.organization).exists()


def test_the_debtor_page_shows_its_messages(org_a: Tenant) -> None:
    from reminders.models import Reminder

    debtor = DebtorFactory(organization=org_a.organization)
    Reminder.objects.create(
        organization=org_a.organization, debtor=debtor, channel="email", kind="reminder",
        planned_date=dt.date(2026, 11, 2), status="sent",
    )  # fmt: skip
    response = client_for(org_a.viewer).get(url("debtor_detail", org_a, debtor.public_id))
    assert len(response.context["timeline"]) == 1
