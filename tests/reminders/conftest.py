"""Shared by the reminder tests: a real SMTP sink, planned reminders with their invoices, the SMS outbox."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator

import pytest
from django.core.files.base import ContentFile
from pypdf import PdfWriter

from invoices.models import Debtor, Invoice
from reminders.channels import sms
from reminders.models import Channel, Reminder, ReminderItem, ReminderStatus, StepKind
from tests.factories import TODAY
from tests.smtp import SmtpSink, running_smtp_sink, use_smtp


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "worker: starts a real Celery worker against the real Redis")


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend sends to for this test."""
    with running_smtp_sink() as sink:
        use_smtp(settings, sink.port)
        yield sink


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> Iterator[None]:
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def pdf_bytes(pages: int = 1) -> bytes:
    """A real (blank) PDF document."""
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def invoice_pdf_attach(invoice: Invoice, content: bytes) -> None:
    invoice.pdf.save(f"{invoice.number}.pdf", ContentFile(content), save=True)


MakeReminder = Callable[..., Reminder]


@pytest.fixture
def make_reminder() -> MakeReminder:
    """A reminder to ``debtor`` listing ``invoices``, as the engine would have planned it."""

    def make(
        debtor: Debtor,
        *,
        invoices: tuple[Invoice, ...] = (),
        channel: str = Channel.EMAIL,
        status: str = ReminderStatus.PLANNED,
        **fields: object,
    ) -> Reminder:
        organization = debtor.organization
        reminder = Reminder.objects.for_organization(organization).create(
            organization=organization,
            debtor=debtor,
            channel=channel,
            kind=StepKind.REMINDER,
            planned_date=TODAY,
            status=status,
            total_open_amount=sum(invoice.open_amount for invoice in invoices) if invoices else None,
            **fields,
        )
        for invoice in invoices:
            ReminderItem.objects.for_organization(organization).create(
                organization=organization,
                reminder=reminder,
                invoice=invoice,
                step_kind=StepKind.REMINDER,
                step_day=3,
                channel=channel,
                open_amount=invoice.open_amount,
            )
        return reminder

    return make
