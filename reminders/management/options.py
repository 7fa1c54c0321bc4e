"""Option values the reminders commands share, checked with a clear error before anything runs."""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.management.base import CommandError


def date_option(value: str | None) -> dt.date | None:
    """``--date YYYY-MM-DD``; None when not given (the organization's own date)."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--date must be YYYY-MM-DD, not {value!r}") from exc


def organization_option(value: str) -> str:
    """``--org ORG_UUID``, normalized."""
    try:
        return str(uuid.UUID(value))
    except ValueError as exc:
        raise CommandError(f"--org must be an organization UUID, not {value!r}") from exc
