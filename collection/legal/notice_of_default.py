"""The term of a notice of default (ingebrekestelling, art. 6:82 BW; DOMAIN.md §1).

A notice of default gives the debtor a reasonable term to pay; when it passes unpaid the debtor is in
default (verzuim) and the claim may be handed over. Like a 14-day letter, the term counts from the day
after presumed receipt (post: second delivery day; e-mail: the sending day when a business day) and is
extended per the Algemene termijnenwet. The number of days is the creditor's setting.
"""

from __future__ import annotations

import datetime as dt

from collection.legal.fourteen_day_letter import Channel, FourteenDayTerm, term_from_receipt


def notice_of_default_term(sent: dt.date, channel: Channel, term_days: int) -> FourteenDayTerm:
    """Presumed receipt, last day to pay and the first day of default of a notice sent on ``sent``."""
    if term_days < 1:
        raise ValueError("a notice of default needs a term of at least one day")
    return term_from_receipt(sent, channel, term_days)
