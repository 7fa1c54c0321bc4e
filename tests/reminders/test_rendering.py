"""Rendering reminders: every default text, the 14-day letter's figures, the sandbox and escaping."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import TemplateSyntaxError

from collection.legal import is_valid_term_wording
from invoices.models import DebtorKind, InvoiceStatus
from reminders.channels import PermanentFailure
from reminders.models import Channel, MessageTemplate, StepKind, Tone
from reminders.rendering import TemplateRenderError, TemplateTexts, render_message, render_reminder
from reminders.rendering.checks import NUMBERED_REMINDER
from reminders.rendering.context import (
    DebtorFacts,
    MessageFacts,
    long_date,
    payment_reference,
    salutation,
    sample_facts,
)
from reminders.rendering.defaults import default_texts, message_template_defaults
from reminders.rendering.sandbox import frozen, render_sandboxed
from reminders.rendering.sms import sms_fit, sms_length, sms_plain
from tests.conftest import Tenant
from tests.factories import TODAY, DebtorFactory, InvoiceFactory
from tests.reminders.reminder_builders import reminder_with_invoices

pytestmark = pytest.mark.django_db

NBSP = "\N{NO-BREAK SPACE}"
TOTALS = {("nl", 1): f"€{NBSP}1.234,56", ("nl", 3): f"€{NBSP}1.334,52", ("en", 1): "€1,234.56", ("en", 3): "€1,334.52"}
COMBINATIONS = [(kind, tone, language) for kind in StepKind.values for tone in Tone.values for language in ("nl", "en")]


def rendered_parts(message) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "subject": message.subject,
        "email": message.email_text,
        "html": message.html,
        "sms": message.sms,
        "letter": message.letter_html,
        "letter text": message.letter_text,
        "call": message.phone_script,
    }


@pytest.mark.parametrize(("kind", "tone", "language"), COMBINATIONS)
def test_every_default_text_renders_for_businesses_and_consumers_with_one_and_three_invoices(
    org_a: Tenant, kind: str, tone: str, language: str
) -> None:
    amounts = ["1234.56", "99.95", "0.01"]
    for debtor_kind in DebtorKind.values:
        for count in (1, 3):
            debtor = DebtorFactory(
                organization=org_a.organization, kind=debtor_kind, language=language, contact_person="Jan de Vries"
            )
            reminder = reminder_with_invoices(debtor, amounts[:count], kind=kind, tone=tone)
            message = render_reminder(reminder, today=TODAY)
            for part, text in rendered_parts(message).items():
                assert text.strip(), f"{part} is empty"
                assert not NUMBERED_REMINDER.search(text), f"{part} numbers the reminder"
            assert message.unknown_variables == ()
            total = TOTALS[(language, count)]
            assert total in message.email_text and total in message.letter_text
            assert sms_plain(total) in message.sms
            assert sms_length(message.sms).fits and not message.sms.endswith("...")
            for invoice in reminder.items.all():
                assert invoice.invoice.number in message.email_text
                assert invoice.invoice.number in message.letter_html


def test_amounts_are_shown_to_the_cent_in_dutch_format(org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    reminder = reminder_with_invoices(debtor, ["1234.5", "1000000.00"])
    message = render_reminder(reminder, today=TODAY)
    assert f"€{NBSP}1.234,50" in message.email_text
    assert f"€{NBSP}1.000.000,00" in message.email_text
    assert f"€{NBSP}1.001.234,50" in message.email_text
    assert f"€{NBSP}1.234,50" in message.html


def test_the_14_day_letter_states_the_costs_on_the_sum_of_the_invoices(org_a: Tenant) -> None:
    consumer = DebtorFactory(organization=org_a.organization, kind=DebtorKind.CONSUMER, name="Sanne Jansen")
    reminder = reminder_with_invoices(
        consumer, ["150.00", "200.00"], kind=StepKind.FOURTEEN_DAY_LETTER, tone=Tone.FORMAL, channel=Channel.LETTER
    )
    message = render_reminder(reminder, today=TODAY)
    assert message.collection_costs == Decimal("52.50")  # 15 % of 350, not 40 + 40
    for text in (message.letter_text, message.email_text):
        assert f"€{NBSP}52,50" in text
        assert f"€{NBSP}40,00" not in text and f"€{NBSP}80,00" not in text
        assert f"€{NBSP}402,50" in text  # total including the costs
        assert "geen kosten" in text
        assert is_valid_term_wording(text)
    assert "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd" in message.letter_text
    assert "binnen veertien dagen vanaf de dag nadat deze e-mail bij u is bezorgd" in message.email_text
    assert message.text == message.letter_text  # the record of a letter is the letter


def test_the_14_day_letter_in_english_uses_the_accepted_wording(org_a: Tenant) -> None:
    consumer = DebtorFactory(organization=org_a.organization, kind=DebtorKind.CONSUMER, language="en")
    reminder = reminder_with_invoices(consumer, ["100.00", "100.00", "100.00"], kind=StepKind.FOURTEEN_DAY_LETTER)
    message = render_reminder(reminder, today=TODAY)
    assert message.collection_costs == Decimal("45.00")  # on € 300, not three times € 40
    assert "within fourteen days from the day after this letter has been delivered to you" in message.letter_text
    assert "€45.00" in message.letter_text and "free of charge" in message.letter_text
    assert is_valid_term_wording(message.email_text)


def test_a_part_payment_lowers_the_principal_of_the_14_day_letter(org_a: Tenant) -> None:
    consumer = DebtorFactory(organization=org_a.organization, kind=DebtorKind.CONSUMER)
    invoice = InvoiceFactory(debtor=consumer, amount=Decimal("500.00"), open_amount=Decimal("200.00"))
    reminder = reminder_with_invoices(consumer, kind=StepKind.FOURTEEN_DAY_LETTER, invoices=[invoice])
    message = render_reminder(reminder, today=TODAY)
    assert message.collection_costs == Decimal("40.00")  # minimum on € 200, not 75.00 on € 500
    assert f"factuurbedrag €{NBSP}500,00" in message.email_text


def test_invoices_paid_since_planning_are_left_out(org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    paid = InvoiceFactory(debtor=debtor, status=InvoiceStatus.PAID, number="PAID-1")
    open_invoice = InvoiceFactory(debtor=debtor, number="OPEN-1")
    reminder = reminder_with_invoices(debtor, invoices=[paid, open_invoice])
    message = render_reminder(reminder, today=TODAY)
    assert "OPEN-1" in message.email_text and "PAID-1" not in message.email_text


def test_a_reminder_whose_invoices_are_all_paid_is_refused(org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    reminder = reminder_with_invoices(debtor, invoices=[InvoiceFactory(debtor=debtor, status=InvoiceStatus.PAID)])
    with pytest.raises(PermanentFailure):
        render_reminder(reminder, today=TODAY)


def test_the_organizations_own_template_is_used(org_a: Tenant) -> None:
    MessageTemplate.objects.create(
        organization=org_a.organization,
        kind=StepKind.REMINDER,
        tone=Tone.FRIENDLY,
        language="nl",
        **{**message_template_defaults(StepKind.REMINDER, Tone.FRIENDLY, "nl"), "email_subject": "Eigen onderwerp"},
    )
    reminder = reminder_with_invoices(DebtorFactory(organization=org_a.organization))
    assert render_reminder(reminder, today=TODAY).subject == "Eigen onderwerp"


def test_the_message_is_in_the_debtors_language(org_a: Tenant) -> None:
    english = reminder_with_invoices(DebtorFactory(organization=org_a.organization, language="en"))
    dutch = reminder_with_invoices(DebtorFactory(organization=org_a.organization, language="nl"))
    assert render_reminder(english, today=TODAY).language == "en"
    assert "Kind regards" in render_reminder(english, today=TODAY).email_text
    assert "Met vriendelijke groet" in render_reminder(dutch, today=TODAY).email_text


def test_the_recipient_depends_on_the_channel(org_a: Tenant) -> None:
    debtor = DebtorFactory(
        organization=org_a.organization,
        name="Bakkerij Jansen",
        contact_person="Piet Jansen",
        emails=["a@debtor.test", "b@debtor.test"],
        phones=["+31611111111", "+31622222222"],
    )
    invoice = InvoiceFactory(debtor=debtor)
    recipients = {
        channel: render_reminder(
            reminder_with_invoices(debtor, invoices=[invoice], channel=channel, planned_date=TODAY), today=TODAY
        ).recipient
        for channel in (Channel.EMAIL, Channel.SMS)
    }
    letter = reminder_with_invoices(
        debtor, invoices=[InvoiceFactory(debtor=debtor)], channel=Channel.LETTER, planned_date=TODAY
    )
    assert recipients[Channel.EMAIL] == "a@debtor.test, b@debtor.test"
    assert recipients[Channel.SMS] == "+31611111111"
    assert render_reminder(letter, today=TODAY).recipient == "Bakkerij Jansen, Piet Jansen, Damrak 1, 1012 LG Amsterdam"


def test_the_text_of_each_channel_is_its_record(org_a: Tenant) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    sms = render_reminder(reminder_with_invoices(debtor, channel=Channel.SMS), today=TODAY)
    assert sms.text == sms.sms
    call = render_reminder(reminder_with_invoices(debtor, channel=Channel.PHONE), today=TODAY)
    assert call.text == call.phone_script and "[uw naam]" in call.phone_script


def test_the_payment_reference_is_the_invoice_number_or_all_of_them() -> None:
    assert payment_reference(["2026-001"], "nl") == "2026-001"
    assert payment_reference(["2026-001", "2026-002"], "nl") == "2026-001 2026-002"
    many = [f"INV-2026-{n:05d}" for n in range(20)]
    assert payment_reference(many, "nl") == "INV-2026-00000 - INV-2026-00019 (20 facturen)"


def test_dates_are_written_in_full_in_the_message_language() -> None:
    assert long_date(dt.date(2026, 10, 12), "nl") == "12 oktober 2026"
    assert long_date(dt.date(2026, 3, 1), "en") == "1 March 2026"


@pytest.mark.parametrize(
    ("debtor", "tone", "language", "expected"),
    [
        (DebtorFacts("Alpha B.V.", "Jan de Vries"), Tone.FRIENDLY, "nl", "Beste Jan"),
        (DebtorFacts("Alpha B.V.", "Jan de Vries"), Tone.FORMAL, "nl", "Geachte Jan de Vries"),
        (DebtorFacts("Alpha B.V."), Tone.FORMAL, "nl", "Geachte heer/mevrouw"),
        (DebtorFacts("Alpha B.V."), Tone.FIRM, "nl", "Geachte heer/mevrouw"),
        (DebtorFacts("Alpha B.V."), Tone.FRIENDLY, "nl", "Beste relatie"),
        (DebtorFacts("Sanne Jansen", is_business=False), Tone.FRIENDLY, "nl", "Beste Sanne"),
        (DebtorFacts("J. Jansen", is_business=False), Tone.FRIENDLY, "nl", "Beste J. Jansen"),
        (DebtorFacts("Alpha Ltd", "Jane Doe"), Tone.FRIENDLY, "en", "Dear Jane"),
        (DebtorFacts("Alpha Ltd"), Tone.FORMAL, "en", "Dear Sir or Madam"),
    ],
)
def test_the_salutation_follows_the_tone_and_the_contact_person(
    debtor: DebtorFacts, tone: str, language: str, expected: str
) -> None:
    assert salutation(debtor, tone, language) == expected


def test_without_a_portal_link_the_text_does_not_mention_one(org_a: Tenant) -> None:
    message = render_reminder(reminder_with_invoices(DebtorFactory(organization=org_a.organization)), today=TODAY)
    assert "Online betalen" not in message.email_text and 'class="em-button"' not in message.html


def test_with_a_portal_link_the_email_offers_it(org_a: Tenant) -> None:
    facts = sample_facts(
        organization=org_a.organization, kind=StepKind.REMINDER, tone=Tone.FRIENDLY, language="nl", today=TODAY
    )
    facts = MessageFacts(**{**facts.__dict__, "portal_url": "https://example.test/p/abc"})
    message = render_message(facts, default_texts(StepKind.REMINDER, Tone.FRIENDLY, "nl"), channel=Channel.EMAIL)
    assert "https://example.test/p/abc" in message.email_text
    assert 'href="https://example.test/p/abc"' in message.html


def test_the_email_html_is_branded_with_the_logo_as_an_absolute_url(org_a: Tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.SITE_URL = "https://app.example.test"
    org_a.organization.logo.name = "public/logos/Vr3lGxSEm8S0u4cQyGq9Ag.png"
    message = render_reminder(reminder_with_invoices(DebtorFactory(organization=org_a.organization)), today=TODAY)
    # The public address the app serves with DEBUG off (outstanding.asset_views), not the media folder.
    assert 'src="https://app.example.test/public/logos/Vr3lGxSEm8S0u4cQyGq9Ag.png"' in message.html
    assert "NL91 ABNA 0417 1643 00" in message.html
    assert 'class="invoice-table"' in message.html
    assert "Beantwoord gerust deze e-mail" in message.html


# --- Escaping --------------------------------------------------------------------------------------


def test_a_debtor_named_script_is_escaped_in_every_html_part(org_a: Tenant) -> None:
    debtor = DebtorFactory(
        organization=org_a.organization, kind=DebtorKind.CONSUMER, name="<script>alert(1)</script>", contact_person=""
    )
    message = render_reminder(reminder_with_invoices(debtor, kind=StepKind.FOURTEEN_DAY_LETTER), today=TODAY)
    for html in (message.html, message.letter_html, message.email_content_html):
        assert "<script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert(1)</script>" in message.email_text  # the plain text part is not HTML


def test_markup_typed_in_a_template_is_escaped_too(org_a: Tenant) -> None:
    facts = sample_facts(
        organization=org_a.organization, kind=StepKind.REMINDER, tone=Tone.FRIENDLY, language="nl", today=TODAY
    )
    texts = TemplateTexts(
        email_subject="Hallo",
        email_body='<img src=x onerror=alert(1)> {{ portal_url|default:"<b>bold</b>" }}',
        sms_body="Hallo",
        letter_body="<b>vet</b>",
    )
    message = render_message(facts, texts, channel=Channel.EMAIL)
    assert "<img" not in message.html and "&lt;img src=x onerror=alert(1)&gt;" in message.html
    assert "<b>" not in message.html and "&lt;b&gt;bold&lt;/b&gt;" in message.html
    assert message.letter_html.startswith("<p>&lt;b&gt;vet&lt;/b&gt;</p>")


# --- The sandbox -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "{% load static %}{% static 'x' %}",
        "{% load outstanding_tags %}",
        "{% include 'base.html' %}",
        "{% extends 'base.html' %}",
        "{% debug %}",
        "{% autoescape off %}{{ x }}{% endautoescape %}",
        "{% filter safe %}{{ x }}{% endfilter %}",
        "{% url 'app_home' %}",
        "{% now 'Y' %}",
        "{% csrf_token %}",
        "{{ debtor.name|safe }}",
        "{{ debtor.name.__class__ }}",
        "{{ invoices|pprint }}",
    ],
)
def test_the_sandbox_refuses_tags_and_filters_that_reach_outside(source: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        render_sandboxed(source, {"debtor": {"name": "x"}, "invoices": []})


def test_the_sandbox_cannot_reach_settings_or_model_attributes(org_a: Tenant) -> None:
    facts = sample_facts(
        organization=org_a.organization, kind=StepKind.REMINDER, tone=Tone.FRIENDLY, language="nl", today=TODAY
    )
    source = (
        "[{{ debtor.organization.users }}][{{ settings.SECRET_KEY }}][{{ organization.memberships }}]"
        "[{{ request.user }}][{{ organization.logo.path }}]"
    )
    texts = TemplateTexts(email_subject=source, email_body=source, sms_body=source, letter_body=source)
    message = render_message(facts, texts, channel=Channel.EMAIL)
    assert message.subject == "[][][][][]"
    assert message.email_text.startswith("[][][][][]")
    assert set(message.unknown_variables) == {
        "debtor.organization.users",
        "settings.SECRET_KEY",
        "organization.memberships",
        "request.user",
        "organization.logo.path",
    }


def test_a_template_cannot_change_what_the_next_part_sees(org_a: Tenant) -> None:
    facts = sample_facts(
        organization=org_a.organization, kind=StepKind.REMINDER, tone=Tone.FRIENDLY, language="nl", today=TODAY
    )
    texts = TemplateTexts(
        email_subject="{{ invoices.clear }}{{ debtor.clear }}{{ debtor.popitem }}x",
        email_body="{{ invoice_count }} {% for invoice in invoices %}{{ invoice.number }} {% endfor %}"
        "{{ debtor.name }}",
        sms_body="x",
        letter_body="x",
    )
    message = render_message(facts, texts, channel=Channel.EMAIL)
    assert message.email_text.startswith("2 2026-0142 2026-0157 Voorbeeld Installatietechniek B.V.")


def test_only_plain_values_reach_a_template(org_a: Tenant) -> None:
    with pytest.raises(TypeError):
        frozen({"organization": org_a.organization})
    with pytest.raises(TypeError):
        frozen({"amount": Decimal("1.00")})  # amounts arrive formatted


def test_a_template_that_fails_to_render_is_a_permanent_failure(org_a: Tenant) -> None:
    facts = sample_facts(
        organization=org_a.organization, kind=StepKind.REMINDER, tone=Tone.FRIENDLY, language="nl", today=TODAY
    )
    broken = TemplateTexts(email_subject="{% if %}", email_body="x", sms_body="x", letter_body="x")
    with pytest.raises(TemplateRenderError) as raised:
        render_message(facts, broken, channel=Channel.EMAIL)
    assert isinstance(raised.value, PermanentFailure)


def test_the_invoice_table_goes_where_the_text_asks_or_after_it(org_a: Tenant) -> None:
    facts = sample_facts(
        organization=org_a.organization, kind=StepKind.REMINDER, tone=Tone.FRIENDLY, language="nl", today=TODAY
    )
    placed = TemplateTexts("s", "Boven\n\n{{ invoice_table }}\n\nOnder", "x", "Boven\n\n{{ invoice_table }}\n\nOnder")
    missing = TemplateTexts("s", "Alleen tekst", "x", "Alleen tekst")
    message = render_message(facts, placed, channel=Channel.EMAIL)
    assert message.email_text.index("Boven") < message.email_text.index("2026-0142") < message.email_text.index("Onder")
    assert message.letter_html.count('class="invoice-table"') == 1
    assert (
        message.letter_html.index("Boven")
        < message.letter_html.index("invoice-table")
        < message.letter_html.index("Onder")
    )
    appended = render_message(facts, missing, channel=Channel.EMAIL)
    assert appended.email_text.index("Alleen tekst") < appended.email_text.index("2026-0142")
    assert appended.html.count('class="invoice-table"') == 1


# --- SMS -------------------------------------------------------------------------------------------


def test_sms_segments_follow_gsm_and_unicode_limits() -> None:
    assert sms_length("a" * 160).segments == 1
    assert sms_length("a" * 161).segments == 2
    assert sms_length("€" * 80).segments == 1  # the euro sign costs two GSM units
    assert sms_length("a" * 459).segments == 3
    assert sms_length("ł" * 70).segments == 1 and sms_length("ł" * 71).segments == 2
    assert sms_length("ł").unicode


def test_a_dutch_amount_does_not_turn_an_sms_into_unicode() -> None:
    plain = sms_plain(f"Open: €{NBSP}1.234,56 – graag betalen")
    assert plain == "Open: € 1.234,56 - graag betalen"
    assert not sms_length(plain).unicode


def test_an_overlong_sms_is_cut_at_a_word_to_three_segments() -> None:
    text = " ".join(["betaling"] * 80)
    fitted = sms_fit(text)
    assert sms_length(fitted).segments == 3 and fitted.endswith("...")
    assert sms_fit("kort") == "kort"


def test_a_name_ending_in_a_full_stop_does_not_double_it() -> None:
    from reminders.rendering.sandbox import render_sandboxed

    result = render_sandboxed("Dit is {{ name }}. Tot ziens... echt.", {"name": "Jansen B.V."})
    assert result.output == "Dit is Jansen B.V. Tot ziens... echt."
