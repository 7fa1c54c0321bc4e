"""The dossier's tamper-evident record: appending an event and checking the chain.

Each :class:`DossierEvent` stores ``hash = SHA-256(canonical JSON of its content + previous_hash)``;
the first event's previous hash is 64 zeros, and the dossier keeps the head (``event_count``,
``last_event_hash``). Changing an event's content breaks its own hash; inserting or removing one
breaks the sequence or the next event's ``previous_hash``; removing the last ones breaks the head.
A database trigger already refuses UPDATE and DELETE; the chain is what shows it when someone with
more rights than the application went around it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from itertools import groupby
from typing import Any

from django.db import transaction
from django.utils import timezone

from collection.models import Dossier, DossierEvent
from outstanding.models import Organization, User

GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    """``value`` with Decimals, dates and UUIDs as strings: what a JSON column gives back unchanged."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, dt.date | uuid.UUID):
        return str(value) if not isinstance(value, dt.datetime) else value.isoformat()
    return value


def event_hash(
    *, organization_public_id: str, dossier_public_id: str, sequence: int, kind: str, occurred_at: dt.datetime,
    actor_id: int | None, actor_label: str, summary: str, data: Any, previous_hash: str,
) -> str:  # fmt: skip
    content = {
        "organization": organization_public_id,
        "dossier": dossier_public_id,
        "sequence": sequence,
        "kind": kind,
        "occurred_at": occurred_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": actor_id,
        "actor_label": actor_label,
        "summary": summary,
        "data": data,
        "previous_hash": previous_hash,
    }
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _stored_hash(organization: Organization, dossier: Dossier, event: DossierEvent) -> str:
    return event_hash(
        organization_public_id=str(organization.public_id), dossier_public_id=str(dossier.public_id),
        sequence=event.sequence, kind=event.kind, occurred_at=event.occurred_at, actor_id=event.actor_id,
        actor_label=event.actor_label, summary=event.summary, data=event.data, previous_hash=event.previous_hash,
    )  # fmt: skip


@transaction.atomic
def dossier_event_append(
    *, organization: Organization, dossier: Dossier, kind: str, summary: str, data: Mapping[str, Any] | None = None,
    user: User | None = None, actor_label: str = "",
) -> DossierEvent:  # fmt: skip
    """Add one event at the end of ``dossier``'s chain: the only way an event is written.

    The dossier row is locked, so two actions at once get consecutive sequence numbers and each
    chains to the one before. ``actor_label`` names who did it when there is no user ("system",
    "debtor"); a user's own name is taken otherwise and kept even if the user is removed later.
    """
    head = Dossier.objects.for_organization(organization).select_for_update().get(pk=dossier.pk)
    label = actor_label or (user.get_full_name() or user.email if user is not None else "system")
    event = DossierEvent(
        organization=organization, dossier=head, sequence=head.event_count + 1, kind=kind,
        occurred_at=timezone.now(), actor=user, actor_label=label[:200], summary=summary[:500],
        data=_plain(dict(data or {})), previous_hash=head.last_event_hash or GENESIS,
    )  # fmt: skip
    event.hash = _stored_hash(organization, head, event)
    event.save()
    head.event_count, head.last_event_hash = event.sequence, event.hash
    head.save(update_fields=["event_count", "last_event_hash", "updated_at"])
    dossier.event_count, dossier.last_event_hash = head.event_count, head.last_event_hash
    return event


@dataclass(frozen=True)
class ChainProblem:
    dossier_reference: str
    problem: str


def _chain_problems(organization: Organization, dossier: Dossier, events: list[DossierEvent]) -> Iterator[str]:
    previous = GENESIS
    for expected, event in enumerate(events, start=1):
        if event.sequence != expected:
            yield f"event {expected} is missing (found {event.sequence})"
            return
        if event.previous_hash != previous:
            yield f"event {event.sequence} does not follow event {expected - 1}"
        if _stored_hash(organization, dossier, event) != event.hash:
            yield f"event {event.sequence} was changed after it was written"
        previous = event.hash
    if len(events) != dossier.event_count or previous != (dossier.last_event_hash or GENESIS):
        yield f"the chain ends at event {len(events)} but the dossier recorded {dossier.event_count}"


def dossier_chain_problems(*, organization: Organization, dossier: Dossier) -> list[str]:
    """What is wrong with ``dossier``'s chain of events; empty when it is intact (one query)."""
    events = list(DossierEvent.objects.for_organization(organization).filter(dossier=dossier).order_by("sequence"))
    return list(_chain_problems(organization, dossier, events))


def dossiers_verify(*, organizations: Iterable[Organization]) -> tuple[int, list[ChainProblem]]:
    """Check every dossier of ``organizations``: (dossiers checked, problems); two queries per organization.

    The events are read in one pass ordered by dossier (a server-side cursor) and checked a dossier
    at a time, so memory holds one dossier's events, however many dossiers there are.
    """
    checked, problems = 0, []
    for organization in organizations:
        dossiers = {d.pk: d for d in Dossier.objects.for_organization(organization).order_by("pk")}
        events = DossierEvent.objects.for_organization(organization).order_by("dossier_id", "sequence")
        seen: set[int] = set()
        for pk, group in groupby(events.iterator(chunk_size=2000), key=lambda event: event.dossier_id):
            seen.add(pk)
            problems += _problems_of(organization, dossiers[pk], list(group))
        for pk in dossiers.keys() - seen:
            problems += _problems_of(organization, dossiers[pk], [])
        checked += len(dossiers)
    return checked, problems


def _problems_of(organization: Organization, dossier: Dossier, events: list[DossierEvent]) -> list[ChainProblem]:
    return [ChainProblem(dossier.reference, problem) for problem in _chain_problems(organization, dossier, events)]
