"""The organization's receivables figures as the dashboard and the API summary show them: one place.

Gathers what the other apps know about money to come (arrangement terms from ``collection``,
promises to pay from ``reminders``) and hands it to ``invoices.selectors.receivables_summary``,
which computes every figure in a handful of aggregate queries. The result is stored until the
organization's data changes (``reminders.selectors.changes.cached_while_unchanged``: the triggers
watch invoices, debtors, reminders, arrangements and dossiers; a payment always changes its
invoice), so the page and the API agree and 200,000 invoices are summed once per change.
"""

from __future__ import annotations

import datetime as dt

from collection.selectors.cash_in import arrangement_expectations
from collection.selectors.dossiers import dossier_counts_by_stage
from invoices import selectors as invoice_selectors
from invoices.selectors.receivables import PlannedPayment, ReceivablesSummary
from outstanding.models import Organization
from reminders.selectors import changes
from reminders.selectors.promises import promised_payment_dates

CACHE_VERSION = "v1"


def receivables_summary_for(*, organization: Organization, today: dt.date) -> ReceivablesSummary:
    """Every figure of the dashboard for ``today``, stored while the organization's data is unchanged."""
    return changes.cached_while_unchanged(
        organization,
        f"receivables-summary:{CACHE_VERSION}:{today.isoformat()}",
        lambda: _compute(organization, today),
    )


def _compute(organization: Organization, today: dt.date) -> ReceivablesSummary:
    held: set[int] = set()
    planned: list[PlannedPayment] = []
    for arrangement in arrangement_expectations(organization=organization):
        held |= arrangement.invoice_ids
        terms = [PlannedPayment(on=on, amount=amount) for on, amount in arrangement.terms]
        planned += invoice_selectors.arrangement_open_terms(
            terms=terms, total=arrangement.total, still_open=arrangement.still_open
        )
    return invoice_selectors.receivables_summary(
        organization=organization,
        today=today,
        held_invoice_ids=held,
        promised=promised_payment_dates(organization=organization, today=today),
        planned=planned,
        dossiers_by_stage=dossier_counts_by_stage(organization=organization),
    )
