"""Rendering a reminder's words: the sandbox, the plain-value context and the rendered message.

INTERFACE (implemented by the templates work): channels call :func:`render_reminder` and get a
:class:`RenderedMessage`. Tenant-editable templates are rendered with plain values only (strings,
numbers, dates, lists and dicts of those): no model objects, no settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from reminders.models import Reminder


@dataclass(frozen=True)
class RenderedMessage:
    recipient: str  # e-mail address(es) joined by ", ", phone number, or the postal address on one line
    subject: str  # e-mail subject; the letter's subject line
    text: str  # plain text (e-mail text part; the record of what was sent)
    html: str = ""  # e-mail HTML part, branded
    sms: str = ""
    letter_html: str = ""  # body of the letter (the letter layout wraps it)
    phone_script: str = ""
    context: dict[str, Any] = field(default_factory=dict)  # the plain values it was rendered with


def render_reminder(reminder: Reminder) -> RenderedMessage:
    """Render ``reminder`` in its debtor's language with the organization's template for its kind and tone."""
    raise NotImplementedError("reminders.rendering is being written")
