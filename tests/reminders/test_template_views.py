"""The template editor: list, edit with validation, live preview with sample data, reset; access rules."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.urls import reverse

from reminders.models import MessageTemplate, StepKind, Tone
from reminders.rendering.defaults import default_texts
from reminders.services.templates import message_templates_create
from tests.conftest import Tenant
from tests.factories import DebtorFactory

pytestmark = pytest.mark.django_db

FOURTEEN = {"kind": StepKind.FOURTEEN_DAY_LETTER, "tone": Tone.FORMAL, "language": "nl"}
REMINDER = {"kind": StepKind.REMINDER, "tone": Tone.FRIENDLY, "language": "nl"}


def url(name: str, tenant: Tenant, key: dict[str, str] | None = None) -> str:
    base = reverse(name, args=[tenant.organization.public_id])
    return f"{base}?{urlencode(key)}" if key else base


def form_data(key: dict[str, str], **changes: str) -> dict[str, str]:
    texts = default_texts(key["kind"], key["tone"], key["language"])
    data = {name: getattr(texts, name) for name in texts.__dataclass_fields__}
    return {**data, **changes}


def saved(tenant: Tenant, key: dict[str, str]) -> MessageTemplate:
    return MessageTemplate.objects.for_organization(tenant.organization).get(**key)


@pytest.fixture(autouse=True)
def _english(settings) -> None:  # type: ignore[no-untyped-def]
    settings.LANGUAGE_CODE = "en"  # the editor in English (the msgids); the debtor texts stay Dutch


@pytest.fixture(autouse=True)
def _defaults(org_a: Tenant) -> None:
    message_templates_create(org_a.organization)


# --- Reading --------------------------------------------------------------------------------------


def test_the_list_shows_every_kind_tone_and_language(viewer_client: Client, org_a: Tenant) -> None:
    response = viewer_client.get(url("message_template_list", org_a))
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("settings/templates/edit/?kind=") == 30
    assert url("message_template_list", org_a) in body  # the settings navigation links here


def test_the_list_marks_a_customized_text(member_client: Client, org_a: Tenant) -> None:
    MessageTemplate.objects.for_organization(org_a.organization).filter(**REMINDER).update(sms_body="Eigen sms")
    body = member_client.get(url("message_template_list", org_a)).content.decode()
    assert body.count("customized") == 1


def test_a_viewer_reads_the_editor_with_disabled_fields_and_a_preview(viewer_client: Client, org_a: Tenant) -> None:
    response = viewer_client.get(url("message_template_edit", org_a, FOURTEEN))
    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'<textarea name="email_body"[^>]*disabled', body)
    assert "hx-post" not in body and "Save text" not in body
    assert "Sanne Jansen" in body  # the sample consumer in the preview
    assert "€\N{NO-BREAK SPACE}52,50" in body  # costs on the sample invoices' sum
    assert "debtor.salutation" in body  # the placeholders are documented beside the editor


def test_the_editor_page_is_clean_for_a_strict_content_security_policy(member_client: Client, org_a: Tenant) -> None:
    body = member_client.get(url("message_template_edit", org_a, REMINDER)).content.decode()
    assert " style=" not in body and "<style" not in body
    assert not re.search(r"<script(?![^>]*\bsrc=)", body)
    assert not re.search(r"\son[a-z]+=", body)


def test_an_unknown_kind_answers_404(member_client: Client, org_a: Tenant) -> None:
    response = member_client.get(url("message_template_edit", org_a, {**REMINDER, "kind": "debug"}))
    assert response.status_code == 404


# --- Saving ----------------------------------------------------------------------------------------


def test_a_member_saves_a_text(member_client: Client, org_a: Tenant) -> None:
    response = member_client.post(
        url("message_template_edit", org_a, REMINDER), form_data(REMINDER, email_subject="Even checken")
    )
    assert response.status_code == 302
    assert saved(org_a, REMINDER).email_subject == "Even checken"


def test_saving_a_text_the_organization_did_not_have_yet_creates_it(member_client: Client, org_a: Tenant) -> None:
    MessageTemplate.objects.for_organization(org_a.organization).filter(**REMINDER).delete()
    response = member_client.post(url("message_template_edit", org_a, REMINDER), form_data(REMINDER, sms_body="Hoi"))
    assert response.status_code == 302
    assert saved(org_a, REMINDER).sms_body == "Hoi" and saved(org_a, REMINDER).organization == org_a.organization


def test_an_unknown_placeholder_warns_but_saves(member_client: Client, org_a: Tenant) -> None:
    data = form_data(REMINDER, email_subject="Factuur {{ invoice_nummer }}")
    preview = member_client.post(url("message_template_preview", org_a, REMINDER), data, HTTP_HX_REQUEST="true")
    assert "Unknown placeholder {{ invoice_nummer }}" in preview.content.decode()
    response = member_client.post(url("message_template_edit", org_a, REMINDER), data)
    assert response.status_code == 302
    assert saved(org_a, REMINDER).email_subject == "Factuur {{ invoice_nummer }}"


def assert_refused(client: Client, tenant: Tenant, key: dict[str, str], data: dict[str, str], *phrases: str) -> None:
    before = {name: getattr(saved(tenant, key), name) for name in data}
    response = client.post(url("message_template_edit", tenant, key), data)
    assert response.status_code == 400
    body = response.content.decode()
    for phrase in phrases:
        assert phrase in body, phrase
    assert {name: getattr(saved(tenant, key), name) for name in data} == before  # nothing changed


def test_a_14_day_letter_counting_from_its_date_is_refused_citing_the_hoge_raad(
    member_client: Client, org_a: Tenant
) -> None:
    body = default_texts(**FOURTEEN).letter_body.replace("{{ term_wording }}", "binnen 14 dagen na dagtekening")
    assert_refused(
        member_client,
        org_a,
        FOURTEEN,
        form_data(FOURTEEN, letter_body=body),
        "HR 25-11-2016, ECLI:NL:HR:2016:2704",
        "binnen veertien dagen vanaf de dag nadat deze brief bij u is bezorgd",
    )


def test_a_14_day_letter_with_the_right_words_and_a_date_count_as_well_is_refused(
    member_client: Client, org_a: Tenant
) -> None:
    body = default_texts(**FOURTEEN).email_body + "\nU dient binnen 14 dagen na verzending van deze brief te betalen."
    assert_refused(member_client, org_a, FOURTEEN, form_data(FOURTEEN, email_body=body), "ECLI:NL:HR:2016:2704")


def test_a_14_day_letter_without_the_collection_costs_is_refused(member_client: Client, org_a: Tenant) -> None:
    body = default_texts(**FOURTEEN).letter_body.replace("{{ collection_costs }}", "de wettelijke incassokosten")
    assert_refused(
        member_client, org_a, FOURTEEN, form_data(FOURTEEN, letter_body=body), "Include {{ collection_costs }}"
    )


@pytest.mark.parametrize(
    "subject", ["2e herinnering", "Tweede herinnering", "1e betalingsherinnering", "Second reminder", "Third reminder"]
)
def test_a_numbered_reminder_is_refused(member_client: Client, org_a: Tenant, subject: str) -> None:
    assert_refused(
        member_client, org_a, REMINDER, form_data(REMINDER, email_subject=subject), "Do not number reminders"
    )


@pytest.mark.parametrize(
    ("source", "phrase"),
    [
        ("{% load static %}Hallo", "load"),
        ("{% include 'base.html' %}", "include"),
        ("{% if debtor.name %}Hallo", "endif"),
    ],
)
def test_a_text_that_does_not_compile_in_the_sandbox_is_refused(
    member_client: Client, org_a: Tenant, source: str, phrase: str
) -> None:
    assert_refused(member_client, org_a, REMINDER, form_data(REMINDER, email_body=source), "cannot be used", phrase)


def test_an_sms_longer_than_three_segments_is_refused(member_client: Client, org_a: Tenant) -> None:
    # 264 characters fit 480, but one emoji makes it Unicode: 67 characters per segment.
    sms = "Betaal alstublieft 🙂 " * 12
    assert_refused(member_client, org_a, REMINDER, form_data(REMINDER, sms_body=sms), "3 segments")


def test_a_viewer_cannot_save(viewer_client: Client, org_a: Tenant) -> None:
    response = viewer_client.post(url("message_template_edit", org_a, REMINDER), form_data(REMINDER, sms_body="x"))
    assert response.status_code == 403
    assert saved(org_a, REMINDER).sms_body == default_texts(**REMINDER).sms_body


# --- Preview ---------------------------------------------------------------------------------------


def test_the_preview_renders_the_draft_with_sample_data_for_htmx(member_client: Client, org_a: Tenant) -> None:
    DebtorFactory(organization=org_a.organization, name="Echte Klant B.V.")
    data = form_data(REMINDER, email_body="{{ debtor.salutation }}, concept {{ total_open }}")
    response = member_client.post(url("message_template_preview", org_a, REMINDER), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body  # a fragment for the preview panel
    assert "Beste Jan, concept €\N{NO-BREAK SPACE}350,00" in body
    assert "Echte Klant" not in body  # never a real debtor
    assert "segment" in body and 'class="letter-preview"' in body and 'class="email-preview"' in body
    assert saved(org_a, REMINDER).email_body == default_texts(**REMINDER).email_body  # nothing saved


def test_the_preview_shows_why_a_text_would_be_refused(viewer_client: Client, org_a: Tenant) -> None:
    data = form_data(FOURTEEN, email_body="Betaal binnen 14 dagen na dagtekening. {{ collection_costs }}")
    response = viewer_client.post(url("message_template_preview", org_a, FOURTEEN), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "ECLI:NL:HR:2016:2704" in response.content.decode()


def test_the_preview_escapes_markup_in_the_draft(member_client: Client, org_a: Tenant) -> None:
    data = form_data(REMINDER, email_body="<script>alert(1)</script>")
    body = member_client.post(url("message_template_preview", org_a, REMINDER), data).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_the_preview_only_answers_post(member_client: Client, org_a: Tenant) -> None:
    assert member_client.get(url("message_template_preview", org_a, REMINDER)).status_code == 405


# --- Reset -----------------------------------------------------------------------------------------


def test_a_member_resets_one_text_to_the_default(member_client: Client, org_a: Tenant) -> None:
    templates = MessageTemplate.objects.for_organization(org_a.organization)
    templates.filter(**REMINDER).update(sms_body="Eigen sms")
    templates.filter(**FOURTEEN).update(sms_body="Andere eigen sms")
    response = member_client.post(url("message_template_reset", org_a, REMINDER))
    assert response.status_code == 302
    assert saved(org_a, REMINDER).sms_body == default_texts(**REMINDER).sms_body
    assert saved(org_a, FOURTEEN).sms_body == "Andere eigen sms"  # only that one


def test_a_viewer_cannot_reset(viewer_client: Client, org_a: Tenant) -> None:
    MessageTemplate.objects.for_organization(org_a.organization).filter(**REMINDER).update(sms_body="Eigen sms")
    assert viewer_client.post(url("message_template_reset", org_a, REMINDER)).status_code == 403
    assert saved(org_a, REMINDER).sms_body == "Eigen sms"


# --- Outsiders -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["message_template_list", "message_template_edit", "message_template_preview", "message_template_reset"]
)
def test_an_outsider_gets_404_and_changes_nothing(outsider_client: Client, org_a: Tenant, name: str) -> None:
    target = url(name, org_a, REMINDER)
    assert outsider_client.get(target).status_code == 404
    assert outsider_client.post(target, form_data(REMINDER, sms_body="x")).status_code == 404
    assert saved(org_a, REMINDER).sms_body == default_texts(**REMINDER).sms_body


def test_an_outsider_editing_their_own_texts_does_not_touch_ours(
    outsider_client: Client, org_a: Tenant, org_b: Tenant
) -> None:
    message_templates_create(org_b.organization)
    response = outsider_client.post(url("message_template_edit", org_b, REMINDER), form_data(REMINDER, sms_body="B"))
    assert response.status_code == 302
    assert saved(org_b, REMINDER).sms_body == "B"
    assert saved(org_a, REMINDER).sms_body == default_texts(**REMINDER).sms_body
