"""The e-mail channel against a real SMTP server (aiosmtpd on 127.0.0.1) and Django's locmem outbox."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from django.core import mail

from reminders.channels import PermanentFailure, TemporaryFailure, email
from reminders.models import DunningSettings
from reminders.rendering import RenderedMessage
from tests.factories import DebtorFactory, InvoiceFactory
from tests.reminders.conftest import invoice_pdf_attach, pdf_bytes
from tests.smtp import HOST, free_port, use_smtp


@pytest.fixture(autouse=True)
def _english_errors():  # type: ignore[no-untyped-def]
    """These tests read the English messages; dispatch stores them in the organization's language."""
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

HTML = "<html><body><p>Beste klant,</p><p>Wilt u factuur 2026-00001 betalen?</p></body></html>"


def rendered(*, subject: str = "Uw openstaande factuur", html: str = HTML) -> RenderedMessage:
    return RenderedMessage(
        recipient="boekhouding@klant.test",
        subject=subject,
        text="Beste klant,\n\nWilt u factuur 2026-00001 betalen?",
        html=html,
        sms="Wilt u factuur 2026-00001 betalen?",
    )


@pytest.fixture
def organization(org_a):
    organization = org_a.organization
    organization.name = "Bakkerij Jansen"
    organization.email = "administratie@bakkerij-jansen.test"
    organization.save()
    return organization


@pytest.fixture
def debtor(organization):
    return DebtorFactory(organization=organization, emails=["boekhouding@klant.test", "directie@klant.test"])


@pytest.fixture
def invoice(debtor):
    invoice = InvoiceFactory(debtor=debtor, number="2026/00001")
    invoice_pdf_attach(invoice, pdf_bytes())
    return invoice


def test_it_sends_the_reminder_in_the_creditors_name_to_every_debtor_address(smtp_sink, make_reminder, debtor, invoice):
    reminder = make_reminder(debtor, invoices=(invoice,))

    reference = email.deliver(reminder, rendered())

    [received] = smtp_sink.received
    message = received.message
    [sender] = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (
        "Bakkerij Jansen via Outstanding",
        "no-reply@outstanding.localhost",
    )
    assert received.mail_from == "no-reply@outstanding.localhost"
    assert [address.addr_spec for address in message["Reply-To"].addresses] == ["administratie@bakkerij-jansen.test"]
    assert received.rcpt_tos == ["boekhouding@klant.test", "directie@klant.test"]
    assert message["Subject"] == "Uw openstaande factuur"
    assert received.text.strip() == "Beste klant,\n\nWilt u factuur 2026-00001 betalen?"
    assert "<p>Wilt u factuur 2026-00001 betalen?</p>" in received.html
    assert received.attachments == {"2026-00001.pdf": invoice.pdf.open("rb").read()}
    assert message["Message-ID"] == reference
    assert reference.endswith("@outstanding.localhost>")


def test_it_sends_replies_to_the_reply_address_of_the_dunning_settings(smtp_sink, make_reminder, organization, debtor):
    DunningSettings.objects.for_organization(organization).update_or_create(
        organization=organization, defaults={"reply_to_email": "debiteuren@bakkerij-jansen.test"}
    )

    email.deliver(make_reminder(debtor), rendered())

    [received] = smtp_sink.received
    assert [address.addr_spec for address in received.message["Reply-To"].addresses] == [
        "debiteuren@bakkerij-jansen.test"
    ]


def test_it_leaves_out_reply_to_when_the_creditor_has_no_address(make_reminder, organization, debtor):
    organization.email = ""
    organization.save()

    email.deliver(make_reminder(debtor), rendered())

    [sent] = mail.outbox
    assert sent.reply_to == []


def test_it_refuses_a_debtor_without_an_e_mail_address_and_sends_nothing(make_reminder, organization):
    debtor = DebtorFactory(organization=organization, emails=[])

    with pytest.raises(PermanentFailure, match="no e-mail address"):
        email.deliver(make_reminder(debtor), rendered())

    assert mail.outbox == []


def test_it_sends_an_address_listed_twice_once(make_reminder, organization):
    debtor = DebtorFactory(organization=organization, emails=["Info@klant.test", " info@klant.test", ""])

    email.deliver(make_reminder(debtor), rendered())

    assert mail.outbox[0].to == ["Info@klant.test"]


def test_it_attaches_only_the_invoices_in_the_reminder(make_reminder, debtor, invoice):
    other = InvoiceFactory(debtor=debtor, number="2026-00002")
    invoice_pdf_attach(other, pdf_bytes(pages=2))
    without_pdf = InvoiceFactory(debtor=debtor, number="2026-00003")

    email.deliver(make_reminder(debtor, invoices=(invoice, without_pdf)), rendered())

    [sent] = mail.outbox
    assert [filename for filename, _content, _mimetype in sent.attachments] == ["2026-00001.pdf"]


