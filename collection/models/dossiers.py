"""Collection dossiers (incassodossiers): a debtor's unpaid invoices handed to collection, stage by stage.

A :class:`Dossier` holds one or more invoices of one debtor (:class:`DossierInvoice`, each with its
principal, due date and the day interest starts) and moves through stages: an optional free
*pre-collection* letter, *amicable* collection (statutory costs and interest added), *judicial*
(court fee, then the bailiff), summons, judgment, enforcement, closure. Every action is a
:class:`DossierEvent`: append-only (a database trigger refuses UPDATE and DELETE) and chained by
hash, each event carrying the SHA-256 of its content and of the event before it, with the head of
the chain on the dossier, so that a changed, inserted or removed event shows up in
``manage.py dossiers_verify`` (``collection.services.dossier_chain``).

Legal amounts are decided where the stage is decided (``collection.services.dossiers``, by
``collection.legal``) and stored here: the costs and their VAT, the court fee.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from invoices.models import MONEY, DebtorKind
from outstanding.tenancy import TenantModel


class DossierStage(models.TextChoices):
    """The stages in order; a dossier only moves forward, except that it may close from any stage."""

    PRE_COLLECTION = "pre_collection", _("Pre-collection")
    AMICABLE = "amicable", _("Amicable collection")
    JUDICIAL = "judicial", _("Judicial: court fee")
    SUMMONS = "summons", _("Summons")
    JUDGMENT = "judgment", _("Judgment")
    ENFORCEMENT = "enforcement", _("Enforcement")
    CLOSED = "closed", _("Closed")


STAGE_ORDER: tuple[str, ...] = tuple(DossierStage.values)
# Stages in which the dossier is worked (not closed); its invoices are held and belong to it.
OPEN_STAGES = frozenset(STAGE_ORDER[:-1])


class DossierClosure(models.TextChoices):
    PAID = "paid", _("Paid")
    ARRANGEMENT_COMPLETED = "arrangement_completed", _("Arrangement completed")
    UNCOLLECTABLE = "uncollectable", _("Uncollectable")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class DossierOrigin(models.TextChoices):
    HAND_OVER = "hand_over", _("Hand-over step of a flow")
    MANUAL = "manual", _("Opened by hand")
    CLAIM = "claim", _("Submitted claim")
    API = "api", _("API")


class Dossier(TenantModel):
    """One collection case: a debtor, some invoices, a stage, and the chain of everything that happened."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("reference"), max_length=20)  # D2026-00012, per organization
    debtor = models.ForeignKey(
        "invoices.Debtor", on_delete=models.PROTECT, related_name="dossiers", verbose_name=_("debtor")
    )
    debtor_kind = models.CharField(_("debtor kind"), max_length=3, choices=DebtorKind.choices)
    stage = models.CharField(_("stage"), max_length=16, choices=DossierStage.choices)
    origin = models.CharField(_("opened by"), max_length=10, choices=DossierOrigin.choices)
    opened_on = models.DateField(_("opened on"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stage_since = models.DateField(_("in this stage since"))
    # The free pre-collection letter's term: after it, the dossier moves to amicable collection by itself.
    pre_collection_until = models.DateField(_("pre-collection term ends"), null=True, blank=True)
    is_paused = models.BooleanField(_("paused"), default=False)
    pause_reason = models.CharField(_("pause reason"), max_length=200, blank=True)
    next_action_on = models.DateField(_("next action"), null=True, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("worked by"),
    )  # fmt: skip
    # The statutory collection costs (WIK) on the principal, set when amicable collection starts.
    costs = models.DecimalField(_("collection costs"), default=0, **MONEY)
    costs_vat_charged = models.BooleanField(_("VAT charged on the costs"), default=False)
    costs_vat = models.DecimalField(_("VAT on the costs"), default=0, **MONEY)
    costs_on = models.DateField(_("costs due from"), null=True, blank=True)
    court_fee = models.DecimalField(_("court fee"), null=True, blank=True, **MONEY)
    court_fee_paid_on = models.DateField(_("court fee paid on"), null=True, blank=True)
    # A consumer's valid 14-day letter (art. 6:96 lid 6 BW): when it went out and when its term ended.
    fourteen_day_letter_sent_on = models.DateField(_("14-day letter sent on"), null=True, blank=True)
    fourteen_day_term_ends_on = models.DateField(_("14-day term ends"), null=True, blank=True)
    closure = models.CharField(_("closed as"), max_length=24, choices=DossierClosure.choices, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # The head of the event chain: how many events there are and the last one's hash.
    event_count = models.PositiveIntegerField(default=0, editable=False)
    last_event_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("collection dossier")
        verbose_name_plural = _("collection dossiers")
        ordering = ["-opened_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "id"], name="dossier_org_id_unique"),
            models.UniqueConstraint(fields=["organization", "reference"], name="dossier_reference_unique"),
            models.CheckConstraint(
                condition=Q(stage="closed", closed_on__isnull=False) & ~Q(closure="")
                | ~Q(stage="closed") & Q(closure=""),
                name="dossier_closed_with_reason",
            ),
            models.CheckConstraint(condition=Q(costs__gte=0) & Q(costs_vat__gte=0), name="dossier_costs_not_negative"),
        ]
        indexes = [
            models.Index(fields=["organization", "stage", "next_action_on"], name="dossier_stage_next_idx"),
            models.Index(fields=["organization", "debtor"], name="dossier_debtor_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.stage != DossierStage.CLOSED

    @property
    def costs_total(self) -> Decimal:
        return self.costs + self.costs_vat


class DossierInvoice(TenantModel):
    """One invoice in a dossier: what was open on it when it joined, and from when interest runs."""

    dossier = models.ForeignKey(Dossier, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.PROTECT, related_name="dossier_items")
    principal = models.DecimalField(_("principal"), **MONEY)
    due_date = models.DateField(_("due date"))
    interest_from = models.DateField(_("interest from"))
    # True while the dossier is open: an invoice is in at most one open dossier.
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("invoice in a dossier")
        verbose_name_plural = _("invoices in a dossier")
        ordering = ["due_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "invoice"], name="dossier_invoice_once"),
            models.UniqueConstraint(
                fields=["organization", "invoice"], condition=Q(active=True), name="dossier_invoice_open_once"
            ),
            models.CheckConstraint(condition=Q(principal__gt=0), name="dossier_invoice_principal_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} in {self.dossier_id}"


class DossierEventKind(models.TextChoices):
    OPENED = "opened", _("Opened")
    STAGE_CHANGED = "stage_changed", _("Stage changed")
    PAUSED = "paused", _("Paused")
    RESUMED = "resumed", _("Resumed")
    COSTS_SET = "costs_set", _("Costs and interest added")
    PAYMENT = "payment", _("Payment")
    MESSAGE_SENT = "message_sent", _("Message sent")
    DEFENCE_FILED = "defence_filed", _("Defence filed")
    DEFENCE_ANSWERED = "defence_answered", _("Defence answered")
    ARRANGEMENT = "arrangement", _("Payment arrangement")
    COURT_FEE_REQUESTED = "court_fee_requested", _("Court fee requested")
    COURT_FEE_PAID = "court_fee_paid", _("Court fee paid")
    EXPORTED = "exported", _("Exported to the bailiff")
    NOTE = "note", _("Note")
    CLOSED = "closed", _("Closed")


class DossierEvent(TenantModel):
    """One thing that happened in a dossier. Never changed or removed: a trigger refuses it, the hash
    chain shows it (``hash`` covers every field below and ``previous_hash``)."""

    dossier = models.ForeignKey(Dossier, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    kind = models.CharField(_("what"), max_length=24, choices=DossierEventKind.choices)
    occurred_at = models.DateTimeField(_("when"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
    )  # fmt: skip  (no constraint, nothing on delete: a removed user must not rewrite an event; actor_label stays)
    actor_label = models.CharField(_("who"), max_length=200)
    summary = models.CharField(_("summary"), max_length=500)
    data = models.JSONField(default=dict, blank=True)
    previous_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("dossier event")
        verbose_name_plural = _("dossier events")
        ordering = ["dossier", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["dossier", "sequence"], name="dossier_event_sequence_once"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="dossier_event_sequence_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id}#{self.sequence} {self.kind}"
