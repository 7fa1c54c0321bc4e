"""The SMS channel: numbers, senders, the log backend and MessageBird's REST API (mocked with ``responses``)."""

from __future__ import annotations

import json
import logging

import pytest
import requests
import responses

from reminders.channels import PermanentFailure, TemporaryFailure, sms
from reminders.models import Channel, DunningSettings
from reminders.rendering import RenderedMessage
from tests.factories import DebtorFactory


@pytest.fixture(autouse=True)
def _english_errors():  # type: ignore[no-untyped-def]
    """These tests read the English messages; dispatch stores them in the organization's language."""
    from django.utils import translation

    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db

TEXT = "Bakkerij Jansen: factuur 2026-00001 (EUR 121,00) staat nog open. Betalen: https://example.test/p/abc"
MESSAGEBIRD = sms.MessageBirdSmsProvider.url


def rendered(text: str = TEXT) -> RenderedMessage:
    return RenderedMessage(recipient="+31612345678", subject="", text="E-mail text", sms=text)


@pytest.fixture
def organization(org_a):
    organization = org_a.organization
    organization.name = "Bakkerij Jansen & Zn."
    organization.save()
    return organization


@pytest.fixture
def debtor(organization):
    return DebtorFactory(organization=organization, phones=["06-12345678"])


@pytest.fixture
def messagebird(settings):
    settings.SMS_BACKEND = "messagebird"
    settings.SMS_API_KEY = "live_test_key"
    with responses.RequestsMock() as mocked:
        yield mocked


@pytest.mark.parametrize("phone", ["06-12345678", "06 1234 5678", "+31 6 12345678", "0031612345678", "(06) 123 456 78"])
def test_a_dutch_mobile_number_becomes_e164(phone):
    assert sms.mobile_number([phone]) == "+31612345678"


def test_a_national_number_is_read_in_the_debtors_country():
    assert sms.mobile_number(["0470 12 34 56"], region="BE") == "+32470123456"


def test_the_first_mobile_number_is_chosen_over_a_landline():
    assert sms.mobile_number(["020 123 4567", "bel na vijven", "06 87654321"]) == "+31687654321"


@pytest.mark.parametrize(
    ("phones", "reason"),
    [
        ([], "no phone number"),
        (["", " "], "no phone number"),
        (["020 123 4567"], "no valid mobile phone number"),  # a landline cannot receive an SMS
        (["12345"], "no valid mobile phone number"),
        (["bel na vijven"], "no valid mobile phone number"),
    ],
)
def test_no_mobile_number_is_a_permanent_failure(phones, reason):
    with pytest.raises(PermanentFailure, match=reason):
        sms.mobile_number(phones)


@pytest.mark.parametrize(
    ("name", "sender"),
    [
        ("Bakkerij Jansen & Zn.", "BakkerijJan"),
        ("Café Müller", "CafeMuller"),
        ("A.B.C. 24/7", "ABC247"),
    ],
)
def test_a_name_becomes_an_alphanumeric_sender_of_at_most_eleven(name, sender):
    assert sms.alphanumeric_sender(name) == sender


def test_the_sender_is_the_organizations_own_sms_sender_name(make_reminder, organization, debtor):
    DunningSettings.objects.for_organization(organization).update_or_create(
        organization=organization, defaults={"sms_sender": "Jansen"}
    )

    assert sms.sender_for(make_reminder(debtor, channel=Channel.SMS)) == "Jansen"


def test_the_sender_falls_back_to_the_organizations_name(make_reminder, debtor):
    assert sms.sender_for(make_reminder(debtor, channel=Channel.SMS)) == "BakkerijJan"


def test_the_sender_falls_back_to_the_configured_sender_for_a_name_without_letters(
    settings, make_reminder, organization, debtor
):
    settings.SMS_SENDER = "Incasso"
    organization.name = "!!!"
    organization.save()

    assert sms.sender_for(make_reminder(debtor, channel=Channel.SMS)) == "Incasso"


def test_the_log_backend_keeps_the_message_and_logs_only_ids_and_length(caplog, make_reminder, debtor):
    reminder = make_reminder(debtor, channel=Channel.SMS)

    with caplog.at_level(logging.INFO, logger="reminders.channels.sms"):
        reference = sms.deliver(reminder, rendered())

    [sent] = sms.outbox
    assert (sent.to, sent.sender, sent.text, sent.reference) == ("+31612345678", "BakkerijJan", TEXT, reference)
    [record] = [record for record in caplog.records if record.msg == "sms.sent"]
    assert (record.reminder, record.length) == (reminder.pk, len(TEXT))
    everything_logged = " ".join(str(vars(record)) for record in caplog.records)
    assert "612345678" not in everything_logged
    assert "factuur" not in everything_logged


