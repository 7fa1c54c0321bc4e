"""The creditor's arrangement pages: the list, one arrangement, approve and reject; outsiders get 404."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from collection.models import Arrangement, ArrangementStatus
from collection.services import arrangement_propose
from invoices.models import Invoice
from tests.collection.arrangement_builders import limits, open_invoice
from tests.conftest import Tenant
from tests.factories import TODAY, DebtorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def arrangement(org_a: Tenant) -> Arrangement:
    organization = org_a.organization
    limits(organization)
    debtor = DebtorFactory(organization=organization, name="Bakkerij Jansen")
    invoices = [open_invoice(debtor, "F-1", "100.00"), open_invoice(debtor, "F-2", "50.01")]
    return arrangement_propose(
        organization=organization,
        debtor=debtor,
        invoices=invoices,
        term_count=3,
        debtor_note="Drie delen.",
        today=TODAY,
    )


def url(name: str, arrangement: Arrangement) -> str:
    return reverse(name, kwargs={"org_id": arrangement.organization.public_id, "arrangement_id": arrangement.public_id})


def list_url(tenant: Tenant) -> str:
    return reverse("arrangement_list", kwargs={"org_id": tenant.organization.public_id})


def test_the_list_shows_open_proposals_to_every_member(viewer_client, org_a, arrangement) -> None:
    response = viewer_client.get(list_url(org_a))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bakkerij Jansen" in html and 'data-testid="arrangements-open"' in html


def test_the_detail_shows_invoices_terms_and_the_debtors_note(member_client, arrangement) -> None:
    html = member_client.get(url("arrangement_detail", arrangement)).content.decode()
    assert "F-1" in html and "F-2" in html and "Drie delen." in html
    assert 'id="arrangement-approve"' in html and 'id="arrangement-reject"' in html


def test_a_viewer_sees_no_decision_buttons_and_may_not_decide(viewer_client, arrangement) -> None:
    assert 'id="arrangement-approve"' not in viewer_client.get(url("arrangement_detail", arrangement)).content.decode()
    assert viewer_client.post(url("arrangement_approve", arrangement)).status_code == 403
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.PROPOSED


def test_a_member_approves(member_client, org_a, arrangement, django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(url("arrangement_approve", arrangement), {"note": "Akkoord."})
    assert response.status_code == 302 and response["Location"] == url("arrangement_detail", arrangement)
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.APPROVED and arrangement.decided_by == org_a.member
    assert arrangement.decision_note == "Akkoord."
    assert [message.to for message in mail.outbox] == [arrangement.debtor.emails]


def test_a_rejection_without_a_note_is_refused_and_nothing_changes(member_client, arrangement) -> None:
    response = member_client.post(url("arrangement_reject", arrangement), {"note": ""})
    assert response.status_code == 400
    assert 'id="note-error"' in response.content.decode()
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.PROPOSED


def test_a_rejection_with_a_note_resumes_the_invoices(member_client, arrangement) -> None:
    response = member_client.post(url("arrangement_reject", arrangement), {"note": "Te lang."})
    assert response.status_code == 302
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.REJECTED
    assert not Invoice.objects.for_organization(arrangement.organization).filter(is_paused=True).exists()


def test_deciding_twice_is_refused_with_a_clear_message(member_client, arrangement) -> None:
    member_client.post(url("arrangement_approve", arrangement))
    response = member_client.post(url("arrangement_reject", arrangement), {"note": "Toch niet."})
    assert response.status_code == 400
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.APPROVED


def test_a_get_on_approve_is_not_allowed(member_client, arrangement) -> None:
    assert member_client.get(url("arrangement_approve", arrangement)).status_code == 405


@pytest.mark.parametrize("name", ["arrangement_detail", "arrangement_approve", "arrangement_reject"])
def test_an_outsider_gets_404(outsider_client, arrangement, name) -> None:
    assert outsider_client.get(url(name, arrangement)).status_code == 404
    assert outsider_client.post(url(name, arrangement), {"note": "x"}).status_code == 404
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.PROPOSED


def test_an_outsider_gets_404_on_the_list(outsider_client, org_a) -> None:
    assert outsider_client.get(list_url(org_a)).status_code == 404


def test_another_organizations_arrangement_is_404_in_ones_own(outsider_client, org_b, arrangement) -> None:
    path = reverse(
        "arrangement_detail", kwargs={"org_id": org_b.organization.public_id, "arrangement_id": arrangement.public_id}
    )
    assert outsider_client.get(path).status_code == 404
    assert arrangement.public_id.hex not in outsider_client.get(list_url(org_b)).content.decode()
