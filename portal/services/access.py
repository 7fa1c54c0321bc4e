"""Issuing and revoking portal links (``{SITE_URL}/p/<token>/``).

The token exists in clear only in the message it goes out with; we keep its sha256. Issue one per
outgoing message, inside the sending service, and pass the URL to the renderer as a fact.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from invoices.models import Debtor
from outstanding.models import Organization
from portal.models import PORTAL_ACCESS_VALIDITY, PortalAccess, portal_token_generate, portal_token_hash

if TYPE_CHECKING:
    from reminders.models import Reminder

logger = logging.getLogger(__name__)


def portal_url(token: str) -> str:
    """The absolute link a message carries."""
    return f"{settings.SITE_URL}{reverse('portal_home', kwargs={'token': token})}"


def portal_link_issue(
    *,
    organization: Organization,
    debtor: Debtor,
    reminder: Reminder | None = None,
    invoice_ids: Iterable[int] = (),
    now: dt.datetime | None = None,
) -> str:
    """A new link to ``debtor``'s portal, valid for a year, opening on ``invoice_ids``; returns the URL."""
    if debtor.organization_id != organization.pk:
        raise ValueError("the debtor belongs to another organization")
    now = now or timezone.now()
    token = portal_token_generate()
    access = PortalAccess.objects.for_organization(organization).create(
        organization=organization,
        debtor=debtor,
        reminder=reminder,
        invoice_ids=sorted(set(invoice_ids)),
        token_hash=portal_token_hash(token),
        expires_at=now + PORTAL_ACCESS_VALIDITY,
    )
    logger.info("portal.link_issued", extra={"portal_access": access.pk, "debtor": debtor.pk})
    return portal_url(token)


def portal_access_revoke(*, debtor: Debtor, now: dt.datetime | None = None) -> int:
    """The creditor closes the portal for ``debtor``: every link issued so far stops working at once.

    New messages bring new links. Returns how many links were revoked.
    """
    revoked = (
        PortalAccess.objects.for_organization(debtor.organization)
        .filter(debtor=debtor, revoked_at__isnull=True)
        .update(revoked_at=now or timezone.now())
    )
    logger.info("portal.access_revoked", extra={"debtor": debtor.pk, "links": revoked})
    return revoked
