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
    BANK = "bank", _("Bank statement")


class Payment(TenantModel):
    """Money received against one invoice. Recorded only through ``payment_record``.

    One kind is negative: an online payment refunded or charged back takes money back, recorded by
    ``payment_reverse`` as a row of its own, so the history shows both and the payments of an
    invoice still add up to what it received.
    """

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
            models.CheckConstraint(
                condition=Q(amount__gt=0) | (Q(amount__lt=0) & Q(source="mollie")),
                name="payment_amount_positive_or_online_reversal",
            ),
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


class OnlinePaymentStatus(models.TextChoices):
    """Mollie's payment statuses (https://docs.mollie.com/payments/status-changes)."""

    OPEN = "open", _("Waiting for payment")
    PENDING = "pending", _("Being processed")
    AUTHORIZED = "authorized", _("Authorized")
    PAID = "paid", _("Paid")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Cancelled")
    EXPIRED = "expired", _("Expired")


class OnlinePayment(TenantModel):
    """One payment a debtor started online (iDEAL through Mollie) for one or more of their invoices.

    Written only by ``invoices.payments.mollie``. ``mollie_id`` is empty until Mollie accepted the
    payment; ``booked_at`` is set, once, when the paid amount was recorded on the invoices.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    debtor = models.ForeignKey(
        Debtor, on_delete=models.PROTECT, related_name="online_payments", verbose_name=_("debtor")
    )
    invoices = models.ManyToManyField(Invoice, related_name="online_payments", verbose_name=_("invoices"))
    mollie_id = models.CharField(_("Mollie payment id"), max_length=35, unique=True, null=True, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    description = models.CharField(_("description"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=OnlinePaymentStatus.choices, default=OnlinePaymentStatus.OPEN
    )
    checkout_url = models.URLField(_("checkout page"), max_length=500, blank=True)
    # What Mollie reports refunded or charged back on a paid payment (it stays "paid" then).
    amount_refunded = models.DecimalField(_("refunded"), default=Decimal("0.00"), **MONEY)
    amount_charged_back = models.DecimalField(_("charged back"), default=Decimal("0.00"), **MONEY)
    # Refunded plus charged back as far as it was acted on (the most Mollie reported), and what of it was
    # taken back from the invoices (at most what was booked): a replayed webhook reverses nothing twice.
    reversals_handled = models.DecimalField(_("refunds and chargebacks handled"), default=Decimal("0.00"), **MONEY)
    amount_reversed = models.DecimalField(_("taken back from the invoices"), default=Decimal("0.00"), **MONEY)
    # Why a webhook was refused (amount_mismatch, metadata_mismatch, create_failed); empty when all is well.
    problem = models.CharField(_("problem"), max_length=30, blank=True)
    booked_at = models.DateTimeField(_("booked"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("online payment")
        verbose_name_plural = _("online payments")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="online_payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(booked_at__isnull=True) | Q(status="paid"), name="online_payment_booked_only_when_paid"
            ),
            models.CheckConstraint(
                condition=Q(amount_reversed__gte=0)
                & Q(amount_reversed__lte=F("amount"))
                & Q(reversals_handled__gte=F("amount_reversed")),
                name="online_payment_reversed_within_amount",
            ),
            models.CheckConstraint(
                condition=Q(amount_reversed=0) | Q(booked_at__isnull=False),
                name="online_payment_reversed_only_when_booked",
            ),
        ]
        indexes = [models.Index(fields=["organization", "debtor", "created_at"], name="online_payment_debtor_idx")]

    def __str__(self) -> str:
        return self.mollie_id or str(self.public_id)

    @property
    def is_final(self) -> bool:
        return self.status in ONLINE_PAYMENT_FINAL_STATUSES


# Mollie never moves a payment out of these; a webhook that reports otherwise came out of order.
ONLINE_PAYMENT_FINAL_STATUSES = frozenset(
    {OnlinePaymentStatus.PAID, OnlinePaymentStatus.FAILED, OnlinePaymentStatus.CANCELED, OnlinePaymentStatus.EXPIRED}
)


class BankStatement(TenantModel):
    """One uploaded CAMT.053 bank statement file and what its import did (invoices.bank)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    filename = models.CharField(_("file name"), max_length=255)
    account = models.CharField(_("account"), max_length=70, blank=True)
    uploaded_by = models.ForeignKey("outstanding.User", on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    line_count = models.PositiveIntegerField(_("incoming payments"), default=0)
    booked_count = models.PositiveIntegerField(_("booked"), default=0)
    review_count = models.PositiveIntegerField(_("to review"), default=0)
    # Lines already imported from an earlier file (the same statement twice, overlapping exports).
    known_count = models.PositiveIntegerField(_("already imported"), default=0)

    class Meta:
        verbose_name = _("bank statement")
        verbose_name_plural = _("bank statements")
        ordering = ["-uploaded_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["organization", "id"], name="bankstatement_org_id_unique")]

    def __str__(self) -> str:
        return self.filename


class BankLineStatus(models.TextChoices):
    BOOKED = "booked", _("Booked")
    TO_REVIEW = "to_review", _("To review")
    DISMISSED = "dismissed", _("Dismissed")


class BankLine(TenantModel):
    """One incoming payment of a bank statement. Booked, waiting for review, or dismissed; never deleted.

    ``entry_key`` is the bank's reference for the entry (or a stable key built from its contents),
    unique per organization: the same line in a second file is recognised and not booked again.
    ``reason`` is a code (invoices.bank.matching) so each reader sees it in their own language.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    statement = models.ForeignKey(BankStatement, on_delete=models.PROTECT, related_name="lines")
    entry_key = models.CharField(_("bank reference"), max_length=100)
    amount = models.DecimalField(_("amount"), **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    date = models.DateField(_("booking date"))
    name = models.CharField(_("name"), max_length=140, blank=True)
    iban = models.CharField(_("IBAN"), max_length=34, blank=True)
    remittance = models.TextField(_("description"), blank=True)
    structured_reference = models.CharField(_("payment reference"), max_length=140, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=BankLineStatus.choices, default=BankLineStatus.TO_REVIEW
    )
    reason = models.CharField(_("reason"), max_length=30, blank=True)
    invoices: models.ManyToManyField[Invoice, BankLineInvoice] = models.ManyToManyField(
        Invoice, through="BankLineInvoice", related_name="bank_lines"
    )
    decided_by = models.ForeignKey("outstanding.User", on_delete=models.SET_NULL, null=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "entry_key"], name="bankline_entry_key_unique"),
            models.UniqueConstraint(fields=["organization", "id"], name="bankline_org_id_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bankline_amount_positive"),
        ]
        indexes = [models.Index(fields=["organization", "status", "date"], name="bankline_status_date_idx")]

    def __str__(self) -> str:
        return f"{self.amount} from {self.name or self.iban or '?'}"


class BankLineInvoice(TenantModel):
    """An invoice a bank line was booked to (with its payment) or that is suggested for it in review."""

    line = models.ForeignKey(BankLine, on_delete=models.CASCADE, related_name="links")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="+")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("bank line invoice")
        verbose_name_plural = _("bank line invoices")
        constraints = [models.UniqueConstraint(fields=["line", "invoice"], name="banklineinvoice_unique")]

    def __str__(self) -> str:
        return f"{self.line_id} -> {self.invoice_id}"
