"""The veertiendagenbrief (14-day letter) before collection costs may be charged to a consumer.

Art. 6:96 lid 6 BW; DOMAIN.md §3. HR 25-11-2016, ECLI:NL:HR:2016:2704: the 14 days start on the day
after the debtor *received* the letter, and a letter counting from its date or dispatch has no effect.
HR 13-06-2014, ECLI:NL:HR:2014:1405: once the term passes unpaid the costs are due without further acts.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

from outstanding.calendar import ONE_DAY, is_atw_holiday, next_business_day, statutory_term_end

Channel = Literal["post", "email"]

TERM_DAYS = 14
POSTAL_DELIVERY_DAYS_UNTIL_RECEIPT = 2
SUNDAY, MONDAY = 6, 0

ACCEPTED_TERM_WORDING_NL = "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd"
ACCEPTED_TERM_WORDING_EN = "within fourteen days from the day after this letter has been delivered to you"

# The wording must count from delivery (HR 25-11-2016). Whitelisted: the accepted wording (NL/EN), with
# the number in words or digits, and the "vijftien dagen nadat ... bezorgd" variant DOMAIN.md §3 names.
_VALID_WORDINGS = (
    re.compile(r"binnen (?:14|veertien) dagen vanaf de dag nadat deze (?:brief|e-?mail) bij u is bezorgd"),
    re.compile(r"binnen (?:15|vijftien) dagen nadat deze (?:brief|e-?mail) bij u is bezorgd"),
    re.compile(r"within (?:14|fourteen) days from the day after this (?:letter|e-?mail) has been delivered to you"),
    re.compile(r"within (?:15|fifteen) days after this (?:letter|e-?mail) has been delivered to you"),
)
# A term counted from the letter's date, today or dispatch makes the letter void, even next to a valid
# phrase. Only the same sentence as "<n> dagen/days" is inspected, so "rente vanaf de datum van deze
# factuur" elsewhere in the letter does not trip it.
_INVALID_WORDINGS = re.compile(
    r"\b\w+ (?:dagen|days)\b[^.;]{0,80}?"
    r"\b(?:dagtekening|heden|verzending|verzonden|datum van (?:deze|dit)"
    r"|date of (?:this|the)|dispatch|sending|sent|today)\b"
)


@dataclass(frozen=True)
class FourteenDayTerm:
    """What must be computed and stored for every 14-day letter (DOMAIN.md §3)."""

    sent_date: dt.date
    channel: Channel
    presumed_receipt_date: dt.date
    term_end: dt.date
    first_day_costs_chargeable: dt.date


def is_postal_delivery_day(day: dt.date) -> bool:
    """Post is delivered Tuesday to Saturday, except on ATW holidays (no delivery on Sunday or Monday)."""
    return day.weekday() not in (SUNDAY, MONDAY) and not is_atw_holiday(day)


def presumed_receipt_date(sent: dt.date, channel: Channel) -> dt.date:
    """The day the debtor is presumed to have received the letter.

    Post: the second delivery day after dispatch. E-mail: the day of sending if that is a business day,
    otherwise the next business day.
    """
    if channel == "email":
        return next_business_day(sent)
    if channel != "post":
        raise ValueError(f"unknown channel {channel!r}: expected 'post' or 'email'")
    day, delivery_days = sent, 0
    while delivery_days < POSTAL_DELIVERY_DAYS_UNTIL_RECEIPT:
        day += ONE_DAY
        delivery_days += is_postal_delivery_day(day)
    return day


def fourteen_day_term(sent: dt.date, channel: Channel) -> FourteenDayTerm:
    """The term of a veertiendagenbrief: 14 days from the day after presumed receipt, extended per the ATW."""
    return term_from_receipt(sent, channel, TERM_DAYS)


def term_from_receipt(sent: dt.date, channel: Channel, days: int) -> FourteenDayTerm:
    """A written term of ``days`` counted from the day after presumed receipt, extended per the ATW:
    the 14-day letter's, and a notice of default's with the creditor's number of days."""
    receipt = presumed_receipt_date(sent, channel)
    term_end = statutory_term_end(receipt, days)
    return FourteenDayTerm(
        sent_date=sent,
        channel=channel,
        presumed_receipt_date=receipt,
        term_end=term_end,
        first_day_costs_chargeable=term_end + ONE_DAY,
    )


def can_charge_collection_costs(term: FourteenDayTerm, today: dt.date) -> bool:
    """True from the day after the term ends; the debtor may still pay without costs on the last day."""
    return today >= term.first_day_costs_chargeable


def is_valid_term_wording(text: str) -> bool:
    """Whether the letter states the term as running from the day after delivery (HR 25-11-2016).

    Rejects any letter counting from its date, today or dispatch ("na dagtekening", "na heden",
    "na verzending", "binnen 14 dagen na de datum van deze brief"), even alongside a valid phrase:
    an ambiguous term is not a correct one.
    """
    normalized = " ".join(text.lower().split())
    if _INVALID_WORDINGS.search(normalized):
        return False
    return any(wording.search(normalized) for wording in _VALID_WORDINGS)
