"""Reads on collection dossiers: lists, one dossier, and the invoices ready to be handed over."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, QuerySet

from collection.models import OPEN_STAGES, Dossier, DossierEvent, DossierInvoice, DossierStage
from collection.selectors.dossier_checks import dossier_opening_problems
from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus
from outstanding.models import Organization
from reminders.selectors.legal_steps import fourteen_day_letters, hand_over_reached


def dossier_list(*, organization: Organization, stage: str = "", open_only: bool = False) -> QuerySet[Dossier]:
    """Dossiers with their debtor, next action first (the work list's order)."""
    dossiers = Dossier.objects.for_organization(organization).select_related("debtor", "assigned_to")
    if stage in DossierStage.values:
        dossiers = dossiers.filter(stage=stage)
    elif open_only:
        dossiers = dossiers.filter(stage__in=OPEN_STAGES)
    return dossiers.order_by("next_action_on", "opened_on", "pk")


def dossier_get(*, organization: Organization, public_id: uuid.UUID | str) -> Dossier:
    """One dossier with its debtor, invoices and events (three queries); Dossier.DoesNotExist otherwise."""
    items = DossierInvoice.objects.for_organization(organization).select_related("invoice").order_by("due_date", "pk")
    events = DossierEvent.objects.for_organization(organization).order_by("sequence")
    return (
        Dossier.objects.for_organization(organization)
        .select_related("debtor", "assigned_to", "opened_by")
        .prefetch_related(Prefetch("items", queryset=items), Prefetch("events", queryset=events))
        .get(public_id=public_id)
    )


def dossier_counts_by_stage(*, organization: Organization) -> dict[str, int]:
    """How many dossiers are in each stage (every stage present, zero when none)."""
    counts = dict.fromkeys(DossierStage.values, 0)
    rows = Dossier.objects.for_organization(organization).values_list("stage").annotate(n=Count("pk")).order_by()
    counts.update(dict(rows))
    return counts


def dossier_open_invoice_ids(*, organization: Organization, invoice_ids: list[int]) -> dict[int, Dossier]:
    """Invoice id → the open dossier it is in, for those of ``invoice_ids`` that are in one."""
    items = (
        DossierInvoice.objects.for_organization(organization)
        .filter(invoice_id__in=invoice_ids, active=True)
        .select_related("dossier")
    )
    return {item.invoice_id: item.dossier for item in items}


@dataclass
class HandOverCandidate:
    """A debtor whose invoices reached their flow's hand-over step and are in no dossier yet."""

    debtor: Debtor
    invoices: list[Invoice] = field(default_factory=list)
    reached_on: dt.date | None = None
    problems: list[str] = field(default_factory=list)


def hand_over_candidates(*, organization: Organization, today: dt.date) -> list[HandOverCandidate]:
    """Per debtor, the open, unpaused invoices whose hand-over step went out and that were never in a
    dossier (a withdrawn dossier is not opened again by itself), with what is missing to open one.

    A fixed handful of queries, whatever the number of debtors: the hand-overs, the invoices with
    their debtors, the dossier rows, and the 14-day letters of the consumers.
    """
    reached = hand_over_reached(organization=organization)
    if not reached:
        return []
    ever_in_dossier = set(
        DossierInvoice.objects.for_organization(organization)
        .filter(invoice_id__in=list(reached))
        .values_list("invoice_id", flat=True)
    )
    invoices = (
        Invoice.objects.for_organization(organization)
        .filter(pk__in=[pk for pk in reached if pk not in ever_in_dossier], status=InvoiceStatus.OPEN)
        .filter(is_paused=False, open_amount__gt=0)
        .select_related("debtor")
        .order_by("debtor_id", "due_date", "number")
    )
    by_debtor: dict[int, HandOverCandidate] = defaultdict(lambda: HandOverCandidate(debtor=None))  # type: ignore[arg-type]
    for invoice in invoices:
        candidate = by_debtor[invoice.debtor_id]
        candidate.debtor = invoice.debtor
        candidate.invoices.append(invoice)
        day = reached[invoice.pk]
        candidate.reached_on = max(candidate.reached_on or day, day)
    candidates = [c for c in by_debtor.values() if not c.debtor.is_paused]
    consumer_invoices = [i.pk for c in candidates if c.debtor.kind == DebtorKind.CONSUMER for i in c.invoices]
    letters = fourteen_day_letters(organization=organization, invoice_ids=consumer_invoices)
    for candidate in candidates:
        candidate.problems = dossier_opening_problems(
            organization=organization, debtor=candidate.debtor, invoices=candidate.invoices, today=today,
            letters=letters, in_dossier=[],
        )  # fmt: skip
    return candidates


def dossier_invoice_ids_in_stage(*, organization: Organization, stage: str) -> QuerySet[DossierInvoice]:
    """Ids of the invoices whose open dossier is in ``stage``: a values list to use as a subquery."""
    return (
        DossierInvoice.objects.for_organization(organization)
        .filter(active=True, dossier__stage=stage)
        .values_list("invoice_id", flat=True)
    )
