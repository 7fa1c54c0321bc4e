"""The term of a notice of default: counted like a 14-day letter's, with the creditor's number of days."""

from __future__ import annotations

import datetime as dt

import pytest

from collection.legal import notice_of_default_term

D = dt.date


def test_by_post_the_term_runs_from_the_second_delivery_day() -> None:
    # Posted Friday 2 October 2026: Saturday the 3rd is the first delivery day, Tuesday the 6th the
    # second (no delivery on Sunday or Monday); 10 days later is Friday 16 October.
    term = notice_of_default_term(D(2026, 10, 2), "post", 10)
    assert (term.presumed_receipt_date, term.term_end, term.first_day_costs_chargeable) == (
        D(2026, 10, 6), D(2026, 10, 16), D(2026, 10, 17)
    )  # fmt: skip


def test_a_term_ending_on_a_saturday_is_extended_to_monday() -> None:
    # E-mailed Thursday 1 October: received that day; 9 days end Saturday 10 October, so Monday the 12th.
    term = notice_of_default_term(D(2026, 10, 1), "email", 9)
    assert (term.term_end, term.first_day_costs_chargeable) == (D(2026, 10, 12), D(2026, 10, 13))


@pytest.mark.parametrize("days", [0, -1])
def test_a_term_of_no_days_is_refused(days: int) -> None:
    with pytest.raises(ValueError, match="at least one day"):
        notice_of_default_term(D(2026, 10, 1), "email", days)
