"""A bounced e-mail: the debtor never got it, so a person must look at it.

A mail server that refuses the recipient while we send is caught by the e-mail channel (the reminder
needs attention at once, see :mod:`reminders.services.dispatch`). A bounce that comes later, from the
provider or the receiving server, arrives through the bounce webhook and is matched on the Message-ID
the e-mail channel stored as the reminder's ``provider_reference``. A bounced legal step does not count
as sent: the engine moves on only after every legal reminder of an invoice has status ``sent``.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from reminders.channels.email import redact_addresses
from reminders.models import Channel, Reminder, ReminderStatus

logger = logging.getLogger(__name__)


REASON_MAX_LENGTH = 500


def message_id_variants(reference: str) -> list[str]:
    """A Message-ID with and without its angle brackets: providers report it either way."""
    bare = reference.strip().strip("<>").strip()
    return [f"<{bare}>", bare] if bare else []


def email_bounce_record(*, reference: str, recipient: str = "", reason: str = "") -> Reminder | None:
    """Mark the e-mail with Message-ID ``reference`` as bounced; None when no e-mail has that reference.

    ``recipient``, when given, must be one of the addresses the e-mail went to: a report about another
    address is not about this reminder. The reason is stored without any e-mail address in it.
    """
    variants = message_id_variants(reference)
    if not variants:
        return None
    with transaction.atomic():
        # unscoped: the provider knows the Message-ID, not the organization; the reference is unique to one e-mail.
        reminder = (
            Reminder.unscoped.select_for_update()
            .select_related("organization")
            .filter(channel=Channel.EMAIL, provider_reference__in=variants)
            .first()
        )
        if reminder is None or not _sent_to(reminder, recipient):
            return None
        reminder.status = ReminderStatus.NEEDS_ATTENTION
        reminder.error = _bounce_error(reminder, reason)
        reminder.save(update_fields=["status", "error", "updated_at"])
    logger.warning("reminder.bounced", extra={"reminder": reminder.pk})
    return reminder


def _sent_to(reminder: Reminder, recipient: str) -> bool:
    if not recipient.strip():
        return True
    addresses = {address.strip().lower() for address in reminder.recipient.split(",")}
    return recipient.strip().lower() in addresses


def _bounce_error(reminder: Reminder, reason: str) -> str:
    detail = redact_addresses(reason)[:REASON_MAX_LENGTH] if reason.strip() else ""
    with translation.override(reminder.organization.default_language):
        if detail:
            return _("The e-mail bounced: %(reason)s") % {"reason": detail}
        return _("The e-mail bounced.")
