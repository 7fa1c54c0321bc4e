"""E-mails about arrangements, sent after the deciding transaction committed. Thin: an id in, a service out."""

from __future__ import annotations

from celery import shared_task

from collection.models import Arrangement
from collection.services.notifications import arrangement_debtor_notify, arrangement_members_notify


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
