"""E-mail about a new entry in an invoice's conversation: to the creditor's members when the debtor
wrote, to the debtor (when we know an address) when the creditor did.

Like every message, the entry is a row first and the e-mail goes after commit, from the task in
:mod:`portal.tasks`. The task claims the entry (``notified_at``) before sending, so a retried or
duplicated task never mails twice. Members get the organization's language and a link to the invoice
page; the debtor gets their own language and a fresh portal link (a link is never kept in clear, so
every message brings a new one, as reminders do). Plain text and HTML, like the reminders.
"""

from __future__ import annotations

import logging
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from outstanding.models import Role
from outstanding.selectors import member_email_addresses
from portal.models import ThreadEntry
from portal.services.access import portal_link_issue
from reminders.rendering.context import message_language

logger = logging.getLogger(__name__)

NOTIFIED_ROLES = (Role.OWNER, Role.ADMIN, Role.MEMBER)  # viewers read, they are not asked to act
FALLBACK_SENDER_NAME = "Outstanding"


def thread_entry_notify(*, entry: ThreadEntry) -> None:
    """Mail the other side about ``entry`` once the transaction that wrote it has committed."""
    from portal.tasks import thread_entry_notification_task  # tasks sit on top of services

    entry_id = entry.pk
    transaction.on_commit(lambda: thread_entry_notification_task.delay(entry_id))


def thread_entry_notification_send(*, entry_id: int) -> int:
    """Send the e-mails about one entry; returns how many went out (0 when already sent or nobody to tell).

    ``unscoped`` on purpose: the task gets only the id; the entry names its organization.
    """
    claimed = ThreadEntry.unscoped.filter(pk=entry_id, notified_at__isnull=True).update(notified_at=timezone.now())
    if not claimed:
        return 0
    entry = ThreadEntry.unscoped.select_related("organization", "invoice", "debtor").get(pk=entry_id)
    emails = _creditor_emails(entry) if entry.by_debtor else _debtor_emails(entry)
    if emails:
        with get_connection() as connection:
            connection.send_messages(emails)
    logger.info("thread.notified", extra={"entry": entry.pk, "emails": len(emails), "to": entry.author})
    return len(emails)


def debtor_addresses(entry: ThreadEntry) -> list[str]:
    unique: dict[str, str] = {}
    for address in entry.debtor.emails:
        if cleaned := address.strip():
            unique.setdefault(cleaned.lower(), cleaned)
    return list(unique.values())


def _creditor_emails(entry: ThreadEntry) -> list[EmailMultiAlternatives]:
    organization = entry.organization
    path = reverse("invoice_detail", kwargs={"org_id": organization.public_id, "invoice_id": entry.invoice.public_id})
    context = {**_facts(entry), "url": f"{settings.SITE_URL}{path}"}
    with translation.override(organization.default_language), timezone.override(organization.time_zone):
        subject, text, html = _render("portal_creditor_notice", context)
    return [
        _email(subject, text, html, [address], sender_name=FALLBACK_SENDER_NAME)
        for address in member_email_addresses(organization=organization, roles=NOTIFIED_ROLES)
    ]


def _debtor_emails(entry: ThreadEntry) -> list[EmailMultiAlternatives]:
    recipients = debtor_addresses(entry)
    if not recipients:
        return []
    organization, invoice = entry.organization, entry.invoice
    home = portal_link_issue(organization=organization, debtor=entry.debtor, invoice_ids=[invoice.pk])
    context = {**_facts(entry), "url": f"{home}invoices/{invoice.public_id}/"}
    with translation.override(message_language(entry.debtor.language)), timezone.override(organization.time_zone):
        subject, text, html = _render("portal_debtor_notice", context)
    email = _email(subject, text, html, recipients, sender_name=f"{_one_line(organization.name)} via {_sender()[0]}")
    email.reply_to = [organization.email] if organization.email else []
    return [email]


def _facts(entry: ThreadEntry) -> dict[str, Any]:
    return {
        "organization_name": entry.organization.name,
        "debtor_name": entry.debtor.name,
        "invoice_number": entry.invoice.number,
        "kind": entry.kind,
        "text": entry.text,
        "has_proof": entry.proofs.exists(),
    }


def _render(name: str, context: dict[str, Any]) -> tuple[str, str, str]:
    subject = _one_line(render_to_string(f"emails/{name}_subject.txt", context))
    return subject, render_to_string(f"emails/{name}.txt", context), render_to_string(f"emails/{name}.html", context)


def _email(subject: str, text: str, html: str, to: list[str], *, sender_name: str) -> EmailMultiAlternatives:
    _name, address = _sender()
    email = EmailMultiAlternatives(subject=subject, body=text, from_email=formataddr((sender_name, address)), to=to)
    email.attach_alternative(html, "text/html")
    return email


def _sender() -> tuple[str, str]:
    """Our own address (DEFAULT_FROM_EMAIL), so SPF and DKIM pass; the creditor's name goes in front."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return name or FALLBACK_SENDER_NAME, address


def _one_line(value: str) -> str:
    return " ".join(value.split())
