"""What must be stored when a 14-day letter (veertiendagenbrief) actually goes out.

Art. 6:96 lid 6 BW and DOMAIN.md §3: collection costs may be charged to a consumer only after a
correct 14-day letter, from the day after its term ends; the term runs 14 days from the day after the
debtor *received* it (HR 25-11-2016, ECLI:NL:HR:2016:2704). So each sent letter row keeps the costs
it stated and the dates that follow from its sent date and medium. A consumer who gets both the
letter and an e-mail copy has two rows, each with its own dates: the engine hands over only once
every 14-day reminder of an invoice has passed its date.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Literal

from collection.legal import fourteen_day_term
from reminders.models import Reminder, StepKind
from reminders.rendering import reminder_facts
from reminders.rendering.context import fourteen_day_letter_costs

logger = logging.getLogger(__name__)


def fourteen_day_letter_record(
    *,
    reminder: Reminder,
    sent_date: dt.date,
    channel: Literal["post", "email"],
    collection_costs: Decimal | None = None,
) -> None:
    """Store on ``reminder`` the costs it stated and its presumed receipt, term end and first cost day.

    ``sent_date`` is the day of posting (the print batch's date) or of sending the e-mail.
    ``collection_costs`` is the amount the rendered letter stated (``RenderedMessage.collection_costs``);
    when not given it is computed the same way the renderer does, over the sum of what is open on
    every invoice in the letter (art. 6:96 lid 7 BW), by the scale in force on ``sent_date``.
    """
    if reminder.kind != StepKind.FOURTEEN_DAY_LETTER:
        raise ValueError(f"reminder {reminder.pk} is a {reminder.kind}, not a 14-day letter")
    term = fourteen_day_term(sent_date, channel)  # raises ValueError for an unknown channel
    if collection_costs is None:
        collection_costs = fourteen_day_letter_costs(reminder_facts(reminder, today=sent_date).invoices, sent_date)
    reminder.collection_costs = collection_costs
    reminder.presumed_receipt_date = term.presumed_receipt_date
    reminder.term_end_date = term.term_end
    reminder.costs_chargeable_from = term.first_day_costs_chargeable
    reminder.save(
        update_fields=[
            "collection_costs",
            "presumed_receipt_date",
            "term_end_date",
            "costs_chargeable_from",
            "updated_at",
        ]
    )
    logger.info(
        "reminder.fourteen_day_letter_recorded",
        extra={
            "reminder": reminder.pk,
            "channel": channel,
            "costs_chargeable_from": str(term.first_day_costs_chargeable),
        },
    )
