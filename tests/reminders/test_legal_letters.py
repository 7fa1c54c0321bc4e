"""Recording a sent 14-day letter: the costs it stated and its dates, around weekends and holidays."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from invoices.models import DebtorKind
from reminders.models import Channel, Reminder, StepKind
from reminders.services.legal_dates import legal_dates_record
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory
from tests.reminders.reminder_builders import reminder_with_invoices

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def consumer(org_a: Tenant):  # type: ignore[no-untyped-def]
    return DebtorFactory(organization=org_a.organization, kind=DebtorKind.CONSUMER)


def fourteen_day_letter(consumer, channel: str = Channel.LETTER, **kwargs) -> Reminder:  # type: ignore[no-untyped-def]
    return reminder_with_invoices(
        consumer,
        kwargs.pop("amounts", ["150.00", "200.00"]),
        kind=StepKind.FOURTEEN_DAY_LETTER,
        channel=channel,
        **kwargs,
    )


def dates(reminder: Reminder) -> tuple[dt.date | None, dt.date | None, dt.date | None]:
    reminder.refresh_from_db()
    return reminder.presumed_receipt_date, reminder.term_end_date, reminder.costs_chargeable_from


@pytest.mark.parametrize(
    ("sent", "channel", "receipt", "term_end", "chargeable"),
    [
        # Thursday post: delivered Friday and Saturday; the term ends on a Saturday, so on Monday.
        (D(2026, 11, 26), "post", D(2026, 11, 28), D(2026, 12, 14), D(2026, 12, 15)),
        # Friday post: no delivery on Sunday or Monday, so the second delivery day is Tuesday.
        (D(2026, 11, 27), "post", D(2026, 12, 1), D(2026, 12, 15), D(2026, 12, 16)),
        # Before Christmas: both Christmas days and Sunday and Monday carry no post.
        (D(2026, 12, 23), "post", D(2026, 12, 29), D(2027, 1, 12), D(2027, 1, 13)),
        # A term that would end on Christmas Day runs until the Monday after.
        (D(2026, 12, 9), "post", D(2026, 12, 11), D(2026, 12, 28), D(2026, 12, 29)),
        # Around Liberation Day (5 May, a holiday every year under the ATW) and a weekend.
        (D(2026, 4, 30), "post", D(2026, 5, 2), D(2026, 5, 18), D(2026, 5, 19)),
        # E-mail on a Saturday is received on Monday.
        (D(2026, 11, 28), "email", D(2026, 11, 30), D(2026, 12, 14), D(2026, 12, 15)),
        # E-mail on King's Day (Monday 27 April 2026) is received on Tuesday.
        (D(2026, 4, 27), "email", D(2026, 4, 28), D(2026, 5, 12), D(2026, 5, 13)),
        # E-mail on an ordinary Wednesday is received that day.
        (D(2026, 11, 25), "email", D(2026, 11, 25), D(2026, 12, 9), D(2026, 12, 10)),
    ],
)
def test_the_dates_are_stored_around_weekends_and_holidays(
    consumer, sent: dt.date, channel: str, receipt: dt.date, term_end: dt.date, chargeable: dt.date
) -> None:  # type: ignore[no-untyped-def]
    reminder = fourteen_day_letter(consumer, Channel.LETTER if channel == "post" else Channel.EMAIL)
    legal_dates_record(reminder=reminder, sent_date=sent, channel=channel)  # type: ignore[arg-type]
    assert dates(reminder) == (receipt, term_end, chargeable)


def test_the_costs_stated_are_computed_on_the_sum_of_the_invoices(consumer) -> None:  # type: ignore[no-untyped-def]
    reminder = fourteen_day_letter(consumer)
    legal_dates_record(reminder=reminder, sent_date=D(2026, 11, 26), channel="post")
    reminder.refresh_from_db()
    assert reminder.collection_costs == Decimal("52.50")  # not 40.00 + 40.00


def test_the_costs_the_rendered_letter_stated_are_stored_as_given(consumer) -> None:  # type: ignore[no-untyped-def]
    reminder = fourteen_day_letter(consumer)
    legal_dates_record(reminder=reminder, sent_date=D(2026, 11, 26), channel="post", collection_costs=Decimal("52.50"))
    reminder.refresh_from_db()
    assert reminder.collection_costs == Decimal("52.50")


def test_a_letter_and_its_email_copy_each_keep_their_own_dates(consumer) -> None:  # type: ignore[no-untyped-def]
    invoices = [InvoiceFactory(debtor=consumer, amount=Decimal("150.00"))]
    letter = fourteen_day_letter(consumer, Channel.LETTER, invoices=invoices)
    email = fourteen_day_letter(consumer, Channel.EMAIL, invoices=invoices)
    sent = D(2026, 11, 27)  # a Friday: the e-mail arrives that day, the letter on Tuesday
    legal_dates_record(reminder=letter, sent_date=sent, channel="post")
    legal_dates_record(reminder=email, sent_date=sent, channel="email")
    assert dates(email) == (D(2026, 11, 27), D(2026, 12, 11), D(2026, 12, 12))
    assert dates(letter) == (D(2026, 12, 1), D(2026, 12, 15), D(2026, 12, 16))


def test_recording_again_gives_the_same_result(consumer) -> None:  # type: ignore[no-untyped-def]
    reminder = fourteen_day_letter(consumer)
    legal_dates_record(reminder=reminder, sent_date=D(2026, 11, 26), channel="post")
    first = dates(reminder)
    legal_dates_record(reminder=reminder, sent_date=D(2026, 11, 26), channel="post")
    assert dates(reminder) == first


def test_a_plain_reminder_gets_its_sent_date_and_no_legal_dates(consumer) -> None:  # type: ignore[no-untyped-def]
    reminder = reminder_with_invoices(consumer, kind=StepKind.REMINDER)
    legal_dates_record(reminder=reminder, sent_date=D(2026, 11, 26), channel="post")
    reminder.refresh_from_db()
    assert reminder.sent_date == D(2026, 11, 26)
    assert dates(reminder) == (None, None, None)
    assert reminder.collection_costs is None


def test_a_notice_of_default_by_email_counts_its_term_from_the_sending_day(consumer) -> None:  # type: ignore[no-untyped-def]
    # Thursday 26 November 2026, a business day: received that day; 14 days (the default term) later
    # is Thursday 10 December; in default from Friday 11 December.
    reminder = reminder_with_invoices(consumer, kind=StepKind.NOTICE_OF_DEFAULT)
    legal_dates_record(reminder=reminder, sent_date=D(2026, 11, 26), channel="email")
    reminder.refresh_from_db()
    assert dates(reminder) == (D(2026, 11, 26), D(2026, 12, 10), D(2026, 12, 11))
    assert reminder.sent_date == D(2026, 11, 26)
    assert reminder.collection_costs is None


def test_an_unknown_channel_is_refused_and_nothing_is_stored(consumer) -> None:  # type: ignore[no-untyped-def]
    reminder = fourteen_day_letter(consumer)
    with pytest.raises(ValueError, match="unknown channel"):
        legal_dates_record(reminder=reminder, sent_date=D(2026, 11, 26), channel="pigeon")  # type: ignore[arg-type]
    assert dates(reminder) == (None, None, None)
    assert reminder.collection_costs is None
