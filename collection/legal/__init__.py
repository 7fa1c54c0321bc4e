"""Dutch legal rules for collection, as pure functions: amounts and dates in, amounts and dates out.

No models, no database, no clock: ``today`` and every date are parameters. Figures come from
DOMAIN.md and live in dated tables, so a new rate or fee is one new row.
"""

from collection.legal.costs import (
    VAT_RATES,
    WIK_SCALES,
    WikScale,
    WikSlice,
    collection_costs,
    collection_costs_for_consumer_letter,
    collection_costs_vat,
    small_claim_cap_warning,
)
from collection.legal.court_fees import (
    COURT_FEES,
    KANTONRECHTER_LIMIT,
    CourtFeeUnknown,
    court_fee,
    is_kantonzaak,
)
from collection.legal.fourteen_day_letter import (
    ACCEPTED_TERM_WORDING_EN,
    ACCEPTED_TERM_WORDING_NL,
    FourteenDayTerm,
    can_charge_collection_costs,
    fourteen_day_term,
    is_valid_term_wording,
    presumed_receipt_date,
)
from collection.legal.imputation import Imputation, impute_payment
from collection.legal.interest import (
    INTEREST_RATES,
    InterestPeriod,
    InterestRateUnknown,
    InterestResult,
    commercial_due_date_without_agreed_date,
    interest_start_date,
    rate_table_missing_since,
    statutory_interest,
)
from collection.legal.notice_of_default import notice_of_default_term

__all__ = [
    "ACCEPTED_TERM_WORDING_EN",
    "ACCEPTED_TERM_WORDING_NL",
    "COURT_FEES",
    "INTEREST_RATES",
    "KANTONRECHTER_LIMIT",
    "VAT_RATES",
    "WIK_SCALES",
    "CourtFeeUnknown",
    "FourteenDayTerm",
    "Imputation",
    "InterestPeriod",
    "InterestRateUnknown",
    "InterestResult",
    "WikScale",
    "WikSlice",
    "can_charge_collection_costs",
    "collection_costs",
    "collection_costs_for_consumer_letter",
    "collection_costs_vat",
    "commercial_due_date_without_agreed_date",
    "court_fee",
    "fourteen_day_term",
    "impute_payment",
    "interest_start_date",
    "is_kantonzaak",
    "is_valid_term_wording",
    "notice_of_default_term",
    "presumed_receipt_date",
    "rate_table_missing_since",
    "small_claim_cap_warning",
    "statutory_interest",
]
