"""Debtors, their invoices and the payments on them."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from outstanding.fields import EncryptedTextField
from outstanding.files import UnguessableName
from outstanding.models import Language
from outstanding.tenancy import TenantModel

MONEY: dict[str, Any] = {"max_digits": 14, "decimal_places": 2}


class DebtorKind(models.TextChoices):
    BUSINESS = "b2b", _("Business")
    CONSUMER = "b2c", _("Consumer")


class Debtor(TenantModel):
    """Someone who owes the creditor money: a business or a consumer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=3, choices=DebtorKind.choices, default=DebtorKind.BUSINESS)
    name = models.CharField(_("name"), max_length=200)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    emails = ArrayField(models.EmailField(), verbose_name=_("e-mail addresses"), default=list, blank=True)
    phones = ArrayField(models.CharField(max_length=30), verbose_name=_("phone numbers"), default=list, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL")
    language = models.CharField(_("language"), max_length=2, choices=Language.choices, default=Language.DUTCH)
    kvk_number = models.CharField(_("KvK number"), max_length=8, blank=True)
    vat_id = models.CharField(_("VAT id"), max_length=20, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_paused = models.BooleanField(_("paused"), default=False)
    pause_reason = models.CharField(_("pause reason"), max_length=200, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    # Reminder flow: an explicit choice by the creditor wins; otherwise the dynamic variant chosen from
    # the payment history (reminders.scoring) or the organization's standard flow for the debtor's kind.
    flow = models.ForeignKey(
        "reminders.Flow",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reminder flow"),
    )
    flow_variant = models.CharField(_("suggested flow variant"), max_length=10, default="standard")
    # Why: a code and its numbers, not a sentence, so each reader sees it in their own language
    # (reminders.scoring.flow_variant_reason_text).
    flow_variant_reason = models.JSONField(_("why"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("debtor")
        verbose_name_plural = _("debtors")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="debtor_external_id_unique",
            ),
            # Target of the composite foreign keys that keep invoices inside the debtor's tenant.
            models.UniqueConstraint(fields=["organization", "id"], name="debtor_org_id_unique"),
            models.CheckConstraint(
                condition=Q(is_paused=True) | Q(pause_reason=""), name="debtor_pause_reason_only_when_paused"
            ),
        ]
        indexes = [models.Index(fields=["organization", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_business(self) -> bool:
        return self.kind == DebtorKind.BUSINESS

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""

    @property
    def phone(self) -> str:
        return self.phones[0] if self.phones else ""

    @property
    def address_lines(self) -> list[str]:
        return [line for line in (self.street, f"{self.postal_code} {self.city}".strip()) if line]


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    CREDITED = "credited", _("Credited")
    WRITTEN_OFF = "written_off", _("Written off")


class Invoice(TenantModel):
    """An invoice the creditor sent. ``open_amount`` is what is still to be paid."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    number = models.CharField(_("number"), max_length=64)
    external_id = models.CharField(_("external id"), max_length=100, blank=True)
    debtor = models.ForeignKey(Debtor, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("debtor"))
    issue_date = models.DateField(_("invoice date"))
    due_date = models.DateField(_("due date"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    amount = models.DecimalField(_("amount incl. VAT"), **MONEY)
    vat_amount = models.DecimalField(_("VAT amount"), default=Decimal("0.00"), **MONEY)
    open_amount = models.DecimalField(_("open amount"), **MONEY)
    status = models.CharField(_("status"), max_length=12, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
    pdf = models.FileField(_("PDF"), upload_to=UnguessableName("private/invoices"), blank=True)
    # Paused invoices get no reminders (a dispute, an arrangement, a question being answered).
    is_paused = models.BooleanField(_("paused"), default=False)
    pause_reason = models.CharField(_("pause reason"), max_length=200, blank=True)
    paused_until = models.DateField(_("paused until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "number"], name="invoice_number_unique"),
            models.UniqueConstraint(
                fields=["organization", "external_id"],
                condition=~Q(external_id=""),
                name="invoice_external_id_unique",
            ),
            models.UniqueConstraint(fields=["organization", "id"], name="invoice_org_id_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_not_negative"),
            models.CheckConstraint(
                condition=Q(open_amount__gte=0) & Q(open_amount__lte=F("amount")),
                name="invoice_open_amount_between_zero_and_amount",
            ),
            models.CheckConstraint(condition=Q(due_date__gte=F("issue_date")), name="invoice_due_after_issue"),
            models.CheckConstraint(condition=~Q(number=""), name="invoice_number_not_empty"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(open_amount=0), name="invoice_paid_means_nothing_open"
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "due_date"]),
            models.Index(fields=["organization", "debtor"]),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def paid_amount(self) -> Decimal:
        return self.amount - self.open_amount

    def is_overdue(self, today: object) -> bool:
        return self.status == InvoiceStatus.OPEN and self.open_amount > 0 and self.due_date < today  # type: ignore[operator]

    def days_overdue(self, today: object) -> int:
        return max(0, (today - self.due_date).days)  # type: ignore[operator]


class PaymentSource(models.TextChoices):
    MANUAL = "manual", _("Entered by hand")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    CONNECTOR = "connector", _("Accounting package")
    MOLLIE = "mollie", _("Online payment")
    CREDIT_NOTE = "credit", _("Credit note")


class Payment(TenantModel):
    """Money received against one invoice. Recorded only through ``payment_record``."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments", verbose_name=_("invoice"))
    amount = models.DecimalField(_("amount"), **MONEY)
    date = models.DateField(_("date"))
    source = models.CharField(_("source"), max_length=10, choices=PaymentSource.choices, default=PaymentSource.MANUAL)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            # Webhooks and imports deliver the same payment more than once: one row per reference.
            models.UniqueConstraint(
                fields=["organization", "source", "reference"],
                condition=~Q(reference=""),
                name="payment_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.invoice}"


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    READY = "ready", _("Checked, waiting for confirmation")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(TenantModel):
    """One uploaded file (CSV, XLSX, UBL or a zip of UBL) on its way in: preview, check, confirm, commit."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=10)  # csv, xlsx, ubl
    file = models.FileField(_("file"), upload_to=UnguessableName("private/imports"))
    filename = models.CharField(_("file name"), max_length=255)
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    valid_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    # [{"line": 12, "column": "due date", "reason": "..."}], capped; the count is in rejected_rows.
    errors = models.JSONField(default=list, blank=True)
    rejected_rows = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    # Why the file cannot be imported (missing columns) or why the import failed; shown as it is.
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey("outstanding.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename


class ImportMapping(TenantModel):
    """The column mapping an organization confirmed last time, offered again for its next file."""

    columns = models.JSONField(default=dict)  # {"our field": "their header"}
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("import column mapping")
        verbose_name_plural = _("import column mappings")
        constraints = [models.UniqueConstraint(fields=["organization"], name="import_mapping_one_per_org")]

    def __str__(self) -> str:
        return f"Mapping of {self.organization_id}"


class ConnectionStatus(models.TextChoices):
    ACTIVE = "active", _("Connected")
    ERROR = "error", _("Error")
    DISCONNECTED = "disconnected", _("Disconnected")


class AccountingConnection(TenantModel):
    """A link to the organization's accounting package (invoices.connectors); synced hourly by beat.

    ``cursor`` is the connector's own position ("changed since ..."). It only moves forward after a
    batch is stored, so a failed sync never loses it.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.CharField(_("package"), max_length=30)  # moneybird, ...
    status = models.CharField(
        _("status"), max_length=12, choices=ConnectionStatus.choices, default=ConnectionStatus.ACTIVE
    )
    # OAuth tokens: encrypted at rest, never shown again and never logged.
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    account_id = models.CharField(_("administration"), max_length=100, blank=True)
    cursor = models.JSONField(default=dict, blank=True)
    last_sync_at = models.DateTimeField(_("last sync"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("accounting connection")
        verbose_name_plural = _("accounting connections")
        constraints = [
            models.UniqueConstraint(fields=["organization", "provider"], name="accounting_connection_one_per_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} for {self.organization_id}"
