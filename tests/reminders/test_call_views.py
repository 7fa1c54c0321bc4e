"""The call list page: what a caller sees, logging outcomes, the CSV export; who may do what."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from outstanding.calendar import local_today
from reminders.models import CallOutcome, CallOutcomeKind, Channel, Reminder, ReminderStatus
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"  # the pages in English (the msgids)


def url(name: str, organization, *args: object) -> str:
    return reverse(name, args=[organization.public_id, *args])


@pytest.fixture
def debtor(org_a):
    return DebtorFactory(organization=org_a.organization, name="Bakkerij de Vries", phones=["+31201234567"])


@pytest.fixture
def call(make_reminder, org_a, debtor) -> Reminder:
    """A phone reminder due on the organization's today (the pages use the real date)."""
    invoice = InvoiceFactory(debtor=debtor, number="F2001", amount=Decimal("1234.56"))
    reminder = make_reminder(debtor, invoices=(invoice,), channel=Channel.PHONE)
    reminder.planned_date = local_today(org_a.organization.time_zone)
    reminder.save()
    return reminder


def outcomes(org_a) -> int:
    return CallOutcome.objects.for_organization(org_a.organization).count()


def test_the_call_list_shows_who_to_call_what_is_open_and_what_to_say(org_a, call, viewer_client) -> None:
    response = viewer_client.get(url("call_list", org_a.organization), HTTP_ACCEPT_LANGUAGE="nl")
    content = response.content.decode()
    assert response.status_code == 200
    assert "Bakkerij de Vries" in content and 'href="tel:+31201234567"' in content
    assert "F2001" in content and "€\xa01.234,56" in content
    assert 'class="call-script"' in content and "Totaal openstaand: €\xa01.234,56" in content  # the script


def test_an_empty_call_list_says_so(org_a, viewer_client) -> None:
    assert "Nobody to call today." in viewer_client.get(url("call_list", org_a.organization)).content.decode()


def test_a_viewer_sees_no_outcome_form(org_a, call, viewer_client) -> None:
    content = viewer_client.get(url("call_list", org_a.organization)).content.decode()
    assert url("call_outcome", org_a.organization, call.debtor.public_id) not in content


def test_a_member_logs_a_call_and_it_leaves_the_list(org_a, call, member_client) -> None:
    response = member_client.post(
        url("call_outcome", org_a.organization, call.debtor.public_id),
        {"outcome": "reached", "note": "Betaalt vrijdag."},
    )
    assert response.status_code == 302 and response["Location"] == url("call_list", org_a.organization)
    call.refresh_from_db()
    assert call.status == ReminderStatus.LOGGED
    outcome = CallOutcome.objects.for_organization(org_a.organization).get()
    assert outcome.outcome == CallOutcomeKind.REACHED and outcome.created_by == org_a.member
    content = member_client.get(url("call_list", org_a.organization)).content.decode()
    assert "Call to Bakkerij de Vries logged: Reached." in content  # the message after the redirect
    assert url("call_outcome", org_a.organization, call.debtor.public_id) not in content


def test_a_member_logs_a_promise_with_its_date(org_a, call, member_client) -> None:
    promised = local_today(org_a.organization.time_zone) + dt.timedelta(days=7)
    member_client.post(
        url("call_outcome", org_a.organization, call.debtor.public_id),
        {"outcome": "promise", "promised_date": promised.isoformat()},
    )
    invoice = call.items.get().invoice
    invoice.refresh_from_db()
    assert invoice.is_paused and invoice.paused_until == promised


def test_a_promise_without_a_date_is_shown_again_with_the_error(org_a, call, member_client) -> None:
    response = member_client.post(
        url("call_outcome", org_a.organization, call.debtor.public_id), {"outcome": "promise"}
    )
    assert response.status_code == 200
    assert "Give the date the debtor promised to pay on." in response.content.decode()
    call.refresh_from_db()
    assert call.status == ReminderStatus.PLANNED and outcomes(org_a) == 0


def test_logging_a_call_that_is_no_longer_on_the_list_explains_why(org_a, call, member_client) -> None:
    target = url("call_outcome", org_a.organization, call.debtor.public_id)
    member_client.post(target, {"outcome": "reached"})
    response = member_client.post(target, {"outcome": "no_answer"}, follow=True)
    assert "no call to log" in response.content.decode()
    assert outcomes(org_a) == 1


def test_a_viewer_cannot_log_a_call(org_a, call, viewer_client) -> None:
    response = viewer_client.post(
        url("call_outcome", org_a.organization, call.debtor.public_id), {"outcome": "reached"}
    )
    assert response.status_code == 403
    call.refresh_from_db()
    assert call.status == ReminderStatus.PLANNED and outcomes(org_a) == 0


def test_logging_a_call_needs_a_post(org_a, call, member_client) -> None:
    assert member_client.get(url("call_outcome", org_a.organization, call.debtor.public_id)).status_code == 405


def test_the_export_is_a_csv_for_dutch_excel(org_a, call, viewer_client) -> None:
    response = viewer_client.get(url("call_list_export", org_a.organization))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="call-list-')
    assert response.content.startswith(b"\xef\xbb\xbf")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[1].startswith("Bakkerij de Vries;+31201234567;F2001;1234,56;")


def test_an_outsider_gets_404_on_every_call_list_url(org_a, call, outsider_client) -> None:
    organization = org_a.organization
    for target in (
        url("call_list", organization),
        url("call_list_export", organization),
        url("call_outcome", organization, call.debtor.public_id),
    ):
        assert outsider_client.get(target).status_code == 404, target
        assert outsider_client.post(target, {"outcome": "reached"}).status_code == 404, target
    call.refresh_from_db()
    assert call.status == ReminderStatus.PLANNED and outcomes(org_a) == 0


def test_another_organizations_debtor_answers_404_on_ones_own_call_list(org_a, org_b, call, outsider_client) -> None:
    target = url("call_outcome", org_b.organization, call.debtor.public_id)
    assert outsider_client.post(target, {"outcome": "reached"}).status_code == 404
    call.refresh_from_db()
    assert call.status == ReminderStatus.PLANNED
