"""Default texts: one per step kind, tone and language; legally complete; never numbered; idempotent."""

from __future__ import annotations

import pytest

from outstanding.services import organization_create
from reminders.models import MessageTemplate, StepKind, Tone
from reminders.rendering import TEMPLATE_FIELDS
from reminders.rendering.checks import NUMBERED_REMINDER, template_check
from reminders.rendering.defaults import default_texts, message_template_defaults
from reminders.services.templates import message_template_reset, message_templates_create
from tests.conftest import Tenant
from tests.factories import TODAY, UserFactory

pytestmark = pytest.mark.django_db

COMBINATIONS = [(kind, tone, language) for kind in StepKind.values for tone in Tone.values for language in ("nl", "en")]


def test_a_new_organization_gets_every_default_text() -> None:
    organization = organization_create(name="Nieuw B.V.", owner=UserFactory())
    saved = set(MessageTemplate.objects.for_organization(organization).values_list("kind", "tone", "language"))
    assert saved == set(COMBINATIONS)
    assert len(saved) == 5 * 3 * 2


def test_creating_the_defaults_twice_changes_nothing(org_a: Tenant) -> None:
    message_templates_create(org_a.organization)
    before = {t.pk: t.updated_at for t in MessageTemplate.objects.for_organization(org_a.organization)}
    message_templates_create(org_a.organization)
    after = {t.pk: t.updated_at for t in MessageTemplate.objects.for_organization(org_a.organization)}
    assert before == after and len(after) == 30


def test_creating_the_defaults_keeps_an_edited_text_and_adds_only_the_missing_ones(org_a: Tenant) -> None:
    organization = org_a.organization
    MessageTemplate.objects.create(
        organization=organization,
        kind=StepKind.REMINDER,
        tone=Tone.FRIENDLY,
        language="nl",
        **{**message_template_defaults(StepKind.REMINDER, Tone.FRIENDLY, "nl"), "email_subject": "Eigen woorden"},
    )
    message_templates_create(organization)
    templates = MessageTemplate.objects.for_organization(organization)
    assert templates.count() == 30
    assert templates.get(kind=StepKind.REMINDER, tone=Tone.FRIENDLY, language="nl").email_subject == "Eigen woorden"


def test_the_defaults_of_one_organization_do_not_touch_another(org_a: Tenant, org_b: Tenant) -> None:
    message_templates_create(org_a.organization)
    assert MessageTemplate.objects.for_organization(org_b.organization).count() == 0


@pytest.mark.parametrize(("kind", "tone", "language"), COMBINATIONS)
def test_every_default_text_passes_the_checks_a_tenant_text_must_pass(
    org_a: Tenant, kind: str, tone: str, language: str
) -> None:
    check = template_check(
        default_texts(kind, tone, language),
        organization=org_a.organization,
        kind=kind,
        tone=tone,
        language=language,
        today=TODAY,
    )
    assert check.errors == {} and check.warnings == []


@pytest.mark.parametrize(("kind", "tone", "language"), COMBINATIONS)
def test_no_default_text_numbers_a_reminder(kind: str, tone: str, language: str) -> None:
    texts = default_texts(kind, tone, language)
    for name in TEMPLATE_FIELDS:
        source = getattr(texts, name).lower()
        assert not NUMBERED_REMINDER.search(source)
        for word in ("tweede", "derde", "second", "third", "1e ", "2e ", "3e "):
            assert word not in source, f"{name} says {word!r}"
        if kind != StepKind.FINAL_NOTICE:
            assert "laatste" not in source and "last reminder" not in source, name


@pytest.mark.parametrize("tone", Tone.values)
def test_the_14_day_letter_is_free_lists_the_invoices_and_states_costs_term_and_consequences(tone: str) -> None:
    for language, free, consequences in (
        ("nl", "geen kosten", ("incassokosten", "wettelijke rente", "uit handen")),
        ("en", "free of charge", ("collection costs", "statutory interest", "for collection")),
    ):
        texts = default_texts(StepKind.FOURTEEN_DAY_LETTER, tone, language)
        for body in (texts.email_body, texts.letter_body):
            assert free in body
            assert "{{ invoice_table }}" in body
            assert "{{ collection_costs }}" in body and "{{ total_with_costs }}" in body
            assert "{{ term_wording }}" in body
            assert all(word in body for word in consequences)


@pytest.mark.parametrize("tone", Tone.values)
def test_the_notice_of_default_gives_a_term_and_offers_an_arrangement(tone: str) -> None:
    for language, arrangement in (("nl", "betalingsregeling"), ("en", "payment plan")):
        body = default_texts(StepKind.NOTICE_OF_DEFAULT, tone, language).email_body
        assert "{{ payment_term_days }}" in body and "{{ payment_deadline }}" in body
        assert arrangement in body


@pytest.mark.parametrize("tone", Tone.values)
def test_the_hand_over_tells_the_debtor_the_file_goes_to_collection(tone: str) -> None:
    assert "incasso" in default_texts(StepKind.HAND_OVER, tone, "nl").email_body
    assert "collection" in default_texts(StepKind.HAND_OVER, tone, "en").email_body


@pytest.mark.parametrize("tone", Tone.values)
def test_the_hand_over_promises_no_collection_agency_only_what_happens_unless_paid(tone: str) -> None:
    # A dossier may open automatically or only after the creditor approves: the text must hold in both.
    for language, promises, unless, added in (
        ("nl", ("binnenkort", "incassopartij", "incassogemachtigde", "vanaf heden"), ("tenzij", "betaalt u niet"),
         ("incassokosten", "wettelijke rente")),
        ("en", ("shortly", "agency", "collection agent", "from today"), ("unless", "if you do not pay"),
         ("collection costs", "statutory interest")),
    ):  # fmt: skip
        texts = default_texts(StepKind.HAND_OVER, tone, language)
        for text in (texts.email_subject, texts.email_body, texts.sms_body):
            assert not any(word in text.lower() for word in promises), text
        body = texts.email_body.lower()
        assert any(word in body for word in unless)
        assert all(word in body for word in added)
        assert any(word in texts.sms_body.lower() for word in (*unless, "zonder betaling"))


def test_resetting_puts_the_default_words_back(org_a: Tenant) -> None:
    message_templates_create(org_a.organization)
    templates = MessageTemplate.objects.for_organization(org_a.organization)
    templates.filter(kind=StepKind.HAND_OVER, tone=Tone.FIRM, language="en").update(sms_body="changed")
    message_template_reset(organization=org_a.organization, kind=StepKind.HAND_OVER, tone=Tone.FIRM, language="en")
    template = templates.get(kind=StepKind.HAND_OVER, tone=Tone.FIRM, language="en")
    assert template.sms_body == default_texts(StepKind.HAND_OVER, Tone.FIRM, "en").sms_body
    assert templates.count() == 30


def test_resetting_a_missing_text_creates_it_in_the_organization(org_a: Tenant) -> None:
    template = message_template_reset(
        organization=org_a.organization, kind=StepKind.REMINDER, tone=Tone.FORMAL, language="nl"
    )
    assert template.organization == org_a.organization
    assert template.email_body == default_texts(StepKind.REMINDER, Tone.FORMAL, "nl").email_body
