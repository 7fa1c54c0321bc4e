"""The portal link an outgoing reminder carries: issued by the portal (one per message, only its hash
kept), opening on the invoices the message is about. Here, not in the portal app, because "about" is a
rule of the reminders (:func:`reminders.rendering.context.is_about`): the portal knows nothing of it."""

from __future__ import annotations

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