def test_it_skips_a_pdf_over_the_size_cap_and_tells_the_debtor(make_reminder, debtor, invoice):
    huge = InvoiceFactory(debtor=debtor, number="2026-00009")
    invoice_pdf_attach(huge, b"%PDF-1.7\n" + b"0" * email.MAX_ATTACHMENT_BYTES)

    email.deliver(make_reminder(debtor, invoices=(invoice, huge)), rendered())

    [sent] = mail.outbox
    assert [filename for filename, _content, _mimetype in sent.attachments] == ["2026-00001.pdf"]
    assert "2026-00009" in sent.body
    assert "2026-00001" not in sent.body.split("betalen?")[1]
    [(html, mimetype)] = sent.alternatives
    assert mimetype == "text/html"
    assert "2026-00009" in html
    assert html.endswith("</p></body></html>")


def test_it_sends_without_a_pdf_that_storage_lost(make_reminder, debtor, invoice):
    invoice.pdf.storage.delete(invoice.pdf.name)

    email.deliver(make_reminder(debtor, invoices=(invoice,)), rendered())

    [sent] = mail.outbox
    assert sent.attachments == []
    assert invoice.number in sent.body


def test_it_sends_plain_text_only_when_there_is_no_html(make_reminder, debtor):
    email.deliver(make_reminder(debtor), rendered(html=""))

    [sent] = mail.outbox
    assert sent.alternatives == []
    assert sent.body.startswith("Beste klant")


def test_it_keeps_headers_on_one_line(make_reminder, organization, debtor):
    organization.name = "Jansen, Bakkerij & Zn.\r\nBcc: iedereen@example.test"
    organization.save()

    email.deliver(make_reminder(debtor), rendered(subject="Uw factuur\nBcc: iedereen@example.test"))

    [sent] = mail.outbox
    message = sent.message()
    assert message["Subject"] == "Uw factuur Bcc: iedereen@example.test"
    assert message["Bcc"] is None
    assert "\n" not in sent.from_email


def test_it_encodes_a_creditor_name_with_accents(smtp_sink, make_reminder, organization, debtor):
    organization.name = "Café Müller"
    organization.save()

    email.deliver(make_reminder(debtor), rendered())

    [sender] = smtp_sink.received[0].message["From"].addresses
    assert sender.display_name == "Café Müller via Outstanding"


def test_a_refused_recipient_is_permanent_and_names_no_address(smtp_sink, make_reminder, debtor):
    smtp_sink.handler.refuse_recipients = "550 5.1.1 <boekhouding@klant.test>: Recipient address rejected"

    with pytest.raises(PermanentFailure, match="550") as failure:
        email.deliver(make_reminder(debtor), rendered())

    assert "@" not in str(failure.value)
    assert smtp_sink.received == []


def test_a_greylisted_recipient_is_temporary(smtp_sink, make_reminder, debtor):
    smtp_sink.handler.refuse_recipients = "451 4.7.1 Greylisted, try again later"

    with pytest.raises(TemporaryFailure, match="451"):
        email.deliver(make_reminder(debtor), rendered())


def test_a_4xx_answer_to_the_message_is_temporary(smtp_sink, make_reminder, debtor):
    smtp_sink.handler.refuse_data = "451 4.3.0 Local error, try again later"

    with pytest.raises(TemporaryFailure, match="SMTP 451"):
        email.deliver(make_reminder(debtor), rendered())


def test_a_5xx_answer_to_the_message_is_permanent_and_names_no_address(smtp_sink, make_reminder, debtor):
    smtp_sink.handler.refuse_data = "554 5.7.1 Message from no-reply@outstanding.localhost rejected as spam"

    with pytest.raises(PermanentFailure, match="SMTP 554") as failure:
        email.deliver(make_reminder(debtor), rendered())

    assert "@" not in str(failure.value)
    assert "rejected as spam" in str(failure.value)


def test_a_closed_port_is_temporary(settings, make_reminder, debtor):
    use_smtp(settings, free_port())

    with pytest.raises(TemporaryFailure, match="unreachable"):
        email.deliver(make_reminder(debtor), rendered())


@pytest.fixture
def silent_server() -> Iterator[int]:
    """Accepts connections (the kernel's backlog) but never greets: a hanging mail server."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind((HOST, 0))
        listener.listen(1)
        yield listener.getsockname()[1]


def test_a_server_that_never_answers_is_temporary(settings, silent_server, make_reminder, debtor):
    use_smtp(settings, silent_server)
    settings.EMAIL_TIMEOUT = 0.2

    with pytest.raises(TemporaryFailure, match="timed out"):
        email.deliver(make_reminder(debtor), rendered())
