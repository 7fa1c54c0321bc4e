"""Writes on debtors, invoices and payments. Views, APIs, imports, connectors and tasks come through here.

``records``: single-object writes (create, payments). ``pauses``: pausing and resuming reminders.
``upsert``: the one intake path, idempotent on (organization, external id or invoice number), used by
every source.
"""

from invoices.services.pauses import (
    PAUSE_REASON_MAX_LENGTH,
    debtor_pause,
    debtor_resume,
    invoice_pause,
    invoice_resume,
    invoices_pause,
    invoices_resume,
)
from invoices.services.records import (
    DEBTOR_FIELDS,
    credit_note_apply,
    debtor_create,
    debtor_update,
    invoice_create,
    invoice_write_off,
    payment_record,
    payment_reverse,
)
from invoices.services.upsert import (
    DebtorData,
    InvoiceData,
    UpsertResult,
    debtor_upsert,
    invoice_upsert,
    invoices_upsert_many,
)

__all__ = [
    "DEBTOR_FIELDS",
    "PAUSE_REASON_MAX_LENGTH",
    "DebtorData",
    "InvoiceData",
    "UpsertResult",
    "credit_note_apply",
    "debtor_create",
    "debtor_pause",
    "debtor_resume",
    "debtor_update",
    "debtor_upsert",
    "invoice_create",
    "invoice_pause",
    "invoice_resume",
    "invoice_upsert",
    "invoice_write_off",
    "invoices_pause",
    "invoices_resume",
    "invoices_upsert_many",
    "payment_record",
    "payment_reverse",
]
