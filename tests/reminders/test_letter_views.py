"""The letters pages: print batches, downloads, previews and registered mail; who may do what."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from outstanding.calendar import local_today
from reminders.models import Channel, LetterBatch, Reminder, ReminderStatus
from reminders.services import letters
from reminders.views import letters as letter_views
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"  # the pages in English (the msgids)


def url(name: str, organization, *args: object) -> str:
    return reverse(name, args=[organization.public_id, *args])


def letter_to(make_reminder, organization, name: str = "Jansen Bouw B.V.", **fields: object) -> Reminder:
    """A letter planned for the organization's today, the day the pages print batches for."""
    debtor = DebtorFactory(organization=organization, name=name, **fields)
    letter = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),), channel=Channel.LETTER)
    letter.planned_date = local_today(organization.time_zone)
    letter.save()
    return letter


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def letter(make_reminder, org_a) -> Reminder:
    return letter_to(make_reminder, org_a.organization)


@pytest.fixture
def printed(make_reminder, org_a) -> LetterBatch:
    """A batch already printed (ask for it before ``letter``, or the batch takes that letter too)."""
    letter_to(make_reminder, org_a.organization, "Gedrukt B.V.")
    batch = letters.letter_batch_create(organization=org_a.organization, date=today(org_a))
    assert batch is not None
    return batch


def today(org_a) -> dt.date:
    return local_today(org_a.organization.time_zone)


# --- The list ---------------------------------------------------------------------------------------


def test_the_list_shows_waiting_letters_and_batches(org_a, printed, letter, viewer_client) -> None:
    response = viewer_client.get(url("letter_list", org_a.organization))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Jansen Bouw B.V." in content and url("letter_preview", org_a.organization, letter.public_id) in content
    assert url("letter_batch_download", org_a.organization, printed.public_id) in content
    assert "Not yet" in content  # not downloaded


def test_a_viewer_sees_no_buttons_that_change_anything(org_a, letter, viewer_client) -> None:
    content = viewer_client.get(url("letter_list", org_a.organization)).content.decode()
    assert url("letter_batch_create", org_a.organization) not in content
    assert url("letter_registered", org_a.organization, letter.public_id) not in content


def test_a_member_sees_the_create_and_registered_buttons(org_a, letter, member_client) -> None:
    content = member_client.get(url("letter_list", org_a.organization)).content.decode()
    assert url("letter_batch_create", org_a.organization) in content
    assert url("letter_registered", org_a.organization, letter.public_id) in content


# --- Creating a batch -------------------------------------------------------------------------------


def test_a_member_creates_a_batch_now(org_a, letter, member_client) -> None:
    response = member_client.post(url("letter_batch_create", org_a.organization))
    batch = LetterBatch.objects.for_organization(org_a.organization).get()
    assert response.status_code == 302
    assert response["Location"] == url("letter_batch_detail", org_a.organization, batch.public_id)
    letter.refresh_from_db()
    assert letter.status == ReminderStatus.PRINTED and letter.letter_batch == batch


def test_many_letters_are_printed_by_a_worker(org_a, make_reminder, member_client, django_capture_on_commit_callbacks):
    for number in range(letter_views.PRINT_NOW_LIMIT + 1):
        letter_to(make_reminder, org_a.organization, f"Debiteur {number:02d}")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = member_client.post(url("letter_batch_create", org_a.organization))
    assert response.status_code == 302 and response["Location"] == url("letter_list", org_a.organization)
    assert len(callbacks) == 1  # the task, queued after the commit (run at once here: tasks are eager in tests)
    batch = LetterBatch.objects.for_organization(org_a.organization).get()
    assert batch.letter_count == letter_views.PRINT_NOW_LIMIT + 1


def test_creating_a_batch_with_nothing_waiting_says_so(org_a, member_client) -> None:
    response = member_client.post(url("letter_batch_create", org_a.organization), follow=True)
    assert "No letters are waiting" in response.content.decode()
    assert not LetterBatch.objects.for_organization(org_a.organization).exists()


def test_a_viewer_cannot_create_a_batch(org_a, letter, viewer_client) -> None:
    assert viewer_client.post(url("letter_batch_create", org_a.organization)).status_code == 403
    assert not LetterBatch.objects.for_organization(org_a.organization).exists()


def test_creating_a_batch_needs_a_post(org_a, letter, member_client) -> None:
    assert member_client.get(url("letter_batch_create", org_a.organization)).status_code == 405
    assert not LetterBatch.objects.for_organization(org_a.organization).exists()


# --- A batch ----------------------------------------------------------------------------------------


