"""Tenancy core: users, organizations (the tenants), memberships and invitations."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outstanding.fields import EncryptedTextField
from outstanding.files import LOGO_CONTENT_TYPES, LOGO_FOLDER, UnguessableName, public_storage

INVITATION_VALIDITY = timedelta(days=14)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in: a creditor's employee or the operator's staff. E-mail is the login."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    objects = UserManager()  # type: ignore[misc,assignment]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email


class Language(models.TextChoices):
    DUTCH = "nl", _("Dutch")
    ENGLISH = "en", _("English")


class Organization(models.Model):
    """A creditor: the tenant. Everything a creditor owns points here."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    legal_name = models.CharField(_("legal name"), max_length=200, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL")
    kvk_number = models.CharField(_("KvK number"), max_length=8, blank=True)
    vat_id = models.CharField(_("VAT id"), max_length=20, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    email = models.EmailField(_("contact e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    # A public asset (shown in e-mails to debtors): served at /public/logos/<random name> by
    # outstanding.asset_views, without a login; see outstanding.files.
    logo = models.ImageField(
        _("logo"),
        upload_to=UnguessableName(LOGO_FOLDER, dated=False),
        storage=public_storage,
        validators=[FileExtensionValidator(list(LOGO_CONTENT_TYPES))],
        blank=True,
    )
    time_zone = models.CharField(_("time zone"), max_length=50, default="Europe/Amsterdam")
    default_language = models.CharField(
        _("default language"), max_length=2, choices=Language.choices, default=Language.DUTCH
    )
    # The debtor portal and payments (settings page "Portaal en betalen", PATCH /api/v1/organization/).
    # The organization's own Mollie key: encrypted at rest, write-only, never shown again.
    mollie_api_key = EncryptedTextField(_("Mollie API key"), blank=True, default="")
    # Part payments online: the smallest amount a debtor may pay; empty = only whole invoices.
    online_payment_minimum = models.DecimalField(
        _("minimum part payment"), max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("1.00"))],
    )  # fmt: skip
    # "I have paid": how long the invoice is held while the creditor checks the proof.
    payment_claim_hold_days = models.PositiveSmallIntegerField(
        _("hold after 'I have paid' (days)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    # Payment arrangements proposed in the portal: limits, and whether proposals within them are approved.
    arrangement_max_terms = models.PositiveSmallIntegerField(
        _("most monthly terms"), default=6, validators=[MinValueValidator(0), MaxValueValidator(36)]
    )  # 0: no proposals from the portal
    arrangement_min_term_amount = models.DecimalField(
        _("smallest term amount"), max_digits=12, decimal_places=2, default=Decimal("25.00"),
        validators=[MinValueValidator(Decimal("1.00"))],
    )  # fmt: skip
    arrangement_auto_approve = models.BooleanField(
        _("approve proposals within the limits automatically"), default=False
    )
    # Collection dossiers: whether a flow's hand-over step opens one by itself (otherwise it waits for
    # the creditor's approval in the attention list), and the free pre-collection letter first.
    dossier_auto_open = models.BooleanField(_("open collection dossiers automatically"), default=False)
    dossier_pre_collection = models.BooleanField(_("start with a free pre-collection letter"), default=True)
    pre_collection_days = models.PositiveSmallIntegerField(
        _("pre-collection term (days)"), default=14, validators=[MinValueValidator(7), MaxValueValidator(60)]
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def display_legal_name(self) -> str:
        return self.legal_name or self.name

    @property
    def address_lines(self) -> list[str]:
        return [line for line in (self.street, f"{self.postal_code} {self.city}".strip()) if line]


class Role(models.TextChoices):
    """What a member may do, from most to least. Order matters: see :func:`Role.rank`."""

    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer (read only)")

    @classmethod
    def rank(cls, role: str) -> int:
        return {cls.VIEWER: 0, cls.MEMBER: 1, cls.ADMIN: 2, cls.OWNER: 3}[cls(role)]


class Membership(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    # The Monday e-mail (outstanding.weekly_summary): on unless the member opted out; in the member's
    # language, or the organization's when none is chosen.
    weekly_summary = models.BooleanField(_("weekly summary by e-mail"), default=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="membership_user_org_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organization} ({self.role})"

    def has_role(self, role: str) -> bool:
        return Role.rank(self.role) >= Role.rank(role)

    @property
    def can_edit(self) -> bool:
        """Viewers only read; members and up change debtors, invoices and the like."""
        return self.has_role(Role.MEMBER)

    @property
    def can_manage(self) -> bool:
        """Settings, members and API keys: administrators and owners."""
        return self.has_role(Role.ADMIN)


class WeeklySummary(models.Model):
    """One member's weekly summary for one week: written before it is sent, so a week sends it once."""

    membership = models.ForeignKey(Membership, on_delete=models.CASCADE, related_name="weekly_summaries")
    week_start = models.DateField(_("week starting"))  # the Monday, in the organization's time zone
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("weekly summary")
        verbose_name_plural = _("weekly summaries")
        constraints = [
            models.UniqueConstraint(fields=["membership", "week_start"], name="weekly_summary_once_a_week"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.week_start}"


def invitation_token_generate() -> str:
    """A fresh invitation token: 256 random bits, url-safe. Only its hash is stored."""
    return secrets.token_urlsafe(32)


_invitation_token = invitation_token_generate  # named in migration 0001


def invitation_token_hash(token: str) -> str:
    """What an invitation stores of its token (sha256, hex): a leaked table opens no invitation."""
    return hashlib.sha256(token.encode()).hexdigest()


def _unissued_token_hash() -> str:
    # Until the e-mail goes out (outstanding.services.invitation_token_issue): a token nobody holds.
    return invitation_token_hash(invitation_token_generate())


class Invitation(models.Model):
    """An e-mailed invitation to join an organization with a role. The token is the credential.

    The token travels only in the e-mailed link's fragment (``/invite/#<token>``) and in a POST body,
    never in a URL path or query a server logs; the database keeps its sha256 (``token_hash``).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.MEMBER)
    token_hash = models.CharField(max_length=64, unique=True, default=_unissued_token_hash, editable=False)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "organization",
                condition=models.Q(accepted_at__isnull=True),
                name="invitation_open_email_org_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organization}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and timezone.now() - self.created_at < INVITATION_VALIDITY


class ApiKeyAccess(models.TextChoices):
    READ = "read", _("Read only")
    READ_WRITE = "read_write", _("Read and write")


class ApiKey(models.Model):
    """A key for the REST API, owned by one organization. Only a hash is stored; the key is shown once.

    Not a TenantModel: authentication looks the key up by its hash across all organizations, which is
    how the tenant is found in the first place. Listing keys always filters on the organization.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    hashed_key = models.CharField(max_length=64, unique=True, editable=False)
    access = models.CharField(_("access"), max_length=10, choices=ApiKeyAccess.choices, default=ApiKeyAccess.READ)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    @property
    def can_write(self) -> bool:
        return self.access == ApiKeyAccess.READ_WRITE
