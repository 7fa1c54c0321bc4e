"""A note in a dossier: something a member wants on the record (a phone call, an agreement in words).

A note is a :class:`~collection.models.DossierEvent` of kind NOTE like every other action, so it is
part of the hash chain and can never be changed or removed afterwards; a correction is a new note.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collection.models import Dossier, DossierEvent, DossierEventKind
from collection.services.dossier_chain import dossier_event_append
from outstanding.models import Organization, User

DOSSIER_NOTE_MAX_LENGTH = 500  # the event summary's length: the note is the summary, whole


@transaction.atomic
def dossier_note_add(
    *, organization: Organization, dossier: Dossier, text: str, user: User | None = None
) -> DossierEvent:
    """Append ``text`` to ``dossier``'s timeline; an empty or too long note is refused, nothing written."""
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write the note.")})
    if len(text) > DOSSIER_NOTE_MAX_LENGTH:
        message = _("Keep the note to %(max)d characters or fewer.") % {"max": DOSSIER_NOTE_MAX_LENGTH}
        raise ValidationError({"text": message})
    return dossier_event_append(
        organization=organization, dossier=dossier, kind=DossierEventKind.NOTE, user=user, summary=text,
        data={"text": text},
    )  # fmt: skip
