"""Composite foreign keys: an invoice's debtor and a payment's invoice are in the same organization.

Django cannot declare a foreign key over two columns, so PostgreSQL gets them directly. With these,
even a bug that bypasses the services cannot attach one tenant's invoice to another tenant's debtor.
"""

from django.db import migrations

FOREIGN_KEYS = [
    ("invoices_invoice", "invoice_debtor_same_organization", "debtor_id", "invoices_debtor"),
    ("invoices_payment", "payment_invoice_same_organization", "invoice_id", "invoices_invoice"),
]


class Migration(migrations.Migration):
    dependencies = [("invoices", "0002_initial")]

    operations = [
        migrations.RunSQL(
            sql=(
                f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY (organization_id, {column}) "
                f"REFERENCES {target} (organization_id, id) DEFERRABLE INITIALLY DEFERRED"
            ),
            reverse_sql=f"ALTER TABLE {table} DROP CONSTRAINT {name}",
        )
        for table, name, column, target in FOREIGN_KEYS
    ]
