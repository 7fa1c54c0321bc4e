"""`manage.py letter_batch`: the day's print batch as beat makes it, optionally marked posted; bad arguments."""

from __future__ import annotations

import datetime as dt
import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from collection.legal import fourteen_day_term
from invoices.models import DebtorKind
from outstanding.calendar import local_today
from reminders.models import Channel, LetterBatch, Reminder, ReminderStatus, StepKind
from reminders.services import letters
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 11, 23)


def planned_letter(make_reminder, organization, day: dt.date = MONDAY, kind: str = StepKind.REMINDER) -> Reminder:
    debtor = DebtorFactory(organization=organization, kind=DebtorKind.CONSUMER)
    reminder = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),), channel=Channel.LETTER)
    reminder.planned_date, reminder.kind = day, kind
    reminder.save()
    reminder.items.update(step_kind=kind)
    return reminder


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("letter_batch", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()


def letter_count(lines: list[str]) -> int:
    """The number of letters: what the command prints last."""
    return int(lines[-1].rsplit(maxsplit=1)[-1])


def test_it_makes_the_days_print_batch_and_prints_the_number_of_letters_last(make_reminder, org_a) -> None:
    organization = org_a.organization
    first, second = planned_letter(make_reminder, organization), planned_letter(make_reminder, organization)
    lines = run("--date", MONDAY.isoformat(), "--org", str(organization.public_id))
    assert letter_count(lines) == 2
    batch = LetterBatch.objects.for_organization(organization).get()
    assert batch.date == MONDAY and batch.letter_count == 2 and batch.posted_date is None
    for reminder in (first, second):
        reminder.refresh_from_db()
        assert reminder.status == ReminderStatus.PRINTED and reminder.letter_batch == batch


def test_with_posted_the_batch_is_posted_that_day_and_the_legal_dates_run_from_it(make_reminder, org_a) -> None:
    organization = org_a.organization
    letter = planned_letter(make_reminder, organization, kind=StepKind.FOURTEEN_DAY_LETTER)
    lines = run("--date", MONDAY.isoformat(), "--org", str(organization.public_id), "--posted")
    assert letter_count(lines) == 1
    batch = LetterBatch.objects.for_organization(organization).get()
    letter.refresh_from_db()
    assert batch.posted_date == MONDAY and batch.posted_by is None
    assert letter.status == ReminderStatus.SENT and letter.sent_date == MONDAY
    assert letter.term_end_date == fourteen_day_term(MONDAY, "post").term_end


def test_posted_also_marks_the_batch_beat_made_that_morning(make_reminder, org_a) -> None:
    organization = org_a.organization
    planned_letter(make_reminder, organization)
    morning = letters.letter_batch_create(organization=organization, date=MONDAY)
    assert morning is not None
    lines = run("--date", MONDAY.isoformat(), "--org", str(organization.public_id), "--posted")
    morning.refresh_from_db()
    assert morning.posted_date == MONDAY and letter_count(lines) == 1
    assert LetterBatch.objects.for_organization(organization).count() == 1


def test_without_org_it_prints_every_organizations_letters(make_reminder, org_a, org_b) -> None:
    ours, theirs = planned_letter(make_reminder, org_a.organization), planned_letter(make_reminder, org_b.organization)
    lines = run("--date", MONDAY.isoformat())
    assert letter_count(lines) == 2
    for reminder in (ours, theirs):
        reminder.refresh_from_db()
        assert reminder.letter_batch.organization == reminder.organization  # type: ignore[union-attr]


def test_without_a_date_it_prints_up_to_each_organizations_today(make_reminder, org_a) -> None:
    organization = org_a.organization
    planned_letter(make_reminder, organization, day=local_today(organization.time_zone))
    assert letter_count(run("--org", str(organization.public_id))) == 1


def test_with_nothing_waiting_it_prints_zero_and_makes_no_batch(org_a) -> None:
    assert letter_count(run("--date", MONDAY.isoformat(), "--org", str(org_a.organization.public_id))) == 0
    assert not LetterBatch.objects.for_organization(org_a.organization).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--date", "23-11-2026"], "YYYY-MM-DD"),
        (["--org", "nope"], "UUID"),
        (["--org", str(uuid.uuid4())], "No organization"),
        (["--date", "2999-01-01", "--posted"], "future"),
    ],
)
def test_bad_arguments_are_refused_and_nothing_is_printed(make_reminder, org_a, args, message) -> None:
    letter = planned_letter(make_reminder, org_a.organization)
    with pytest.raises(CommandError, match=message):
        run(*args)
    assert not LetterBatch.unscoped.exists()
    letter.refresh_from_db()
    assert letter.status == ReminderStatus.PLANNED
