"""Bounced e-mails need attention: refused by the mail server while sending, or reported later by the provider."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reminders.models import Reminder, ReminderStatus
from reminders.services import dispatch
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

SECRET = "bounce-secret-for-tests"


@pytest.fixture(autouse=True)
def _secret(settings) -> None:
    settings.EMAIL_BOUNCE_WEBHOOK_SECRET = SECRET


@pytest.fixture
def debtor(org_a):
    return DebtorFactory(organization=org_a.organization, emails=["boekhouding@klant.test", "directie@klant.test"])


@pytest.fixture
def sent(smtp_sink, make_reminder, debtor) -> Reminder:
    """An e-mail that really went out through the SMTP sink: its Message-ID is the provider reference."""
    reminder = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),))
    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.SENT
    reminder.refresh_from_db()
    assert reminder.provider_reference == smtp_sink.received[0].message["Message-ID"]
    return reminder


def report(payload: object, *, secret: str = SECRET, client: Client | None = None):  # type: ignore[no-untyped-def]
    client = client or Client(enforce_csrf_checks=True)  # a provider has no CSRF token
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    body = payload if isinstance(payload, str) else json.dumps(payload)
    return client.post(reverse("email_bounce_hook"), body, content_type="application/json", headers=headers)


def stored(organization, message: str, **values: str) -> str:
    with translation.override(organization.default_language):
        text = translation.gettext(message)
    return text % values if values else text


def unchanged(reminder: Reminder) -> bool:
    status = reminder.status
    reminder.refresh_from_db()
    return reminder.status == status == ReminderStatus.SENT and reminder.error == ""


# --- Refused while sending --------------------------------------------------------------------------


def test_a_recipient_refused_by_the_mail_server_needs_attention_with_the_reason(
    smtp_sink, make_reminder, debtor, viewer_client
) -> None:
    smtp_sink.handler.refuse_recipients = "550 5.1.1 <boekhouding@klant.test>: Recipient address rejected"
    reminder = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),))
    assert dispatch.reminder_send(reminder.pk).status == ReminderStatus.NEEDS_ATTENTION
    reminder.refresh_from_db()
    assert "550" in reminder.error and "klant.test" not in reminder.error
    content = viewer_client.get(
        reverse("reminder_detail", args=[reminder.organization.public_id, reminder.public_id])
    ).content.decode()
    assert reminder.error in content


# --- Reported by the provider -----------------------------------------------------------------------


def test_a_reported_bounce_makes_the_email_need_attention_with_the_reason(sent) -> None:
    response = report(
        {
            "message_id": sent.provider_reference,
            "recipient": "Directie@klant.test",
            "reason": "550 5.1.1 <directie@klant.test>: mailbox unavailable",
        }
    )
    assert response.status_code == 200
    assert response.json() == {"reminder": str(sent.public_id), "status": ReminderStatus.NEEDS_ATTENTION}
    sent.refresh_from_db()
    assert sent.status == ReminderStatus.NEEDS_ATTENTION
    reason = "550 5.1.1 <<address>>: mailbox unavailable"  # the address is left out, as in every error text
    assert sent.error == stored(sent.organization, "The e-mail bounced: %(reason)s", reason=reason)


def test_the_reference_matches_with_or_without_angle_brackets(sent) -> None:
    bare = sent.provider_reference.strip("<>")
    assert report({"reference": bare, "reason": "Hard bounce"}).status_code == 200
    sent.refresh_from_db()
    assert sent.status == ReminderStatus.NEEDS_ATTENTION


def test_a_bounce_without_a_reason_still_needs_attention(sent) -> None:
    assert report({"message_id": sent.provider_reference}).status_code == 200
    sent.refresh_from_db()
    assert sent.error == stored(sent.organization, "The e-mail bounced.")


def test_an_unknown_reference_answers_404_and_changes_nothing(sent) -> None:
    response = report({"message_id": "<nobody@outstanding.localhost>", "reason": "550"})
    assert response.status_code == 404 and response.json()["error"] == "not_found"
    assert unchanged(sent)


def test_a_report_about_another_address_is_not_about_this_email(sent) -> None:
    response = report({"message_id": sent.provider_reference, "recipient": "iemand@anders.test", "reason": "550"})
    assert response.status_code == 404
    assert unchanged(sent)


@pytest.mark.parametrize("secret", ["wrong-secret", ""])
def test_a_report_without_the_secret_is_refused(sent, secret) -> None:
    assert report({"message_id": sent.provider_reference}, secret=secret).status_code == 403
    assert unchanged(sent)


def test_without_a_configured_secret_there_is_no_webhook(sent, settings) -> None:
    settings.EMAIL_BOUNCE_WEBHOOK_SECRET = ""
    assert report({"message_id": sent.provider_reference}, secret="").status_code == 404
    assert report({"message_id": sent.provider_reference}, secret="anything").status_code == 404
    assert unchanged(sent)


@pytest.mark.parametrize(
    "payload", ["not json", "[1, 2]", json.dumps({"reason": "550"}), json.dumps({"message_id": 5})]
)
def test_a_malformed_report_is_refused_with_400(sent, payload) -> None:
    assert report(payload).status_code == 400
    assert unchanged(sent)


def test_the_webhook_only_takes_posts(sent) -> None:
    response = Client().get(reverse("email_bounce_hook"), headers={"Authorization": f"Bearer {SECRET}"})
    assert response.status_code == 405
