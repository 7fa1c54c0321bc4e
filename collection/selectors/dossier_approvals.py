"""How many debtors wait for the creditor's approval to go to collection: a count for the attention list.

The approvals page (``collection.views.dossier_approvals``) shows the candidates with what is missing
(``hand_over_candidates``, which checks every debtor's address and 14-day letters). A count on every
page load must not do that work: :func:`dossier_approvals_waiting_count` counts the same debtors
with two small queries and computes no problems.
"""

from __future__ import annotations

from collection.models import DossierInvoice
from invoices.models import Invoice, InvoiceStatus
from outstanding.models import Organization
from reminders.selectors.legal_steps import hand_over_reached


def dossier_approvals_waiting_count(*, organization: Organization) -> int:
    """The number of debtors whose invoices reached their flow's hand-over step and are in no dossier.

    The same debtors as ``hand_over_candidates`` (open, unpaused invoices with something to pay,
    never in a dossier, of a debtor whose reminders are not paused), whether or not something is
    missing to open their dossier: a debtor with problems waits for the creditor too, to fix them.
    Two queries: the invoices that reached the hand-over, then one count of distinct debtors.
    """
    reached = list(hand_over_reached(organization=organization))
    if not reached:
        return 0
    ever_in_dossier = DossierInvoice.objects.for_organization(organization).values("invoice_id")
    return (
        Invoice.objects.for_organization(organization)
        .filter(pk__in=reached, status=InvoiceStatus.OPEN, is_paused=False, open_amount__gt=0)
        .filter(debtor__is_paused=False)
        .exclude(pk__in=ever_in_dossier)
        .values("debtor_id")
        .distinct()
        .count()
    )
