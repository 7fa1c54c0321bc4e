"""The creditor's dossier pages: the list, one dossier and its actions, opening by hand and by approval,
the judicial guard, and the collection settings. Owner, member and viewer of A; the outsider owns B."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from collection.models import Dossier, DossierClosure, DossierEvent, DossierEventKind, DossierOrigin, DossierStage
from collection.selectors import dossier_approvals_waiting_count
from collection.services import dossier_open, dossier_pause, dossier_stage_set
from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus
from outstanding.models import Organization
from tests.api_clients import api_client
from tests.collection.dossier_builders import hand_over
from tests.conftest import Tenant, client_for
from tests.factories import TODAY, DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

D = Decimal
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def organization(org_a: Tenant) -> Organization:
    organization = org_a.organization
    organization.dossier_pre_collection = False
    organization.save()
    return organization


def _invoices(debtor: Debtor, *amounts: str) -> list[Invoice]:
    return [
        InvoiceFactory(
            debtor=debtor,
            amount=D(a),
            vat_amount=D("0"),
            issue_date=dt.date(2026, 8, 1) + dt.timedelta(days=i),
            due_date=dt.date(2026, 8, 31) + dt.timedelta(days=i),
        )
        for i, a in enumerate(amounts)
    ]


def _open(organization: Organization, *amounts: str, name: str = "Bakkerij Jansen", **debtor: Any) -> Dossier:
    customer = DebtorFactory(organization=organization, name=name, **debtor)
    return dossier_open(
        organization=organization, debtor=customer, invoices=_invoices(customer, *amounts), today=TODAY,
        origin=DossierOrigin.MANUAL,
    )  # fmt: skip


@pytest.fixture
def dossier(organization: Organization) -> Dossier:
    return _open(organization, "1500.00", "850.00")


def url(name: str, dossier: Dossier, organization: Organization | None = None) -> str:
    org = organization or dossier.organization
    return reverse(name, kwargs={"org_id": org.public_id, "dossier_id": dossier.public_id})


def org_url(name: str, organization: Organization, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_id": organization.public_id, **kwargs})


def kinds(dossier: Dossier) -> list[str]:
    events = DossierEvent.objects.for_organization(dossier.organization).filter(dossier=dossier)
    return list(events.order_by("sequence").values_list("kind", flat=True))


def fresh(dossier: Dossier) -> Dossier:
    return Dossier.objects.for_organization(dossier.organization).get(pk=dossier.pk)


ACTIONS = {
    "dossier_stage": {"stage": DossierStage.JUDICIAL, "reason": "No reaction", "confirm_guard": "on"},
    "dossier_pause": {"pause-reason": "Talks with the debtor"},
    "dossier_resume": {"resume-reason": "Talks failed"},
    "dossier_court_fee": {"paid_on": "2026-11-26", "amount": "100.00"},
    "dossier_note": {"text": "Called, no answer."},
    "dossier_close": {"closure": DossierClosure.WITHDRAWN, "confirm": "on"},
}


# --- the list ---------------------------------------------------------------------------------------


def test_the_list_shows_every_dossier_with_its_amounts_to_every_member(org_a: Tenant, dossier: Dossier) -> None:
    for user in (org_a.owner, org_a.member, org_a.viewer):
        response = client_for(user).get(org_url("dossier_list", dossier.organization))
        html = response.content.decode()
        assert response.status_code == 200
        assert f'data-testid="dossier-{dossier.reference}"' in html and "Bakkerij Jansen" in html
        assert "2.350,00" in html  # principal total
        assert "352,50" in html  # WIK costs on € 2,350


def test_the_list_filters_by_stage_and_orders_by_next_action(organization: Organization, member_client: Client) -> None:
    later = _open(organization, "100.00", name="Later")
    sooner = _open(organization, "200.00", name="Sooner")
    Dossier.objects.for_organization(organization).filter(pk=later.pk).update(next_action_on=dt.date(2026, 12, 20))
    Dossier.objects.for_organization(organization).filter(pk=sooner.pk).update(next_action_on=dt.date(2026, 12, 1))
    html = member_client.get(org_url("dossier_list", organization) + "?stage=open").content.decode()
    assert html.index(sooner.reference) < html.index(later.reference)
    judicial = member_client.get(org_url("dossier_list", organization) + "?stage=judicial").content.decode()
    assert sooner.reference not in judicial and 'data-testid="dossiers-none"' in judicial
    # an unknown stage shows everything rather than failing
    assert (
        later.reference in member_client.get(org_url("dossier_list", organization) + "?stage=nonsense").content.decode()
    )


def test_the_menu_has_dossiers(member_client: Client, organization: Organization) -> None:
    html = member_client.get(org_url("organization_home", organization)).content.decode()
    assert f'href="{org_url("dossier_list", organization)}"' in html


# --- one dossier ----------------------------------------------------------------------------------


def test_the_dossier_page_shows_debtor_invoices_statement_and_timeline(viewer_client: Client, dossier: Dossier) -> None:
    response = viewer_client.get(url("dossier_detail", dossier))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bakkerij Jansen" in html and "Damrak 1" in html and "1012 LG Amsterdam" in html
    for item in dossier.items.select_related("invoice"):
        assert item.invoice.number in html
    assert "1-9-2026" in html  # interest from, the day after the first due date (Dutch short date)
    assert 'data-testid="statement-outstanding"' in html and 'data-testid="dossier-timeline"' in html
    assert 'data-kind="opened"' in html and 'data-kind="costs_set"' in html
    assert "352,50" in html  # the costs, on the timeline and in the statement


def test_a_viewer_sees_no_actions_and_is_refused_every_one(viewer_client: Client, dossier: Dossier) -> None:
    html = viewer_client.get(url("dossier_detail", dossier)).content.decode()
    assert 'id="dossier-actions"' not in html and 'id="dossier-close-link"' not in html
    for name, data in ACTIONS.items():
        assert viewer_client.post(url(name, dossier), data).status_code == 403, name
    assert viewer_client.get(url("dossier_close", dossier)).status_code == 403
    assert fresh(dossier).event_count == dossier.event_count and fresh(dossier).is_open


def test_a_member_sees_the_actions(member_client: Client, dossier: Dossier) -> None:
    html = member_client.get(url("dossier_detail", dossier)).content.decode()
    for form in ("dossier-stage-form", "dossier-pause-form", "dossier-note-form"):
        assert f'id="{form}"' in html


def test_an_outsider_gets_404_on_every_dossier_page(outsider_client: Client, dossier: Dossier) -> None:
    assert outsider_client.get(url("dossier_detail", dossier)).status_code == 404
    assert outsider_client.get(org_url("dossier_list", dossier.organization)).status_code == 404
    for name, data in ACTIONS.items():
        assert outsider_client.post(url(name, dossier), data).status_code == 404, name
    assert fresh(dossier).event_count == dossier.event_count


def test_another_organizations_dossier_is_404_in_ones_own(org_b: Tenant, dossier: Dossier) -> None:
    client = client_for(org_b.owner)
    assert client.get(url("dossier_detail", dossier, org_b.organization)).status_code == 404
    for name, data in ACTIONS.items():
        assert client.post(url(name, dossier, org_b.organization), data).status_code == 404, name
    assert fresh(dossier).event_count == dossier.event_count


def test_an_action_answers_405_to_a_get(member_client: Client, dossier: Dossier) -> None:
    assert member_client.get(url("dossier_pause", dossier)).status_code == 405


# --- moving on ------------------------------------------------------------------------------------


def test_a_member_moves_a_pre_collection_dossier_to_amicable_collection(
    org_a: Tenant, organization: Organization, member_client: Client
) -> None:
    organization.dossier_pre_collection = True
    organization.save()
    dossier = _open(organization, "500.00")
    assert dossier.stage == DossierStage.PRE_COLLECTION and dossier.costs == 0
    response = member_client.post(url("dossier_stage", dossier), {"stage": "amicable", "reason": "Letter ignored"})
    assert response.status_code == 302 and response["Location"] == url("dossier_detail", dossier)
    after = fresh(dossier)
    assert after.stage == DossierStage.AMICABLE and after.costs == D("75.00")
    assert kinds(dossier)[-2:] == [DossierEventKind.STAGE_CHANGED, DossierEventKind.COSTS_SET]
    event = DossierEvent.objects.for_organization(organization).get(dossier=dossier, kind="stage_changed")
    assert event.data["reason"] == "Letter ignored" and event.actor == org_a.member


@pytest.mark.parametrize(
    "data",
    [
        {"stage": "amicable", "reason": ""},  # no reason
        {"stage": "judicial", "reason": "   "},  # a blank reason
        {"stage": "nonsense", "reason": "Because"},  # an unknown stage
        {"stage": "closed", "reason": "Because"},  # closing is its own action
        {"stage": "enforcement", "reason": "Because"},  # not the next stage
        {"stage": "pre_collection", "reason": "Because"},  # backwards
    ],
)
def test_a_bad_stage_move_is_refused_and_changes_nothing(
    member_client: Client, dossier: Dossier, data: dict[str, str]
) -> None:
    response = member_client.post(url("dossier_stage", dossier), {**data, "confirm_guard": "on"})
    assert response.status_code == 400
    assert 'class="errorlist' in response.content.decode()
    after = fresh(dossier)
    assert after.stage == DossierStage.AMICABLE and after.event_count == dossier.event_count


def test_the_judicial_guard_shows_the_expected_net_recovery(member_client: Client, organization: Organization) -> None:
    dossier = _open(organization, "100.00")
    html = member_client.get(url("dossier_detail", dossier)).content.decode()
    assert 'data-testid="judicial-guard"' in html
    assert "234,71" in html  # bailiff costs: summons and serving the judgment (Btag estimate)
    assert 'data-testid="guard-warning"' in html  # € 140 in court costs more than it brings in
    assert 'name="confirm_guard"' in html


def test_a_warning_judicial_guard_requires_confirmation(member_client: Client, organization: Organization) -> None:
    dossier = _open(organization, "100.00")
    refused = member_client.post(url("dossier_stage", dossier), {"stage": "judicial", "reason": "No reaction"})
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'data-testid="guard-warning"' in html and 'id="id_confirm_guard"' in html
    assert fresh(dossier).stage == DossierStage.AMICABLE and fresh(dossier).event_count == dossier.event_count
    confirmed = member_client.post(
        url("dossier_stage", dossier), {"stage": "judicial", "reason": "No reaction", "confirm_guard": "on"}
    )
    assert confirmed.status_code == 302
    assert fresh(dossier).stage == DossierStage.JUDICIAL
    assert kinds(dossier)[-2:] == [DossierEventKind.STAGE_CHANGED, DossierEventKind.COURT_FEE_REQUESTED]


def test_past_the_court_the_guard_is_not_shown(member_client: Client, dossier: Dossier) -> None:
    dossier_stage_set(organization=dossier.organization, dossier=dossier, stage="judicial", today=TODAY)
    html = member_client.get(url("dossier_detail", dossier)).content.decode()
    assert 'data-testid="judicial-guard"' not in html
    assert 'id="dossier-stage-form"' not in html  # the court fee first
    assert 'id="dossier-court-fee-form"' in html


# --- pause and resume -----------------------------------------------------------------------------


def test_a_member_pauses_and_resumes_with_a_reason(member_client: Client, dossier: Dossier) -> None:
    response = member_client.post(url("dossier_pause", dossier), {"pause-reason": "Talks with the debtor"})
    assert response.status_code == 302
    assert fresh(dossier).is_paused and fresh(dossier).pause_reason == "Talks with the debtor"
    assert kinds(dossier)[-1] == DossierEventKind.PAUSED
    html = member_client.get(url("dossier_detail", dossier)).content.decode()
    assert 'id="dossier-resume-form"' in html and "Talks with the debtor" in html
    response = member_client.post(url("dossier_resume", dossier), {"resume-reason": "Talks failed"})
    assert response.status_code == 302
    assert not fresh(dossier).is_paused and kinds(dossier)[-1] == DossierEventKind.RESUMED


def test_a_pause_without_a_reason_is_refused(member_client: Client, dossier: Dossier) -> None:
    for reason in ("", "   ", "x" * 201):
        response = member_client.post(url("dossier_pause", dossier), {"pause-reason": reason})
        assert response.status_code == 400 and 'class="errorlist' in response.content.decode()
    assert not fresh(dossier).is_paused and fresh(dossier).event_count == dossier.event_count


def test_a_resume_without_a_reason_is_refused(member_client: Client, dossier: Dossier) -> None:
    dossier_pause(organization=dossier.organization, dossier=dossier, reason="Defence")
    before = fresh(dossier).event_count
    assert member_client.post(url("dossier_resume", dossier), {"resume-reason": ""}).status_code == 400
    assert fresh(dossier).is_paused and fresh(dossier).event_count == before


# --- the court fee --------------------------------------------------------------------------------


@pytest.fixture
def unknown_fee_dossier(organization: Organization) -> Dossier:
    """In court for a claim above the kantonrechter limit: the fee table has no fee, it is entered."""
    dossier = _open(organization, "30000.00")
    dossier_stage_set(organization=organization, dossier=dossier, stage="judicial", today=TODAY)
    assert fresh(dossier).court_fee is None
    return fresh(dossier)


@pytest.mark.parametrize(
    "data",
    [
        {"paid_on": "2026-11-26"},  # the amount is needed
        {"paid_on": "2026-11-26", "amount": "-10.00"},
        {"paid_on": "2026-11-26", "amount": "0"},
        {"paid_on": "2026-11-26", "amount": "abc"},
        {"paid_on": "", "amount": "100.00"},
        {"paid_on": "2999-01-01", "amount": "100.00"},  # not paid in the future
    ],
)
def test_a_bad_court_fee_is_refused(member_client: Client, unknown_fee_dossier: Dossier, data: dict[str, str]) -> None:
    response = member_client.post(url("dossier_court_fee", unknown_fee_dossier), data)
    assert response.status_code == 400 and 'class="errorlist' in response.content.decode()
    after = fresh(unknown_fee_dossier)
    assert after.court_fee is None and after.court_fee_paid_on is None
    assert after.event_count == unknown_fee_dossier.event_count


def test_a_member_records_the_court_fee_that_was_not_in_the_table(
    member_client: Client, unknown_fee_dossier: Dossier
) -> None:
    response = member_client.post(
        url("dossier_court_fee", unknown_fee_dossier), {"paid_on": "2026-11-27", "amount": "2837.00"}
    )
    assert response.status_code == 302
    after = fresh(unknown_fee_dossier)
    assert after.court_fee == D("2837.00") and after.court_fee_paid_on == dt.date(2026, 11, 27)
    assert kinds(after)[-1] == DossierEventKind.COURT_FEE_PAID
    # now the dossier can go on to the summons
    html = member_client.get(url("dossier_detail", after)).content.decode()
    assert 'id="dossier-stage-form"' in html and 'value="summons"' in html


def test_a_known_court_fee_needs_only_the_date(member_client: Client, dossier: Dossier) -> None:
    dossier_stage_set(organization=dossier.organization, dossier=dossier, stage="judicial", today=dt.date(2026, 11, 26))
    fee = fresh(dossier).court_fee
    assert fee == D("529.00")  # 2026, legal entity, claim € 2,702.50 (principal and costs)
    response = member_client.post(url("dossier_court_fee", dossier), {"paid_on": "2026-11-26", "amount": "1.00"})
    assert response.status_code == 302
    assert fresh(dossier).court_fee == fee and fresh(dossier).court_fee_paid_on == dt.date(2026, 11, 26)


def test_the_court_fee_outside_the_judicial_stage_is_refused(member_client: Client, dossier: Dossier) -> None:
    response = member_client.post(url("dossier_court_fee", dossier), {"paid_on": "2026-11-26", "amount": "100"})
    assert response.status_code == 400
    assert fresh(dossier).court_fee_paid_on is None and fresh(dossier).event_count == dossier.event_count


# --- closing --------------------------------------------------------------------------------------


def test_closing_asks_for_a_confirmation(member_client: Client, dossier: Dossier) -> None:
    page = member_client.get(url("dossier_close", dossier))
    assert page.status_code == 200 and 'name="confirm"' in page.content.decode()
    refused = member_client.post(url("dossier_close", dossier), {"closure": "withdrawn"})
    assert refused.status_code == 400 and 'class="errorlist' in refused.content.decode()
    assert fresh(dossier).is_open and fresh(dossier).event_count == dossier.event_count


def test_an_unknown_closure_is_refused(member_client: Client, dossier: Dossier) -> None:
    response = member_client.post(url("dossier_close", dossier), {"closure": "forgiven", "confirm": "on"})
    assert response.status_code == 400 and fresh(dossier).is_open


def test_a_member_closes_a_withdrawn_dossier_and_the_invoices_come_back(
    member_client: Client, dossier: Dossier
) -> None:
    response = member_client.post(
        url("dossier_close", dossier), {"closure": "withdrawn", "note": "Settled directly", "confirm": "on"}
    )
    assert response.status_code == 302
    after = fresh(dossier)
    assert after.stage == DossierStage.CLOSED and after.closure == DossierClosure.WITHDRAWN
    assert kinds(after)[-1] == DossierEventKind.CLOSED
    invoices = Invoice.objects.for_organization(after.organization).filter(dossier_items__dossier=after)
    assert not any(invoice.is_paused for invoice in invoices)
    html = member_client.get(url("dossier_detail", after)).content.decode()
    assert 'data-testid="dossier-closure"' in html and "Settled directly" in html
    assert 'id="dossier-stage-form"' not in html and 'id="dossier-close-link"' not in html
    # closing again changes nothing
    assert member_client.post(url("dossier_close", after), {"closure": "paid", "confirm": "on"}).status_code == 302
    assert fresh(after).closure == DossierClosure.WITHDRAWN and fresh(after).event_count == after.event_count


def test_an_uncollectable_dossier_writes_its_invoices_off(member_client: Client, dossier: Dossier) -> None:
    member_client.post(url("dossier_close", dossier), {"closure": "uncollectable", "confirm": "on"})
    invoices = Invoice.objects.for_organization(dossier.organization).filter(dossier_items__dossier=dossier)
    assert {invoice.status for invoice in invoices} == {InvoiceStatus.WRITTEN_OFF}


# --- notes ----------------------------------------------------------------------------------------


def test_a_member_adds_a_note_to_the_timeline(org_a: Tenant, member_client: Client, dossier: Dossier) -> None:
    response = member_client.post(url("dossier_note", dossier), {"text": "  Called, promised to pay Friday.  "})
    assert response.status_code == 302
    note = DossierEvent.objects.for_organization(dossier.organization).get(dossier=dossier, kind="note")
    assert note.summary == "Called, promised to pay Friday." and note.actor == org_a.member
    html = member_client.get(url("dossier_detail", dossier)).content.decode()
    assert 'data-kind="note"' in html and "Called, promised to pay Friday." in html


def test_an_empty_or_too_long_note_is_refused(member_client: Client, dossier: Dossier) -> None:
    for text in ("", "   ", "x" * 501):
        response = member_client.post(url("dossier_note", dossier), {"text": text})
        assert response.status_code == 400 and 'class="errorlist' in response.content.decode()
    assert fresh(dossier).event_count == dossier.event_count


# --- opening by hand ------------------------------------------------------------------------------


def new_url(debtor: Debtor) -> str:
    return org_url("dossier_new", debtor.organization, debtor_id=debtor.public_id)


def test_the_debtor_page_links_to_handing_over_for_members_only(
    member_client: Client, viewer_client: Client, organization: Organization
) -> None:
    customer = DebtorFactory(organization=organization)
    debtor_url = org_url("debtor_detail", organization, debtor_id=customer.public_id)
    assert f'href="{new_url(customer)}"' in member_client.get(debtor_url).content.decode()
    assert f'href="{new_url(customer)}"' not in viewer_client.get(debtor_url).content.decode()
    assert viewer_client.get(new_url(customer)).status_code == 403


def test_handing_over_by_hand_opens_a_manual_dossier(
    org_a: Tenant, member_client: Client, organization: Organization
) -> None:
    customer = DebtorFactory(organization=organization)
    first, second = _invoices(customer, "400.00", "600.00")
    page = member_client.get(new_url(customer))
    assert page.status_code == 200 and 'id="dossier-open"' in page.content.decode()
    response = member_client.post(new_url(customer), {"invoices": [str(first.public_id)]})
    dossier = Dossier.objects.for_organization(organization).get(debtor=customer)
    assert response.status_code == 302 and response["Location"] == url("dossier_detail", dossier)
    assert dossier.origin == DossierOrigin.MANUAL and dossier.opened_by == org_a.member
    assert [item.invoice_id for item in dossier.items.all()] == [first.pk]
    # the invoice in the dossier is no longer offered; the other one still is
    html = member_client.get(new_url(customer)).content.decode()
    assert str(second.public_id) in html and str(first.public_id) not in html


def test_handing_over_shows_what_is_missing_and_opens_nothing(
    member_client: Client, organization: Organization
) -> None:
    customer = DebtorFactory(organization=organization, street="", city="")
    [invoice] = _invoices(customer, "400.00")
    page = member_client.get(new_url(customer), **EN)
    html = page.content.decode()
    assert page.status_code == 200 and 'data-testid="dossier-problems"' in html
    assert "street and number, city" in html
    assert 'id="dossier-fix-debtor"' in html
    assert org_url("debtor_edit", organization, debtor_id=customer.public_id) in html
    assert 'id="dossier-open"' not in html
    response = member_client.post(new_url(customer), {"invoices": [str(invoice.public_id)]})
    assert response.status_code == 400 and 'data-testid="dossier-problems"' in response.content.decode()
    assert not Dossier.objects.for_organization(organization).exists()
    assert not Invoice.objects.for_organization(organization).get(pk=invoice.pk).is_paused


def test_a_consumer_without_a_fourteen_day_letter_is_not_handed_over(
    member_client: Client, organization: Organization
) -> None:
    consumer = DebtorFactory(organization=organization, kind=DebtorKind.CONSUMER)
    [invoice] = _invoices(consumer, "300.00")
    response = member_client.post(new_url(consumer), {"invoices": [str(invoice.public_id)]}, **EN)
    assert response.status_code == 400
    assert f"No 14-day letter was sent for invoice {invoice.number}" in response.content.decode()
    assert not Dossier.objects.for_organization(organization).exists()


def test_handing_over_needs_this_debtors_invoices(member_client: Client, organization: Organization) -> None:
    customer = DebtorFactory(organization=organization)
    _invoices(customer, "400.00")
    [other] = _invoices(DebtorFactory(organization=organization), "500.00")
    for data in ({}, {"invoices": [str(other.public_id)]}, {"invoices": ["not-a-uuid"]}):
        assert member_client.post(new_url(customer), data).status_code == 400
    assert not Dossier.objects.for_organization(organization).exists()


def test_the_check_shows_the_problems_of_a_selection_without_opening(
    member_client: Client, organization: Organization
) -> None:
    customer = DebtorFactory(organization=organization)
    [invoice] = _invoices(customer, "400.00")
    response = member_client.get(new_url(customer), {"invoices": [str(invoice.public_id)]})
    assert response.status_code == 200 and 'data-testid="dossier-ready"' in response.content.decode()
    assert not Dossier.objects.for_organization(organization).exists()


def test_another_organizations_debtor_cannot_be_handed_over(org_b: Tenant, organization: Organization) -> None:
    customer = DebtorFactory(organization=organization)
    [invoice] = _invoices(customer, "400.00")
    own = org_url("dossier_new", org_b.organization, debtor_id=customer.public_id)
    client = client_for(org_b.owner)
    assert client.get(own).status_code == 404
    assert client.post(own, {"invoices": [str(invoice.public_id)]}).status_code == 404
    assert not Dossier.objects.for_organization(organization).exists()


# --- approvals: hand-over reached ------------------------------------------------------------------


@pytest.fixture
def handed_over(organization: Organization) -> tuple[Debtor, Debtor, list[Invoice]]:
    """Two debtors whose invoices reached the hand-over step: one complete, one without an address."""
    ready = DebtorFactory(organization=organization, name="Klaar B.V.")
    incomplete = DebtorFactory(organization=organization, name="Onvolledig B.V.", street="", postal_code="")
    ready_invoices = _invoices(ready, "700.00", "300.00")
    hand_over(organization, ready, ready_invoices, dt.date(2026, 11, 20))
    hand_over(organization, incomplete, _invoices(incomplete, "250.00"), dt.date(2026, 11, 20))
    return ready, incomplete, ready_invoices


def ready_open_url(debtor: Debtor) -> str:
    return org_url("dossier_ready_open", debtor.organization, debtor_id=debtor.public_id)


def test_the_approvals_page_lists_the_candidates_with_their_problems(
    viewer_client: Client, organization: Organization, handed_over: tuple[Debtor, Debtor, list[Invoice]]
) -> None:
    ready, _incomplete, _ = handed_over
    html = viewer_client.get(org_url("dossier_ready", organization), **EN).content.decode()
    assert "Klaar B.V." in html and "Onvolledig B.V." in html
    assert html.count('data-testid="candidate-problems"') == 1 and "street and number, postal code" in html
    assert 'data-testid="candidate-open"' not in html  # viewers read only
    assert viewer_client.post(ready_open_url(ready)).status_code == 403
    assert not Dossier.objects.for_organization(organization).exists()


def test_approving_opens_one_dossier_per_debtor(
    member_client: Client, organization: Organization, handed_over: tuple[Debtor, Debtor, list[Invoice]]
) -> None:
    ready, _incomplete, ready_invoices = handed_over
    html = member_client.get(org_url("dossier_ready", organization)).content.decode()
    assert html.count('data-testid="candidate-open"') == 1 and ready_open_url(ready) in html
    response = member_client.post(ready_open_url(ready))
    dossier = Dossier.objects.for_organization(organization).get()
    assert response.status_code == 302 and response["Location"] == url("dossier_detail", dossier)
    assert dossier.debtor == ready and dossier.origin == DossierOrigin.HAND_OVER
    assert sorted(item.invoice_id for item in dossier.items.all()) == sorted(i.pk for i in ready_invoices)
    # a second click opens nothing more
    assert member_client.post(ready_open_url(ready)).status_code == 400
    assert Dossier.objects.for_organization(organization).count() == 1


def test_approving_a_debtor_with_problems_opens_nothing(
    member_client: Client, organization: Organization, handed_over: tuple[Debtor, Debtor, list[Invoice]]
) -> None:
    _ready, incomplete, _ = handed_over
    assert member_client.post(ready_open_url(incomplete)).status_code == 400
    assert not Dossier.objects.for_organization(organization).exists()


def test_a_debtor_without_a_hand_over_cannot_be_approved(member_client: Client, organization: Organization) -> None:
    customer = DebtorFactory(organization=organization)
    _invoices(customer, "400.00")
    assert member_client.post(ready_open_url(customer)).status_code == 400
    assert member_client.get(ready_open_url(customer)).status_code == 405
    assert not Dossier.objects.for_organization(organization).exists()


def test_the_waiting_count_counts_candidate_debtors_cheaply(
    organization: Organization, handed_over: tuple[Debtor, Debtor, list[Invoice]], django_assert_max_num_queries: Any
) -> None:
    ready, _incomplete, ready_invoices = handed_over
    with django_assert_max_num_queries(2):
        assert dossier_approvals_waiting_count(organization=organization) == 2
    dossier_open(organization=organization, debtor=ready, invoices=ready_invoices, today=TODAY, origin="hand_over")
    assert dossier_approvals_waiting_count(organization=organization) == 1


def test_the_waiting_count_is_zero_without_hand_overs(organization: Organization) -> None:
    _invoices(DebtorFactory(organization=organization), "400.00")
    assert dossier_approvals_waiting_count(organization=organization) == 0


def test_the_list_points_to_the_waiting_debtors(
    member_client: Client, organization: Organization, handed_over: tuple[Debtor, Debtor, list[Invoice]]
) -> None:
    html = member_client.get(org_url("dossier_list", organization)).content.decode()
    assert 'data-testid="dossiers-waiting"' in html and org_url("dossier_ready", organization) in html


# --- settings ---------------------------------------------------------------------------------------


SETTINGS = {"dossier_auto_open": "on", "pre_collection_days": "21"}  # pre-collection unticked


def test_an_owner_changes_the_collection_settings(owner_client: Client, organization: Organization) -> None:
    assert owner_client.get(org_url("dossier_settings", organization)).status_code == 200
    response = owner_client.post(org_url("dossier_settings", organization), SETTINGS)
    assert response.status_code == 302
    stored = Organization.objects.get(pk=organization.pk)
    assert stored.dossier_auto_open and not stored.dossier_pre_collection and stored.pre_collection_days == 21


@pytest.mark.parametrize("days", ["3", "61", "", "abc"])
def test_a_bad_pre_collection_term_is_refused(owner_client: Client, organization: Organization, days: str) -> None:
    response = owner_client.post(org_url("dossier_settings", organization), {**SETTINGS, "pre_collection_days": days})
    assert response.status_code == 400 and 'class="errorlist' in response.content.decode()
    stored = Organization.objects.get(pk=organization.pk)
    assert not stored.dossier_auto_open and stored.pre_collection_days == 14


def test_members_and_viewers_read_the_collection_settings_but_do_not_change_them(
    org_a: Tenant, organization: Organization
) -> None:
    for user in (org_a.member, org_a.viewer):
        client = client_for(user)
        page = client.get(org_url("dossier_settings", organization))
        assert page.status_code == 200 and "disabled" in page.content.decode()
        assert client.post(org_url("dossier_settings", organization), SETTINGS).status_code == 403
    assert not Organization.objects.get(pk=organization.pk).dossier_auto_open


def test_the_api_reads_and_changes_the_collection_settings(organization: Organization) -> None:
    client = api_client(organization)
    body = client.patch("/api/v1/organization/", {"dossier_auto_open": True, "pre_collection_days": 30}, format="json")
    assert body.status_code == 200, body.content
    assert body.json()["dossier_auto_open"] is True and body.json()["pre_collection_days"] == 30
    assert body.json()["dossier_pre_collection"] is False  # left out: kept
    stored = Organization.objects.get(pk=organization.pk)
    assert stored.dossier_auto_open and stored.pre_collection_days == 30 and not stored.dossier_pre_collection
    refused = client.patch("/api/v1/organization/", {"pre_collection_days": 5}, format="json")
    assert refused.status_code == 400
    assert Organization.objects.get(pk=organization.pk).pre_collection_days == 30


# --- every page, every persona ----------------------------------------------------------------------


def _pages(dossier: Dossier) -> dict[str, str]:
    organization = dossier.organization
    return {
        "list": org_url("dossier_list", organization),
        "detail": url("dossier_detail", dossier),
        "close": url("dossier_close", dossier),
        "ready": org_url("dossier_ready", organization),
        "new": org_url("dossier_new", organization, debtor_id=dossier.debtor.public_id),
        "settings": org_url("dossier_settings", organization),
    }


@pytest.mark.parametrize(
    "persona, expected",
    [
        ("owner", {"list": 200, "detail": 200, "close": 200, "ready": 200, "new": 200, "settings": 200}),
        ("member", {"list": 200, "detail": 200, "close": 200, "ready": 200, "new": 200, "settings": 200}),
        ("viewer", {"list": 200, "detail": 200, "close": 403, "ready": 200, "new": 403, "settings": 200}),
        ("outsider", dict.fromkeys(("list", "detail", "close", "ready", "new", "settings"), 404)),
    ],
)
def test_every_dossier_page_answers_each_persona(
    org_a: Tenant, org_b: Tenant, dossier: Dossier, persona: str, expected: dict[str, int]
) -> None:
    user = org_b.owner if persona == "outsider" else getattr(org_a, persona)
    client = client_for(user)
    assert {name: client.get(page).status_code for name, page in _pages(dossier).items()} == expected
