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
]
