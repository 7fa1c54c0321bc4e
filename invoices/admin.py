"""Staff admin over debtors, invoices and payments of every organization."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import CharField, F, Func, QuerySet, Value
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from invoices.models import AccountingConnection, Debtor, ImportJob, ImportMapping, Invoice, Payment
from invoices.services import payment_record
from outstanding.admin import TenantAdmin
from outstanding.calendar import local_today
from outstanding.money import format_money
from reminders.selectors.flows import debtor_flow_reason


@admin.register(Debtor)
class DebtorAdmin(TenantAdmin):
    list_display = ("name", "kind", "city", "email", "kvk_number", "is_paused", "created_at")
    list_filter = ("kind", "is_paused", "country", "language")
    search_fields = (
        "name",
        "contact_person",
        "emails_text",
        "external_id",
        "kvk_number",
        "vat_id",
        "postal_code",
        "city",
    )
    date_hierarchy = "created_at"
    raw_id_fields = ("flow",)
    # The variant is suggested by reminders.scoring from the payment history, not chosen here.
    readonly_fields = (
        "public_id",
        "flow_variant",
        "flow_variant_reason",
        "flow_variant_reason_text",
        "invoice_list_link",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("public_id", "kind", "name", "contact_person", "external_id", "language")}),
        (_("Contact"), {"fields": ("emails", "phones", "street", "postal_code", "city", "country")}),
        (_("Registration"), {"fields": ("kvk_number", "vat_id")}),
        (
            _("Reminders"),
            {
                "fields": (
                    "flow",
                    "flow_variant",
                    "flow_variant_reason",
                    "flow_variant_reason_text",
                    "is_paused",
                    "pause_reason",
                    "paused_until",
                )
            },
        ),
        (_("Notes"), {"fields": ("notes",)}),
        (_("History"), {"fields": ("invoice_list_link", "created_at", "updated_at")}),
    )

    @admin.display(description=_("why, in words"))
    def flow_variant_reason_text(self, debtor: Debtor) -> str:
        return debtor_flow_reason(debtor=debtor, today=local_today(debtor.organization.time_zone)) or "-"

    @admin.display(description=_("invoices"))
    def invoice_list_link(self, debtor: Debtor) -> str:
        if debtor.pk is None:
            return "-"
        url = reverse("admin:invoices_invoice_changelist") + f"?debtor__id__exact={debtor.pk}"
        return format_html('<a href="{}">{}</a>', url, _("Show this debtor's invoices"))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Debtor]:
        # The e-mail addresses are an array, which icontains cannot search: search them as one text.
        emails_text = Func(F("emails"), Value(" "), function="array_to_string", output_field=CharField())
        return super().get_queryset(request).alias(emails_text=emails_text)


@admin.register(Invoice)
class InvoiceAdmin(TenantAdmin):
    list_display = ("number", "debtor", "issue_date", "due_date", "amount_display", "open_amount_display", "status")
    list_filter = ("status", "is_paused", "currency", "due_date")
    list_select_related = ("debtor",)
    search_fields = ("number", "external_id", "debtor__name")
    date_hierarchy = "issue_date"
    raw_id_fields = ("debtor",)  # not autocomplete: debtor names repeat across organizations
    readonly_fields = ("public_id", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("public_id", "number", "external_id", "debtor", "status")}),
        (_("Dates"), {"fields": ("issue_date", "due_date")}),
        (_("Amounts"), {"fields": ("currency", "amount", "vat_amount", "open_amount")}),
        (_("Reminders"), {"fields": ("is_paused", "pause_reason", "paused_until")}),
        (_("Files"), {"fields": ("pdf",)}),
        (_("History"), {"fields": ("created_at", "updated_at")}),
    )

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, invoice: Invoice) -> str:
        return format_money(invoice.amount, invoice.currency)

    @admin.display(description=_("open amount"), ordering="open_amount")
    def open_amount_display(self, invoice: Invoice) -> str:
        return format_money(invoice.open_amount, invoice.currency)


@admin.register(Payment)
class PaymentAdmin(TenantAdmin):
    """Payments are added through ``payment_record`` (which lowers the invoice's open amount) and never
    changed or deleted here: that would leave the invoice's open amount wrong."""

    list_display = ("date", "invoice", "debtor", "amount_display", "source", "reference")
    list_filter = ("source",)
    list_select_related = ("invoice", "invoice__debtor")
    search_fields = ("reference", "invoice__number", "invoice__debtor__name")
    date_hierarchy = "date"
    raw_id_fields = ("invoice",)
    readonly_fields = ("public_id", "created_at")

    def get_fields(self, request: HttpRequest, obj: Payment | None = None) -> tuple[str, ...]:
        fields = ("invoice", "amount", "date", "source", "reference")
        return fields if obj is None else ("public_id", *fields, "created_at")

    def has_change_permission(self, request: HttpRequest, obj: Payment | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Payment | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Payment, form: Any, change: bool) -> None:
        payment = payment_record(
            organization=obj.organization,
            invoice=obj.invoice,
            amount=obj.amount,
            date=obj.date,
            source=obj.source,
            reference=obj.reference,
        )
        obj.pk = payment.pk  # the admin redirects to and logs the row the service wrote
        obj.refresh_from_db()

    @admin.display(description=_("debtor"), ordering="invoice__debtor__name")
    def debtor(self, payment: Payment) -> str:
        return str(payment.invoice.debtor)

    @admin.display(description=_("amount"), ordering="amount")
    def amount_display(self, payment: Payment) -> str:
        return format_money(payment.amount, payment.invoice.currency)


@admin.register(ImportJob)
class ImportJobAdmin(TenantAdmin):
    list_display = ("filename", "kind", "status", "total_rows", "valid_rows", "rejected_rows", "created_at")
    list_filter = ("kind", "status")
    search_fields = ("filename",)
    date_hierarchy = "created_at"
    readonly_fields = ("public_id", "created_at", "finished_at", "created_by")
    raw_id_fields = ("created_by",)


@admin.register(ImportMapping)
class ImportMappingAdmin(TenantAdmin):
    list_display = ("updated_at",)


@admin.register(AccountingConnection)
class AccountingConnectionAdmin(TenantAdmin):
    list_display = ("provider", "status", "account_id", "last_sync_at", "last_error_at")
    list_filter = ("provider", "status")
    search_fields = ("account_id", "last_error")
    # Tokens are secrets: never shown, not even to staff.
    exclude = ("access_token", "refresh_token")
    readonly_fields = ("public_id", "created_at", "last_sync_at", "last_error", "last_error_at")
