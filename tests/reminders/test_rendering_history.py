"""The default texts tell the truth about what went before, and keep what a message is about apart."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from decimal import Decimal

import pytest

from reminders.models import StepKind, Tone
from reminders.rendering import render_message
from reminders.rendering.context import InvoiceFacts, sample_facts
from reminders.rendering.defaults import default_texts
from tests.factories import TODAY, OrganizationFactory

pytestmark = pytest.mark.django_db

HISTORY_WORDS = re.compile(
    r"ondanks (?:onze|eerdere|herhaalde)|al eerder|eerder gevraagd|meerdere keren|herinneringen|nog steeds|despite|"
    r"earlier|you before|several times|repeated|still not",
    re.IGNORECASE,
)
# A hand-over always follows a legal step, so it always has history; every other kind can be a first message.
FIRST_MESSAGE_KINDS = [kind for kind in StepKind.values if kind != StepKind.HAND_OVER]
COMBINATIONS = [(kind, tone, lang) for kind in FIRST_MESSAGE_KINDS for tone in Tone.values for lang in ("nl", "en")]


def facts(kind: str, tone: str, language: str, **changes: object):  # type: ignore[no-untyped-def]
    base = sample_facts(organization=OrganizationFactory.build(), kind=kind, tone=tone, language=language, today=TODAY)
    return dataclasses.replace(base, **changes)


@pytest.mark.parametrize(("kind", "tone", "language"), COMBINATIONS)
def test_a_debtor_without_earlier_messages_is_not_told_about_them(kind: str, tone: str, language: str) -> None:
    message = render_message(
        facts(kind, tone, language, earlier_messages=0, last_message_date=None),
        default_texts(kind, tone, language),
        channel="email",
    )
    assert not HISTORY_WORDS.search(message.email_text), message.email_text[:400]


@pytest.mark.parametrize(
    ("kind", "tone"), [(StepKind.NOTICE_OF_DEFAULT, Tone.FORMAL), (StepKind.FINAL_NOTICE, Tone.FORMAL)]
)
def test_earlier_messages_are_named_with_the_date_of_the_last(kind: str, tone: str) -> None:
    last = dt.date(2026, 11, 19)
    message = render_message(
        facts(kind, tone, "nl", earlier_messages=3, last_message_date=last),
        default_texts(kind, tone, "nl"),
        channel="email",
    )
    assert "Ondanks onze eerdere herinneringen (de meest recente op 19 november 2026)" in message.email_text


def test_one_earlier_message_is_not_called_repeated() -> None:
    message = render_message(
        facts(StepKind.HAND_OVER, Tone.FORMAL, "nl", earlier_messages=1, last_message_date=dt.date(2026, 11, 2)),
        default_texts(StepKind.HAND_OVER, Tone.FORMAL, "nl"),
        channel="email",
    )
    assert "herhaalde" not in message.email_text
    assert "Ondanks onze aanmaning (de meest recente op 2 november 2026)" in message.email_text


def test_invoices_not_at_this_step_are_listed_apart_and_not_in_the_demanded_total() -> None:
    milder = InvoiceFacts("2026-0201", TODAY - dt.timedelta(days=40), TODAY - dt.timedelta(days=10),
                          Decimal("75.00"), Decimal("75.00"))  # fmt: skip
    message = render_message(
        facts(StepKind.NOTICE_OF_DEFAULT, Tone.FORMAL, "nl", also_open=(milder,)),
        default_texts(StepKind.NOTICE_OF_DEFAULT, Tone.FORMAL, "nl"),
        channel="email",
    )
    demanded, also_open = message.email_text.split("Daarnaast staat nog open (niet onderdeel van dit bericht):")
    assert "2026-0201" not in demanded and "Totaal openstaand: €\xa0350,00" in demanded
    assert "2026-0201" in also_open and "Totaal verder openstaand: €\xa075,00" in also_open
    assert "2026-0201" in message.html and "also-open" in message.html
