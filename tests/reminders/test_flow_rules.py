"""The flow editor refuses flows that would skip a legal step or send it where it has no effect."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from outstanding.services import organization_defaults_install
from reminders.models import Flow, FlowStep, StepKind
from tests.conftest import Tenant, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org_a: Tenant) -> Tenant:
    organization_defaults_install(org_a.organization)
    return org_a


def flow(tenant: Tenant, kind: str) -> Flow:
    return Flow.objects.for_organization(tenant.organization).get(debtor_kind=kind, variant="standard")


def add_step(tenant: Tenant, target: Flow, **fields: object):  # type: ignore[no-untyped-def]
    data = {"days_after_due": "21", "kind": "reminder", "channels": ["email"], "tone": "formal", **fields}
    url = reverse("flow_step_add", args=[tenant.organization.public_id, target.public_id])
    return client_for(tenant.owner).post(url, data)


def edit_data(step: FlowStep, **fields: object) -> dict[str, object]:
    """The step's row in the editor: fields prefixed with the step's id."""
    data = {"days_after_due": str(step.days_after_due), "kind": step.kind, "channels": step.channels, "tone": step.tone}
    data.update(fields)
    return {f"{step.public_id}-{name}": value for name, value in data.items()}


def test_a_fourteen_day_letter_in_a_business_flow_is_refused_in_dutch(org: Tenant) -> None:
    business = flow(org, "b2b")
    response = add_step(org, business, kind=StepKind.FOURTEEN_DAY_LETTER, channels=["letter"])
    assert response.status_code == 400
    assert "veertiendagenbrief is voor consumenten" in response.content.decode().lower()
    assert not business.steps.filter(days_after_due=21).exists()


@pytest.mark.parametrize("channels", [["sms"], ["phone"], ["sms", "phone"]])
def test_a_fourteen_day_letter_that_is_not_in_writing_is_refused(org: Tenant, channels: list[str]) -> None:
    consumer = flow(org, "b2c")
    response = add_step(org, consumer, kind=StepKind.FOURTEEN_DAY_LETTER, channels=channels)
    assert response.status_code == 400
    assert not consumer.steps.filter(days_after_due=21).exists()


def test_a_fourteen_day_letter_by_email_alone_is_accepted(org: Tenant) -> None:
    consumer = flow(org, "b2c")
    existing = consumer.steps.get(kind=StepKind.FOURTEEN_DAY_LETTER)
    url = reverse("flow_step_edit", args=[org.organization.public_id, consumer.public_id, existing.public_id])
    assert client_for(org.owner).post(url, edit_data(existing, channels=["email"])).status_code == 302
    assert FlowStep.objects.for_organization(org.organization).get(pk=existing.pk).channels == ["email"]


def test_a_notice_of_default_by_sms_only_is_refused(org: Tenant) -> None:
    business = flow(org, "b2b")
    notice = business.steps.get(kind=StepKind.NOTICE_OF_DEFAULT)
    url = reverse("flow_step_edit", args=[org.organization.public_id, business.public_id, notice.public_id])
    response = client_for(org.owner).post(url, edit_data(notice, channels=["sms"]), follow=True)
    assert "schriftelijk" in response.content.decode()
    assert FlowStep.objects.for_organization(org.organization).get(pk=notice.pk).channels == ["email", "letter"]


def test_the_business_flows_notice_of_default_cannot_be_removed_before_hand_over(org: Tenant) -> None:
    business = flow(org, "b2b")
    notice = business.steps.get(kind=StepKind.NOTICE_OF_DEFAULT)
    url = reverse("flow_step_delete", args=[org.organization.public_id, business.public_id, notice.public_id])
    with translation.override("en"):
        response = client_for(org.owner).post(url)
    assert FlowStep.objects.for_organization(org.organization).filter(pk=notice.pk).exists()
    assert response.status_code in (302, 400)


def test_a_hand_over_before_the_notice_of_default_is_refused(org: Tenant) -> None:
    business = flow(org, "b2b")
    notice = business.steps.get(kind=StepKind.NOTICE_OF_DEFAULT)
    response = add_step(org, business, kind=StepKind.HAND_OVER, days_after_due=str(notice.days_after_due - 1))
    assert response.status_code == 400
    assert not business.steps.filter(kind=StepKind.HAND_OVER, days_after_due=notice.days_after_due - 1).exists()
