"""Celery tasks of the collection app: the arrangement e-mails, sent after the deciding transaction
committed, and the daily run of approved arrangements. Thin: an id in, a service out."""

from __future__ import annotations

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded

from collection.models import Arrangement, ArrangementTerm, DossierEvent
from collection.services.arrangement_execution import arrangements_run
from collection.services.dossier_daily import dossiers_daily_run
from collection.services.dossier_defences import dossier_defence_debtor_notify, dossier_defence_members_notify
from collection.services.notifications import (
    arrangement_broken_notify,
    arrangement_debtor_notify,
    arrangement_members_notify,
    arrangement_term_remind,
)
from outstanding.calendar import local_today
from outstanding.models import Organization

logger = logging.getLogger(__name__)


def _arrangement(arrangement_id: int) -> Arrangement | None:
    # By id across tenants on purpose: a task gets only the id, and the row names its organization.
    return Arrangement.unscoped.select_related("organization", "debtor").filter(pk=arrangement_id).first()


@shared_task(soft_time_limit=60, time_limit=90)  # a few e-mails
def arrangement_proposed_notify_task(arrangement_id: int) -> None:
    if (arrangement := _arrangement(arrangement_id)) is not None:
        arrangement_members_notify(arrangement=arrangement)


@shared_task(soft_time_limit=60, time_limit=90)  # one e-mail
def arrangement_decided_notify_task(arrangement_id: int) -> None:
    if (arrangement := _arrangement(arrangement_id)) is not None:
        arrangement_debtor_notify(arrangement=arrangement)


@shared_task(soft_time_limit=60, time_limit=90)  # a few e-mails
def arrangement_broken_notify_task(arrangement_id: int) -> None:
    if (arrangement := _arrangement(arrangement_id)) is not None:
        arrangement_broken_notify(arrangement=arrangement)


@shared_task(soft_time_limit=60, time_limit=90)  # one e-mail
def arrangement_term_reminder_task(term_id: int) -> None:
    # By id across tenants, like _arrangement: the term names its organization and arrangement.
    term = (
        ArrangementTerm.unscoped.select_related("organization", "arrangement__organization", "arrangement__debtor")
        .filter(pk=term_id)
        .first()
    )
    if term is not None:
        arrangement_term_remind(term=term)


@shared_task(soft_time_limit=60, time_limit=90)
def arrangements_run_all() -> int:
    """Beat, every morning: one task per organization (one failure does not stop the others)."""
    from reminders.tasks import for_each_organization  # the one fan-out helper

    return for_each_organization(arrangements_run_organization)


@shared_task(soft_time_limit=300, time_limit=330)
def arrangements_run_organization(organization_id: int) -> int:
    """Advance one organization's running arrangements on its local today; returns how many it looked at."""
    organization = Organization.objects.get(pk=organization_id)
    try:
        return arrangements_run(organization=organization, today=local_today(organization.time_zone)).arrangements
    except SoftTimeLimitExceeded:
        # Each arrangement is advanced in its own transaction: the rest waits for tomorrow's run.
        logger.warning("arrangements.time_limit", extra={"organization": organization_id})
        return 0


@shared_task(soft_time_limit=600, time_limit=660)
def dossiers_daily_task() -> None:
    """Every organization's daily dossier work (``collection.services.dossier_daily``), each in its own date."""
    for organization in Organization.objects.order_by("pk").iterator():
        today = local_today(organization.time_zone)
        try:
            result = dossiers_daily_run(organization=organization, today=today)
        except SoftTimeLimitExceeded:
            raise
        except Exception:  # one organization's failure does not stop the others
            logger.exception("dossiers.daily_failed", extra={"organization": organization.pk})
            continue
        logger.info(
            "dossiers.daily",
            extra={
                "organization": organization.pk,
                "closed": result.closed,
                "opened": result.opened,
                "waiting": result.waiting,
                "amicable": result.to_amicable,
                "letters": result.letters.letters,
            },
        )


def _dossier_event(event_id: int) -> DossierEvent | None:
    # By id across tenants on purpose: a task gets only the id, and the event names its organization.
    return DossierEvent.unscoped.select_related("organization").filter(pk=event_id).first()


@shared_task(soft_time_limit=60, time_limit=90)  # a few e-mails
def dossier_defence_members_notify_task(event_id: int) -> None:
    if (event := _dossier_event(event_id)) is not None:
        dossier_defence_members_notify(event=event)


@shared_task(soft_time_limit=60, time_limit=90)  # one e-mail
def dossier_defence_debtor_notify_task(event_id: int) -> None:
    if (event := _dossier_event(event_id)) is not None:
        dossier_defence_debtor_notify(event=event)
