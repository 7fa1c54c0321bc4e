"""The reminders overview, the week ahead, dunning settings and the flow editor."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from outstanding.services import organization_defaults_install
from reminders.models import DunningSettings, Flow, FlowStep, Reminder, ReminderItem, ReminderStatus, StepKind
from tests.conftest import Tenant, client_for
from tests.factories import TODAY, DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org_a: Tenant) -> Tenant:
    organization_defaults_install(org_a.organization)
    return org_a


def url(name: str, tenant: Tenant, *args: object) -> str:
    return reverse(name, args=[tenant.organization.public_id, *args])


def reminder(tenant: Tenant, status: str = ReminderStatus.PLANNED) -> Reminder:
    invoice = InvoiceFactory(debtor=DebtorFactory(organization=tenant.organization, name="Jansen"))
    planned = Reminder.objects.create(
        organization=tenant.organization, debtor=invoice.debtor, channel="email", kind="reminder",
        planned_date=TODAY, status=status, error="smtp said no" if status == "needs_attention" else "",
    )  # fmt: skip
    ReminderItem.objects.create(
        organization=tenant.organization, reminder=planned, invoice=invoice, step_kind="reminder", step_day=3,
        channel="email", open_amount=invoice.open_amount,
    )  # fmt: skip
    return planned


def consumer_flow(tenant: Tenant) -> Flow:
    return Flow.objects.for_organization(tenant.organization).get(debtor_kind="b2c", variant="standard")


def test_the_overview_lists_messages_and_counts_what_needs_attention(org: Tenant) -> None:
    reminder(org, ReminderStatus.NEEDS_ATTENTION)
    response = client_for(org.viewer).get(url("reminder_overview", org))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Jansen" in content and "smtp said no" in content
    assert response.context["attention_count"] == 1


def test_the_overview_filters_by_status(org: Tenant) -> None:
    reminder(org, ReminderStatus.NEEDS_ATTENTION)
    reminder(org, ReminderStatus.SENT)
    response = client_for(org.viewer).get(url("reminder_overview", org), {"status": "attention"})
    assert [r.status for r in response.context["page"]] == [ReminderStatus.NEEDS_ATTENTION]


def test_the_week_ahead_shows_seven_days_and_writes_nothing(org: Tenant) -> None:
    debtor = DebtorFactory(organization=org.organization)
    InvoiceFactory(debtor=debtor, due_date=TODAY - dt.timedelta(days=3), issue_date=TODAY - dt.timedelta(days=33))
    response = client_for(org.viewer).get(url("week_ahead", org))
    assert response.status_code == 200
    days = response.context["days"]
    assert len(days) == 7
    assert sum(day.message_count for day in days) >= 1
    assert not Reminder.objects.for_organization(org.organization).exists()


def test_a_member_sends_a_message_that_needs_attention_again(org: Tenant) -> None:
    failed = reminder(org, ReminderStatus.NEEDS_ATTENTION)
    response = client_for(org.member).post(url("reminder_retry", org, failed.public_id))
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status in (ReminderStatus.PLANNED, ReminderStatus.SENT, ReminderStatus.FAILED)
    assert failed.status != ReminderStatus.NEEDS_ATTENTION or failed.attempts > 0


def test_a_viewer_cannot_retry_or_cancel(org: Tenant) -> None:
    planned = reminder(org)
    client = client_for(org.viewer)
    assert client.post(url("reminder_retry", org, planned.public_id)).status_code == 403
    assert client.post(url("reminder_cancel", org, planned.public_id)).status_code == 403
    planned.refresh_from_db()
    assert planned.status == ReminderStatus.PLANNED


def test_cancelling_frees_the_step_and_keeps_the_invoice_numbers(org: Tenant) -> None:
    planned = reminder(org)
    client_for(org.member).post(url("reminder_cancel", org, planned.public_id))
    planned.refresh_from_db()
    assert planned.status == ReminderStatus.CANCELLED
    assert "Invoices:" in planned.error or "Facturen" in planned.error
    assert not planned.items.exists()


def test_a_sent_message_cannot_be_cancelled(org: Tenant) -> None:
    sent = reminder(org, ReminderStatus.SENT)
    client_for(org.member).post(url("reminder_cancel", org, sent.public_id))
    sent.refresh_from_db()
    assert sent.status == ReminderStatus.SENT


def test_an_admin_changes_the_sending_days_and_the_gap(org: Tenant) -> None:
    response = client_for(org.owner).post(
        url("dunning_settings", org),
        {"send_weekdays": ["0", "2", "4"], "min_days_between_contacts": "5", "dynamic_flows": "on",
         "payment_term_days_notice": "14", "reply_to_email": "debiteuren@alpha.test", "sms_sender": "Alpha"},
    )  # fmt: skip
    assert response.status_code == 302
    settings = DunningSettings.objects.for_organization(org.organization).get()
    assert (settings.send_weekdays, settings.min_days_between_contacts) == ([0, 2, 4], 5)


@pytest.mark.parametrize(
    ("changes", "field"),
    [({"send_weekdays": []}, "send_weekdays"), ({"sms_sender": "Alpha Groothandel"}, "sms_sender"),
     ({"is_paused": "on", "pause_reason": ""}, None)],
)  # fmt: skip
def test_bad_settings_are_explained_and_nothing_changes(org: Tenant, changes: dict, field: str | None) -> None:
    data = {"send_weekdays": ["1"], "min_days_between_contacts": "3", "payment_term_days_notice": "14", **changes}
    response = client_for(org.owner).post(url("dunning_settings", org), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors if field is None else field in form.errors
    assert DunningSettings.objects.for_organization(org.organization).get().send_weekdays == [0, 1, 2, 3, 4]


def test_a_viewer_sees_the_settings_but_cannot_change_them(org: Tenant) -> None:
    client = client_for(org.viewer)
    assert client.get(url("dunning_settings", org)).status_code == 200
    assert client.post(url("dunning_settings", org), {"send_weekdays": ["6"]}).status_code == 403


def test_an_admin_adds_and_removes_a_step(org: Tenant) -> None:
    flow = Flow.objects.for_organization(org.organization).get(debtor_kind="b2b", variant="standard")
    client = client_for(org.owner)
    response = client.post(
        url("flow_step_add", org, flow.public_id),
        {"days_after_due": "21", "kind": "reminder", "channels": ["email", "sms"], "tone": "firm"},
    )
    assert response.status_code == 302
    step = flow.steps.get(days_after_due=21)
    assert step.channels == ["email", "sms"]
    client.post(url("flow_step_delete", org, flow.public_id, step.public_id))
    assert not flow.steps.filter(days_after_due=21).exists()


def test_a_fourteen_day_letter_before_the_due_date_is_refused(org: Tenant) -> None:
    flow = consumer_flow(org)
    response = client_for(org.owner).post(
        url("flow_step_add", org, flow.public_id),
        {"days_after_due": "0", "kind": StepKind.FOURTEEN_DAY_LETTER, "channels": ["letter"], "tone": "formal"},
    )
    assert response.status_code == 400
    assert "6:96" in response.content.decode()
    assert not flow.steps.filter(days_after_due=0).exists()


def test_the_consumer_flows_fourteen_day_letter_cannot_be_removed_before_hand_over(org: Tenant) -> None:
    flow = consumer_flow(org)
    letter = flow.steps.get(kind=StepKind.FOURTEEN_DAY_LETTER)
    client_for(org.owner).post(url("flow_step_delete", org, flow.public_id, letter.public_id))
    assert FlowStep.objects.for_organization(org.organization).filter(pk=letter.pk).exists()


def test_two_steps_on_one_day_are_refused(org: Tenant) -> None:
    flow = consumer_flow(org)
    existing = flow.steps.order_by("days_after_due").first()
    response = client_for(org.owner).post(
        url("flow_step_add", org, flow.public_id),
        {"days_after_due": str(existing.days_after_due), "kind": "reminder", "channels": ["email"], "tone": "firm"},
    )
    assert response.status_code == 400


def test_a_member_may_not_edit_flows(org: Tenant) -> None:
    flow = consumer_flow(org)
    response = client_for(org.member).post(
        url("flow_step_add", org, flow.public_id),
        {"days_after_due": "30", "kind": "reminder", "channels": ["email"], "tone": "firm"},
    )
    assert response.status_code == 403


def test_another_organizations_flow_answers_404(org: Tenant, org_b: Tenant) -> None:
    organization_defaults_install(org_b.organization)
    theirs = Flow.objects.for_organization(org_b.organization).first()
    client: Client = client_for(org.owner)
    assert client.get(url("flow_detail", org, theirs.public_id)).status_code == 404
    assert client.post(url("flow_step_add", org, theirs.public_id), {}).status_code == 404
