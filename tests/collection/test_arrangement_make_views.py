"""The creditor makes an arrangement from the debtor page; the list and the page follow what is paid."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from collection.models import Arrangement, ArrangementStatus
from collection.services.arrangement_execution import arrangements_run
from invoices.models import Invoice, PaymentSource
from invoices.services import payment_record
from outstanding.calendar import local_today
from tests.collection.arrangement_builders import open_invoice
from tests.conftest import Tenant
from tests.factories import TODAY, DebtorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def debtor(org_a: Tenant):
    return DebtorFactory(organization=org_a.organization, name="Bakkerij Jansen", emails=["boekhouding@jansen.test"])


@pytest.fixture
def invoices(debtor) -> list[Invoice]:
    return [open_invoice(debtor, "F-1", "100.00"), open_invoice(debtor, "F-2", "50.01")]


def new_url(debtor) -> str:  # type: ignore[no-untyped-def]
    return reverse("arrangement_new", kwargs={"org_id": debtor.organization.public_id, "debtor_id": debtor.public_id})


def made(org_a: Tenant) -> list[Arrangement]:
    return list(Arrangement.objects.for_organization(org_a.organization))


def form_data(chosen, **fields) -> dict[str, object]:  # type: ignore[no-untyped-def]
    first = local_today() + dt.timedelta(days=7)
    return {
        "invoices": [str(invoice.public_id) for invoice in chosen],
        "term_count": "2",
        "first_due_date": first.isoformat(),
        "note": "Zoals telefonisch afgesproken.",
        **fields,
    }


def test_the_debtor_page_links_to_a_new_arrangement_for_members_only(
    member_client, viewer_client, debtor, invoices
) -> None:
    page = reverse("debtor_detail", kwargs={"org_id": debtor.organization.public_id, "debtor_id": debtor.public_id})
    assert new_url(debtor) in member_client.get(page).content.decode()
    assert new_url(debtor) not in viewer_client.get(page).content.decode()


def test_the_form_offers_the_open_invoices_ticked(member_client, debtor, invoices) -> None:
    other = open_invoice(DebtorFactory(organization=debtor.organization), "F-OTHER", "10.00")
    html = member_client.get(new_url(debtor)).content.decode()
    assert html.count(" checked>") == 2 and "F-1" in html and "F-2" in html and "F-OTHER" not in html
    assert str(other.public_id) not in html


def test_a_member_makes_an_arrangement_approved_at_once_and_the_debtor_gets_the_schedule(
    member_client, org_a, debtor, invoices, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(new_url(debtor), form_data(invoices))

    [arrangement] = made(org_a)
    assert response.status_code == 302 and str(arrangement.public_id) in response["Location"]
    assert arrangement.status == ArrangementStatus.APPROVED and arrangement.source == "creditor"
    assert arrangement.decided_by == org_a.member and arrangement.total == Decimal("150.01")
    assert arrangement.decision_note == "Zoals telefonisch afgesproken."
    [message] = mail.outbox
    assert message.to == ["boekhouding@jansen.test"] and "75,01" in message.body  # the debtor's Dutch


@pytest.mark.parametrize(
    "fields",
    [
        {"first_due_date": "2020-01-01"},
        {"first_due_date": "not a date"},
        {"term_count": "0"},
        {"term_count": "99"},
        {"invoices": []},
        {"invoices": ["00000000-0000-0000-0000-000000000000"]},
    ],
)
def test_bad_input_answers_400_and_makes_nothing(member_client, org_a, debtor, invoices, fields) -> None:
    response = member_client.post(new_url(debtor), form_data(invoices, **fields))

    assert response.status_code == 400
    assert made(org_a) == []
    assert not any(Invoice.objects.for_organization(org_a.organization).filter(is_paused=True))


def test_another_debtors_invoice_is_refused(member_client, org_a, debtor, invoices) -> None:
    other = open_invoice(DebtorFactory(organization=debtor.organization), "F-OTHER", "10.00")
    response = member_client.post(new_url(debtor), form_data([*invoices, other]))
    assert response.status_code == 400 and made(org_a) == []


def test_a_viewer_may_not_make_one(viewer_client, org_a, debtor, invoices) -> None:
    assert viewer_client.post(new_url(debtor), form_data(invoices)).status_code == 403
    assert made(org_a) == []


def test_an_outsider_gets_404(outsider_client, org_a, debtor, invoices) -> None:
    assert outsider_client.get(new_url(debtor)).status_code == 404
    assert outsider_client.post(new_url(debtor), form_data(invoices)).status_code == 404
    assert made(org_a) == []


def test_another_organizations_debtor_is_a_404(member_client, org_b, invoices) -> None:
    stranger = DebtorFactory(organization=org_b.organization)
    assert member_client.get(new_url(stranger)).status_code == 404


def test_the_list_and_the_page_show_what_is_paid_and_that_it_completed(
    member_client, org_a, debtor, invoices, django_capture_on_commit_callbacks
) -> None:
    member_client.post(new_url(debtor), form_data(invoices))
    [arrangement] = made(org_a)
    for invoice, reference in zip(invoices, ["b-1", "b-2"], strict=True):
        payment_record(
            organization=org_a.organization,
            invoice=invoice,
            amount=invoice.open_amount,
            date=TODAY,
            source=PaymentSource.BANK,
            reference=reference,
        )
    with django_capture_on_commit_callbacks(execute=True):
        arrangements_run(organization=org_a.organization, today=TODAY)

    listing = member_client.get(reverse("arrangement_list", kwargs={"org_id": org_a.organization.public_id}))
    detail = member_client.get(
        reverse(
            "arrangement_detail",
            kwargs={"org_id": org_a.organization.public_id, "arrangement_id": arrangement.public_id},
        )
    )
    assert 'data-testid="arrangement-ended"' in listing.content.decode()
    completed = member_client.get(
        reverse("arrangement_list", kwargs={"org_id": org_a.organization.public_id}) + "?status=completed"
    )
    assert "Bakkerij Jansen" in completed.content.decode()
    assert 'data-testid="arrangement-ended"' in detail.content.decode()
    assert 'data-testid="term-2"' in detail.content.decode()
