"""The debtor's defences (verweer) against a dossier and the creditor's answers, read back from its
events (``collection.services.dossier_defences`` writes them)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from collection.models import OPEN_STAGES, Dossier, DossierEvent, DossierEventKind
from outstanding.models import Organization

DEFENCE_KINDS = (DossierEventKind.DEFENCE_FILED, DossierEventKind.DEFENCE_ANSWERED)


@dataclass(frozen=True)
class Defence:
    sequence: int  # the DEFENCE_FILED event's place in the dossier's record
    filed_at: dt.datetime
    reason: str
    text: str
    file: dict[str, Any] | None  # stored name, content type, original name, size
    answers: tuple[tuple[dt.datetime, str], ...]

    @property
    def is_answered(self) -> bool:
        return bool(self.answers)


def defences_from_events(events: Iterable[DossierEvent]) -> list[Defence]:
    """The defences with their answers, from a dossier's events (in sequence order)."""
    events = list(events)
    answers: dict[int, list[tuple[dt.datetime, str]]] = {}
    for event in events:
        if event.kind == DossierEventKind.DEFENCE_ANSWERED:
            answers.setdefault(int(event.data.get("defence", 0)), []).append((event.occurred_at, event.data["text"]))
    return [
        Defence(
            sequence=event.sequence,
            filed_at=event.occurred_at,
            reason=event.data.get("reason", ""),
            text=event.data.get("text", ""),
            file=event.data.get("file"),
            answers=tuple(answers.get(event.sequence, ())),
        )
        for event in events
        if event.kind == DossierEventKind.DEFENCE_FILED
    ]


def dossier_defences(*, organization: Organization, dossier: Dossier) -> list[Defence]:
    """``dossier``'s defences, oldest first (one query)."""
    events = (
        DossierEvent.objects.for_organization(organization)
        .filter(dossier=dossier, kind__in=DEFENCE_KINDS)
        .order_by("sequence")
    )
    return defences_from_events(events)


def dossier_defences_unanswered_count(*, organization: Organization) -> int:
    """How many defences in open dossiers wait for the creditor's answer (two small queries)."""
    events = DossierEvent.objects.for_organization(organization).filter(dossier__stage__in=OPEN_STAGES)
    answered = {
        (dossier_id, int(about or 0))
        for dossier_id, about in events.filter(kind=DossierEventKind.DEFENCE_ANSWERED).values_list(
            "dossier_id", "data__defence"
        )
    }
    filed = events.filter(kind=DossierEventKind.DEFENCE_FILED).values_list("dossier_id", "sequence")
    return sum(1 for key in filed if key not in answered)
