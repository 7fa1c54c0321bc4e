"""Reads of the collection app."""

from collection.selectors.arrangements import (
    arrangement_for_debtor,
    arrangement_held_invoice_public_ids,
    arrangement_list,
    arrangement_list_for_debtor,
    arrangement_proposals_open_count,
)
from collection.selectors.dossier_approvals import dossier_approvals_waiting_count
from collection.selectors.dossier_checks import claim_fourteen_day_letters, dossier_opening_problems
from collection.selectors.dossiers import (
    HandOverCandidate,
    dossier_counts_by_stage,
    dossier_get,
    dossier_invoice_ids_in_stage,
    dossier_list,
    dossier_open_invoice_ids,
    hand_over_candidates,
)

__all__ = [
    "HandOverCandidate",
    "arrangement_for_debtor",
    "arrangement_held_invoice_public_ids",
    "arrangement_list",
    "arrangement_list_for_debtor",
    "arrangement_proposals_open_count",
    "claim_fourteen_day_letters",
    "dossier_approvals_waiting_count",
    "dossier_counts_by_stage",
    "dossier_get",
    "dossier_invoice_ids_in_stage",
    "dossier_list",
    "dossier_open_invoice_ids",
    "dossier_opening_problems",
    "hand_over_candidates",
]
