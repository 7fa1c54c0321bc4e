"""What the debtor sees of their open dossiers in the portal: the stage in plain words, per invoice the
principal and interest left, the costs, the total, and their defences with the creditor's answers.

A fixed handful of queries per dossier (its statement: two; its events: one); a debtor has one open
dossier, rarely two. Read only from tables the portal page's change log watches (dossiers, their
invoices, invoices; an event is always appended with an update of its dossier's row), so the stored
portal page is replaced as soon as anything here changes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from collection.models import OPEN_STAGES, Dossier, DossierEvent, DossierEventKind, DossierStage
from collection.selectors.defences import Defence, defences_from_events
from collection.selectors.statements import dossier_statement_on
from invoices.models import Debtor
from outstanding.models import Organization

# The stage as a debtor understands it ("u": Dutch to debtors is formal).
STAGE_IN_PLAIN_WORDS: dict[str, Promise] = {
    DossierStage.PRE_COLLECTION: _("A last reminder before collection: no collection costs have been added yet."),
    DossierStage.AMICABLE: _("In collection: statutory collection costs and interest are added to the claim."),
    DossierStage.JUDICIAL: _("The claim is being prepared for court."),
    DossierStage.SUMMONS: _("You have been summoned to appear in court about this claim."),
    DossierStage.JUDGMENT: _("The court has given judgment on this claim."),
    DossierStage.ENFORCEMENT: _("The judgment is being enforced by a bailiff."),
}


@dataclass(frozen=True)
class PortalDossierInvoice:
    number: str
    principal: Decimal  # left to pay of the invoice
    interest: Decimal  # statutory interest accrued and not paid


@dataclass(frozen=True)
class PortalDossier:
    public_id: uuid.UUID
    reference: str
    stage: str
    stage_text: Promise
    is_paused: bool
    invoices: tuple[PortalDossierInvoice, ...]
    costs: Decimal  # collection costs (and their VAT) left to pay
    total: Decimal
    defences: tuple[Defence, ...]


def _statement_rows(
    organization: Organization, dossier: Dossier, today: dt.date
) -> tuple[tuple[PortalDossierInvoice, ...], Decimal, Decimal]:
    """(invoices, costs, total) from the dossier's statement on ``today`` (the one computation of it)."""
    statement = dossier_statement_on(organization=organization, dossier=dossier, on=today).statement
    rows = tuple(PortalDossierInvoice(row.number, row.principal, row.interest) for row in statement.invoices)
    return rows, statement.costs_left, statement.outstanding


def portal_dossiers(*, organization: Organization, debtor: Debtor, today: dt.date) -> list[PortalDossier]:
    """The debtor's open dossiers, oldest first, as the portal shows them."""
    dossiers = list(
        Dossier.objects.for_organization(organization)
        .filter(debtor=debtor, stage__in=OPEN_STAGES)
        .order_by("opened_on", "pk")
    )
    if not dossiers:
        return []
    events = (
        DossierEvent.objects.for_organization(organization)
        .filter(dossier__in=dossiers, kind__in=[DossierEventKind.DEFENCE_FILED, DossierEventKind.DEFENCE_ANSWERED])
        .order_by("dossier_id", "sequence")
    )
    by_dossier: dict[int, list[DossierEvent]] = {}
    for event in events:
        by_dossier.setdefault(event.dossier_id, []).append(event)
    shown = []
    for dossier in dossiers:
        rows, costs, total = _statement_rows(organization, dossier, today)
        shown.append(
            PortalDossier(
                public_id=dossier.public_id,
                reference=dossier.reference,
                stage=dossier.stage,
                stage_text=STAGE_IN_PLAIN_WORDS.get(dossier.stage, _("In collection.")),
                is_paused=dossier.is_paused,
                invoices=rows,
                costs=costs,
                total=total,
                defences=tuple(defences_from_events(by_dossier.get(dossier.pk, []))),
            )
        )
    return shown


def portal_dossier(*, organization: Organization, debtor: Debtor, public_id: uuid.UUID | str) -> Dossier | None:
    """One open dossier of the link's own debtor, or None: another debtor's answers like a missing one."""
    try:
        return (
            Dossier.objects.for_organization(organization)
            .filter(debtor=debtor, public_id=public_id, stage__in=OPEN_STAGES)
            .first()
        )
    except (ValueError, TypeError):
        return None
