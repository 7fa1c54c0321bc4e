"""The reminder flow panel on the debtor page and the creditor's choice of a flow for one debtor."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from invoices.models import Debtor, DebtorKind
from outstanding.services import organization_defaults_install
from reminders.models import DunningSettings, Flow, FlowVariant
from reminders.selectors.flows import FlowSource, debtor_flow_state
from reminders.services.flows import debtor_flow_choose
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def flows(org_a: Tenant, org_b: Tenant) -> None:
    """Both organizations get their default flows (factories do not install them)."""
    organization_defaults_install(org_a.organization)
    organization_defaults_install(org_b.organization)


@pytest.fixture
def debtor(org_a: Tenant, flows) -> Debtor:
    return DebtorFactory(
        organization=org_a.organization,
        kind=DebtorKind.BUSINESS,
        flow_variant=FlowVariant.FIRM,
        flow_variant_reason={"code": "average_late", "days": 12, "count": 23},
    )


def flow_of(organization, kind: str, variant: str) -> Flow:
    return Flow.objects.for_organization(organization).get(debtor_kind=kind, variant=variant)


def choose_url(debtor: Debtor) -> str:
    return reverse("debtor_flow_choose", args=[debtor.organization.public_id, debtor.public_id])


def page_url(debtor: Debtor) -> str:
    return reverse("debtor_detail", args=[debtor.organization.public_id, debtor.public_id])


def text_of(response, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', response.content.decode(), re.S)
    assert match, testid
    return " ".join(match.group(1).split())


def chosen(debtor: Debtor) -> Flow | None:
    debtor.refresh_from_db()
    return debtor.flow


# --- the panel --------------------------------------------------------------------------------------


def test_the_panel_shows_the_automatic_flow_and_the_reason(debtor, viewer_client) -> None:
    response = viewer_client.get(page_url(debtor))
    assert text_of(response, "flow-applied") == "Zakelijk – streng"
    assert text_of(response, "flow-why") == "Chosen from the payment history:"
    assert text_of(response, "flow-reason") == "Pays on average 12 days late over 23 invoices."


def test_a_viewer_sees_no_form_to_choose(debtor, viewer_client) -> None:
    assert 'data-testid="flow-form"' not in viewer_client.get(page_url(debtor)).content.decode()


def test_a_member_chooses_among_the_organizations_flows_for_the_debtors_kind_only(org_a, debtor, member_client) -> None:
    content = member_client.get(page_url(debtor)).content.decode()
    form = content[content.index('data-testid="flow-form"') :]
    options = re.findall(r'<option value="([^"]*)"', form)
    business_flows = Flow.objects.for_organization(org_a.organization).filter(debtor_kind=DebtorKind.BUSINESS)
    assert sorted(options) == sorted(["", *(str(flow.public_id) for flow in business_flows)])
    assert "Particulier" not in form


def test_a_chosen_flow_says_so_and_still_shows_the_automatic_choice(org_a, debtor, viewer_client) -> None:
    friendly = flow_of(org_a.organization, DebtorKind.BUSINESS, FlowVariant.FRIENDLY)
    debtor_flow_choose(organization=org_a.organization, debtor=debtor, flow=friendly)
    response = viewer_client.get(page_url(debtor))
    assert text_of(response, "flow-applied") == "Zakelijk – vriendelijk"
    assert text_of(response, "flow-why").startswith("You chose this flow for this debtor.")
    assert "Zakelijk – streng" in text_of(response, "flow-why")


def test_with_dynamic_flows_off_the_standard_flow_applies(org_a, debtor, viewer_client) -> None:
    DunningSettings.objects.for_organization(org_a.organization).update(dynamic_flows=False)
    response = viewer_client.get(page_url(debtor))
    assert text_of(response, "flow-applied") == "Zakelijk"
    assert "off in your reminder settings" in text_of(response, "flow-why")
    assert 'data-testid="flow-reason"' not in response.content.decode()


def test_a_debtor_not_scored_yet_says_so(org_a, flows, viewer_client) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    assert text_of(viewer_client.get(page_url(debtor)), "flow-reason").startswith("Not scored yet")


def test_without_any_flow_the_page_says_no_reminders_are_sent(org_a, viewer_client) -> None:
    debtor = DebtorFactory(organization=org_a.organization)  # no defaults installed
    assert "no reminders are sent" in text_of(viewer_client.get(page_url(debtor)), "flow-applied")


def test_a_flow_for_another_kind_of_debtor_is_flagged(org_a, debtor, viewer_client) -> None:
    Debtor.objects.for_organization(org_a.organization).filter(pk=debtor.pk).update(
        flow=flow_of(org_a.organization, DebtorKind.CONSUMER, FlowVariant.STANDARD)
    )
    response = viewer_client.get(page_url(debtor))
    assert "14-day letter" in text_of(response, "flow-other-kind")


def test_the_debtor_page_with_its_flow_panel_keeps_its_query_budget(
    debtor, viewer_client, django_assert_max_num_queries
) -> None:
    for _ in range(30):
        InvoiceFactory(debtor=debtor)
    with django_assert_max_num_queries(11):  # 9 + the messages timeline (2)
        viewer_client.get(page_url(debtor))


# --- the state behind the panel, as the engine sees it ----------------------------------------------


@pytest.mark.parametrize(
    ("variant", "dynamic", "expected_variant", "source"),
    [
        (FlowVariant.FIRM, True, FlowVariant.FIRM, FlowSource.AUTOMATIC),
        (FlowVariant.FIRM, False, FlowVariant.STANDARD, FlowSource.STANDARD),
        ("unknown", True, FlowVariant.STANDARD, FlowSource.STANDARD),
    ],
)
def test_the_state_follows_the_engines_order(org_a, flows, variant, dynamic, expected_variant, source) -> None:
    DunningSettings.objects.for_organization(org_a.organization).update(dynamic_flows=dynamic)
    debtor = DebtorFactory(organization=org_a.organization, kind=DebtorKind.CONSUMER, flow_variant=variant)
    state = debtor_flow_state(organization=org_a.organization, debtor=debtor)
    assert (state.applied.debtor_kind, state.applied.variant, state.source) == (
        DebtorKind.CONSUMER,
        expected_variant,
        source,
    )


def test_the_state_takes_one_query(org_a, debtor, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        state = debtor_flow_state(organization=org_a.organization, debtor=debtor)
    assert len(state.options) == 4


# --- choosing ---------------------------------------------------------------------------------------


def test_a_member_chooses_a_flow_for_the_debtor(org_a, debtor, member_client) -> None:
    friendly = flow_of(org_a.organization, DebtorKind.BUSINESS, FlowVariant.FRIENDLY)
    response = member_client.post(choose_url(debtor), {"flow": str(friendly.public_id)}, follow=True)
    assert response.redirect_chain == [(page_url(debtor), 302)]
    assert chosen(debtor) == friendly
    content = response.content.decode()
    assert f"{debtor.name} now gets the flow “Zakelijk – vriendelijk”." in content


def test_automatic_removes_the_choice(org_a, debtor, member_client) -> None:
    debtor_flow_choose(
        organization=org_a.organization,
        debtor=debtor,
        flow=flow_of(org_a.organization, DebtorKind.BUSINESS, FlowVariant.CAREFUL),
    )
    response = member_client.post(choose_url(debtor), {"flow": ""})
    assert response.status_code == 302
    assert chosen(debtor) is None


def test_a_viewer_may_not_choose(org_a, debtor, viewer_client) -> None:
    firm = flow_of(org_a.organization, DebtorKind.BUSINESS, FlowVariant.FRIENDLY)
    assert viewer_client.post(choose_url(debtor), {"flow": str(firm.public_id)}).status_code == 403
    assert chosen(debtor) is None


def test_an_outsider_gets_404(org_a, debtor, outsider_client) -> None:
    firm = flow_of(org_a.organization, DebtorKind.BUSINESS, FlowVariant.FRIENDLY)
    assert outsider_client.post(choose_url(debtor), {"flow": str(firm.public_id)}).status_code == 404
    assert chosen(debtor) is None


def test_another_organizations_flow_is_refused_and_nothing_changes(org_b, debtor, member_client) -> None:
    foreign = flow_of(org_b.organization, DebtorKind.BUSINESS, FlowVariant.FRIENDLY)
    response = member_client.post(choose_url(debtor), {"flow": str(foreign.public_id)})
    assert response.status_code == 200
    assert "Choose one of your flows for this kind of debtor." in response.content.decode()
    assert chosen(debtor) is None


def test_a_flow_for_consumers_is_refused_for_a_business(org_a, debtor, member_client) -> None:
    consumer_flow = flow_of(org_a.organization, DebtorKind.CONSUMER, FlowVariant.STANDARD)
    response = member_client.post(choose_url(debtor), {"flow": str(consumer_flow.public_id)})
    assert "Choose one of your flows for this kind of debtor." in response.content.decode()
    assert chosen(debtor) is None


def test_a_malformed_flow_id_is_refused(debtor, member_client) -> None:
    response = member_client.post(choose_url(debtor), {"flow": "not-a-uuid"})
    assert "Choose one of your flows for this kind of debtor." in response.content.decode()
    assert chosen(debtor) is None


def test_get_is_not_allowed(debtor, member_client) -> None:
    assert member_client.get(choose_url(debtor)).status_code == 405


def test_another_organizations_debtor_answers_404_on_ones_own_pages(org_a, org_b, flows, outsider_client) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    url = reverse("debtor_flow_choose", args=[org_b.organization.public_id, debtor.public_id])
    assert outsider_client.post(url, {"flow": ""}).status_code == 404


# --- the service refuses what the form would never offer --------------------------------------------


def test_the_service_refuses_another_organizations_flow(org_a, org_b, debtor) -> None:
    foreign = flow_of(org_b.organization, DebtorKind.BUSINESS, FlowVariant.FIRM)
    with pytest.raises(ValidationError):
        debtor_flow_choose(organization=org_a.organization, debtor=debtor, flow=foreign)
    assert chosen(debtor) is None


def test_the_service_refuses_a_flow_for_another_kind(org_a, debtor) -> None:
    with pytest.raises(ValidationError):
        debtor_flow_choose(
            organization=org_a.organization,
            debtor=debtor,
            flow=flow_of(org_a.organization, DebtorKind.CONSUMER, FlowVariant.FIRM),
        )
    assert chosen(debtor) is None
