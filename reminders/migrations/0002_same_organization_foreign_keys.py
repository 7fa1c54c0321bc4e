"""Flows, steps, reminders and their items stay inside one organization (composite foreign keys)."""

from django.db import migrations

from outstanding.db import same_organization_foreign_key


class Migration(migrations.Migration):
    dependencies = [("reminders", "0001_initial"), ("invoices", "0004_debtor_flow_debtor_flow_variant_and_more")]

    operations = [
        same_organization_foreign_key("reminders_flowstep", "flow_id", "reminders_flow", "flowstep_flow_same_organization"),
        same_organization_foreign_key("reminders_reminder", "debtor_id", "invoices_debtor", "reminder_debtor_same_organization"),
        same_organization_foreign_key("reminders_reminderitem", "reminder_id", "reminders_reminder", "reminderitem_reminder_same_organization"),
        same_organization_foreign_key("reminders_reminderitem", "invoice_id", "invoices_invoice", "reminderitem_invoice_same_organization"),
        same_organization_foreign_key("invoices_debtor", "flow_id", "reminders_flow", "debtor_flow_same_organization"),
    ]
