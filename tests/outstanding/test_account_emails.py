"""allauth's e-mails in our own words: from Outstanding (not from the host name), Dutch with "je", English too."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from outstanding.models import Role, User
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db

FORMAL = re.compile(r"\b(?:u|uw|U|Uw|ú)\b")  # the app's Dutch says "je"; "u" is for letters to debtors


@pytest.fixture
def person() -> User:
    return MembershipFactory(role=Role.OWNER).user


def without_links(text: str) -> str:
    return re.sub(r"https?://\S+", "", text)


def only_message() -> mail.EmailMessage:
    assert len(mail.outbox) == 1, [message.subject for message in mail.outbox]
    return mail.outbox[0]


def assert_from_outstanding_not_the_host(message: mail.EmailMessage) -> None:
    text = without_links(message.body)
    for host in ("localhost", "testserver", "127.0.0.1"):
        assert host not in text, text
        assert host not in message.subject
    assert "Outstanding" in text
    assert message.subject.startswith("[Outstanding] ")


def reset_password(client: Client, email: str, language: str) -> mail.EmailMessage:
    response = client.post(reverse("account_reset_password"), {"email": email}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 302
    return only_message()


def test_the_dutch_password_reset_email_comes_from_outstanding_and_says_je(client: Client, person: User) -> None:
    message = reset_password(client, person.email, "nl")
    assert_from_outstanding_not_the_host(message)
    text = without_links(message.body)
    assert message.subject == "[Outstanding] Stel je wachtwoord opnieuw in"
    assert text.startswith("Hallo,")
    assert "Hallo van" not in text
    assert re.search(r"\bje\b", text)
    assert not FORMAL.search(text), FORMAL.search(text)
    assert "/accounts/password/reset/key/" in message.body  # the link is still there


def test_the_english_password_reset_email_comes_from_outstanding(client: Client, person: User) -> None:
    message = reset_password(client, person.email, "en")
    assert_from_outstanding_not_the_host(message)
    assert message.subject == "[Outstanding] Reset your password"
    assert without_links(message.body).startswith("Hello,")
    assert "Hello from" not in message.body
    assert "/accounts/password/reset/key/" in message.body


def test_a_reset_for_an_unknown_address_explains_in_dutch_with_je(client: Client) -> None:
    message = reset_password(client, "nobody@example.test", "nl")
    assert_from_outstanding_not_the_host(message)
    assert message.subject == "[Outstanding] Geen account met dit adres"
    assert "nobody@example.test" in message.body
    assert not FORMAL.search(without_links(message.body))


def sign_up(client: Client, email: str, language: str) -> mail.EmailMessage:
    response = client.post(
        reverse("account_signup"),
        {"organization_name": "Gamma Techniek B.V.", "email": email, "password1": PASSWORD, "password2": PASSWORD},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 302, response.content.decode()
    return only_message()


def test_the_dutch_confirmation_email_says_je(client: Client) -> None:
    message = sign_up(client, "founder@gamma.test", "nl")
    assert_from_outstanding_not_the_host(message)
    assert message.subject == "[Outstanding] Bevestig je e-mailadres"
    text = without_links(message.body)
    assert "Bevestig dat founder@gamma.test je e-mailadres voor Outstanding is" in text
    assert not FORMAL.search(text)
    assert "/accounts/confirm-email/" in message.body


def test_the_english_confirmation_email(client: Client) -> None:
    message = sign_up(client, "founder@gamma.test", "en")
    assert_from_outstanding_not_the_host(message)
    assert message.subject == "[Outstanding] Confirm your e-mail address"
    assert "Please confirm that founder@gamma.test is your e-mail address for Outstanding" in message.body


def test_signing_up_with_a_taken_address_mails_its_owner_in_dutch_with_je(client: Client, person: User) -> None:
    message = sign_up(client, person.email, "nl")
    assert_from_outstanding_not_the_host(message)
    assert message.subject == "[Outstanding] Je hebt al een account"
    assert "/accounts/password/reset/" in message.body
    assert not FORMAL.search(without_links(message.body))
