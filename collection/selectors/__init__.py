"""Reads of the collection app."""

from collection.selectors.arrangements import (
    arrangement_for_debtor,
    arrangement_held_invoice_public_ids,
    arrangement_list,
    arrangement_list_for_debtor,
    arrangement_proposals_open_count,
)

__all__ = [
    "arrangement_for_debtor",
    "arrangement_held_invoice_public_ids",
    "arrangement_list",
    "arrangement_list_for_debtor",
    "arrangement_proposals_open_count",
]
