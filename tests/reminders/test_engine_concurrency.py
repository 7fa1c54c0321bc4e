"""Two real processes run the dunning engine at the same moment against the real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from outstanding.services import organization_defaults_install
from reminders.models import Reminder, ReminderItem
from tests.factories import DebtorFactory, InvoiceFactory, OrganizationFactory

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 4, 16)  # a Thursday


def database_url() -> str:
    """The test database this test process uses, for the child processes."""
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or "5432"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def start_run(org_id: str) -> subprocess.Popen[str]:
    # Sending runs in-process (eager) so nothing is left queued in the shared Redis.
    env = {**os.environ, "DATABASE_URL": database_url(), "TESTING": "1", "CELERY_TASK_ALWAYS_EAGER": "1"}
    command = [sys.executable, "manage.py", "run_dunning", "--date", TODAY.isoformat(), "--org", org_id]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_create_every_reminder_exactly_once() -> None:
    organization = OrganizationFactory()
    organization_defaults_install(organization)
    for number in range(40):
        debtor = DebtorFactory(organization=organization, kind="b2b" if number % 3 else "b2c")
        for days_late in (4, 11, 18):
            due = TODAY - dt.timedelta(days=days_late + number % 5)
            InvoiceFactory(debtor=debtor, due_date=due, issue_date=due - dt.timedelta(days=30))

    runs = [start_run(str(organization.public_id)) for _ in range(2)]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [stderr[-6000:] for _stdout, stderr in outputs]

    reminders = Reminder.objects.for_organization(organization)
    items = ReminderItem.objects.for_organization(organization)
    # a gentle start: every debtor's first contact is one e-mail (the first step of the standard flows)
    # listing all three of its invoices
    assert reminders.count() == 40 and set(reminders.values_list("channel", flat=True)) == {"email"}
    assert items.count() == 120
    # one message per debtor, channel and day; one item per invoice, step and channel
    assert reminders.values("debtor", "channel", "planned_date").distinct().count() == reminders.count()
    assert items.values("invoice", "step", "channel").distinct().count() == items.count()
    summaries = [stdout.strip().splitlines()[-1] for stdout, _stderr in outputs]
    planned = sorted(int(summary.split()[1]) for summary in summaries)
    assert planned[0] == 0 and planned[1] == reminders.count(), summaries  # the second run found it all done
