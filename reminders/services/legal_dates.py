"""What must be stored when a legal step (14-day letter or notice of default) actually goes out.

Art. 6:96 lid 6 BW and DOMAIN.md §3: collection costs may be charged to a consumer only after a
correct 14-day letter, from the day after its term ends; the term runs 14 days from the day after the
debtor *received* it (HR 25-11-2016, ECLI:NL:HR:2016:2704). A notice of default (ingebrekestelling)
puts a business in default once its term, counted the same way, has passed. So each sent row of a
legal step keeps the costs it stated and the dates that follow from its sent date and medium, whether
it went by post (from the day its print batch was posted) or by e-mail (from the sending day). A
debtor who gets both the letter and an e-mail copy has two rows, each with its own dates: the engine
moves on only once every legal reminder of an invoice has passed its date.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Literal

from collection.legal import FourteenDayTerm, fourteen_day_term, notice_of_default_term
from reminders.models import Reminder, StepKind
from reminders.rendering import payment_term_days, reminder_facts

logger = logging.getLogger(__name__)

LEGAL_KINDS = (StepKind.NOTICE_OF_DEFAULT, StepKind.FOURTEEN_DAY_LETTER)
LEGAL_FIELDS = ["sent_date", "collection_costs", "presumed_receipt_date", "term_end_date", "costs_chargeable_from"]


def legal_term(
    *, kind: str, sent_date: dt.date, channel: Literal["post", "email"], notice_days: int
) -> FourteenDayTerm:
    """The term a legal step of ``kind`` sent on ``sent_date`` by ``channel`` gives the debtor."""
    if kind == StepKind.FOURTEEN_DAY_LETTER:
        return fourteen_day_term(sent_date, channel)  # raises ValueError for an unknown channel
    if kind == StepKind.NOTICE_OF_DEFAULT:
        return notice_of_default_term(sent_date, channel, notice_days)
    raise ValueError(f"a {kind} is not a legal step")


def legal_dates_record(
    *,
    reminder: Reminder,
    sent_date: dt.date,
    channel: Literal["post", "email"],
    collection_costs: Decimal | None = None,
    notice_days: int | None = None,
) -> None:
    """Store on ``reminder`` its sent date and, for a legal step, presumed receipt, term end and first day.

    ``sent_date`` is the day the print batch was posted or the e-mail sent. For a 14-day letter
    ``collection_costs`` is the amount the rendered letter stated (``RenderedMessage.collection_costs``);
    when not given it is computed the same way the renderer does, over the sum of what is open on
    every invoice in the letter (art. 6:96 lid 7 BW), by the scale in force on ``sent_date``.
    Other reminders only get their sent date.
    """
    reminder.sent_date = sent_date
    if reminder.kind not in LEGAL_KINDS:
        reminder.save(update_fields=["sent_date", "updated_at"])
        return
    if notice_days is None:  # a batch being posted passes it once for all its letters
        notice_days = payment_term_days(reminder.organization)
    term = legal_term(kind=reminder.kind, sent_date=sent_date, channel=channel, notice_days=notice_days)
    if reminder.kind == StepKind.FOURTEEN_DAY_LETTER and collection_costs is None:
        collection_costs = reminder_facts(reminder, today=sent_date).collection_costs
    reminder.collection_costs = collection_costs
    reminder.presumed_receipt_date = term.presumed_receipt_date
    reminder.term_end_date = term.term_end
    reminder.costs_chargeable_from = term.first_day_costs_chargeable
    reminder.save(update_fields=[*LEGAL_FIELDS, "updated_at"])
    logger.info(
        "reminder.legal_dates_recorded",
        extra={"reminder": reminder.pk, "kind": reminder.kind, "channel": channel, "term_end": str(term.term_end)},
    )
