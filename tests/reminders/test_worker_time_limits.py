"""A print batch cut off by its soft time limit in a real worker: nothing half-printed, nothing lost.

A real Celery worker with the prefork pool (the one production runs; the solo pool ignores time
limits) against the real Redis and this test's committed database. The batch is sent with a soft
limit far below what twenty letters take, so it stops part-way: the batch transaction rolls back,
no letter is marked as needing attention for it, and the next run prints them all.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reminders.models import Channel, LetterBatch, Reminder, ReminderStatus
from reminders.services import letters
from reminders.tasks import letter_batch_create_organization
from tests.factories import TODAY, DebtorFactory, InvoiceFactory
from tests.reminders.test_worker import celery_worker, worker_queue  # noqa: F401 (the fixture)
from tests.smtp import SmtpSink

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


@pytest.fixture
def prefork_worker(settings, smtp_sink: SmtpSink, worker_queue: str, tmp_path: Path) -> Iterator[Path]:  # noqa: F811
    """The prefork pool: the one that enforces time limits (solo cannot interrupt its own task)."""
    log_path = tmp_path / "worker.log"
    with celery_worker(settings, smtp_sink, worker_queue, log_path, pool="prefork", stop_timeout=20):
        # Consuming before the test sends: a task published while the worker still starts (10 s on a
        # loaded machine) was once never received.
        wait_for_log(log_path, " ready.")
        yield log_path


def wait_for_log(log_path: Path, text: str) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        log = log_path.read_text(errors="replace")
        if text in log:
            return log
        time.sleep(0.3)
    pytest.fail(
        f"{text!r} not in the worker log after {WAIT_SECONDS} s:\n{log_path.read_text(errors='replace')[-4000:]}"
    )


def test_a_batch_stopped_by_its_soft_time_limit_prints_nothing_and_keeps_every_letter(
    settings,
    org_a,
    make_reminder,
    prefork_worker: Path,
    worker_queue: str,  # noqa: F811
) -> None:
    settings.CELERY_TASK_ALWAYS_EAGER = False
    organization = org_a.organization
    planned = []
    for _ in range(20):
        debtor = DebtorFactory(organization=organization)
        invoices = tuple(InvoiceFactory.create_batch(3, debtor=debtor))
        planned.append(make_reminder(debtor, invoices=invoices, channel=Channel.LETTER))

    letter_batch_create_organization.apply_async(
        (organization.pk,), queue=worker_queue, soft_time_limit=0.3, time_limit=30
    )

    log = wait_for_log(prefork_worker, "stopped at the time limit")
    assert "letters.batch_time_limit" in log
    assert not LetterBatch.objects.for_organization(organization).exists()
    statuses = set(
        Reminder.objects.for_organization(organization)
        .filter(pk__in=[r.pk for r in planned])
        .values_list("status", flat=True)
    )
    assert statuses == {ReminderStatus.PLANNED}  # none printed, none "needs attention" for the time limit

    batch = letters.letter_batch_create(organization=organization, date=TODAY)  # the next run
    assert batch is not None and batch.letter_count == 20
