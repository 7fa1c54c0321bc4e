"""E-mail channel: one reminder as one e-mail through Django's e-mail backend (SMTP or an Anymail provider).

The message goes out in the creditor's name from our own address ("Bakkerij Jansen via Outstanding
<no-reply@...>": only our domain passes SPF/DKIM), and replies go to the creditor (Reply-To). The PDFs
of the invoices in the reminder are attached up to :data:`MAX_ATTACHMENT_BYTES` in total. The
Message-ID we generate is the provider reference, so a bounce or a reply can be traced to the reminder.

Failures are sorted for :mod:`reminders.services.dispatch`: a refused recipient or a 5xx answer is permanent,
a connection problem or a 4xx answer is temporary. Error texts and log lines carry no e-mail addresses.
"""

from __future__ import annotations

import logging
import re
import smtplib
from email.utils import formataddr, make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from invoices.models import Invoice
from reminders.channels import PermanentFailure, TemporaryFailure
from reminders.models import DunningSettings, Reminder, ReminderItem
from reminders.rendering import RenderedMessage

logger = logging.getLogger(__name__)

# Mail servers commonly refuse messages above 10-25 MB; base64 adds a third on top of this.
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
FALLBACK_SENDER_NAME = "Outstanding"
_ADDRESS = re.compile(r"[^\s<>\"',;:]+@[^\s<>\"',;:]+")
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


def deliver(reminder: Reminder, message: RenderedMessage) -> str:
    """Send ``message`` to the debtor of ``reminder``; returns the Message-ID. Raises a ``DeliveryError``."""
    recipients = _recipients(reminder)
    if not recipients:
        raise PermanentFailure(gettext("no e-mail address"))
    email = build_email(reminder, message, recipients)
    try:
        email.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        raise _classify(exc) from exc
    logger.info("reminder.email_sent", extra={"reminder": reminder.pk, "attachments": len(email.attachments)})
    return email.extra_headers["Message-ID"]


def build_email(reminder: Reminder, message: RenderedMessage, recipients: list[str]) -> EmailMultiAlternatives:
    """The e-mail as it will go out: sender, reply address, both parts and the invoice PDFs."""
    sender_name, sender_address = _our_sender()
    organization = reminder.organization
    text, html = message.text, message.html
    email = EmailMultiAlternatives(
        subject=_one_line(message.subject),
        from_email=formataddr((f"{_one_line(organization.name)} via {sender_name}", sender_address)),
        to=recipients,
        reply_to=[address] if (address := _reply_to(reminder)) else [],
        headers={"Message-ID": make_msgid(domain=sender_address.rpartition("@")[2] or None)},
    )
    skipped = _attach_invoices(email, reminder)
    if skipped:
        notes = _attachment_notes(reminder, skipped)
        text = "\n\n".join([text, *notes])
        html = _html_with_notes(html, notes) if html else ""
    email.body = text
    if html:
        email.attach_alternative(html, "text/html")
    return email


def _recipients(reminder: Reminder) -> list[str]:
    """The debtor's addresses, each once (case-insensitively), in their order."""
    unique: dict[str, str] = {}
    for address in reminder.debtor.emails:
        if cleaned := address.strip():
            unique.setdefault(cleaned.lower(), cleaned)
    return list(unique.values())


def _our_sender() -> tuple[str, str]:
    """Display name and address of DEFAULT_FROM_EMAIL: our domain, so SPF and DKIM pass."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or FALLBACK_SENDER_NAME, address


def _reply_to(reminder: Reminder) -> str:
    """Where the debtor's answer goes: the creditor's chosen reply address, else its contact address."""
    dunning = DunningSettings.objects.for_organization(reminder.organization).first()
    return (dunning.reply_to_email if dunning else "") or reminder.organization.email


def _one_line(value: str) -> str:
    """Headers must not contain line breaks (Django refuses them; they would allow header injection)."""
    return " ".join(value.split())


def _attach_invoices(email: EmailMultiAlternatives, reminder: Reminder) -> list[Invoice]:
    """Attach the invoices' PDFs while they fit; returns the invoices whose PDF could not be attached."""
    budget = MAX_ATTACHMENT_BYTES
    skipped: list[Invoice] = []
    for invoice in _invoices(reminder):
        if not invoice.pdf:
            continue
        content = _pdf_content(reminder, invoice, budget)
        if content is None:
            skipped.append(invoice)
            continue
        budget -= len(content)
        email.attach(_pdf_filename(invoice), content, "application/pdf")
    return skipped


