"""Every message carries its own portal link: e-mail and SMS through dispatch, letters in the print batch."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from portal.models import PortalAccess
from reminders.channels import sms
from reminders.models import Channel, ReminderStatus
from reminders.services import dispatch, letters
from tests.factories import TODAY, DebtorFactory, InvoiceFactory
from tests.portal.conftest import portal_path
from tests.reminders.reminder_builders import reminder_with_invoices

pytestmark = pytest.mark.django_db

LINK = re.compile(r"http://localhost:8000/p/[A-Za-z0-9_-]{32}/")


@pytest.fixture
def debtor(org_a):
    return DebtorFactory(organization=org_a.organization, emails=["boekhouding@klant.test"], name="Klant B.V.")


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def test_a_sent_reminder_email_carries_a_link_that_opens_its_invoices(smtp_sink, client, debtor):
    invoice = InvoiceFactory(debtor=debtor, number="2026-00042")
    InvoiceFactory(debtor=debtor, number="2026-00043")  # open, not in the message
    reminder = reminder_with_invoices(debtor, invoices=[invoice])

    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT

    [received] = smtp_sink.received
    [url] = set(LINK.findall(received.text))
    assert f'href="{url}"' in received.html
    access = PortalAccess.objects.for_organization(debtor.organization).get()
    assert (access.debtor, access.reminder, access.invoice_ids) == (debtor, reminder, [invoice.pk])
    page = client.get(portal_path(url))
    assert page.status_code == 200
    html = page.content.decode()
    assert html.index("2026-00042") < html.index("2026-00043")


def test_each_message_gets_a_link_of_its_own(smtp_sink, debtor):
    first = reminder_with_invoices(debtor)
    second = reminder_with_invoices(DebtorFactory(organization=debtor.organization, emails=["x@klant.test"]))

    dispatch.reminder_send(first.pk)
    dispatch.reminder_send(second.pk)

    links = [LINK.search(mail.text).group(0) for mail in smtp_sink.received]
    assert len(set(links)) == 2
    assert PortalAccess.objects.for_organization(debtor.organization).count() == 2


def test_an_sms_carries_the_link(debtor):
    reminder = reminder_with_invoices(debtor, channel=Channel.SMS)

    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT

    [message] = sms.outbox
    assert LINK.search(message.text)


def test_a_printed_letter_shows_the_link_in_its_portal_block(client, debtor):
    reminder = reminder_with_invoices(debtor, ["250.00"], channel=Channel.LETTER)

    batch = letters.letter_batch_create(organization=debtor.organization, date=TODAY)

    assert batch is not None
    reminder.refresh_from_db()
    pdf = reminder.pdf.open("rb").read()
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    [url] = set(LINK.findall(text))
    assert client.get(portal_path(url)).status_code == 200
    assert "Bekijkuwfacturenenbetaalonline:" in text  # the portal block, whose QR code encodes the link


def test_a_letter_that_is_not_printed_leaves_no_link_behind(debtor):
    debtor.street = ""  # no postal address: the letter waits for a person
    debtor.save()
    reminder_with_invoices(debtor, channel=Channel.LETTER)

    assert letters.letter_batch_create(organization=debtor.organization, date=TODAY) is None
    assert not PortalAccess.objects.for_organization(debtor.organization).exists()
