"""The e-mails about an arrangement: to the creditor's members when one is proposed or broken, and to the
debtor when it is decided (with the schedule and a pay link per term), before each term, and when it is
broken. Called by ``collection.tasks`` after commit; each claims its timestamp before sending (never
twice) and builds from plain values."""

from __future__ import annotations

import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from collection.models import Arrangement, ArrangementStatus, ArrangementTerm
from invoices.payments.mollie import online_payments_enabled
from outstanding.models import Role
from outstanding.selectors import member_email_addresses
from portal.services import portal_link_issue

logger = logging.getLogger(__name__)

DECIDING_ROLES = (Role.OWNER, Role.ADMIN, Role.MEMBER)  # viewers cannot decide, so they are not asked to


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _sender_for(arrangement: Arrangement) -> str:
    """ "<creditor> via <us>" on our own address, so SPF and DKIM pass (as the reminder e-mails do)."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return formataddr((f"{_one_line(arrangement.organization.name)} via {name or 'Outstanding'}", address))


def _claim(arrangement: Arrangement, field: str) -> bool:
    """Mark the e-mail as sent before sending it: a retried or duplicated task finds it claimed."""
    unsent = Arrangement.objects.for_organization(arrangement.organization).filter(
        pk=arrangement.pk, **{f"{field}__isnull": True}
    )
    return bool(unsent.update(**{field: timezone.now()}))


def arrangement_members_notify(*, arrangement: Arrangement) -> int:
    """Tell every member who can decide that a proposal came in (or was approved by the rules), once."""
    organization = arrangement.organization
    recipients = member_email_addresses(organization=arrangement.organization, roles=DECIDING_ROLES)
    if not recipients or not _claim(arrangement, "members_notified_at"):
        return 0
    path = reverse(
        "arrangement_detail", kwargs={"org_id": organization.public_id, "arrangement_id": arrangement.public_id}
    )
    with translation.override(organization.default_language), timezone.override(organization.time_zone):
        context = {"arrangement": arrangement, "organization": organization, "url": f"{settings.SITE_URL}{path}"}
        subject = render_to_string("emails/arrangement_proposed_subject.txt", context)
        body = render_to_string("emails/arrangement_proposed.txt", context)
    # One message per member: no member sees the others' addresses.
    for recipient in recipients:
        EmailMessage(_one_line(subject), body, settings.DEFAULT_FROM_EMAIL, [recipient]).send()
    logger.info("arrangement.members_notified", extra={"arrangement": arrangement.pk, "members": len(recipients)})
    return len(recipients)


def _debtor_recipients(arrangement: Arrangement) -> list[str]:
    return list(dict.fromkeys(address.strip() for address in arrangement.debtor.emails if address.strip()))


def _portal_link(arrangement: Arrangement) -> str:
    """A fresh portal link of the debtor opening on the arrangement's invoices (ends with a slash)."""
    invoice_ids = list(arrangement.items.values_list("invoice_id", flat=True))
    return portal_link_issue(organization=arrangement.organization, debtor=arrangement.debtor, invoice_ids=invoice_ids)


def arrangement_term_pay_url(link: str, arrangement: Arrangement, term: ArrangementTerm) -> str:
    """The page that pays exactly this term online (``portal.views.arrangement``), below a portal link."""
    return f"{link}arrangement/{arrangement.public_id}/terms/{term.number}/"


def _send_to_debtor(arrangement: Arrangement, recipients: list[str], template: str, context: dict[str, object]) -> None:
    debtor, organization = arrangement.debtor, arrangement.organization
    with translation.override(debtor.language), timezone.override(organization.time_zone):
        context = {"arrangement": arrangement, "organization": organization, "debtor": debtor, **context}
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        body = render_to_string(f"emails/{template}.txt", context)
    email = EmailMessage(
        _one_line(subject),
        body,
        _sender_for(arrangement),
        recipients,
        reply_to=[organization.email] if organization.email else [],
    )
    email.send()


def arrangement_debtor_notify(*, arrangement: Arrangement) -> bool:
    """Tell the debtor the creditor's decision, once, with a fresh link to the arrangement page and, once
    approved, the schedule with a pay link per term (when the organization takes online payments).
    False when the debtor has no e-mail address (they see the decision in the portal) or it was sent."""
    recipients = _debtor_recipients(arrangement)
    if not recipients or not _claim(arrangement, "debtor_notified_at"):
        return False
    link = _portal_link(arrangement)
    payable = arrangement.status == ArrangementStatus.APPROVED and online_payments_enabled(arrangement.organization)
    terms = [
        (term, arrangement_term_pay_url(link, arrangement, term) if payable else "")
        for term in arrangement.terms.order_by("number")
    ]
    _send_to_debtor(arrangement, recipients, "arrangement_decided", {"terms": terms, "url": f"{link}arrangement/"})
    logger.info("arrangement.debtor_notified", extra={"arrangement": arrangement.pk})
    return True


def _term_claim(term: ArrangementTerm) -> bool:
    unsent = ArrangementTerm.objects.for_organization(term.organization).filter(
        pk=term.pk, reminder_sent_at__isnull=True
    )
    return bool(unsent.update(reminder_sent_at=timezone.now()))


def arrangement_term_remind(*, term: ArrangementTerm) -> bool:
    """Remind the debtor of a term coming up, with its pay link, once per term. False when the
    arrangement stopped running, the debtor has no e-mail address, or it was sent already."""
    arrangement = term.arrangement
    recipients = _debtor_recipients(arrangement)
    if arrangement.status != ArrangementStatus.APPROVED or not recipients or not _term_claim(term):
        return False
    link = _portal_link(arrangement)
    context = {
        "term": term,
        "open": term.amount - term.paid_amount,
        "pay_url": arrangement_term_pay_url(link, arrangement, term)
        if online_payments_enabled(arrangement.organization)
        else "",
        "url": f"{link}arrangement/",
    }
    _send_to_debtor(arrangement, recipients, "arrangement_term_reminder", context)
    logger.info("arrangement.term_reminded", extra={"arrangement": arrangement.pk, "term": term.number})
    return True


def arrangement_broken_notify(*, arrangement: Arrangement) -> tuple[int, bool]:
    """Tell the creditor's members and the debtor that the arrangement broke, each once.

    Returns (members mailed, debtor mailed).
    """
    organization = arrangement.organization
    members = 0
    recipients = member_email_addresses(organization=organization, roles=DECIDING_ROLES)
    if recipients and _claim(arrangement, "broken_members_notified_at"):
        path = reverse(
            "arrangement_detail", kwargs={"org_id": organization.public_id, "arrangement_id": arrangement.public_id}
        )
        with translation.override(organization.default_language), timezone.override(organization.time_zone):
            context = {"arrangement": arrangement, "organization": organization, "url": f"{settings.SITE_URL}{path}"}
            subject = render_to_string("emails/arrangement_broken_members_subject.txt", context)
            body = render_to_string("emails/arrangement_broken_members.txt", context)
        for recipient in recipients:
            EmailMessage(_one_line(subject), body, settings.DEFAULT_FROM_EMAIL, [recipient]).send()
        members = len(recipients)
    debtor = _debtor_recipients(arrangement)
    debtor_mailed = bool(debtor) and _claim(arrangement, "broken_debtor_notified_at")
    if debtor_mailed:
        _send_to_debtor(arrangement, debtor, "arrangement_broken", {"url": f"{_portal_link(arrangement)}"})
    logger.info("arrangement.broken_notified", extra={"arrangement": arrangement.pk, "members": members})
    return members, debtor_mailed
