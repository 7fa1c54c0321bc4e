"""The go-live gate: reminders stay off until someone switched them on with the facts they need.

A new organization starts with ``DunningSettings.reminders_active`` off. Switching on requires the facts
every message relies on (the legal name and address a notice of default is signed with, the IBAN it
asks to pay to, a contact address replies and questions go to); it records who switched on and when,
and tells how many messages the first run will send. The same check holds a message at sending time
when a fact went missing later (:func:`reminder_hold_reason`, used by ``dispatch``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from outstanding.models import Organization, User
from reminders import engine
from reminders.models import BacklogStart, Channel, DunningRun, DunningSettings, StepKind

logger = logging.getLogger(__name__)

# (Organization field, what the creditor calls it): in the order of the company settings form.
REQUIRED_FACTS: tuple[tuple[str, Promise], ...] = (
    ("legal_name", _("Legal name")),
    ("street", _("Street and number")),
    ("postal_code", _("Postal code")),
    ("city", _("City")),
    ("iban", _("IBAN")),
    ("email", _("Contact e-mail address (where replies to reminders go)")),
)

# How far ahead to look for the first sending day (a long holiday closure still fits).
LOOKAHEAD_DAYS = 31


@dataclass(frozen=True)
class MissingFact:
    field: str  # the Organization field
    label: Promise


@dataclass(frozen=True)
class FirstRun:
    """What the next run would send, as the engine plans it (dry run: nothing written)."""

    date: dt.date | None  # None: no sending day in sight (all reminders paused)
    messages: list[engine.PlannedMessage] = field(default_factory=list)

    @property
    def message_count(self) -> int:
        return len(self.messages)

    @property
    def invoice_count(self) -> int:
        return len({invoice for message in self.messages for invoice in message.invoice_ids})

    def per_channel_and_step(self) -> list[tuple[str, str, int]]:
        """(channel, step kind, messages), most messages first, in channel and step order on a tie."""
        counts = Counter((message.channel, message.kind) for message in self.messages)
        order = {value: index for index, value in enumerate([*Channel.values, *StepKind.values])}
        ranked = sorted(counts.items(), key=lambda item: (-item[1], order[item[0][0]], order[item[0][1]]))
        return [(channel, kind, count) for (channel, kind), count in ranked]

    def rows(self) -> list[tuple[str, str, int]]:
        """:meth:`per_channel_and_step` with the channel's and the step's names, for the page."""
        return [
            (str(Channel(channel).label), str(StepKind(kind).label), count)
            for channel, kind, count in self.per_channel_and_step()
        ]


@dataclass(frozen=True)
class ActivationResult:
    settings: DunningSettings
    first_run: FirstRun

    @property
    def next_run_messages(self) -> int:
        return self.first_run.message_count


class MissingFactsError(ValidationError):
    """Reminders cannot go on yet: ``missing`` says what to fill in (field errors keyed by field)."""

    def __init__(self, missing: list[MissingFact]) -> None:
        self.missing = missing
        super().__init__(
            {
                fact.field: [ValidationError(_("%(fact)s is missing."), code="missing", params={"fact": fact.label})]
                for fact in missing
            }
        )


def organization_missing_facts(organization: Organization) -> list[MissingFact]:
    """What the organization still has to fill in before anything may be sent. Pure: no queries."""
    return [MissingFact(name, label) for name, label in REQUIRED_FACTS if not str(getattr(organization, name)).strip()]


def reminder_hold_reason(organization: Organization) -> str:
    """Why a message of ``organization`` must not go out now, in the organization's language; "" if it may."""
    with translation.override(organization.default_language):
        if not engine.dunning_settings(organization).reminders_active:
            return gettext(
                "Not sent: reminders are switched off for your organization. Switch them on under Settings → "
                "Switch reminders on, then send this message again."
            )
        missing = organization_missing_facts(organization)
        if missing:
            return gettext(
                "Not sent: your company details are incomplete (missing: %(facts)s). Fill them in under "
                "Settings → Company, then send this message again."
            ) % {"facts": ", ".join(str(fact.label) for fact in missing)}
    return ""


def next_run_day(organization: Organization, today: dt.date) -> dt.date | None:
    """The day of the next real run: today when this morning's run has not happened yet, else the next
    sending day (the organization's weekdays, no public holidays, not while paused)."""
    settings = engine.dunning_settings(organization)
    first = today
    if DunningRun.objects.for_organization(organization).filter(date=today).exists():
        first = today + dt.timedelta(days=1)
    for offset in range(LOOKAHEAD_DAYS):
        day = first + dt.timedelta(days=offset)
        if engine.is_sending_day(settings, day):
            return day
    return None


def first_run_preview(organization: Organization, today: dt.date, *, backlog_start: str | None = None) -> FirstRun:
    """What the first run would send, for the saved backlog start or, given ``backlog_start``, for that one.

    While reminders are off nothing runs in between, so a dry run of that day is exactly what it sends.
    Another backlog start is tried inside a transaction that is rolled back: nothing changes.
    """
    day = next_run_day(organization, today)
    if day is None:
        return FirstRun(None)
    with transaction.atomic():
        if backlog_start is not None:
            DunningSettings.objects.for_organization(organization).update(backlog_start=backlog_start)
        result = engine.plan(organization, day, dry_run=True)
        transaction.set_rollback(True)
    return FirstRun(day, result.messages)


@transaction.atomic
def reminders_activate(
    *,
    organization: Organization,
    user: User | None,
    today: dt.date,
    backlog_start: str | None = None,
    via: str = "",
) -> ActivationResult:
    """Switch reminders on (raises :class:`MissingFactsError` listing what is missing).

    ``user`` is None when an API key switches on (a key acts for the organization, not for a person);
    ``via`` names the key in the log. Switching on again changes nothing (the first switch-on is kept).
    """
    missing = organization_missing_facts(organization)
    if missing:
        raise MissingFactsError(missing)
    settings = _settings_for_update(organization)
    if not settings.reminders_active:
        if backlog_start is not None:
            settings.backlog_start = BacklogStart(backlog_start)
        settings.reminders_active = True
        settings.activated_at = timezone.now()
        settings.activated_by = user
        settings.save(update_fields=["reminders_active", "activated_at", "activated_by", "backlog_start"])
        logger.info(
            "reminders.activated",
            extra={
                "organization": organization.pk,
                "user": user.pk if user else None,
                "via": via,
                "backlog": settings.backlog_start,
            },
        )
    return ActivationResult(settings, first_run_preview(organization, today))


@transaction.atomic
def reminders_deactivate(*, organization: Organization, user: User | None, via: str = "") -> DunningSettings:
    """Switch reminders off: the daily run plans nothing, and messages not sent yet wait for attention."""
    settings = _settings_for_update(organization)
    if settings.reminders_active:
        settings.reminders_active = False
        settings.save(update_fields=["reminders_active"])
        logger.info(
            "reminders.deactivated",
            extra={"organization": organization.pk, "user": user.pk if user else None, "via": via},
        )
    return settings


def _settings_for_update(organization: Organization) -> DunningSettings:
    engine.dunning_settings(organization)  # exists from here on
    return DunningSettings.objects.for_organization(organization).select_for_update().get()
