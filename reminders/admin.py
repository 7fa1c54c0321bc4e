"""Staff admin over flows, templates, reminders and dunning runs of every organization."""

from __future__ import annotations

from django.contrib import admin

from outstanding.admin import TenantAdmin
from reminders.models import (
    CallOutcome,
    DunningRun,
    DunningSettings,
    Flow,
    FlowStep,
    LetterBatch,
    MessageTemplate,
    Reminder,
    ReminderItem,
)


@admin.register(DunningSettings)
class DunningSettingsAdmin(TenantAdmin):
    list_display = ("send_weekdays", "min_days_between_contacts", "dynamic_flows", "is_paused")
    list_filter = ("is_paused", "dynamic_flows")


@admin.register(Flow)
class FlowAdmin(TenantAdmin):
    list_display = ("name", "debtor_kind", "variant", "created_at")
    list_filter = ("debtor_kind", "variant")
    search_fields = ("name",)
    readonly_fields = ("public_id",)


@admin.register(FlowStep)
class FlowStepAdmin(TenantAdmin):
    list_display = ("flow", "days_after_due", "kind", "channels", "tone")
    list_filter = ("kind", "tone")
    raw_id_fields = ("flow",)
    readonly_fields = ("public_id",)
    list_select_related = ("flow",)


@admin.register(MessageTemplate)
class MessageTemplateAdmin(TenantAdmin):
    list_display = ("kind", "tone", "language", "email_subject", "updated_at")
    list_filter = ("kind", "tone", "language")
    search_fields = ("email_subject", "email_body")


class ReminderItemInline(admin.TabularInline):
    model = ReminderItem
    extra = 0
    raw_id_fields = ("invoice", "step")
    readonly_fields = ("step_kind", "step_day", "channel", "open_amount")
    can_delete = False
    exclude = ()


@admin.register(Reminder)
class ReminderAdmin(TenantAdmin):
    list_display = ("debtor", "channel", "kind", "planned_date", "status", "attempts", "sent_at")
    list_filter = ("status", "channel", "kind", "registered")
    search_fields = ("recipient", "subject", "provider_reference", "error")
    date_hierarchy = "planned_date"
    raw_id_fields = ("debtor", "letter_batch")
    readonly_fields = ("public_id", "created_at", "updated_at", "sent_at", "attempts")
    list_select_related = ("debtor",)
    inlines = (ReminderItemInline,)


@admin.register(DunningRun)
class DunningRunAdmin(TenantAdmin):
    """Where staff see an organization's failed morning run (DESIGN: visible to staff)."""

    list_display = ("date", "succeeded", "reminders_created", "summary", "started_at", "finished_at")
    list_filter = ("succeeded",)
    search_fields = ("summary", "error")
    date_hierarchy = "date"
    readonly_fields = ("date", "succeeded", "reminders_created", "summary", "error", "started_at", "finished_at")


@admin.register(LetterBatch)
class LetterBatchAdmin(TenantAdmin):
    list_display = ("date", "letter_count", "created_at", "downloaded_at")
    date_hierarchy = "date"
    readonly_fields = ("public_id", "created_at")


@admin.register(CallOutcome)
class CallOutcomeAdmin(TenantAdmin):
    list_display = ("reminder", "outcome", "promised_date", "created_at")
    list_filter = ("outcome",)
    raw_id_fields = ("reminder", "created_by")
