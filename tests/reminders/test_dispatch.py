"""Sending planned reminders: claim, render, deliver, record, retry. Real rendering, real SMTP, real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from reminders.channels import sms
from reminders.models import Channel, Reminder, ReminderStatus
from reminders.services import dispatch
from reminders.services.dispatch import SendOutcome
from tests.factories import DebtorFactory, InvoiceFactory, OrganizationFactory
from tests.reminders.conftest import invoice_pdf_attach, pdf_bytes
from tests.smtp import free_port, use_smtp

pytestmark = pytest.mark.django_db

PORTAL_TOKEN = re.compile(r"(?<=/p/)[A-Za-z0-9_-]{32}(?=/)")


def masked(text: str) -> str:
    """What the kept copy of a sent message shows: the portal link without its token."""
    return PORTAL_TOKEN.sub("••••••", text)


@pytest.fixture
def debtor(org_a):
    return DebtorFactory(
        organization=org_a.organization, emails=["boekhouding@klant.test", "directie@klant.test"], phones=["0612345678"]
    )


@pytest.fixture
def invoice(debtor):
    invoice = InvoiceFactory(debtor=debtor, number="2026-00042")
    invoice_pdf_attach(invoice, pdf_bytes())
    return invoice


@pytest.fixture
def mail_server_down(settings) -> None:
    use_smtp(settings, free_port())


def refreshed(reminder: Reminder) -> Reminder:
    reminder.refresh_from_db()
    return reminder


def test_a_planned_email_reminder_is_sent_and_recorded(smtp_sink, make_reminder, debtor, invoice):
    reminder = make_reminder(debtor, invoices=(invoice,))

    outcome = dispatch.reminder_send(reminder.pk)

    assert outcome == SendOutcome(ReminderStatus.SENT)
    [received] = smtp_sink.received
    reminder = refreshed(reminder)
    assert reminder.status == ReminderStatus.SENT
    assert reminder.sent_at is not None and reminder.sent_at <= timezone.now()
    assert (reminder.attempts, reminder.error) == (1, "")
    assert reminder.provider_reference == received.message["Message-ID"]
    assert reminder.recipient == "boekhouding@klant.test, directie@klant.test"
    assert reminder.subject == received.message["Subject"] != ""
    assert "2026-00042" in reminder.body
    assert " ".join(reminder.body.split()) == " ".join(masked(received.text).split())
    assert "2026-00042" in received.html
    assert received.attachments == {"2026-00042.pdf": invoice.pdf.open("rb").read()}


def test_sending_twice_sends_once(smtp_sink, make_reminder, debtor, invoice):
    reminder = make_reminder(debtor, invoices=(invoice,))

    first, second = dispatch.reminder_send(reminder.pk), dispatch.reminder_send(reminder.pk)

    assert (first.status, second.status) == (ReminderStatus.SENT, "skipped")
    assert len(smtp_sink.received) == 1
    assert refreshed(reminder).attempts == 1


def test_an_sms_reminder_goes_through_the_sms_provider_and_its_text_is_recorded(make_reminder, debtor, invoice):
    reminder = make_reminder(debtor, invoices=(invoice,), channel=Channel.SMS)

    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT

    [sent] = sms.outbox
    reminder = refreshed(reminder)
    assert sent.to == "+31612345678"
    assert "Betaal online: http://localhost:8000/p/" in sent.text  # the portal link (issue 9) lists the invoices
    assert (reminder.body, reminder.provider_reference, reminder.subject) == (masked(sent.text), sent.reference, "")


@pytest.mark.parametrize(
    "status",
    [ReminderStatus.SENDING, ReminderStatus.SENT, ReminderStatus.CANCELLED, ReminderStatus.NEEDS_ATTENTION],
)
def test_a_reminder_that_is_not_waiting_to_be_sent_is_skipped(status, smtp_sink, make_reminder, debtor, invoice):
    reminder = make_reminder(debtor, invoices=(invoice,), status=status, attempts=1)

    assert dispatch.reminder_send(reminder.pk) == SendOutcome("skipped")

    assert smtp_sink.received == []
    assert (refreshed(reminder).status, reminder.attempts) == (status, 1)


@pytest.mark.parametrize("channel", [Channel.LETTER, Channel.PHONE])
def test_letters_and_calls_are_not_a_workers_to_send(channel, make_reminder, debtor, invoice):
    reminder = make_reminder(debtor, invoices=(invoice,), channel=channel)

    assert dispatch.reminder_send(reminder.pk) == SendOutcome("skipped")

    assert (refreshed(reminder).status, reminder.attempts) == (ReminderStatus.PLANNED, 0)


def test_an_unknown_reminder_is_skipped():
    assert dispatch.reminder_send(987_654_321) == SendOutcome("skipped")


def test_a_temporary_failure_is_retried_later_with_growing_delays(mail_server_down, make_reminder, debtor, invoice):
    reminder = make_reminder(debtor, invoices=(invoice,))

    outcomes = [dispatch.reminder_send(reminder.pk) for _ in range(dispatch.MAX_ATTEMPTS - 1)]

    assert outcomes == [SendOutcome(ReminderStatus.FAILED, delay) for delay in dispatch.RETRY_DELAYS]
    reminder = refreshed(reminder)
    assert (reminder.status, reminder.attempts, reminder.sent_at) == (ReminderStatus.FAILED, 4, None)
    assert "unreachable" in reminder.error


def test_after_the_last_attempt_a_temporary_failure_needs_attention(mail_server_down, make_reminder, debtor, invoice):
    reminder = make_reminder(debtor, invoices=(invoice,), status=ReminderStatus.FAILED, attempts=4)

    assert dispatch.reminder_send(reminder.pk) == SendOutcome(ReminderStatus.NEEDS_ATTENTION)

    reminder = refreshed(reminder)
    assert (reminder.status, reminder.attempts) == (ReminderStatus.NEEDS_ATTENTION, dispatch.MAX_ATTEMPTS)
    assert "mail server unreachable" in reminder.error
    assert dispatch.reminder_send(reminder.pk) == SendOutcome("skipped")  # a person decides now


def test_a_failed_reminder_is_sent_on_its_retry(smtp_sink, make_reminder, debtor, invoice):
    reminder = make_reminder(debtor, invoices=(invoice,), status=ReminderStatus.FAILED, attempts=2, error="timeout")

    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT

    assert (refreshed(reminder).attempts, reminder.error) == (3, "")
    assert len(smtp_sink.received) == 1


def test_a_permanent_failure_needs_attention_at_once(smtp_sink, make_reminder, org_a, invoice):
    debtor = DebtorFactory(organization=org_a.organization, emails=[])
    reminder = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),))

    assert dispatch.reminder_send(reminder.pk) == SendOutcome(ReminderStatus.NEEDS_ATTENTION)

    reminder = refreshed(reminder)
    assert (reminder.status, reminder.attempts, reminder.error) == (
        ReminderStatus.NEEDS_ATTENTION,
        1,
        "geen e-mailadres",  # stored in the organization's language (Dutch)
    )
    assert smtp_sink.received == []


def test_a_refusing_mail_server_needs_attention_at_once(smtp_sink, make_reminder, debtor, invoice):
    smtp_sink.handler.refuse_recipients = "550 5.1.1 User unknown"
    reminder = make_reminder(debtor, invoices=(invoice,))

    assert dispatch.reminder_send(reminder.pk) == SendOutcome(ReminderStatus.NEEDS_ATTENTION)

    assert "550" in refreshed(reminder).error


def test_a_greylisting_mail_server_is_tried_again(smtp_sink, make_reminder, debtor, invoice):
    smtp_sink.handler.refuse_recipients = "451 4.7.1 Greylisted"
    reminder = make_reminder(debtor, invoices=(invoice,))

    assert dispatch.reminder_send(reminder.pk) == SendOutcome(ReminderStatus.FAILED, dispatch.RETRY_DELAYS[0])

    smtp_sink.handler.refuse_recipients = ""
    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT
    assert len(smtp_sink.received) == 1


def test_a_crash_while_rendering_ends_failed_never_stuck_in_sending(smtp_sink, make_reminder, org_a, debtor, invoice):
    organization = org_a.organization
    organization.time_zone = "Mars/Olympus_Mons"  # rendering asks for the local date: an unexpected error
    organization.save()
    reminder = make_reminder(debtor, invoices=(invoice,))

    assert dispatch.reminder_send(reminder.pk) == SendOutcome(ReminderStatus.FAILED, dispatch.RETRY_DELAYS[0])

    reminder = refreshed(reminder)
    assert (reminder.status, reminder.attempts) == (ReminderStatus.FAILED, 1)
    assert reminder.error.startswith("ZoneInfoNotFoundError")
    assert smtp_sink.received == []


def test_enqueue_with_the_mail_server_down_tries_every_reminder_and_leaves_them_for_a_retry(
    mail_server_down, make_reminder, org_a, invoice, django_capture_on_commit_callbacks
):
    reminders = [
        make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),))
        for debtor in DebtorFactory.create_batch(2, organization=org_a.organization)
    ]

    # Eager in tests: the task runs inside the callback and its retry must not break the commit.
    with django_capture_on_commit_callbacks(execute=True):
        dispatch.reminders_enqueue(reminder.pk for reminder in reminders)

    assert [(refreshed(reminder).status, reminder.attempts) for reminder in reminders] == [
        (ReminderStatus.FAILED, 1),
        (ReminderStatus.FAILED, 1),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_reminder_another_worker_holds_is_skipped(make_reminder, debtor, invoice):
    reminder = make_reminder(debtor, invoices=(invoice,))
    outcomes: list[SendOutcome] = []

    def other_worker() -> None:
        try:
            outcomes.append(dispatch.reminder_send(reminder.pk))
        finally:
            connection.close()  # the thread's own connection

    with transaction.atomic():
        Reminder.unscoped.select_for_update().get(pk=reminder.pk)  # this "worker" holds the row
        thread = threading.Thread(target=other_worker)
        thread.start()
        thread.join(timeout=30)

    assert outcomes == [SendOutcome("skipped")]
    assert (refreshed(reminder).status, reminder.attempts) == (ReminderStatus.PLANNED, 0)


def test_stale_sending_rows_need_attention_and_fresh_ones_are_left_alone(make_reminder, debtor, org_b):
    stale = make_reminder(debtor, status=ReminderStatus.SENDING)
    other_tenant = make_reminder(DebtorFactory(organization=org_b.organization), status=ReminderStatus.SENDING)
    planned = make_reminder(debtor, channel=Channel.SMS)
    later = timezone.now() + dispatch.STALE_AFTER + dt.timedelta(minutes=1)
    fresh = make_reminder(debtor, channel=Channel.LETTER, status=ReminderStatus.SENDING)
    Reminder.unscoped.filter(pk=fresh.pk).update(updated_at=later - dt.timedelta(minutes=5))

    assert dispatch.stale_sending_release(now=later) == 2

    for reminder in (stale, other_tenant):
        reminder = refreshed(reminder)
        assert reminder.status == ReminderStatus.NEEDS_ATTENTION
        # stored in the organization's language (Dutch by default)
        assert "controleer of het bericht is aangekomen" in reminder.error
    assert refreshed(planned).status == ReminderStatus.PLANNED
    assert refreshed(fresh).status == ReminderStatus.SENDING


def test_nothing_is_stale_right_after_sending_started(make_reminder, debtor):
    sending = make_reminder(debtor, status=ReminderStatus.SENDING)

    assert dispatch.stale_sending_release() == 0

    assert refreshed(sending).status == ReminderStatus.SENDING


def test_retrying_a_reminder_that_needs_attention_sends_it_after_commit(
    smtp_sink, make_reminder, debtor, invoice, django_capture_on_commit_callbacks
):
    reminder = make_reminder(
        debtor, invoices=(invoice,), status=ReminderStatus.NEEDS_ATTENTION, attempts=5, error="SMTP 554"
    )

    with django_capture_on_commit_callbacks() as callbacks:
        dispatch.reminder_retry(reminder=reminder)
        assert (refreshed(reminder).status, reminder.attempts) == (ReminderStatus.PLANNED, 0)
        assert smtp_sink.received == []
    for callback in callbacks:
        callback()

    assert (refreshed(reminder).status, reminder.attempts, reminder.error) == (ReminderStatus.SENT, 1, "")
    assert len(smtp_sink.received) == 1


@pytest.mark.parametrize("status", [ReminderStatus.SENT, ReminderStatus.SENDING, ReminderStatus.CANCELLED])
def test_retrying_a_reminder_that_does_not_need_it_changes_nothing(
    status, smtp_sink, make_reminder, debtor, invoice, django_capture_on_commit_callbacks
):
    reminder = make_reminder(debtor, invoices=(invoice,), status=status, attempts=1)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        dispatch.reminder_retry(reminder=reminder)

    assert callbacks == []
    assert (refreshed(reminder).status, reminder.attempts) == (status, 1)
    assert smtp_sink.received == []


def test_enqueue_queues_only_email_and_sms_and_only_after_commit(
    smtp_sink, make_reminder, debtor, invoice, django_capture_on_commit_callbacks
):
    by_channel = {channel: make_reminder(debtor, invoices=(invoice,), channel=channel) for channel in Channel.values}

    with django_capture_on_commit_callbacks() as callbacks:
        dispatch.reminders_enqueue(reminder.pk for reminder in by_channel.values())
        assert {refreshed(reminder).status for reminder in by_channel.values()} == {ReminderStatus.PLANNED}
    assert len(callbacks) == 1
    callbacks[0]()

    statuses = {channel: refreshed(reminder).status for channel, reminder in by_channel.items()}
    assert statuses == {
        Channel.EMAIL: ReminderStatus.SENT,
        Channel.SMS: ReminderStatus.SENT,
        Channel.LETTER: ReminderStatus.PLANNED,
        Channel.PHONE: ReminderStatus.PLANNED,
    }
    assert len(smtp_sink.received) == len(sms.outbox) == 1


def test_enqueue_of_nothing_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        dispatch.reminders_enqueue([])

    assert callbacks == []


def test_the_engine_run_queues_its_reminders_for_sending(
    smtp_sink, org_a, debtor, invoice, django_capture_on_commit_callbacks
):
    from outstanding.services import organization_defaults_install
    from reminders.services.dunning import dunning_run

    organization_defaults_install(org_a.organization)
    today = invoice.due_date + dt.timedelta(days=3)
    while today.weekday() >= 5:
        today += dt.timedelta(days=1)

    with django_capture_on_commit_callbacks(execute=True):
        result = dunning_run(organization=org_a.organization, today=today)

    assert result.created_reminder_ids
    sent = Reminder.objects.for_organization(org_a.organization).filter(status=ReminderStatus.SENT)
    assert list(sent.values_list("channel", flat=True)) == [Channel.EMAIL]
    assert len(smtp_sink.received) == 1


def test_a_reminder_of_another_organization_is_sent_in_its_own_name(smtp_sink, make_reminder):
    organization = OrganizationFactory(name="Gamma Techniek")
    debtor = DebtorFactory(organization=organization)
    reminder = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),))

    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT

    [sender] = smtp_sink.received[0].message["From"].addresses
    assert sender.display_name == "Gamma Techniek via Outstanding"


def age(reminder: Reminder, *, minutes: int) -> Reminder:
    """Pretend the row was last touched (and created) ``minutes`` ago."""
    then = timezone.now() - dt.timedelta(minutes=minutes)
    Reminder.unscoped.filter(pk=reminder.pk).update(updated_at=then, created_at=then)
    return reminder


def test_the_sweep_queues_again_what_the_queue_lost_and_nothing_else(
    smtp_sink, make_reminder, org_a, django_capture_on_commit_callbacks
):
    def reminder(channel: str = Channel.EMAIL, **fields: object) -> Reminder:
        debtor = DebtorFactory(organization=org_a.organization)
        return make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),), channel=channel, **fields)

    lost = age(reminder(), minutes=16)
    lost_sms = age(reminder(Channel.SMS), minutes=16)
    retry_overdue = age(reminder(status=ReminderStatus.FAILED, attempts=1), minutes=17)  # 1 min delay + grace
    just_queued = age(reminder(), minutes=5)
    retry_pending = age(reminder(status=ReminderStatus.FAILED, attempts=3), minutes=40)  # 30 min delay + grace
    letter = age(reminder(Channel.LETTER), minutes=60)
    needs_attention = age(reminder(status=ReminderStatus.NEEDS_ATTENTION, attempts=5), minutes=60)
    too_old = age(reminder(), minutes=25 * 60)

    with django_capture_on_commit_callbacks(execute=True):
        assert dispatch.reminders_requeue_due() == 3

    sent = {lost.pk, lost_sms.pk, retry_overdue.pk}
    for each in (lost, lost_sms, retry_overdue, just_queued, retry_pending, letter, needs_attention, too_old):
        assert (refreshed(each).status == ReminderStatus.SENT) == (each.pk in sent), each.channel
    assert len(smtp_sink.received) == 2
    assert len(sms.outbox) == 1


def test_a_reminder_whose_invoices_were_all_paid_before_sending_is_cancelled_not_sent(
    smtp_sink, make_reminder, debtor, invoice
):
    from invoices.services import payment_record

    reminder = make_reminder(debtor, invoices=(invoice,))
    payment_record(organization=debtor.organization, invoice=invoice, amount=invoice.open_amount, date=dt.date.today())
    outcome = dispatch.reminder_send(reminder.pk)
    reminder.refresh_from_db()
    assert (outcome.status, reminder.status) == (ReminderStatus.CANCELLED, ReminderStatus.CANCELLED)
    assert smtp_sink.received == []
