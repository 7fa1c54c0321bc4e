"""The go-live gate: reminders stay off until switched on with the facts every message needs."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from outstanding import demo
from outstanding.calendar import local_today
from outstanding.models import Organization
from outstanding.services import organization_create, organization_defaults_install
from reminders import tasks
from reminders.models import BacklogStart, Channel, DunningRun, DunningSettings, Reminder, ReminderStatus
from reminders.selectors import reminders as reminder_selectors
from reminders.services import activation, dispatch, letters
from reminders.services import dunning as dunning_services
from tests.conftest import Tenant, client_for
from tests.factories import TODAY, DebtorFactory, InvoiceFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)

SWITCHED_OFF = (
    "Not sent: reminders are switched off for your organization. Switch them on under Settings → "
    "Switch reminders on, then send this message again."
)
WORKER_STOPPED = "The worker stopped while sending; check whether it arrived before sending again."


def settings_of(organization: Organization) -> DunningSettings:
    return DunningSettings.objects.for_organization(organization).get()


def overdue_invoice(organization: Organization, today: dt.date, days: int = 5):  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization, emails=["debiteur@klant.test"])
    due = today - dt.timedelta(days=days)
    return InvoiceFactory(debtor=debtor, due_date=due, issue_date=due - dt.timedelta(days=30))


@pytest.fixture
def new_organization() -> Organization:
    """Signed up a minute ago: defaults installed, reminders off, no address, no IBAN."""
    return organization_create(name="Nieuw B.V.", owner=UserFactory())


@pytest.fixture
def ready_organization() -> Organization:
    """Every fact filled in, reminders not switched on yet."""
    organization = OrganizationFactory(reminders_active=False)
    organization_defaults_install(organization)
    return organization


# --- the facts ------------------------------------------------------------------------------------


def test_a_new_organization_starts_with_reminders_off_and_misses_every_fact(new_organization) -> None:
    assert settings_of(new_organization).reminders_active is False
    missing = [fact.field for fact in activation.organization_missing_facts(new_organization)]
    assert missing == ["legal_name", "street", "postal_code", "city", "iban", "email"]


def test_an_organization_with_every_fact_misses_nothing(ready_organization) -> None:
    assert activation.organization_missing_facts(ready_organization) == []


def test_blank_space_counts_as_missing(ready_organization) -> None:
    ready_organization.iban = "   "
    assert [fact.field for fact in activation.organization_missing_facts(ready_organization)] == ["iban"]


# --- switching on and off -------------------------------------------------------------------------


def test_switching_on_refuses_and_lists_what_is_missing(new_organization) -> None:
    with pytest.raises(activation.MissingFactsError) as refused:
        activation.reminders_activate(organization=new_organization, user=None, today=MONDAY)

    assert [fact.field for fact in refused.value.missing] == [
        "legal_name",
        "street",
        "postal_code",
        "city",
        "iban",
        "email",
    ]
    assert "iban" in refused.value.message_dict
    assert settings_of(new_organization).reminders_active is False
    assert settings_of(new_organization).activated_at is None


def test_switching_on_records_who_and_when_and_tells_what_the_first_run_sends(ready_organization) -> None:
    overdue_invoice(ready_organization, MONDAY)
    user = UserFactory()

    result = activation.reminders_activate(organization=ready_organization, user=user, today=MONDAY)

    settings = settings_of(ready_organization)
    assert settings.reminders_active is True
    assert settings.activated_by == user and settings.activated_at is not None
    assert result.first_run.date == MONDAY
    assert result.next_run_messages == 1
    assert result.first_run.per_channel_and_step() == [("email", "reminder", 1)]
    assert not Reminder.objects.for_organization(ready_organization).exists()  # a preview writes nothing


def test_switching_on_stores_the_chosen_backlog_start(ready_organization) -> None:
    activation.reminders_activate(
        organization=ready_organization, user=None, today=MONDAY, backlog_start=BacklogStart.BY_AGE
    )
    assert settings_of(ready_organization).backlog_start == BacklogStart.BY_AGE


def test_switching_on_twice_keeps_the_first_switch_on(ready_organization) -> None:
    first, second = UserFactory(), UserFactory()
    activation.reminders_activate(organization=ready_organization, user=first, today=MONDAY)
    activated_at = settings_of(ready_organization).activated_at

    activation.reminders_activate(organization=ready_organization, user=second, today=MONDAY)

    settings = settings_of(ready_organization)
    assert (settings.activated_by, settings.activated_at) == (first, activated_at)


def test_switching_off_stops_the_daily_run(ready_organization) -> None:
    overdue_invoice(ready_organization, MONDAY)
    activation.reminders_activate(organization=ready_organization, user=None, today=MONDAY)

    activation.reminders_deactivate(organization=ready_organization, user=None)

    assert settings_of(ready_organization).reminders_active is False
    dunning_services.dunning_run(organization=ready_organization, today=MONDAY)
    assert not Reminder.objects.for_organization(ready_organization).exists()


def test_the_first_run_is_tomorrow_once_this_mornings_run_has_happened(ready_organization) -> None:
    overdue_invoice(ready_organization, MONDAY)
    dunning_services.dunning_run(organization=ready_organization, today=MONDAY)  # off: plans nothing

    result = activation.reminders_activate(organization=ready_organization, user=None, today=MONDAY)

    assert result.first_run.date == MONDAY + dt.timedelta(days=1)
    assert result.next_run_messages == 1


def test_the_first_run_skips_the_weekend(ready_organization) -> None:
    saturday = MONDAY - dt.timedelta(days=2)
    assert activation.next_run_day(ready_organization, saturday) == MONDAY


def test_another_backlog_start_is_previewed_without_changing_the_settings(ready_organization) -> None:
    overdue_invoice(ready_organization, MONDAY)

    preview = activation.first_run_preview(ready_organization, MONDAY, backlog_start=BacklogStart.BY_AGE)

    assert preview.message_count == 1
    assert settings_of(ready_organization).backlog_start == BacklogStart.GENTLE


# --- the daily run while off ------------------------------------------------------------------------


def test_the_daily_run_of_an_organization_that_is_off_succeeds_and_says_so(ready_organization) -> None:
    overdue_invoice(ready_organization, MONDAY)

    dunning_services.dunning_run(organization=ready_organization, today=MONDAY)

    run = DunningRun.objects.for_organization(ready_organization).get()
    assert run.succeeded and run.error == "" and run.reminders_created == 0
    assert "switched off" in run.summary
    assert not Reminder.objects.for_organization(ready_organization).exists()


def test_the_beat_task_of_an_organization_that_is_off_reports_it_and_records_a_clean_run(ready_organization) -> None:
    overdue_invoice(ready_organization, local_today(ready_organization.time_zone))

    summary = tasks.dunning_run_organization(ready_organization.pk)

    assert summary.endswith("reminders are switched off")
    run = DunningRun.objects.for_organization(ready_organization).get()
    assert run.succeeded and run.error == "" and run.summary == summary
    assert not Reminder.objects.for_organization(ready_organization).exists()


def test_run_dunning_counts_the_organizations_that_are_off(ready_organization) -> None:
    overdue_invoice(ready_organization, MONDAY)
    out, err = StringIO(), StringIO()

    call_command("run_dunning", "--date", MONDAY.isoformat(), stdout=out, stderr=err)

    assert out.getvalue().strip().splitlines()[-1] == (
        f"planned 0 messages for 0 invoices in 1 organizations (0 failed); 1 with reminders switched off as of {MONDAY}"
    )
    assert err.getvalue() == ""
    assert DunningRun.objects.for_organization(ready_organization).get().succeeded


# --- a message whose facts are missing is held --------------------------------------------------------


def test_a_message_of_an_organization_without_iban_is_not_sent_and_waits_with_the_reason(
    smtp_sink, make_reminder, ready_organization
) -> None:
    settings = settings_of(ready_organization)
    settings.reminders_active = True
    settings.save()
    Organization.objects.filter(pk=ready_organization.pk).update(iban="")
    invoice = overdue_invoice(ready_organization, MONDAY)
    reminder = make_reminder(invoice.debtor, invoices=(invoice,))

    outcome = dispatch.reminder_send(reminder.pk)

    assert outcome.status == ReminderStatus.NEEDS_ATTENTION
    assert smtp_sink.received == []  # no "op rekeningnummer  ten name van" goes out
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.NEEDS_ATTENTION
    # stored in the organization's language (Dutch, whatever the worker's language), naming what is missing
    ready_organization.refresh_from_db()
    with translation.override("en"):
        assert reminder.error == activation.reminder_hold_reason(ready_organization)
    assert "IBAN" in reminder.error
    assert reminder_selectors.attention_count(organization=ready_organization) == 1
    assert list(reminder_selectors.reminder_list(organization=ready_organization, status="attention")) == [reminder]


def test_a_live_organization_without_iban_gets_nothing_out_and_every_message_waits_for_attention(
    ready_organization,
) -> None:
    activation.reminders_activate(organization=ready_organization, user=None, today=MONDAY)
    Organization.objects.filter(pk=ready_organization.pk).update(iban="")
    for _ in range(2):
        overdue_invoice(ready_organization, MONDAY)

    result = dunning_services.dunning_run(organization=ready_organization, today=MONDAY, send_now=True)

    assert len(result.created_reminder_ids) == 2
    assert mail.outbox == []
    statuses = set(Reminder.objects.for_organization(ready_organization).values_list("status", flat=True))
    assert statuses == {ReminderStatus.NEEDS_ATTENTION}
    assert reminder_selectors.attention_count(organization=ready_organization) == 2


def test_a_message_of_an_organization_that_switched_off_is_held(smtp_sink, make_reminder, ready_organization) -> None:
    invoice = overdue_invoice(ready_organization, MONDAY)
    reminder = make_reminder(invoice.debtor, invoices=(invoice,))

    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.NEEDS_ATTENTION

    assert smtp_sink.received == []
    reminder.refresh_from_db()
    with translation.override("nl"):
        assert reminder.error == gettext(SWITCHED_OFF)


def test_an_english_organization_gets_the_reason_in_english(smtp_sink, make_reminder, ready_organization) -> None:
    Organization.objects.filter(pk=ready_organization.pk).update(default_language="en")
    ready_organization.refresh_from_db()
    invoice = overdue_invoice(ready_organization, MONDAY)
    reminder = make_reminder(invoice.debtor, invoices=(invoice,))

    dispatch.reminder_send(reminder.pk)

    reminder.refresh_from_db()
    assert reminder.error.startswith("Not sent: reminders are switched off")


def test_a_letter_of_an_organization_without_iban_is_not_printed_and_waits_with_the_reason(
    make_reminder, ready_organization
) -> None:
    activation.reminders_activate(organization=ready_organization, user=None, today=MONDAY)
    Organization.objects.filter(pk=ready_organization.pk).update(iban="")
    invoice = overdue_invoice(ready_organization, MONDAY)
    letter = make_reminder(invoice.debtor, invoices=(invoice,), channel=Channel.LETTER)

    assert letters.letter_batch_create(organization=ready_organization, date=TODAY) is None

    letter.refresh_from_db()
    assert letter.status == ReminderStatus.NEEDS_ATTENTION
    assert "IBAN" in letter.error and letter.letter_batch is None


def test_once_the_iban_is_filled_in_the_held_message_goes_out_on_retry(
    smtp_sink, make_reminder, ready_organization
) -> None:
    activation.reminders_activate(organization=ready_organization, user=None, today=MONDAY)
    iban = ready_organization.iban
    Organization.objects.filter(pk=ready_organization.pk).update(iban="")
    invoice = overdue_invoice(ready_organization, MONDAY)
    reminder = make_reminder(invoice.debtor, invoices=(invoice,))
    dispatch.reminder_send(reminder.pk)
    Organization.objects.filter(pk=ready_organization.pk).update(iban=iban)

    reminder.refresh_from_db()
    dispatch.reminder_retry(reminder=reminder)
    dispatch.reminder_send(reminder.pk)  # what the queued task does after commit

    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SENT, reminder.error
    [received] = smtp_sink.received
    assert "NL91" in received.text


def test_stale_sending_reminders_are_released_with_a_reason_in_each_organizations_language(make_reminder) -> None:
    english = OrganizationFactory(default_language="en")
    dutch = OrganizationFactory(default_language="nl")
    stuck = []
    for organization in (english, dutch):
        invoice = overdue_invoice(organization, MONDAY)
        stuck.append(make_reminder(invoice.debtor, invoices=(invoice,), status=ReminderStatus.SENDING))
    Reminder.unscoped.update(updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))

    assert dispatch.stale_sending_release() == 2

    for reminder in stuck:
        reminder.refresh_from_db()
    assert [reminder.status for reminder in stuck] == [ReminderStatus.NEEDS_ATTENTION] * 2
    assert stuck[0].error.startswith("The worker stopped while sending")
    with translation.override("nl"):
        assert stuck[1].error == gettext(WORKER_STOPPED)


# --- the page ---------------------------------------------------------------------------------------


@pytest.fixture
def org_off(org_a: Tenant) -> Tenant:
    organization_defaults_install(org_a.organization)
    DunningSettings.objects.for_organization(org_a.organization).update(reminders_active=False)
    return org_a


def url(name: str, tenant: Tenant) -> str:
    return reverse(name, args=[tenant.organization.public_id])


def test_the_page_shows_the_checklist_and_the_first_run(org_off: Tenant) -> None:
    overdue_invoice(org_off.organization, local_today(org_off.organization.time_zone))
    Organization.objects.filter(pk=org_off.organization.pk).update(iban="")

    response = client_for(org_off.viewer).get(url("reminders_activation", org_off))

    assert response.status_code == 200
    content = response.content.decode()
    assert 'data-testid="reminders-off"' in content
    assert response.context["missing_fields"] == {"iban"}
    assert reverse("organization_settings", args=[org_off.organization.public_id]) + "#id_iban" in content
    previews = response.context["previews"]
    assert len(previews) == len(BacklogStart.choices)
    assert all(preview.message_count == 1 for _label, preview in previews)
    assert reverse("reminder_overview", args=[org_off.organization.public_id]) in content


def test_a_member_switches_reminders_on_and_the_page_says_who(org_off: Tenant) -> None:
    client = client_for(org_off.member)

    response = client.post(url("reminders_activation", org_off), {"backlog_start": BacklogStart.BY_AGE}, follow=True)

    settings = settings_of(org_off.organization)
    assert settings.reminders_active and settings.activated_by == org_off.member
    assert settings.backlog_start == BacklogStart.BY_AGE
    content = response.content.decode()
    assert org_off.member.display_name in content and 'data-testid="reminders-on"' in content


def test_switching_on_with_missing_facts_changes_nothing_and_says_why(org_off: Tenant) -> None:
    Organization.objects.filter(pk=org_off.organization.pk).update(street="", city="")

    response = client_for(org_off.owner).post(url("reminders_activation", org_off), {"backlog_start": "gentle"})

    assert response.status_code == 200
    assert settings_of(org_off.organization).reminders_active is False
    assert response.context["missing_fields"] == {"street", "city"}
    assert [str(message) for message in response.context["messages"]]


def test_a_bad_backlog_start_is_refused(org_off: Tenant) -> None:
    response = client_for(org_off.owner).post(url("reminders_activation", org_off), {"backlog_start": "everything"})

    assert response.status_code == 200
    assert response.context["form"].errors["backlog_start"]
    assert settings_of(org_off.organization).reminders_active is False


def test_a_viewer_sees_the_page_but_cannot_switch_on_or_off(org_off: Tenant) -> None:
    client = client_for(org_off.viewer)
    assert client.post(url("reminders_activation", org_off), {"backlog_start": "gentle"}).status_code == 403
    assert settings_of(org_off.organization).reminders_active is False
    DunningSettings.objects.for_organization(org_off.organization).update(reminders_active=True)
    assert client.post(url("reminders_deactivate", org_off)).status_code == 403
    assert settings_of(org_off.organization).reminders_active is True


def test_a_member_switches_reminders_off(org_a: Tenant) -> None:
    response = client_for(org_a.member).post(url("reminders_deactivate", org_a))

    assert response.status_code == 302
    assert settings_of(org_a.organization).reminders_active is False


def test_switching_off_takes_a_post(org_a: Tenant) -> None:
    assert client_for(org_a.member).get(url("reminders_deactivate", org_a)).status_code == 405
    assert settings_of(org_a.organization).reminders_active is True


def test_the_page_needs_the_csrf_token() -> None:
    from django.test import Client

    tenant_org = OrganizationFactory(reminders_active=False)
    organization_defaults_install(tenant_org)
    from tests.factories import MembershipFactory

    owner = MembershipFactory(organization=tenant_org, role="owner").user
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)

    response = client.post(reverse("reminders_activation", args=[tenant_org.public_id]), {"backlog_start": "gentle"})

    assert response.status_code == 403
    assert settings_of(tenant_org).reminders_active is False


def test_an_outsider_gets_404(org_off: Tenant, outsider_client) -> None:
    assert outsider_client.get(url("reminders_activation", org_off)).status_code == 404
    assert outsider_client.post(url("reminders_activation", org_off), {"backlog_start": "gentle"}).status_code == 404
    assert outsider_client.post(url("reminders_deactivate", org_off)).status_code == 404
    assert settings_of(org_off.organization).reminders_active is False


# --- the home page --------------------------------------------------------------------------------


def test_the_home_page_shows_the_go_live_checklist_until_reminders_are_on(org_off: Tenant) -> None:
    Organization.objects.filter(pk=org_off.organization.pk).update(iban="")
    home = reverse("organization_home", args=[org_off.organization.public_id])

    content = client_for(org_off.viewer).get(home).content.decode()
    assert 'data-testid="go-live"' in content
    assert reverse("reminders_activation", args=[org_off.organization.public_id]) in content
    assert "#id_iban" in content

    DunningSettings.objects.for_organization(org_off.organization).update(reminders_active=True)
    assert 'data-testid="go-live"' not in client_for(org_off.viewer).get(home).content.decode()


# --- the demo -------------------------------------------------------------------------------------


def test_the_demo_organization_is_switched_on_by_its_owner(settings) -> None:
    call_command("seed_demo", "--size", "small", stdout=StringIO())

    organization = Organization.objects.get(name=demo.DEMO_ORGANIZATION_NAME)
    dunning = settings_of(organization)
    assert dunning.reminders_active is True
    assert dunning.activated_by.email == settings.DEMO_USER_EMAIL
    assert activation.organization_missing_facts(organization) == []