def test_the_batch_page_lists_its_letters_and_marks_registered_ones(make_reminder, org_a, viewer_client) -> None:
    registered = letter_to(make_reminder, org_a.organization, "Aangetekend B.V.")
    letters.letter_registered_set(reminder=registered, registered=True)
    letter_to(make_reminder, org_a.organization, "Gewoon B.V.")
    batch = letters.letter_batch_create(organization=org_a.organization, date=today(org_a))
    content = viewer_client.get(url("letter_batch_detail", org_a.organization, batch.public_id)).content.decode()  # type: ignore[union-attr]
    assert "Aangetekend B.V." in content and "Gewoon B.V." in content
    assert content.count('badge warn">Registered') == 1
    listed = viewer_client.get(url("letter_list", org_a.organization)).content.decode()
    assert "1 registered" in listed


def test_a_member_downloads_the_batch_and_it_counts_as_downloaded(org_a, printed, member_client) -> None:
    response = member_client.get(url("letter_batch_download", org_a.organization, printed.public_id))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"].startswith("attachment")
        and f"letters-{printed.date}.pdf" in response["Content-Disposition"]
    )
    assert "Gedrukt B.V." in pdf_text(b"".join(response.streaming_content))
    printed.refresh_from_db()
    assert printed.downloaded_at is not None


def test_a_viewer_may_download_but_that_does_not_count_as_printed(org_a, printed, viewer_client) -> None:
    response = viewer_client.get(url("letter_batch_download", org_a.organization, printed.public_id))
    assert response.status_code == 200
    printed.refresh_from_db()
    assert printed.downloaded_at is None


def test_a_batch_whose_file_is_gone_answers_404(org_a, printed, member_client) -> None:
    printed.pdf.delete(save=False)
    assert member_client.get(url("letter_batch_download", org_a.organization, printed.public_id)).status_code == 404


# --- Preview and registered mail --------------------------------------------------------------------


def test_the_preview_is_the_letter_as_a_pdf(org_a, letter, viewer_client) -> None:
    response = viewer_client.get(url("letter_preview", org_a.organization, letter.public_id))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline")
    assert "Jansen Bouw B.V." in pdf_text(response.content)
    letter.refresh_from_db()
    assert letter.status == ReminderStatus.PLANNED  # looking changes nothing


def test_a_letter_that_cannot_be_rendered_explains_why_instead_of_a_preview(org_a, letter, viewer_client) -> None:
    invoice = letter.items.get().invoice
    invoice.open_amount, invoice.status = 0, "paid"
    invoice.save()
    response = viewer_client.get(url("letter_preview", org_a.organization, letter.public_id), follow=True)
    assert "This letter cannot be shown: every invoice in this reminder has been paid" in response.content.decode()


def test_an_e_mail_reminder_has_no_letter_preview(org_a, make_reminder, viewer_client) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    email = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),), channel=Channel.EMAIL)
    assert viewer_client.get(url("letter_preview", org_a.organization, email.public_id)).status_code == 404


def test_a_member_makes_a_waiting_letter_registered(org_a, letter, member_client) -> None:
    response = member_client.post(url("letter_registered", org_a.organization, letter.public_id), {"registered": "1"})
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.registered
    member_client.post(url("letter_registered", org_a.organization, letter.public_id), {"registered": "0"})
    letter.refresh_from_db()
    assert not letter.registered


def test_a_printed_letter_stays_as_it_was_printed(org_a, printed, member_client) -> None:
    letter = printed.letters.get()
    response = member_client.post(
        url("letter_registered", org_a.organization, letter.public_id), {"registered": "1"}, follow=True
    )
    assert "printed already" in response.content.decode()
    letter.refresh_from_db()
    assert not letter.registered


def test_a_viewer_cannot_make_a_letter_registered(org_a, letter, viewer_client) -> None:
    response = viewer_client.post(url("letter_registered", org_a.organization, letter.public_id), {"registered": "1"})
    assert response.status_code == 403
    letter.refresh_from_db()
    assert not letter.registered


# --- Outsiders --------------------------------------------------------------------------------------


def test_an_outsider_gets_404_on_every_letters_url(org_a, printed, letter, outsider_client) -> None:
    organization = org_a.organization
    for name, args in (
        ("letter_list", ()),
        ("letter_batch_create", ()),
        ("letter_batch_detail", (printed.public_id,)),
        ("letter_batch_download", (printed.public_id,)),
        ("letter_preview", (letter.public_id,)),
        ("letter_registered", (letter.public_id,)),
        ("letter_batch_posted", (printed.public_id,)),
    ):
        for method in ("get", "post"):
            assert getattr(outsider_client, method)(url(name, organization, *args)).status_code == 404, (name, method)
    letter.refresh_from_db()
    assert not letter.registered and letter.status == ReminderStatus.PLANNED
    printed.refresh_from_db()
    assert printed.posted_date is None


