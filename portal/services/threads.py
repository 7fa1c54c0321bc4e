"""The conversation per invoice: the debtor asks or remarks in the portal, the creditor replies.

Every entry is a row first; the e-mail about it goes after commit (:mod:`portal.services.notifications`).
A debtor's entry stays in the creditor's attention list until it is handled (``handled_at``): a reply
handles the questions before it, resolving a dispute or checking a payment claim handles that entry.
"""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from invoices.models import Debtor, Invoice
from outstanding.models import Organization, User
from portal.models import ThreadAuthor, ThreadEntry, ThreadEntryKind
from portal.services.notifications import thread_entry_notify

logger = logging.getLogger(__name__)


def thread_invoice_check(*, organization: Organization, debtor: Debtor, invoice: Invoice) -> None:
    """An entry is about an invoice of this debtor of this organization, nothing else."""
    if invoice.organization_id != organization.pk or invoice.debtor_id != debtor.pk:
        raise ValidationError(_("This invoice belongs to another debtor."))


def thread_entry_create(
    *,
    organization: Organization,
    invoice: Invoice,
    author: str,
    kind: str,
    text: str,
    author_user: User | None = None,
    **links: object,
) -> ThreadEntry:
    """Write one entry (``links``: its dispute or payment claim) and mail the other side after commit."""
    entry = ThreadEntry.objects.for_organization(organization).create(
        organization=organization,
        invoice=invoice,
        debtor_id=invoice.debtor_id,
        author=author,
        author_user=author_user,
        kind=kind,
        text=text.strip(),
        **links,
    )
    thread_entry_notify(entry=entry)
    logger.info("thread.entry_created", extra={"entry": entry.pk, "invoice": invoice.pk, "kind": kind})
    return entry


@transaction.atomic
def thread_question_ask(*, organization: Organization, debtor: Debtor, invoice: Invoice, text: str) -> ThreadEntry:
    """The debtor asks a question or makes a remark about ``invoice``; the creditor is told."""
    thread_invoice_check(organization=organization, debtor=debtor, invoice=invoice)
    if not text.strip():
        raise ValidationError({"text": _("Please write your message.")})
    return thread_entry_create(
        organization=organization, invoice=invoice, author=ThreadAuthor.DEBTOR, kind=ThreadEntryKind.QUESTION, text=text
    )


@transaction.atomic
def thread_reply_create(*, organization: Organization, invoice: Invoice, user: User, text: str) -> ThreadEntry:
    """A member answers on the invoice page: the debtor's open questions on it count as answered."""
    if not text.strip():
        raise ValidationError({"text": _("Write your reply.")})
    entry = thread_entry_create(
        organization=organization,
        invoice=invoice,
        author=ThreadAuthor.CREDITOR,
        author_user=user,
        kind=ThreadEntryKind.REPLY,
        text=text,
    )
    thread_entries_handle(organization=organization, invoice=invoice, kinds=(ThreadEntryKind.QUESTION,))
    return entry


def thread_entries_handle(
    *, organization: Organization, invoice: Invoice, kinds: tuple[str, ...], **match: object
) -> int:
    """Mark the debtor's unhandled entries of ``kinds`` on ``invoice`` handled; returns how many."""
    return (
        ThreadEntry.objects.for_organization(organization)
        .filter(invoice=invoice, author=ThreadAuthor.DEBTOR, kind__in=kinds, handled_at__isnull=True, **match)
        .update(handled_at=timezone.now())
    )
