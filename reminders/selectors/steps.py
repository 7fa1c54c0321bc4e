"""Which flow step an invoice is at: the kind of the last step it had, for the invoice list's filter.

An open invoice's current step is its latest reminder item (the highest step day, then the latest row),
exactly what the engine takes as "the last step it had" (``last_day`` in :mod:`reminders.engine`, which
counts an item whose message was cancelled too: that step is not planned for the invoice again). Both
conditions are one set-based subquery over the organization's open invoices and their items, never a
query per invoice: at 200,000 invoices a correlated subquery per row took seconds, and checking each
item's message status another second.
"""

from __future__ import annotations

from django.db.models import Q
from django.db.models.expressions import RawSQL

from outstanding.models import Organization

# The items of the organization's open invoices.
_OPEN_INVOICE_ITEMS = """
    FROM invoices_invoice i
    JOIN reminders_reminderitem ri ON ri.invoice_id = i.id AND ri.organization_id = i.organization_id
    WHERE i.organization_id = %s AND i.status = 'open' AND i.open_amount > 0
"""

AT_STEP_SQL = f"""
    SELECT last.invoice_id FROM (
        SELECT DISTINCT ON (ri.invoice_id) ri.invoice_id, ri.step_kind
        {_OPEN_INVOICE_ITEMS}
        ORDER BY ri.invoice_id, ri.step_day DESC, ri.id DESC
    ) last
    WHERE last.step_kind = %s
"""  # noqa: S608 (built from constants only)

WITH_A_STEP_SQL = f"SELECT ri.invoice_id {_OPEN_INVOICE_ITEMS}"


def invoice_at_step_q(*, organization: Organization, step: str) -> Q:
    """A condition on ``Invoice``: open, and its current step is of kind ``step``."""
    return Q(pk__in=RawSQL(AT_STEP_SQL, (organization.pk, step)))  # noqa: S611 (parameters bound)


def invoice_without_step_q(*, organization: Organization) -> Q:
    """A condition on ``Invoice``: it had no step yet (no message was ever planned about it).

    Only open invoices are looked up; the invoice list applies the step filter to open invoices only.
    """
    return ~Q(pk__in=RawSQL(WITH_A_STEP_SQL, (organization.pk,)))  # noqa: S611 (parameters bound)
