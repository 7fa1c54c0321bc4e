"""Indexes for the dashboard's receivables figures (issue 11; ``invoices.selectors.receivables``).

- open invoices by due date, with what the aging and the expected cash-in read (a partial index: only
  invoices with money open, a small part of a large organization's history);
- payments by date, with what this week's payments and the DSO trend read;
- payments by invoice with their date, for each paid invoice's last payment date (the debtors' delays).

Every index starts with the organization, so a query reads one tenant's slice. The (organization,
issue_date) index of the sales per month comes with ``0013_list_indexes``.
"""

from django.db import migrations

INDEXES = {
    "invoices_invoice": {
        "invoice_open_due_date": (
            "(organization_id, due_date) INCLUDE (open_amount, debtor_id, currency) "
            "WHERE status = 'open' AND open_amount > 0"
        ),
    },
    "invoices_payment": {
        "payment_organization_date": "(organization_id, date) INCLUDE (invoice_id, amount, source)",
        "payment_organization_invoice_date": "(organization_id, invoice_id, date)",
    },
}


class Migration(migrations.Migration):
    dependencies = [("invoices", "0013_list_indexes")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON {table} {columns};",
            reverse_sql=f"DROP INDEX IF EXISTS {name};",
        )
        for table, indexes in INDEXES.items()
        for name, columns in indexes.items()
    ]
