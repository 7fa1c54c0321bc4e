"""The Monday e-mail: its figures, its week ahead against what the engine then sends, once per member a week."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import CommandError, call_command

from invoices.models import Invoice, InvoiceStatus
from outstanding.models import Membership, Role, WeeklySummary
from outstanding.services import organization_defaults_install
from outstanding.weekly_summary import is_due, unsubscribe_token, weekly_summaries_due, weekly_summary_facts
from reminders.models import Reminder
from reminders.services.activation import reminders_activate
from reminders.services.dunning import dunning_run
from tests.factories import DebtorFactory, InvoiceFactory, MembershipFactory

MONDAY = dt.date(2026, 11, 23)
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture
def organization(org_a):  # type: ignore[no-untyped-def]
    organization = org_a.organization
    organization_defaults_install(organization)
    reminders_activate(organization=organization, user=org_a.owner, today=MONDAY)
    for days_overdue, amount in ((-2, "100.00"), (3, "250.00"), (9, "80.50"), (45, "1200.00")):
        debtor = DebtorFactory(organization=organization)
        due = MONDAY - dt.timedelta(days=days_overdue)
        InvoiceFactory(debtor=debtor, amount=Decimal(amount), issue_date=due - dt.timedelta(days=30), due_date=due)
    InvoiceFactory(debtor=DebtorFactory(organization=organization), status=InvoiceStatus.PAID)
    return organization


def _send(*args: str) -> str:
    out = StringIO()
    call_command("send_weekly_summaries", *args, stdout=out)
    return out.getvalue().strip().splitlines()[-1]


def test_each_member_gets_one_summary_a_week_however_often_it_runs(organization, org_a, org_b) -> None:  # type: ignore[no-untyped-def]
    Membership.objects.filter(user=org_a.viewer).update(weekly_summary=False)
    assert _send("--date", MONDAY.isoformat(), "--org", str(organization.public_id)) == "weekly summaries sent: 2"
    assert sorted(m.to[0] for m in mail.outbox) == sorted([org_a.owner.email, org_a.member.email])
    assert _send("--date", MONDAY.isoformat(), "--org", str(organization.public_id)) == "weekly summaries sent: 0"
    assert _send("--date", (MONDAY + dt.timedelta(days=3)).isoformat()) == "weekly summaries sent: 1"  # org B's owner
    assert len(mail.outbox) == 3
    next_week = (MONDAY + dt.timedelta(days=7)).isoformat()
    assert _send("--date", next_week, "--org", str(organization.public_id)) == "weekly summaries sent: 2"
    assert WeeklySummary.objects.filter(membership__organization=organization, sent_at__isnull=False).count() == 4


def test_bad_arguments_are_explained(organization) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        _send("--date", "23-11-2026")
    with pytest.raises(CommandError, match="no organization"):
        _send("--org", "00000000-0000-0000-0000-000000000000")


def test_the_figures_equal_the_invoices_and_the_week_equals_what_the_engine_sends(organization, org_a) -> None:  # type: ignore[no-untyped-def]
    facts = weekly_summary_facts(organization=organization, today=MONDAY)
    invoices = list(Invoice.objects.for_organization(organization).filter(status=InvoiceStatus.OPEN))
    assert facts.open_amount == sum(i.open_amount for i in invoices) == Decimal("1630.50")
    assert facts.overdue_amount == sum(i.open_amount for i in invoices if i.due_date < MONDAY) == Decimal("1530.50")
    assert facts.open_count == 4 and facts.overdue_count == 3
    assert [day.date for day in facts.days] == [MONDAY + dt.timedelta(days=n) for n in range(7)]
    # what the engine then sends, day by day with the clock fixed on each day, is what the e-mail said
    for day in facts.days:
        result = dunning_run(organization=organization, today=day.date, send_now=True)
        assert len(result.created_reminder_ids) == day.message_count, day.date
        sent = Reminder.objects.for_organization(organization).filter(pk__in=result.created_reminder_ids)
        assert sum((r.total_open_amount or Decimal("0")) for r in sent) == day.total_open, day.date
    assert facts.messages_planned == Reminder.objects.for_organization(organization).count() > 0
    _send("--date", MONDAY.isoformat(), "--org", str(organization.public_id))
    email = next(m for m in mail.outbox if m.to == [org_a.owner.email])
    html = email.alternatives[0][0]
    assert re.search(r'data-figure="open">\s*€\s*1[.,]630[.,]50<', html)
    assert re.search(r'data-figure="overdue">\s*€\s*1[.,]530[.,]50<', html)
    assert "/reminders/review/" in email.body and email.extra_headers["List-Unsubscribe"].startswith("<http")


def test_each_member_reads_it_in_their_own_language(organization, org_a) -> None:  # type: ignore[no-untyped-def]
    Membership.objects.filter(user=org_a.member).update(language="en")
    _send("--date", MONDAY.isoformat(), "--org", str(organization.public_id))
    languages = {m.to[0]: re.search(r'<html lang="(\w+)"', m.alternatives[0][0]).group(1) for m in mail.outbox}
    assert languages[org_a.member.email] == "en" and languages[org_a.owner.email] == "nl"


class _FailingBackend(EmailBackend):
    def send_messages(self, messages):  # type: ignore[no-untyped-def]
        raise ConnectionRefusedError("smtp down")


def test_a_failed_send_is_sent_by_the_next_run(organization, org_a, settings) -> None:  # type: ignore[no-untyped-def]
    settings.EMAIL_BACKEND = f"{__name__}._FailingBackend"
    assert _send("--date", MONDAY.isoformat(), "--org", str(organization.public_id)) == "weekly summaries sent: 0"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert _send("--date", MONDAY.isoformat(), "--org", str(organization.public_id)) == "weekly summaries sent: 3"


def test_beat_sends_on_monday_from_seven_in_the_organizations_time_zone(organization, org_a) -> None:  # type: ignore[no-untyped-def]
    before = dt.datetime(2026, 11, 23, 6, 59, tzinfo=AMSTERDAM)
    at_seven = dt.datetime(2026, 11, 23, 7, 0, tzinfo=AMSTERDAM)
    assert not is_due(organization, before) and is_due(organization, at_seven)
    assert not is_due(organization, dt.datetime(2026, 11, 24, 9, 0, tzinfo=AMSTERDAM))
    organization.time_zone = "America/Curacao"  # UTC-4: 07:00 there is 12:00 in Amsterdam
    assert not is_due(organization, dt.datetime(2026, 11, 23, 11, 0, tzinfo=AMSTERDAM))
    assert is_due(organization, dt.datetime(2026, 11, 23, 12, 0, tzinfo=AMSTERDAM))
    organization.save()
    assert weekly_summaries_due(now=before) == 0
    assert weekly_summaries_due(now=dt.datetime(2026, 11, 23, 12, 0, tzinfo=AMSTERDAM)) == 3
    assert weekly_summaries_due(now=dt.datetime(2026, 11, 23, 13, 0, tzinfo=AMSTERDAM)) == 0


def test_the_stop_link_switches_it_off_and_back_on_without_logging_in(organization, org_a, client) -> None:  # type: ignore[no-untyped-def]
    membership = Membership.objects.get(user=org_a.member, organization=organization)
    url = f"/weekly-summary/stop/{unsubscribe_token(membership)}/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"weekly_summary": "off"})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert not membership.weekly_summary
    assert 'data-testid="start"' in client.get(url).content.decode()
    _send("--date", MONDAY.isoformat(), "--org", str(organization.public_id))
    assert org_a.member.email not in [m.to[0] for m in mail.outbox]
    client.post(url, {"weekly_summary": "on"})
    membership.refresh_from_db()
    assert membership.weekly_summary
    assert client.get("/weekly-summary/stop/forged-token/").status_code == 404
    assert client.get(url[:-5] + "xxxx/").status_code == 404


def test_a_member_of_another_organization_is_not_mailed(organization, org_b) -> None:  # type: ignore[no-untyped-def]
    MembershipFactory(organization=org_b.organization, role=Role.MEMBER)
    _send("--date", MONDAY.isoformat(), "--org", str(organization.public_id))
    addresses = {m.to[0] for m in mail.outbox}
    assert not addresses & set(
        Membership.objects.filter(organization=org_b.organization).values_list("user__email", flat=True)
    )
