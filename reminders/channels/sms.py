"""SMS channel: a reminder's short text to the debtor's mobile number through the configured provider.

``settings.SMS_BACKEND`` chooses the :class:`SmsProvider`: ``"log"`` (development and tests: nothing is
sent, messages are kept in :data:`outbox` like Django's locmem e-mail outbox) or ``"messagebird"``
(MessageBird/Bird REST API). A dotted path to another provider class works too.

Numbers are normalised to E.164 (``+31612345678``) with ``phonenumbers``; a number that is invalid or
not a mobile number is a permanent failure. The sender is the organization's SMS sender name, else its
name cut to 11 letters and digits (the limit for an alphanumeric sender). Log lines carry ids and
lengths, never numbers or texts.
"""

from __future__ import annotations

import logging
import re
import unicodedata
import uuid
from dataclasses import dataclass
from typing import Protocol

import phonenumbers
import requests
from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from reminders.channels import PermanentFailure, TemporaryFailure
from reminders.models import DunningSettings, Reminder
from reminders.rendering import RenderedMessage

logger = logging.getLogger(__name__)

MAX_SENDER_LENGTH = 11  # GSM alphanumeric sender id
DEFAULT_REGION = "NL"
MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
_DIGIT_RUN = re.compile(r"\+?\d{6,}")


class SmsProvider(Protocol):
    """Sends one text; returns the provider's reference. Raises TemporaryFailure or PermanentFailure."""

    def send(self, to_e164: str, sender: str, text: str) -> str: ...


def deliver(reminder: Reminder, message: RenderedMessage) -> str:
    """Send ``message.sms`` to the debtor's mobile number; returns the provider's reference."""
    if not message.sms.strip():
        raise PermanentFailure(gettext("empty SMS text"))
    to = mobile_number(reminder.debtor.phones, region=reminder.debtor.country or DEFAULT_REGION)
    reference = provider().send(to, sender_for(reminder), message.sms)
    logger.info("sms.sent", extra={"reminder": reminder.pk, "length": len(message.sms), "backend": _backend_name()})
    return reference


def mobile_number(phones: list[str], *, region: str = DEFAULT_REGION) -> str:
    """The first of ``phones`` that is a valid mobile number, in E.164. National numbers are read in ``region``."""
    if not any(phone.strip() for phone in phones):
        raise PermanentFailure(gettext("no phone number"))
    for phone in phones:
        try:
            number = phonenumbers.parse(phone, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) in MOBILE_TYPES:
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    raise PermanentFailure(gettext("no valid mobile phone number"))


def sender_for(reminder: Reminder) -> str:
    """The organization's SMS sender name, else its name as an alphanumeric sender, else SMS_SENDER."""
    dunning = DunningSettings.objects.for_organization(reminder.organization).first()
    for candidate in (dunning.sms_sender if dunning else "", reminder.organization.name, settings.SMS_SENDER):
        if sender := alphanumeric_sender(candidate):
            return sender
    return "Outstanding"


def alphanumeric_sender(name: str) -> str:
    """Letters and digits only (accents dropped), at most 11: what every network accepts as a sender."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return "".join(character for character in ascii_name if character.isalnum())[:MAX_SENDER_LENGTH]


def provider() -> SmsProvider:
    backend = _backend_name()
    return import_string(BACKENDS.get(backend, backend))()


def _backend_name() -> str:
    return settings.SMS_BACKEND


# --- Development: keep, log the length ----------------------------------------------------------


@dataclass(frozen=True)
class OutboxSms:
    to: str
    sender: str
    text: str
    reference: str


# What the log backend "sent", in order; tests read and clear it (like django.core.mail.outbox).
outbox: list[OutboxSms] = []


class LogSmsProvider:
    """Sends nothing: keeps the message in :data:`outbox` and logs its length."""

    def send(self, to_e164: str, sender: str, text: str) -> str:
        reference = f"log-{uuid.uuid4()}"
        outbox.append(OutboxSms(to=to_e164, sender=sender, text=text, reference=reference))
        logger.info("sms.logged", extra={"reference": reference, "length": len(text)})
        return reference


# --- MessageBird (Bird) REST API ----------------------------------------------------------------


class MessageBirdSmsProvider:
    """POST https://rest.messagebird.com/messages with ``Authorization: AccessKey <key>``; 201 returns an id.

    401 (bad key) and 422 (refused number, sender or text) will not improve by retrying; 429 and 5xx,
    connection errors and connect timeouts will. A read timeout is neither: the SMS may have gone out,
    so a person decides (as with a worker that died while sending).
    """

    url = "https://rest.messagebird.com/messages"
    timeout = (5, 20)  # connect, read (seconds)

    def __init__(self, api_key: str | None = None) -> None:
        self.api_key = settings.SMS_API_KEY if api_key is None else api_key

    def send(self, to_e164: str, sender: str, text: str) -> str:
        if not self.api_key:
            raise PermanentFailure(gettext("SMS is not configured (SMS_API_KEY)"))
        try:
            response = requests.post(
                self.url,
                json={
                    "originator": sender,
                    "recipients": [to_e164.lstrip("+")],  # MessageBird takes the MSISDN without "+"
                    "body": text,
                    "datacoding": "auto",  # unicode only when the text needs it (a plain message is cheaper)
                },
                headers={"Authorization": f"AccessKey {self.api_key}", "Accept": "application/json"},
                timeout=self.timeout,
            )
        except requests.ReadTimeout as exc:
            # The request reached MessageBird and may have been sent: retrying risks a second SMS.
            raise PermanentFailure(
                "SMS provider did not answer in time; check whether the SMS arrived before sending again"
            ) from exc
        except requests.Timeout as exc:
            raise TemporaryFailure("SMS provider timed out while connecting") from exc
        except requests.RequestException as exc:
            raise TemporaryFailure(f"SMS provider unreachable ({type(exc).__name__})") from exc
        return self._reference(response)

    def _reference(self, response: requests.Response) -> str:
        status = response.status_code
        if 200 <= status < 300:
            reference = self._json(response).get("id")
            if not reference:  # accepted all the same: retrying would send it twice
                logger.warning("sms.reference_missing", extra={"status": status})
            return str(reference or "")
        detail = f"SMS provider answered {status}: {self._error(response)}"
        if status == 429 or status >= 500:
            raise TemporaryFailure(detail)
        raise PermanentFailure(detail)

    @staticmethod
    def _json(response: requests.Response) -> dict:
        try:
            data = response.json()
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    def _error(self, response: requests.Response) -> str:
        """MessageBird explains refusals as {"errors": [{"code": 9, "description": "..."}]}."""
        errors = self._json(response).get("errors") or []
        descriptions = [
            f"{error.get('description', '')} (code {error.get('code')})" for error in errors if isinstance(error, dict)
        ]
        # The stored error is shown to the creditor and may be logged: no phone numbers in it.
        return _DIGIT_RUN.sub("<number>", "; ".join(descriptions))[:300] or response.reason or "no details"


BACKENDS = {
    "log": f"{__name__}.LogSmsProvider",
    "messagebird": f"{__name__}.MessageBirdSmsProvider",
}
