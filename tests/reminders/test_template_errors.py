"""Why a text does not compile, told in the creditor's language with its line number (not Django's English)."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from django.template import TemplateSyntaxError
from django.test import Client
from django.urls import reverse
from django.utils import translation

from reminders.models import MessageTemplate, StepKind, Tone
from reminders.rendering.checks import TemplateCheck, template_check
from reminders.rendering.defaults import default_texts
from reminders.rendering.errors import template_error_message, unbalanced_braces
from reminders.rendering.sandbox import compile_sandboxed
from reminders.services.templates import message_templates_create
from tests.conftest import Tenant
from tests.factories import TODAY

REMINDER = {"kind": StepKind.REMINDER, "tone": Tone.FRIENDLY, "language": "nl"}


@pytest.fixture
def english() -> Iterator[None]:
    with translation.override("en"):
        yield


def compile_error(source: str) -> str:
    with pytest.raises(TemplateSyntaxError) as error:
        compile_sandboxed(source)
    return template_error_message(error.value)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("{% if debtor.name %}Hallo", "Line 1: {% if %} is not closed; add {% endif %}"),
        (
            "Hallo\n\n{% for invoice in invoices %}{{ invoice.number }}",
            "Line 3: {% for %} is not closed; add {% endfor %}",
        ),
        ("Hallo\n{% load static %}", "Line 2: {% load %} does not exist in these texts"),
        ("{% if a %}{% include 'base.html' %}{% endif %}", "Line 1: {% include %} does not exist in these texts"),
        ("{% for i in x %}\n{% if i %}{% endfor %}", "Line 2: add {% endif %} before {% endfor %}"),
        ("Beste {{ debtor.name|shout }}", "Line 1: the filter |shout does not exist"),
        ("\n\n{{ debtor.name! }}", "Line 3: {{ debtor.name! }} is not a valid placeholder"),
        ("{{ }}", "Line 1: an empty placeholder {{ }}"),
        ("{% %}", "Line 1: an empty tag {% %}"),
        ("{{ debtor._meta }}", "Line 1: a placeholder cannot start with an underscore (debtor._meta)"),
        ("{{ debtor.name|default }}", "Line 1: the filter |default has too many or too few values after the colon"),
        ("{% if total_open == %}x{% endif %}", "Line 1: the condition in {% if total_open == %} cannot be read"),
        ("{% for invoice %}x{% endfor %}", "Line 1: write a loop as {% for item in list %} … {% endfor %}"),
        ("{% with %}x{% endwith %}", "Line 1: write {% with name=value %} … {% endwith %}"),
        ("\x1a", "The text contains a control character that is not allowed"),
    ],
)
def test_a_compile_error_is_one_sentence_with_its_line(english: None, source: str, message: str) -> None:
    assert compile_error(source) == message


def test_an_error_without_an_explanation_quotes_djangos_text(english: None) -> None:
    assert compile_error("a\n{% cycle %}") == "Line 2 cannot be read ('cycle' tag requires at least two arguments)"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("Beste {{ debtor.name },\nbetaal", "Line 1: “{{ debtor.name },” is not closed with “}}”"),
        ("Hallo\n{% if debtor.name x", "Line 2: “{% if debtor.name x” is not closed with “%}”"),
        ("Hallo\nbedrag total_open }}", "Line 2: “}}” has no “{{” before it"),
        ("{{ debtor.name }} {# note", "Line 1: “{# note” is not closed with “#}”"),
    ],
)
def test_braces_without_their_pair_are_found(english: None, source: str, message: str) -> None:
    assert unbalanced_braces(source) == message


def test_balanced_texts_and_the_default_texts_have_no_brace_problem() -> None:
    assert (
        unbalanced_braces("Beste {{ debtor.name }},\n{% if total_open %}{{ total_open }}{% endif %} {# ok #}") is None
    )
    for kind in StepKind.values:
        for tone in Tone.values:
            for language in ("nl", "en"):
                texts = default_texts(kind, tone, language)
                for name in texts.__dataclass_fields__:
                    assert unbalanced_braces(getattr(texts, name)) is None, (kind, tone, language, name)


@pytest.mark.django_db
def test_the_check_refuses_unbalanced_braces(english: None, org_a: Tenant) -> None:
    texts = default_texts(**REMINDER)
    check: TemplateCheck = template_check(
        texts.__class__(**{**texts.__dict__, "email_subject": "Voor {{ debtor.name }"}),
        organization=org_a.organization,
        kind=REMINDER["kind"],
        tone=REMINDER["tone"],
        language="nl",
        today=TODAY,
    )
    assert check.errors == {
        "email_subject": [
            "This text cannot be used: Line 1: “{{ debtor.name }” is not closed with “}}”. Placeholders look like "
            "{{ debtor.name }}; only if, for and with blocks are available."
        ]
    }


# --- the editor, in Dutch (the default) and in English -----------------------------------------------


def edit_url(tenant: Tenant) -> str:
    return f"{reverse('message_template_edit', args=[tenant.organization.public_id])}?{urlencode(REMINDER)}"


def post_body(client: Client, tenant: Tenant, body: str, **headers: str) -> str:
    texts = default_texts(**REMINDER)
    data = {**{name: getattr(texts, name) for name in texts.__dataclass_fields__}, "email_body": body}
    response = client.post(edit_url(tenant), data, **headers)
    assert response.status_code == 400
    return response.content.decode()


def saved_body(tenant: Tenant) -> str:
    return MessageTemplate.objects.for_organization(tenant.organization).get(**REMINDER).email_body


@pytest.fixture
def templates(org_a: Tenant) -> None:
    message_templates_create(org_a.organization)


@pytest.mark.django_db
def test_a_dutch_creditor_reads_the_error_in_dutch(templates: None, member_client: Client, org_a: Tenant) -> None:
    before = saved_body(org_a)
    body = post_body(member_client, org_a, "Beste klant,\n{% if debtor.name %}Hallo")
    assert "Regel 2: {% if %} is niet afgesloten; voeg {% endif %} toe" in body
    assert "Unclosed tag" not in body and "Looking for" not in body
    assert saved_body(org_a) == before  # nothing saved


@pytest.mark.django_db
def test_a_dutch_creditor_reads_a_filter_error_in_dutch(templates: None, member_client: Client, org_a: Tenant) -> None:
    body = post_body(member_client, org_a, "{{ debtor.name|shout }}")
    assert "Regel 1: het filter |shout bestaat niet" in body
    assert "Invalid filter" not in body


@pytest.mark.django_db
def test_an_unknown_error_is_quoted_inside_a_dutch_sentence(
    templates: None, member_client: Client, org_a: Tenant
) -> None:
    body = post_body(member_client, org_a, "{% cycle %}")
    assert "Regel 1 is niet te lezen (&#x27;cycle&#x27; tag requires at least two arguments)" in body


@pytest.mark.django_db
def test_an_english_creditor_reads_the_error_in_english(
    templates: None, member_client: Client, org_a: Tenant, settings
) -> None:
    settings.LANGUAGE_CODE = "en"
    before = saved_body(org_a)
    body = post_body(member_client, org_a, "Dear customer,\n{% if debtor.name %}Hello")
    assert "Line 2: {% if %} is not closed; add {% endif %}" in body
    assert "Unclosed tag" not in body
    assert saved_body(org_a) == before


@pytest.mark.django_db
def test_another_organizations_editor_is_not_found(templates: None, outsider_client: Client, org_a: Tenant) -> None:
    texts = default_texts(**REMINDER)
    data = {name: getattr(texts, name) for name in texts.__dataclass_fields__}
    assert outsider_client.post(edit_url(org_a), data).status_code == 404
