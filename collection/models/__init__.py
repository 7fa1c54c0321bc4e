"""The collection app's tables: payment arrangements (``arrangements``) and collection dossiers
(``dossiers``) with their append-only event chain."""

from collection.models.arrangements import (
    ARRANGEMENT_HOLDING_STATUSES,
    Arrangement,
    ArrangementInvoice,
    ArrangementSource,
    ArrangementStatus,
    ArrangementTerm,
)
from collection.models.dossiers import (
    OPEN_STAGES,
    STAGE_ORDER,
    Dossier,
    DossierClosure,
    DossierEvent,
    DossierEventKind,
    DossierInvoice,
    DossierOrigin,
    DossierStage,
)

__all__ = [
    "ARRANGEMENT_HOLDING_STATUSES",
    "OPEN_STAGES",
    "STAGE_ORDER",
    "Arrangement",
    "ArrangementInvoice",
    "ArrangementSource",
    "ArrangementStatus",
    "ArrangementTerm",
    "Dossier",
    "DossierClosure",
    "DossierEvent",
    "DossierEventKind",
    "DossierInvoice",
    "DossierOrigin",
    "DossierStage",
]