def test_another_organizations_batch_and_letter_answer_404_on_ones_own_pages(
    org_a, org_b, printed, letter, outsider_client
):
    own = org_b.organization
    assert outsider_client.get(url("letter_batch_download", own, printed.public_id)).status_code == 404
    assert outsider_client.get(url("letter_batch_detail", own, printed.public_id)).status_code == 404
    assert outsider_client.get(url("letter_preview", own, letter.public_id)).status_code == 404
    assert outsider_client.post(url("letter_registered", own, letter.public_id), {"registered": "1"}).status_code == 404
    printed.refresh_from_db()
    assert printed.downloaded_at is None


# --- Posting ----------------------------------------------------------------------------------------


def test_a_batch_not_posted_yet_offers_a_member_the_button_with_today_filled_in(org_a, printed, member_client) -> None:
    content = member_client.get(url("letter_list", org_a.organization)).content.decode()
    assert url("letter_batch_posted", org_a.organization, printed.public_id) in content
    assert "Mark as posted" in content and f'value="{today(org_a).isoformat()}"' in content


def test_a_viewer_sees_whether_a_batch_was_posted_but_no_button(org_a, printed, viewer_client) -> None:
    content = viewer_client.get(url("letter_list", org_a.organization)).content.decode()
    assert url("letter_batch_posted", org_a.organization, printed.public_id) not in content
    assert "Not posted yet" in content


def test_a_member_marks_a_batch_posted_and_its_letters_are_sent_that_day(org_a, printed, member_client) -> None:
    day = today(org_a)
    response = member_client.post(
        url("letter_batch_posted", org_a.organization, printed.public_id), {"posted_date": day.isoformat()}, follow=True
    )
    assert response.status_code == 200
    printed.refresh_from_db()
    letter = printed.letters.get()
    assert printed.posted_date == day and printed.posted_by == org_a.member
    assert letter.status == ReminderStatus.SENT and letter.sent_date == day
    content = response.content.decode()
    assert "Posted on" in content and url("letter_batch_posted", org_a.organization, printed.public_id) not in content


def test_without_a_date_the_batch_is_posted_today(org_a, printed, owner_client) -> None:
    owner_client.post(url("letter_batch_posted", org_a.organization, printed.public_id))
    printed.refresh_from_db()
    assert printed.posted_date == today(org_a) and printed.posted_by == org_a.owner


@pytest.mark.parametrize(
    ("value", "message"), [("morgen", "as a date"), ("2999-01-01", "future"), ("2000-01-01", "before that day")]
)
def test_a_wrong_posting_day_is_refused_and_changes_nothing(org_a, printed, member_client, value, message) -> None:
    response = member_client.post(
        url("letter_batch_posted", org_a.organization, printed.public_id), {"posted_date": value}, follow=True
    )
    assert message in response.content.decode()
    printed.refresh_from_db()
    assert printed.posted_date is None and printed.letters.get().status == ReminderStatus.PRINTED


def test_a_second_click_on_posted_changes_nothing(org_a, printed, member_client, owner_client) -> None:
    posted_url = url("letter_batch_posted", org_a.organization, printed.public_id)
    member_client.post(posted_url, {"posted_date": today(org_a).isoformat()})
    printed.refresh_from_db()
    first = (printed.posted_at, printed.letters.get().sent_at)
    owner_client.post(posted_url, {"posted_date": today(org_a).isoformat()})
    printed.refresh_from_db()
    assert (printed.posted_at, printed.letters.get().sent_at) == first and printed.posted_by == org_a.member


def test_a_viewer_cannot_mark_a_batch_posted_and_it_needs_a_post(org_a, printed, viewer_client, member_client):
    assert viewer_client.post(url("letter_batch_posted", org_a.organization, printed.public_id)).status_code == 403
    assert member_client.get(url("letter_batch_posted", org_a.organization, printed.public_id)).status_code == 405
    printed.refresh_from_db()
    assert printed.posted_date is None


def test_another_organizations_batch_cannot_be_marked_posted(org_a, org_b, printed, outsider_client) -> None:
    response = outsider_client.post(url("letter_batch_posted", org_b.organization, printed.public_id))
    assert response.status_code == 404
    printed.refresh_from_db()
    assert printed.posted_date is None and printed.letters.get().status == ReminderStatus.PRINTED
