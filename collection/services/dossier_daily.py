"""The daily dossier work of one organization, in order: the money first (payments recorded, paid
dossiers closed), then hand-overs opened (when the organization chose so), pre-collection terms
ended, and last the letters, e-mails and staff tasks that are due. Beat runs it at 06:45, after the
dunning run (``collection.tasks.dossiers_daily_task``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from collection.services.dossier_letters import DossierLettersRun, dossier_letters_run
from collection.services.dossiers import dossier_hand_overs_open, dossier_pre_collections_end, dossiers_settle
from outstanding.models import Organization


@dataclass(frozen=True)
class DossiersDaily:
    closed: int
    opened: int
    waiting: int
    to_amicable: int
    letters: DossierLettersRun


def dossiers_daily_run(*, organization: Organization, today: dt.date) -> DossiersDaily:
    closed = dossiers_settle(organization=organization, today=today)
    opened, waiting = dossier_hand_overs_open(organization=organization, today=today)
    moved = dossier_pre_collections_end(organization=organization, today=today)
    letters = dossier_letters_run(organization=organization, today=today)
    return DossiersDaily(len(closed), len(opened), waiting, len(moved), letters)
