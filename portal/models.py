"""Portal access: the links that let one debtor of one creditor see what is open, without an account.

A link ``{SITE_URL}/p/<token>/`` carries a random token; the database keeps only its sha256
(``token_hash``), so a leaked table opens no portal. Every outgoing message gets a token of its own
(the message cannot be re-sent with a token we no longer know), so a debtor may hold several valid
links at once; revoking a debtor's access revokes all of them (``portal.services.portal_access_revoke``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from outstanding.tenancy import TenantModel

# A letter may lie on a desk for months: a year, and every new message brings a fresh link.
PORTAL_ACCESS_VALIDITY = dt.timedelta(days=365)


def portal_token_generate() -> str:
    """A fresh portal token: 192 random bits, url-safe (32 characters). Only its hash is stored."""
    return secrets.token_urlsafe(24)


def portal_token_hash(token: str) -> str:
    """What a :class:`PortalAccess` stores of its token (sha256, hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


class PortalAccess(TenantModel):
    """One issued portal link: the debtor it opens, and what the message it came with was about.

    Looked up by ``token_hash`` across organizations (``PortalAccess.unscoped``) in one place only,
    :func:`portal.selectors.portal_access_for_token`: the token is how the tenant is found.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    debtor = models.ForeignKey(
        "invoices.Debtor", on_delete=models.CASCADE, related_name="portal_accesses", verbose_name=_("debtor")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The message the link went out with; its invoices are shown first ("what this message was about").
    reminder = models.ForeignKey(
        "reminders.Reminder", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    invoice_ids = ArrayField(models.BigIntegerField(), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("portal link")
        verbose_name_plural = _("portal links")
        indexes = [models.Index(fields=["organization", "debtor"])]

    def __str__(self) -> str:
        return f"portal link {self.public_id}"

    def is_valid(self, now: dt.datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
