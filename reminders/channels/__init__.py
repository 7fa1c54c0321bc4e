"""Channels deliver a rendered reminder: e-mail, SMS, letter (print batch) and phone (call list).

Each channel module exposes ``deliver(reminder, message) -> str`` returning a provider reference, and
raises :class:`TemporaryFailure` (retry later) or :class:`PermanentFailure` (a person must look).
Letters and phone calls are not "delivered" by a worker: letters go into the daily print batch and
calls onto the call list; a letter is sent once its print batch is marked posted, a call is logged.
"""

from __future__ import annotations


class DeliveryError(Exception):
    """Base for delivery failures. The message is stored on the reminder (no personal data in it)."""


class TemporaryFailure(DeliveryError):
    """Worth retrying: a timeout, a 5xx, a rate limit."""


class PermanentFailure(DeliveryError):
    """Retrying will not help: no e-mail address, an invalid phone number, a rejected request."""
