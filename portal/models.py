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

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from outstanding.files import UnguessableName
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


# --- Conversation per invoice: questions, disputes, "I have paid" -----------------------------------


class ThreadAuthor(models.TextChoices):
    DEBTOR = "debtor", _("Debtor")
    CREDITOR = "creditor", _("Creditor")


class ThreadEntryKind(models.TextChoices):
    QUESTION = "question", _("Question or remark")
    REPLY = "reply", _("Reply")
    DISPUTE = "dispute", _("Dispute")
    DISPUTE_RESOLVED = "dispute_resolved", _("Dispute resolved")
    PAYMENT_CLAIM = "payment_claim", _("Reported as paid")
    PAYMENT_CHECKED = "payment_checked", _("Payment checked")


THREAD_TEXT_MAX_LENGTH = 4000


class DisputeReason(models.TextChoices):
    ALREADY_PAID = "already_paid", _("I have already paid")
    NEVER_RECEIVED = "never_received", _("I never received the goods or the invoice")
    AMOUNT_WRONG = "amount_wrong", _("The amount is wrong")
    QUALITY = "quality", _("I am not satisfied with the quality")
    OTHER = "other", _("Another reason")


class DisputeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    RESOLVED = "resolved", _("Resolved")


class DisputeResolution(models.TextChoices):
    RESUME = "resume", _("Resume reminders")
    CREDIT_NOTE = "credit_note", _("Credit the invoice")
    WRITE_OFF = "write_off", _("Write the invoice off")


class PaymentClaimStatus(models.TextChoices):
    PENDING = "pending", _("To check")
    FOUND = "found", _("Payment found")
    NOT_FOUND = "not_found", _("Payment not found")


class Dispute(TenantModel):
    """The debtor contests an invoice (betwisting): the invoice is held until the creditor resolves it.

    At most one open dispute per invoice; a resolved one stays as history.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.CASCADE, related_name="disputes")
    debtor = models.ForeignKey("invoices.Debtor", on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=20, choices=DisputeReason.choices)
    status = models.CharField(_("status"), max_length=10, choices=DisputeStatus.choices, default=DisputeStatus.OPEN)
    resolution = models.CharField(_("resolution"), max_length=20, choices=DisputeResolution.choices, blank=True)
    opened_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("dispute")
        verbose_name_plural = _("disputes")
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=models.Q(status="open"), name="dispute_one_open_per_invoice"
            ),
            models.CheckConstraint(
                condition=models.Q(status="open", resolution="") | ~models.Q(status="open") & ~models.Q(resolution=""),
                name="dispute_resolution_only_when_resolved",
            ),
        ]

    def __str__(self) -> str:
        return f"dispute {self.public_id}"


class PaymentClaim(TenantModel):
    """The debtor says "I have paid" (with proof): the invoice is held until ``hold_until`` while the
    creditor checks the bank. At most one claim to check per invoice."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.CASCADE, related_name="payment_claims")
    debtor = models.ForeignKey("invoices.Debtor", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentClaimStatus.choices, default=PaymentClaimStatus.PENDING
    )
    hold_until = models.DateField(_("held until"))
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("payment claim")
        verbose_name_plural = _("payment claims")
        indexes = [models.Index(fields=["organization", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["invoice"], condition=models.Q(status="pending"), name="payment_claim_one_pending_per_invoice"
            ),
        ]

    def __str__(self) -> str:
        return f"payment claim {self.public_id}"


class ThreadEntry(TenantModel):
    """One message in the conversation about one invoice, written by the debtor (in the portal) or by
    a member of the creditor (on the invoice page). Entries are never edited: the thread is a record.

    ``handled_at`` is set on a debtor's entry once the creditor has dealt with it (replied, resolved
    the dispute, checked the payment); until then it is in the creditor's attention list.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.CASCADE, related_name="thread_entries")
    debtor = models.ForeignKey("invoices.Debtor", on_delete=models.CASCADE, related_name="+")
    author = models.CharField(_("author"), max_length=10, choices=ThreadAuthor.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ThreadEntryKind.choices)
    text = models.TextField(_("text"), blank=True, max_length=THREAD_TEXT_MAX_LENGTH)
    dispute = models.ForeignKey(Dispute, on_delete=models.CASCADE, null=True, blank=True, related_name="entries")
    payment_claim = models.ForeignKey(
        PaymentClaim, on_delete=models.CASCADE, null=True, blank=True, related_name="entries"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    handled_at = models.DateTimeField(null=True, blank=True)
    # Claimed by the notification task before it sends, so a retried task never mails twice.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("message about an invoice")
        verbose_name_plural = _("messages about invoices")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["organization", "invoice", "created_at"]),
            models.Index(
                fields=["organization", "kind"], condition=models.Q(handled_at__isnull=True), name="thread_unhandled"
            ),
        ]

    def __str__(self) -> str:
        return f"thread entry {self.public_id}"

    @property
    def by_debtor(self) -> bool:
        return self.author == ThreadAuthor.DEBTOR


class ProofOfPayment(TenantModel):
    """A file the debtor uploaded with "I have paid" (PDF, JPEG or PNG, checked from its content).

    Private storage under ``private/proofs`` with an unguessable name; the uploader's name is kept,
    cleaned, in ``original_name`` only. Served by the creditor's invoice page and the debtor's own
    portal link, nowhere else.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(ThreadEntry, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(upload_to=UnguessableName("private/proofs"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=120)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("proof of payment")
        verbose_name_plural = _("proofs of payment")

    def __str__(self) -> str:
        return f"proof {self.public_id}"
