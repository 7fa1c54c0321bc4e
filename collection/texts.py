"""Texts the creditor reads in its own language whoever caused them (event summaries, hold reasons)."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.functional import Promise

from outstanding.models import Organization


def in_organization_language(organization: Organization, text: Promise | str, **values: Any) -> str:
    """``text`` (a lazy translation) in the organization's language, with ``values`` filled in."""
    with translation.override(organization.default_language):
        return str(text) % values if values else str(text)
