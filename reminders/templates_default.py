"""Default message templates (filled in by the templates work; see reminders.rendering)."""

from __future__ import annotations

from outstanding.models import Organization


def message_templates_create(organization: Organization) -> None:
    """Create the organization's default templates for every step kind, tone and language."""