def _pdf_content(reminder: Reminder, invoice: Invoice, budget: int) -> bytes | None:
    """The PDF's bytes, or None (logged) when it does not fit the budget or cannot be read."""
    reason = "too_large"
    try:
        if invoice.pdf.size <= budget:
            with invoice.pdf.open("rb") as pdf:
                content = pdf.read()
            if len(content) <= budget:
                return content
    except OSError:
        reason = "unreadable"  # the row names a file that storage no longer has: send without it
    logger.warning(
        "reminder.attachment_skipped", extra={"reminder": reminder.pk, "invoice": invoice.pk, "reason": reason}
    )
    return None


def _invoices(reminder: Reminder) -> list[Invoice]:
    items = (
        ReminderItem.objects.for_organization(reminder.organization)
        .filter(reminder=reminder)
        .select_related("invoice")
        .order_by("invoice__due_date", "invoice__number")
    )
    return [item.invoice for item in items]


def _pdf_filename(invoice: Invoice) -> str:
    """Invoice numbers may contain slashes and spaces; mail clients want a plain file name."""
    return f"{_UNSAFE_FILENAME.sub('-', invoice.number).strip('-') or 'invoice'}.pdf"


def _attachment_notes(reminder: Reminder, invoices: list[Invoice]) -> list[str]:
    """Tell the debtor which invoice is missing and how to get it, in the reminder's language."""
    with translation.override(reminder.language):
        return [
            gettext(
                "The PDF of invoice %(number)s could not be attached to this e-mail. "
                "Reply to this e-mail and we will send you a copy."
            )
            % {"number": invoice.number}
            for invoice in invoices
        ]


def _html_with_notes(html: str, notes: list[str]) -> str:
    paragraphs = "".join(f"<p>{escape(note)}</p>" for note in notes)
    head, marker, tail = html.rpartition("</body>")
    return f"{head}{paragraphs}{marker}{tail}" if marker else f"{html}{paragraphs}"


def _classify(exc: BaseException) -> TemporaryFailure | PermanentFailure:
    """Sort an SMTP or network error: retrying helps with 4xx and connection trouble, not with 5xx."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _text in exc.recipients.values()})
        if codes and all(400 <= code < 500 for code in codes):
            return TemporaryFailure(f"recipient temporarily refused (SMTP {', '.join(map(str, codes))})")
        return PermanentFailure(f"recipient refused (SMTP {', '.join(map(str, codes))})")
    if isinstance(exc, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError):
        # smtplib reports a read timeout as "Connection unexpectedly closed: timed out".
        return TemporaryFailure(f"mail server unavailable ({type(exc).__name__}: {_redact(str(exc))})")
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # Our credentials, not the debtor's address: retrying gives the operator time to fix them.
        return TemporaryFailure(f"mail server refused our login (SMTP {exc.smtp_code})")
    if isinstance(exc, smtplib.SMTPResponseException):
        detail = f"SMTP {exc.smtp_code}: {_redact(exc.smtp_error)}"
        return PermanentFailure(detail) if exc.smtp_code >= 500 else TemporaryFailure(detail)
    if isinstance(exc, TimeoutError):
        return TemporaryFailure("mail server timed out")
    if isinstance(exc, OSError):
        return TemporaryFailure(f"mail server unreachable ({type(exc).__name__})")
    return TemporaryFailure(f"mail error ({type(exc).__name__})")


def _redact(server_text: bytes | str) -> str:
    """A server's answer often quotes the address it refused: keep the reason, drop the address."""
    text = server_text.decode("utf-8", "replace") if isinstance(server_text, bytes) else str(server_text)
    return _ADDRESS.sub("<address>", " ".join(text.split()))[:300]


def redact_addresses(text: str) -> str:
    """A bounce report's reason without the addresses in it (what error texts may keep)."""
    return _redact(text)
