"""Payment arrangements (betalingsregelingen): what a debtor proposed or a creditor agreed, term by term.

An :class:`Arrangement` covers one or more invoices of one debtor, its total split into
:class:`ArrangementTerm` rows that sum to it exactly (``collection.schedules``). It starts as a
proposal (from the portal, or made by the creditor) and is approved, rejected or withdrawn. While it
is proposed or approved it *holds* its invoices: they are paused, and no other arrangement may cover
them (``ArrangementInvoice.holds``, unique per invoice).

An approved arrangement runs (``collection.services.arrangement_execution``): money recorded on its
invoices pays the terms oldest first, a reminder goes out a few days before each term, and it ends
either *completed* (every term paid, or nothing left open on its invoices) or *broken* (a term unpaid
past the grace period). Either way it stops holding its invoices.
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from invoices.models import MONEY
from outstanding.tenancy import TenantModel


class ArrangementStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    # After approval (an approved arrangement is the running one): how it ended.
    COMPLETED = "completed", _("Completed")
    BROKEN = "broken", _("Broken")


# The statuses in which an arrangement holds its invoices (paused, and covered by no other arrangement).
ARRANGEMENT_HOLDING_STATUSES = frozenset({ArrangementStatus.PROPOSED, ArrangementStatus.APPROVED})
# The statuses an approved arrangement ends in (``ended_on`` is set then).
ARRANGEMENT_ENDED_STATUSES = frozenset({ArrangementStatus.COMPLETED, ArrangementStatus.BROKEN})


class ArrangementSource(models.TextChoices):
    PORTAL = "portal", _("Proposed by the debtor in the portal")
    CREDITOR = "creditor", _("Made by the creditor")


class Arrangement(TenantModel):
    """A payment arrangement over some invoices of one debtor: proposed, then decided."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    debtor = models.ForeignKey(
        "invoices.Debtor", on_delete=models.PROTECT, related_name="arrangements", verbose_name=_("debtor")
    )
    # Set when the arrangement is made within a collection dossier: a breach resumes the dossier, not the flow.
    dossier = models.ForeignKey(
        "collection.Dossier", on_delete=models.PROTECT, null=True, blank=True, related_name="arrangements",
        verbose_name=_("dossier"),
    )  # fmt: skip
    invoices = models.ManyToManyField(  # type: ignore[var-annotated]
        "invoices.Invoice", through="ArrangementInvoice", related_name="arrangements", verbose_name=_("invoices")
    )
    # The open amount of the invoices when it was proposed; the terms sum to exactly this.
    total = models.DecimalField(_("total"), **MONEY)
    term_count = models.PositiveSmallIntegerField(_("number of terms"))
    first_due_date = models.DateField(_("first term due"))
    status = models.CharField(
        _("status"), max_length=12, choices=ArrangementStatus.choices, default=ArrangementStatus.PROPOSED
    )
    source = models.CharField(_("source"), max_length=10, choices=ArrangementSource.choices)
    debtor_note = models.TextField(_("note from the debtor"), blank=True)
    # Who decided: a member, or nobody when the organization's rules approved it (decided_automatically).
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_automatically = models.BooleanField(_("approved automatically"), default=False)
    decision_note = models.TextField(_("note to the debtor"), blank=True)  # shown to the debtor
    # Claimed by the e-mail tasks before sending (collection.services.notifications): never mailed twice.
    members_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    debtor_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The organization-local day it completed or broke, and for a breach the term that broke it.
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    broken_term_number = models.PositiveSmallIntegerField(_("broken at term"), null=True, blank=True)
    # Claimed by the breach e-mails like the two above.
    broken_members_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    broken_debtor_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("payment arrangement")
        verbose_name_plural = _("payment arrangements")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Target of the composite foreign keys that keep its invoices and terms inside the tenant.
            models.UniqueConstraint(fields=["organization", "id"], name="arrangement_org_id_unique"),
            models.CheckConstraint(condition=Q(total__gt=0), name="arrangement_total_positive"),
            models.CheckConstraint(condition=Q(term_count__gte=1), name="arrangement_at_least_one_term"),
            models.CheckConstraint(
                condition=Q(status="proposed") | Q(decided_at__isnull=False), name="arrangement_decided_when_decided"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["completed", "broken"], ended_on__isnull=False)
                | (~Q(status__in=["completed", "broken"]) & Q(ended_on__isnull=True)),
                name="arrangement_ended_when_ended",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "status", "created_at"], name="arrangement_status_idx"),
            models.Index(fields=["organization", "debtor"], name="arrangement_debtor_idx"),
        ]

    def __str__(self) -> str:
        return f"arrangement {self.public_id}"

    @property
    def is_open(self) -> bool:
        """Waiting for the creditor's decision."""
        return self.status == ArrangementStatus.PROPOSED

    @property
    def holds_invoices(self) -> bool:
        return self.status in ARRANGEMENT_HOLDING_STATUSES

    @property
    def is_running(self) -> bool:
        """Approved and not ended: its terms are being paid."""
        return self.status == ArrangementStatus.APPROVED


class ArrangementInvoice(TenantModel):
    """One invoice in an arrangement, with its open amount at the time."""

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="items")
    invoice = models.ForeignKey("invoices.Invoice", on_delete=models.PROTECT, related_name="arrangement_items")
    open_amount = models.DecimalField(_("open amount"), **MONEY)
    # True while the arrangement is proposed or approved: at most one such row per invoice, so two
    # proposals racing for the same invoice cannot both be stored.
    holds = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("invoice in an arrangement")
        verbose_name_plural = _("invoices in an arrangement")
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "invoice"], name="arrangement_invoice_once"),
            models.UniqueConstraint(
                fields=["organization", "invoice"], condition=Q(holds=True), name="arrangement_invoice_held_once"
            ),
            models.CheckConstraint(condition=Q(open_amount__gt=0), name="arrangement_invoice_open_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} in {self.arrangement_id}"


class ArrangementTerm(TenantModel):
    """One term of an arrangement: its number (1, 2, ...), due date and amount, and how far it is paid.

    ``paid_amount`` and ``paid_on`` are what the daily run last computed from the invoices' payments
    (``collection.selectors.arrangement_progress`` computes them live for the pages).
    """

    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="terms")
    number = models.PositiveSmallIntegerField(_("term"))
    due_date = models.DateField(_("due date"))
    amount = models.DecimalField(_("amount"), **MONEY)
    paid_amount = models.DecimalField(_("paid"), default=Decimal("0.00"), **MONEY)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    # Claimed by the reminder e-mail before it is sent: one reminder per term, ever.
    reminder_sent_at = models.DateTimeField(_("reminder sent"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["arrangement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "number"], name="arrangement_term_number_once"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="arrangement_term_amount_positive"),
            models.CheckConstraint(condition=Q(number__gte=1), name="arrangement_term_number_from_one"),
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0) & Q(paid_amount__lte=F("amount")), name="arrangement_term_paid_within"
            ),
        ]

    def __str__(self) -> str:
        return f"term {self.number} of {self.arrangement_id}"
