"""The e-mails about an arrangement: to the creditor's members when one is proposed, and to the debtor
when it is decided. Called by ``collection.tasks`` after commit; each builds from plain values."""

from __future__ import annotations

import logging
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from collection.models import Arrangement
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


def arrangement_debtor_notify(*, arrangement: Arrangement) -> bool:
    """Tell the debtor the creditor's decision, once, with a fresh link to the arrangement page. False when
    the debtor has no e-mail address (they see the decision in the portal) or it was sent already."""
    debtor, organization = arrangement.debtor, arrangement.organization
    recipients = list(dict.fromkeys(address.strip() for address in debtor.emails if address.strip()))
    if not recipients or not _claim(arrangement, "debtor_notified_at"):
        return False
    invoice_ids = list(arrangement.items.values_list("invoice_id", flat=True))
    link = portal_link_issue(organization=organization, debtor=debtor, invoice_ids=invoice_ids)
    with translation.override(debtor.language), timezone.override(organization.time_zone):
        context = {
            "arrangement": arrangement,
            "organization": organization,
            "debtor": debtor,
            "terms": list(arrangement.terms.order_by("number")),
            "url": f"{link}arrangement/",
        }
        subject = render_to_string("emails/arrangement_decided_subject.txt", context)
        body = render_to_string("emails/arrangement_decided.txt", context)
    email = EmailMessage(
        _one_line(subject),
        body,
        _sender_for(arrangement),
        recipients,
        reply_to=[organization.email] if organization.email else [],
    )
    email.send()
    logger.info("arrangement.debtor_notified", extra={"arrangement": arrangement.pk})
    return True