def test_an_empty_text_is_a_permanent_failure_and_sends_nothing(make_reminder, debtor):
    with pytest.raises(PermanentFailure, match="empty SMS text"):
        sms.deliver(make_reminder(debtor, channel=Channel.SMS), rendered(text="  "))

    assert sms.outbox == []


def test_a_debtor_without_a_mobile_number_gets_nothing(make_reminder, organization):
    debtor = DebtorFactory(organization=organization, phones=["020 123 4567"])

    with pytest.raises(PermanentFailure, match="no valid mobile phone number"):
        sms.deliver(make_reminder(debtor, channel=Channel.SMS), rendered())

    assert sms.outbox == []


def test_the_backend_is_chosen_by_setting(settings):
    settings.SMS_BACKEND = "messagebird"
    assert isinstance(sms.provider(), sms.MessageBirdSmsProvider)
    settings.SMS_BACKEND = "reminders.channels.sms.LogSmsProvider"
    assert isinstance(sms.provider(), sms.LogSmsProvider)


def test_messagebird_sends_originator_recipient_and_body_with_the_access_key(messagebird, make_reminder, debtor):
    messagebird.post(MESSAGEBIRD, status=201, json={"id": "e8077d803532c0b5937c639b60216938", "recipients": {}})

    reference = sms.deliver(make_reminder(debtor, channel=Channel.SMS), rendered())

    assert reference == "e8077d803532c0b5937c639b60216938"
    [call] = messagebird.calls
    assert call.request.headers["Authorization"] == "AccessKey live_test_key"
    assert json.loads(call.request.body) == {
        "originator": "BakkerijJan",
        "recipients": ["31612345678"],
        "body": TEXT,
        "datacoding": "auto",
    }
    assert sms.outbox == []


@pytest.mark.parametrize("status", [401, 422, 400])
def test_messagebird_refusals_are_permanent_and_name_no_number(messagebird, status, make_reminder, debtor):
    messagebird.post(
        MESSAGEBIRD,
        status=status,
        json={"errors": [{"code": 9, "description": "no (correct) recipients found: 31612345678", "parameter": None}]},
    )

    with pytest.raises(PermanentFailure, match=f"answered {status}: no \\(correct\\) recipients found") as failure:
        sms.deliver(make_reminder(debtor, channel=Channel.SMS), rendered())

    assert "612345678" not in str(failure.value)


@pytest.mark.parametrize("status", [429, 500, 502, 503])
def test_messagebird_overload_and_server_errors_are_temporary(messagebird, status, make_reminder, debtor):
    messagebird.post(MESSAGEBIRD, status=status, body="Service Unavailable")

    with pytest.raises(TemporaryFailure, match=f"answered {status}"):
        sms.deliver(make_reminder(debtor, channel=Channel.SMS), rendered())


@pytest.mark.parametrize(
    ("error", "reason"),
    [(requests.ConnectTimeout(), "timed out while connecting"), (requests.ConnectionError(), "unreachable")],
)
def test_messagebird_unreachable_is_temporary(messagebird, error, reason, make_reminder, debtor):
    messagebird.post(MESSAGEBIRD, body=error)

    with pytest.raises(TemporaryFailure, match=reason):
        sms.deliver(make_reminder(debtor, channel=Channel.SMS), rendered())


def test_messagebird_not_answering_in_time_needs_a_person_because_it_may_have_sent(messagebird, make_reminder, debtor):
    messagebird.post(MESSAGEBIRD, body=requests.ReadTimeout())

    with pytest.raises(PermanentFailure, match="check whether the SMS arrived"):
        sms.deliver(make_reminder(debtor, channel=Channel.SMS), rendered())


def test_messagebird_accepting_without_an_id_counts_as_sent(messagebird, make_reminder, debtor):
    messagebird.post(MESSAGEBIRD, status=201, body="not json")

    assert sms.deliver(make_reminder(debtor, channel=Channel.SMS), rendered()) == ""


def test_messagebird_without_an_api_key_is_permanent_and_calls_nothing(messagebird, settings, make_reminder, debtor):
    settings.SMS_API_KEY = ""

    with pytest.raises(PermanentFailure, match="not configured"):
        sms.deliver(make_reminder(debtor, channel=Channel.SMS), rendered())

    assert len(messagebird.calls) == 0
