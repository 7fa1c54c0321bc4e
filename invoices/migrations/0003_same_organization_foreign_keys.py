"""An invoice's debtor and a payment's invoice are in the same organization (composite foreign keys)."""

from django.db import migrations

from outstanding.db import same_organization_foreign_key


class Migration(migrations.Migration):
    dependencies = [("invoices", "0002_initial")]

    operations = [
        same_organization_foreign_key("invoices_invoice", "debtor_id", "invoices_debtor", "invoice_debtor_same_organization"),
        same_organization_foreign_key("invoices_payment", "invoice_id", "invoices_invoice", "payment_invoice_same_organization"),
    ]
