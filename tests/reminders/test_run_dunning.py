"""`manage.py run_dunning`: dry runs, real runs, sending in process, and bad arguments."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from outstanding.services import organization_defaults_install
from reminders.models import DunningRun, Reminder, ReminderStatus
from tests.factories import DebtorFactory, InvoiceFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


@pytest.fixture
def organization():  # type: ignore[no-untyped-def]
    organization = OrganizationFactory()
    organization_defaults_install(organization)
    debtor = DebtorFactory(organization=organization, emails=["debiteur@klant.test"])
    InvoiceFactory(debtor=debtor, due_date=MONDAY - dt.timedelta(days=3), issue_date=MONDAY - dt.timedelta(days=33))
    return organization


def run(*args: str) -> str:
    out = StringIO()
    call_command("run_dunning", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()[-1]


def test_a_dry_run_tells_what_would_go_out_and_writes_nothing(organization) -> None:  # type: ignore[no-untyped-def]
    summary = run("--date", MONDAY.isoformat(), "--org", str(organization.public_id), "--dry-run")
    assert summary.startswith("would plan 1 messages for 1 invoices in 1 organizations (0 failed)")
    assert not Reminder.objects.for_organization(organization).exists()
    assert not DunningRun.objects.for_organization(organization).exists()


def test_a_run_plans_records_the_run_and_with_send_sends_in_process(organization) -> None:  # type: ignore[no-untyped-def]
    summary = run("--date", MONDAY.isoformat(), "--org", str(organization.public_id), "--send")
    assert summary.startswith("planned 1 messages")
    reminder = Reminder.objects.for_organization(organization).get()
    assert reminder.status == ReminderStatus.SENT
    assert [message.to for message in mail.outbox] == [["debiteur@klant.test"]]
    run_row = DunningRun.objects.for_organization(organization).get()
    assert run_row.succeeded and run_row.reminders_created == 1


def test_a_second_run_on_the_same_date_plans_nothing(organization) -> None:  # type: ignore[no-untyped-def]
    run("--date", MONDAY.isoformat(), "--org", str(organization.public_id))
    assert run("--date", MONDAY.isoformat(), "--org", str(organization.public_id)).startswith("planned 0 messages")


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--date", "23-11-2026"], "YYYY-MM-DD"), (["--org", "nope"], "UUID"),
     (["--org", "00000000-0000-0000-0000-000000000000"], "No organization")],
)  # fmt: skip
def test_bad_arguments_are_explained(organization, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not Reminder.objects.for_organization(organization).exists()
