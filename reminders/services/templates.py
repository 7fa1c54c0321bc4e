"""Writes on message templates: each organization's defaults, and putting the default words back."""

from __future__ import annotations

from django.db import transaction

from outstanding.models import Organization
from reminders.models import MessageTemplate, StepKind, Tone
from reminders.rendering.defaults import WORDS, message_template_defaults


@transaction.atomic
def message_templates_create(organization: Organization) -> None:
    """Create the organization's default templates for every step kind, tone and language.

    Only missing combinations are created: a template the organization edited is never overwritten,
    and calling this twice changes nothing.
    """
    existing = set(MessageTemplate.objects.for_organization(organization).values_list("kind", "tone", "language"))
    MessageTemplate.objects.bulk_create(
        [
            MessageTemplate(
                organization=organization,
                kind=kind,
                tone=tone,
                language=language,
                **message_template_defaults(kind, tone, language),
            )
            for kind in StepKind.values
            for tone in Tone.values
            for language in WORDS
            if (kind, tone, language) not in existing
        ],
        ignore_conflicts=True,  # a concurrent call created the same row: the unique constraint keeps one
    )


@transaction.atomic
def message_template_reset(*, organization: Organization, kind: str, tone: str, language: str) -> MessageTemplate:
    """Put the default words back in one template (created when the organization had none)."""
    template, _created = MessageTemplate.objects.for_organization(organization).update_or_create(
        kind=kind,
        tone=tone,
        language=language,
        defaults=message_template_defaults(kind, tone, language),
        create_defaults={"organization": organization, **message_template_defaults(kind, tone, language)},
    )
    return template
