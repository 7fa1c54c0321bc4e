"""Writes of the collection app. ``arrangements``: proposing and deciding payment arrangements;
``notifications``: the e-mails that tell the creditor and the debtor."""

from collection.services.arrangements import (
    FIRST_TERM_AFTER_DAYS,
    NOTE_MAX_LENGTH,
    arrangement_approve,
    arrangement_first_due_date,
    arrangement_hold_reason,
    arrangement_limits_check,
    arrangement_propose,
    arrangement_reject,
    arrangement_schedule,
    arrangement_withdraw,
)
from collection.services.dossier_chain import dossier_chain_problems, dossier_event_append, dossiers_verify
from collection.services.dossiers import (
    dossier_arrangement_broken,
    dossier_arrangement_made,
    dossier_close,
    dossier_court_fee_record,
    dossier_hand_overs_open,
    dossier_hold_reason,
    dossier_open,
    dossier_pause,
    dossier_pre_collections_end,
    dossier_resume,
    dossier_stage_set,
    dossiers_settle,
)

__all__ = [
    "FIRST_TERM_AFTER_DAYS",
    "NOTE_MAX_LENGTH",
    "arrangement_approve",
    "arrangement_first_due_date",
    "arrangement_hold_reason",
    "arrangement_limits_check",
    "arrangement_propose",
    "arrangement_reject",
    "arrangement_schedule",
    "arrangement_withdraw",
    "dossier_arrangement_broken",
    "dossier_arrangement_made",
    "dossier_chain_problems",
    "dossier_close",
    "dossier_court_fee_record",
    "dossier_event_append",
    "dossier_hand_overs_open",
    "dossier_hold_reason",
    "dossier_open",
    "dossier_pause",
    "dossier_pre_collections_end",
    "dossier_resume",
    "dossier_stage_set",
    "dossiers_settle",
    "dossiers_verify",
]
