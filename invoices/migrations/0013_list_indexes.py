"""Indexes for the invoice list (issue 11): every sortable column and the default order.

Written as SQL because the default order is an expression ("days overdue" without today in it: the
due date of an invoice with money open, NULL otherwise; see ``invoices.selectors.OVERDUE_ORDER``) that
must match the query's ORDER BY exactly for PostgreSQL to read a page straight off the index. Each
index starts with the organization, so a list reads one tenant's slice of it. Sorting on the number
uses the (organization, number) unique constraint and filtering on status the (organization, status,
due_date) index, both already there.
"""

from django.db import migrations

INDEXES = {
    "invoice_list_overdue_order": (
        "(organization_id, (CASE WHEN status = 'open' AND open_amount > 0 THEN due_date END) ASC NULLS LAST, id DESC)"
    ),
    # (column, id DESC): "column ASC, id DESC" forwards and "column DESC, id ASC" backwards, both without
    # a sort even when a whole organization shares one value (the open amount of every paid invoice)
    "invoice_list_due_date": "(organization_id, due_date, id DESC)",
    "invoice_list_issue_date": "(organization_id, issue_date, id DESC)",
    "invoice_list_amount": "(organization_id, amount, id DESC)",
    "invoice_list_open_amount": "(organization_id, open_amount, id DESC)",
}


class Migration(migrations.Migration):
    dependencies = [("invoices", "0012_online_payment_reversals")]

    operations = [
        migrations.RunSQL(
            sql=f"CREATE INDEX IF NOT EXISTS {name} ON invoices_invoice {columns};",
            reverse_sql=f"DROP INDEX IF EXISTS {name};",
        )
        for name, columns in INDEXES.items()
    ]
