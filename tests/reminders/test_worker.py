"""One reminder through the whole machine: a real Celery worker process, the real Redis, real SMTP.

The worker runs as a child process against this test's database (committed rows: transactional test)
and listens on a queue of its own, so nothing else using the same Redis can take the task or be
handed this one.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection

from reminders.models import Reminder, ReminderStatus
from reminders.tasks import reminder_send_task
from tests.factories import DebtorFactory, InvoiceFactory
from tests.reminders.conftest import invoice_pdf_attach, pdf_bytes
from tests.smtp import HOST, SmtpSink

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
WAIT_SECONDS = 30


def database_url() -> str:
    """The test database this process uses, for the worker."""
    settings = connection.settings_dict
    host, port = settings["HOST"] or "127.0.0.1", settings["PORT"] or "5432"
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    return f"postgres://{settings['USER']}{password}@{host}:{port}/{settings['NAME']}"


def redis_client(url: str) -> redis.Redis:
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at REDIS_URL={url} is unreachable ({exc}); `make test` starts one, or set REDIS_URL.")
    return client


@pytest.fixture
def worker_queue(settings) -> Iterator[str]:
    """A queue only this test's worker listens on; removed from Redis afterwards."""
    client = redis_client(settings.REDIS_URL)
    queue = f"test-worker-{uuid.uuid4().hex}"
    yield queue
    client.delete(queue, f"_kombu.binding.{queue}")


@contextmanager
def celery_worker(
    settings: Any, smtp_sink: SmtpSink, queue: str, log_path: Path, *, pool: str, stop_timeout: float
) -> Iterator[subprocess.Popen[bytes]]:
    """A real Celery worker process on ``queue`` (one process, ``pool``), against this test's database,
    Redis and SMTP sink; stopped warm (SIGTERM: it finishes the task at hand), killed if it hangs."""
    log = log_path.open("wb")
    env = {
        **os.environ,
        "TESTING": "1",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "EMAIL_URL": f"smtp://{HOST}:{smtp_sink.port}",
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    command = [
        sys.executable, "-m", "celery", "-A", "outstanding", "worker", "--pool", pool, "--concurrency", "1",
        "-Q", queue, "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


@pytest.fixture
def worker(settings, smtp_sink: SmtpSink, worker_queue: str, tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    with celery_worker(settings, smtp_sink, worker_queue, tmp_path / "worker.log", pool="solo", stop_timeout=15) as w:
        yield w


def worker_log(tmp_path: Path) -> str:
    return (tmp_path / "worker.log").read_text(errors="replace")[-4000:]


def wait_for_status(reminder: Reminder, worker: subprocess.Popen[bytes], tmp_path: Path) -> str:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        reminder.refresh_from_db()
        if reminder.status not in (ReminderStatus.PLANNED, ReminderStatus.SENDING):
            return reminder.status
        if worker.poll() is not None:
            pytest.fail(f"the worker exited with {worker.returncode}:\n{worker_log(tmp_path)}")
        time.sleep(0.2)
    pytest.fail(f"the reminder was still {reminder.status} after {WAIT_SECONDS} s:\n{worker_log(tmp_path)}")


def test_a_worker_sends_a_queued_email_reminder(
    settings, org_a, smtp_sink, worker, worker_queue, make_reminder, tmp_path
):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # tests/conftest.py makes tasks eager; this one goes through Redis
    debtor = DebtorFactory(organization=org_a.organization, emails=["boekhouding@klant.test"])
    invoice = InvoiceFactory(debtor=debtor, number="2026-00077")
    invoice_pdf_attach(invoice, pdf_bytes())
    reminder = make_reminder(debtor, invoices=(invoice,))
    assert not reminder_send_task.app.conf.task_always_eager

    reminder_send_task.apply_async((reminder.pk,), queue=worker_queue)

    assert wait_for_status(reminder, worker, tmp_path) == ReminderStatus.SENT, reminder.error
    [received] = smtp_sink.received
    assert received.rcpt_tos == ["boekhouding@klant.test"]
    assert received.message["Message-ID"] == reminder.provider_reference
    assert received.attachments == {"2026-00077.pdf": invoice.pdf.open("rb").read()}
    assert reminder.attempts == 1
