"""Review before sending: the week's planned messages per day, one opened as it goes out, and holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoices.models import Debtor, Invoice
from outstanding.calendar import local_today
from outstanding.services import organization_defaults_install
from reminders import engine
from reminders.models import Reminder, ReminderItem, ReminderStatus
from reminders.rendering import RenderedMessage
from reminders.selectors.review import (
    ReviewMessage,
    planned_message_render,
    review_messages_detailed,
    week_ahead_review,
)
from tests.conftest import Tenant, client_for
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org_a: Tenant) -> Tenant:
    organization_defaults_install(org_a.organization)
    return org_a


def today_of(tenant: Tenant) -> dt.date:
    return local_today(tenant.organization.time_zone)


def url(name: str, tenant: Tenant) -> str:
    return reverse(name, args=[tenant.organization.public_id])


def overdue_invoice(debtor: Debtor, number: str, days: int = 5) -> Invoice:
    due = today_of_org(debtor) - dt.timedelta(days=days)
    return InvoiceFactory(debtor=debtor, number=number, due_date=due, issue_date=due - dt.timedelta(days=30))


def invoices_of(debtor: Debtor) -> list[Invoice]:
    return list(Invoice.objects.for_organization(debtor.organization).filter(debtor=debtor).order_by("number"))


def today_of_org(debtor: Debtor) -> dt.date:
    return local_today(debtor.organization.time_zone)


@pytest.fixture
def jansen(org: Tenant) -> Debtor:
    debtor = DebtorFactory(organization=org.organization, name="Jansen Bouw B.V.")
    overdue_invoice(debtor, "2026-0101")
    overdue_invoice(debtor, "2026-0102", days=7)
    return debtor


@pytest.fixture
def pietersen(org: Tenant) -> Debtor:
    debtor = DebtorFactory(organization=org.organization, name="Pietersen Installatie")
    overdue_invoice(debtor, "2026-0201")
    return debtor


def first_message(tenant: Tenant, debtor: Debtor) -> ReviewMessage:
    """The first planned message to ``debtor`` in the coming week."""
    days = week_ahead_review(organization=tenant.organization, today=today_of(tenant)).days
    found = next(m for day in days for m in day.messages if m.debtor_id == debtor.pk)
    [detailed] = review_messages_detailed(organization=tenant.organization, messages=[found])
    return detailed


def planned_on(tenant: Tenant, day: dt.date, debtor: Debtor) -> list[engine.PlannedMessage]:
    return [m for m in engine.plan(tenant.organization, day, dry_run=True).messages if m.debtor_id == debtor.pk]


def message_params(message: ReviewMessage) -> dict[str, str]:
    return {"day": message.day.isoformat(), "debtor": str(message.debtor_public_id), "channel": message.channel}


def hold(client: Client, tenant: Tenant, message: ReviewMessage, **data: Any) -> Any:
    """Post the hold form as the page does (in English), with ``data`` replacing its values."""
    values = {"target": "message", "reason": "Disputed by phone", "until": message.day + dt.timedelta(days=14)}
    language = "nl" if client.cookies.get("django_language") else "en"
    return client.post(
        url("review_hold", tenant), {**message_params(message), **values, **data}, HTTP_ACCEPT_LANGUAGE=language
    )


def shown_messages(response: Any) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def pause_state(*rows: Invoice | Debtor) -> list[tuple[Any, ...]]:
    for row in rows:
        row.refresh_from_db()
    return [(row.is_paused, row.pause_reason, row.paused_until) for row in rows]


# --- The list ---------------------------------------------------------------------------------------------


def test_the_review_lists_each_planned_message_per_day_and_writes_nothing(org: Tenant, jansen: Debtor) -> None:
    response = client_for(org.viewer).get(url("review_list", org))

    assert response.status_code == 200
    days = response.context["days"]
    assert [day.date for day in days] == [today_of(org) + dt.timedelta(days=n) for n in range(7)]
    message = next(m for m in response.context["page"].object_list if m.debtor_id == jansen.pk)
    assert (message.channel, message.kind) == ("email", "reminder")
    assert [invoice.number for invoice in message.invoices] == ["2026-0101", "2026-0102"]
    assert message.total_open_amount == sum(i.open_amount for i in invoices_of(jansen))
    params = {"day": message.day.isoformat()}
    page = client_for(org.viewer).get(url("review_list", org), params, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Jansen Bouw B.V." in page and "2026-0101" in page and "Reminder" in page and "E-mail" in page
    assert reverse("debtor_detail", args=[org.organization.public_id, jansen.public_id]) in page
    assert "as if the days before it had run" in page
    assert not Reminder.objects.for_organization(org.organization).exists()


def test_the_review_filters_by_channel_step_and_debtor_and_keeps_them_in_the_url(
    org: Tenant, jansen: Debtor, pietersen: Debtor
) -> None:
    client = client_for(org.viewer)

    def debtors(**params: str) -> set[int]:
        days = client.get(url("review_list", org), params).context["days"]
        return {message.debtor_id for day in days for message in day.messages}

    assert debtors() == {jansen.pk, pietersen.pk}
    assert debtors(q="jANSEN") == {jansen.pk}
    assert debtors(channel="email") == {jansen.pk, pietersen.pk}
    assert debtors(channel="letter") == set()
    assert debtors(step="hand_over") == set()
    assert debtors(step="reminder", q="pieter") == {pietersen.pk}
    assert debtors(channel="no-such-channel") == {jansen.pk, pietersen.pk}  # an unknown value is ignored
    page = client.get(url("review_list", org), {"q": "jansen", "channel": "email"}).content.decode()
    assert 'value="jansen"' in page
    assert '<option value="email" selected>' in page


def test_opening_a_planned_message_shows_it_rendered_and_writes_nothing(org: Tenant, jansen: Debtor) -> None:
    message = first_message(org, jansen)
    before = pause_state(jansen, *invoices_of(jansen))

    viewer = client_for(org.viewer)
    with CaptureQueriesContext(connection) as queries:
        response = viewer.get(url("review_message", org), message_params(message))

    assert response.status_code == 200
    rendered = response.context["rendered"]
    assert rendered.subject and "2026-0101" in rendered.email_text and "2026-0102" in rendered.email_text
    assert "billing" in rendered.recipient
    page = response.content.decode()
    assert rendered.subject in page.replace("&#x27;", "'")
    writes = [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))]
    # The engine's temporary table of the dry run is dropped with its rollback; nothing else is written.
    assert [sql for sql in writes if "dunning_due" not in sql] == []
    assert not Reminder.objects.for_organization(org.organization).exists()
    assert not ReminderItem.objects.for_organization(org.organization).exists()
    assert pause_state(jansen, *invoices_of(jansen)) == before


def test_an_opened_message_tells_the_truth_about_earlier_messages(org: Tenant, jansen: Debtor) -> None:
    assert first_render(org, jansen).context["had_earlier_messages"] is False
    organization, invoice = org.organization, invoices_of(jansen)[0]
    earlier = today_of(org) - dt.timedelta(days=20)
    sent = Reminder.objects.for_organization(organization).create(
        organization=organization, debtor=jansen, channel="email", kind="reminder", planned_date=earlier,
        status=ReminderStatus.SENT, sent_date=earlier,
    )  # fmt: skip
    ReminderItem.objects.for_organization(organization).create(
        organization=organization, reminder=sent, invoice=invoice, step_kind="reminder", step_day=-3,
        channel="email", open_amount=invoice.open_amount,
    )  # fmt: skip

    context = first_render(org, jansen).context

    assert (context["had_earlier_messages"], context["earlier_message_count"]) == (True, 1)


def first_render(tenant: Tenant, debtor: Debtor) -> RenderedMessage:
    return planned_message_render(organization=tenant.organization, message=first_message(tenant, debtor))


def test_an_htmx_request_gets_only_the_message_panel(org: Tenant, jansen: Debtor) -> None:
    message = first_message(org, jansen)
    response = client_for(org.viewer).get(url("review_message", org), message_params(message), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "<html" not in response.content.decode()
    assert 'data-testid="review-rendered"' in response.content.decode()


def test_a_message_that_is_not_planned_is_not_found(org: Tenant, jansen: Debtor) -> None:
    message = first_message(org, jansen)
    params = {**message_params(message), "channel": "sms"}
    assert client_for(org.viewer).get(url("review_message", org), params).status_code == 404
    params = {**message_params(message), "day": "not-a-date"}
    assert client_for(org.viewer).get(url("review_message", org), params).status_code == 404


# --- Holds ------------------------------------------------------------------------------------------------


def test_holding_a_message_pauses_its_invoices_until_the_date_and_the_engine_skips_them(
    org: Tenant, jansen: Debtor
) -> None:
    message = first_message(org, jansen)
    until = message.day + dt.timedelta(days=14)

    response = hold(client_for(org.member), org, message, until=until.isoformat())

    assert response.status_code == 302
    invoices = invoices_of(jansen)
    assert pause_state(*invoices) == [(True, "Disputed by phone", until)] * 2
    assert pause_state(jansen) == [(False, "", None)]
    assert planned_on(org, message.day, jansen) == []
    [shown] = shown_messages(response)
    assert "held until" in shown and "Undo" in shown and 'name="invoice"' in shown
    next_page = client_for(org.member).get(response.url)
    assert 'data-testid="undo-form"' not in next_page.content.decode()  # another session: nothing to undo


def test_undoing_a_held_message_restores_it(org: Tenant, jansen: Debtor) -> None:
    message = first_message(org, jansen)
    client = client_for(org.member)
    held = hold(client, org, message)
    assert 'data-testid="undo-form"' in client.get(held.url).content.decode()  # the button, not its escaped HTML
    invoices = invoices_of(jansen)

    response = client.post(url("review_resume", org), {"invoice": [str(i.public_id) for i in invoices]})

    assert response.status_code == 302
    assert pause_state(*invoices) == [(False, "", None)] * 2
    [replanned] = [m for m in planned_on(org, message.day, jansen) if m.channel == message.channel]
    assert sorted(replanned.invoice_ids) == sorted(message.invoice_ids)


def test_holding_one_invoice_leaves_the_others_in_the_message(org: Tenant, jansen: Debtor) -> None:
    message = first_message(org, jansen)
    held, kept = sorted(message.invoices, key=lambda invoice: invoice.number)

    response = hold(client_for(org.member), org, message, target=str(held.public_id))

    assert response.status_code == 302
    assert "2026-0101" in shown_messages(response)[0]
    [still] = [m for m in planned_on(org, message.day, jansen) if m.channel == message.channel]
    assert still.invoice_ids == (kept.id,)
    by_id = {invoice.pk: invoice for invoice in invoices_of(jansen)}
    assert by_id[held.id].is_paused and not by_id[kept.id].is_paused


def test_holding_the_debtor_pauses_everything_for_them_and_undo_resumes(org: Tenant, jansen: Debtor) -> None:
    message = first_message(org, jansen)
    client = client_for(org.member)
    until = message.day + dt.timedelta(days=10)

    response = hold(client, org, message, target="debtor", reason="Bankruptcy", until=until.isoformat())

    assert pause_state(jansen) == [(True, "Bankruptcy", until)]
    assert planned_on(org, message.day, jansen) == []
    assert 'name="debtor"' in shown_messages(response)[0]
    client.post(url("review_resume", org), {"debtor": str(jansen.public_id)})
    assert pause_state(jansen) == [(False, "", None)]
    assert planned_on(org, message.day, jansen) != []


def test_the_list_no_longer_shows_a_held_message(org: Tenant, jansen: Debtor, pietersen: Debtor) -> None:
    client = client_for(org.member)
    client.get(url("review_list", org))  # the week is planned (and cached) before the hold
    hold(client, org, first_message(org, jansen))

    days = client.get(url("review_list", org)).context["days"]

    assert {message.debtor_id for day in days for message in day.messages} == {pietersen.pk}


def test_an_invoice_of_another_message_cannot_be_held_through_this_one(
    org: Tenant, jansen: Debtor, pietersen: Debtor
) -> None:
    message = first_message(org, jansen)
    other = invoices_of(pietersen)[0]
    response = hold(client_for(org.member), org, message, target=str(other.public_id))
    assert response.status_code == 404
    assert pause_state(other) == [(False, "", None)]


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"reason": "   "}, "Give a reason for pausing."),
        ({"reason": "x" * 201}, "Keep the reason to 200 characters or fewer."),
        ({"until": ""}, "Give the date the hold ends."),
        ({"until": "2020-01-01"}, "The end date must be after today."),
    ],
)
def test_a_hold_without_a_reason_or_with_a_bad_end_date_changes_nothing(
    org: Tenant, jansen: Debtor, changes: dict[str, str], error: str
) -> None:
    message = first_message(org, jansen)
    rows = [jansen, *invoices_of(jansen)]
    before = pause_state(*rows)

    response = hold(client_for(org.member), org, message, **changes)

    assert response.status_code == 302
    assert error in " ".join(shown_messages(response))
    assert pause_state(*rows) == before


def test_a_hold_error_reads_in_dutch_for_a_dutch_user(org: Tenant, jansen: Debtor) -> None:
    message = first_message(org, jansen)
    client = client_for(org.member)
    client.cookies["django_language"] = "nl"
    response = hold(client, org, message, reason="")
    assert "Give a reason" not in " ".join(shown_messages(response))


def test_the_default_end_of_a_hold_is_two_weeks_ahead(org: Tenant, jansen: Debtor) -> None:
    message = first_message(org, jansen)
    response = client_for(org.member).get(url("review_message", org), message_params(message))
    assert response.context["hold_form"]["until"].value() == today_of(org) + dt.timedelta(days=14)


def test_a_viewer_sees_the_list_and_the_message_but_cannot_hold_or_resume(org: Tenant, jansen: Debtor) -> None:
    message = first_message(org, jansen)
    viewer = client_for(org.viewer)

    assert viewer.get(url("review_message", org), message_params(message)).context["hold_form"] is None
    assert hold(viewer, org, message).status_code == 403
    invoice = invoices_of(jansen)[0]
    assert viewer.post(url("review_resume", org), {"invoice": [str(invoice.public_id)]}).status_code == 403
    assert pause_state(jansen, invoice) == [(False, "", None)] * 2


def test_holding_needs_a_post(org: Tenant, jansen: Debtor) -> None:
    message = first_message(org, jansen)
    assert client_for(org.member).get(url("review_hold", org), message_params(message)).status_code == 405


def test_another_organizations_debtor_or_invoice_is_not_found(org: Tenant, jansen: Debtor, org_b: Tenant) -> None:
    organization_defaults_install(org_b.organization)
    theirs = DebtorFactory(organization=org_b.organization, name="Theirs B.V.")
    their_invoice = overdue_invoice(theirs, "B-1")
    message = first_message(org_b, theirs)
    member = client_for(org.member)

    assert member.get(url("review_message", org), message_params(message)).status_code == 404
    assert hold(member, org, message).status_code == 404
    assert member.post(url("review_resume", org), {"invoice": [str(their_invoice.public_id)]}).status_code == 404
    assert member.post(url("review_resume", org), {"debtor": str(theirs.public_id)}).status_code == 404
    assert pause_state(theirs, their_invoice) == [(False, "", None)] * 2
    assert client_for(org_b.owner).get(url("review_list", org)).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_second_load_reuses_the_plans_until_the_data_changes(org: Tenant, jansen: Debtor, pietersen: Debtor) -> None:
    """Committed requests, as in production: the plans are cached under the data's fingerprint."""
    client = client_for(org.member)

    def load() -> tuple[set[int], int]:
        with CaptureQueriesContext(connection) as queries:
            days = client.get(url("review_list", org)).context["days"]
        dry_runs = sum("CREATE TEMP TABLE" in q["sql"] for q in queries)
        return {message.debtor_id for day in days for message in day.messages}, dry_runs

    first, planned = load()
    again, planned_again = load()
    assert first == again == {jansen.pk, pietersen.pk}
    assert planned >= 1 and planned_again == 0
    hold(client, org, first_message(org, jansen))

    after_hold, planned_after = load()

    assert after_hold == {pietersen.pk}
    assert planned_after >= 1


def test_a_hold_without_the_csrf_token_is_refused(org: Tenant, jansen: Debtor) -> None:
    message = first_message(org, jansen)
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.member)
    assert hold(client, org, message).status_code == 403
    assert pause_state(*invoices_of(jansen)) == [(False, "", None)] * 2


def test_the_week_plays_out_as_the_runs_will_each_message_once(org: Tenant) -> None:
    """Each day is planned as if the days before it had run: a debtor contacted on Monday is not listed
    again on Tuesday, and the next step comes at the flow's interval, after the week."""
    monday = dt.date(2026, 11, 23)
    debtor = DebtorFactory(organization=org.organization, name="Visser Techniek")
    InvoiceFactory(debtor=debtor, number="2026-0301", due_date=monday - dt.timedelta(days=30),
                   issue_date=monday - dt.timedelta(days=60))  # fmt: skip
    days = week_ahead_review(organization=org.organization, today=monday).days
    listed = [
        (day.date, message.kind) for day in days for message in day.messages if message.debtor_name == debtor.name
    ]
    # the gentle start: the first step (a reminder by e-mail) on Monday; day +3 follows six days later
    assert listed == [(monday, "reminder")]
    assert not Reminder.objects.for_organization(org.organization).exists()
