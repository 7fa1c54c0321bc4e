"""The portal link an outgoing reminder carries: issued by the portal (one per message, only its hash
kept), opening on the invoices the message is about. Here, not in the portal app, because "about" is a
rule of the reminders (:func:`reminders.rendering.context.is_about`): the portal knows nothing of it.

The token exists in clear only in what goes out: the copy of a message kept on the reminder (what the
creditor reads back) has it masked (:func:`portal_link_redacted`), or the table would hold, in clear,
what the portal stores only hashed."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from portal.services import portal_link_issue
from reminders.models import Reminder
from reminders.rendering.context import is_about


def reminder_portal_link(*, reminder: Reminder) -> str:
    """A new link for ``reminder`` (call it where the message is sent, and pass it to the renderer)."""
    about = [
        invoice_id
        for invoice_id, step_kind in reminder.items.values_list("invoice_id", "step_kind")
        if is_about(reminder.kind, step_kind)
    ]
    return portal_link_issue(
        organization=reminder.organization, debtor=reminder.debtor, reminder=reminder, invoice_ids=about
    )


# What the kept copy shows instead of the token: "https://…/p/••••••/" still reads as "a link was here".
REDACTED_TOKEN = "\u2022" * 6
MIN_TOKEN_LENGTH = 16


def portal_link_redacted(text: str, portal_url: str) -> str:
    """``text`` with the token of ``portal_url`` masked wherever it occurs, in any case, however a
    template put the link in its words."""
    token = urlsplit(portal_url).path.rstrip("/").rsplit("/", 1)[-1]
    # A portal token has 32 characters; a shorter last segment is no token, and masking it would
    # mangle ordinary words of the text.
    if len(token) < MIN_TOKEN_LENGTH:
        return text
    # Whatever the case: a template may have put the link through |upper or |lower.
    return re.sub(re.escape(token), REDACTED_TOKEN, text, flags=re.IGNORECASE)
