"""Every message carries its own portal link: e-mail and SMS through dispatch, letters in the print batch."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from stdnum import iso11649

from portal.models import PortalAccess
from reminders.channels import sms
from reminders.models import BundleReference, Channel, MessageTemplate, ReminderStatus, StepKind, Tone
from reminders.services import dispatch, letters
from reminders.services.portal_links import portal_link_redacted
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


# --- the kept copy of a message has no working link (tokens are stored only hashed) -----------------

MASKED_LINK = "http://localhost:8000/p/••••••/"


def token_of(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]


def test_a_sent_email_has_the_working_link_and_its_kept_copy_only_a_masked_one(smtp_sink, client, debtor):
    reminder = reminder_with_invoices(debtor, ["100.00", "21.00"])

    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT

    [received] = smtp_sink.received
    [url] = set(LINK.findall(received.text))
    assert client.get(portal_path(url)).status_code == 200
    reminder.refresh_from_db()
    assert token_of(url) not in reminder.body and token_of(url) not in reminder.subject
    assert MASKED_LINK in reminder.body
    # The e-mail asks for the bundle's one reference, as the letter and the portal do.
    bundle = BundleReference.objects.for_organization(debtor.organization).get()
    assert iso11649.format(bundle.reference) in received.text and iso11649.format(bundle.reference) in reminder.body
    assert client.get(portal_path(MASKED_LINK)).status_code == 404


def test_a_link_a_template_puts_in_the_subject_is_masked_in_the_kept_subject(smtp_sink, debtor):
    MessageTemplate.objects.for_organization(debtor.organization).create(
        organization=debtor.organization,
        kind=StepKind.REMINDER,
        tone=Tone.FRIENDLY,
        language="nl",
        email_subject="Betaal via {{ portal_url }}",
        email_body="Zie {{ portal_url|upper|lower }} ({{ payment_reference }})",
        sms_body="x",
        letter_body="x",
    )
    reminder = reminder_with_invoices(debtor)

    dispatch.reminder_send(reminder.pk)

    [received] = smtp_sink.received
    url = LINK.search(received.message["Subject"]).group(0)
    number = reminder.items.get().invoice.number
    reminder.refresh_from_db()
    assert (reminder.subject, reminder.body.splitlines()[0]) == (
        f"Betaal via {MASKED_LINK}",
        f"Zie {MASKED_LINK} ({number})",
    )
    assert token_of(url).lower() not in (reminder.body + reminder.subject).lower()


def test_a_sent_sms_has_the_working_link_and_its_kept_copy_only_a_masked_one(client, debtor):
    debtor.phones = ["0612345678"]
    debtor.save()
    reminder = reminder_with_invoices(debtor, channel=Channel.SMS)

    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT

    [message] = sms.outbox
    url = LINK.search(message.text).group(0)
    assert client.get(portal_path(url)).status_code == 200
    reminder.refresh_from_db()
    assert token_of(url) not in reminder.body
    assert reminder.body == message.text.replace(url, MASKED_LINK)


def test_an_sms_that_states_the_reference_states_the_bundles(debtor):
    debtor.phones = ["0612345678"]
    debtor.save()
    reminder = reminder_with_invoices(debtor, ["100.00", "21.00"], channel=Channel.SMS, kind=StepKind.HAND_OVER)

    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT

    [message] = sms.outbox
    bundle = BundleReference.objects.for_organization(debtor.organization).get()
    assert f"({iso11649.format(bundle.reference)})" in message.text


def test_a_printed_letter_has_the_link_and_its_kept_words_only_a_masked_one(client, debtor):
    reminder = reminder_with_invoices(debtor, ["250.00", "10.00"], channel=Channel.LETTER)

    assert letters.letter_batch_create(organization=debtor.organization, date=TODAY) is not None

    reminder.refresh_from_db()
    pdf = reminder.pdf.open("rb").read()
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
    [url] = set(LINK.findall(text))
    assert client.get(portal_path(url)).status_code == 200
    assert token_of(url) not in reminder.body
    assert MASKED_LINK in reminder.body  # the letter's words mention the link ("Betalen kan ook via ...")


def test_a_text_without_a_portal_token_is_kept_as_it_is():
    text = "Betaal via https://example.test/p/abc/ of bel ons."
    assert portal_link_redacted(text, "https://example.test/p/abc/") == text
    assert portal_link_redacted(text, "") == text
