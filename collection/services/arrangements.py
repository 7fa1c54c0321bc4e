"""Payment arrangements: a debtor proposes, the creditor (or the organization's rules) decides.

A proposal holds its invoices at once (paused, with a reason that says why), so no reminder goes out
while the creditor thinks about it. Approval keeps them held while the arrangement runs
(``arrangement_execution``: terms paid, reminders before a term, completion or breach). Rejecting or
withdrawing resumes the flow where it was. A creditor can also make an arrangement directly
(:func:`arrangement_make`): approved at once. E-mails go after commit (``collection.tasks``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from collection.models import (
    Arrangement,
    ArrangementInvoice,
    ArrangementSource,
    ArrangementStatus,
    ArrangementTerm,
    Dossier,
)
from collection.schedules import arrangement_smallest_term, arrangement_terms
from collection.selectors.statements import dossier_statement_on
from collection.services.dossiers import dossier_arrangement_made
from invoices.models import Debtor, Invoice, InvoiceStatus
from invoices.selectors import SUMMED_CURRENCY
from invoices.services import invoice_pause, invoice_resume
from outstanding.models import Organization, User
from outstanding.money import format_money

logger = logging.getLogger(__name__)

# The first term falls two weeks after the proposal: time to decide, and for the debtor to get paid.
FIRST_TERM_AFTER_DAYS = 14
NOTE_MAX_LENGTH = 1000
# A creditor making an arrangement is bound by no portal limit, but by the same ceiling as those limits.
CREDITOR_MAX_TERMS = 36


def arrangement_hold_reason(organization: Organization, *, approved: bool) -> str:
    """The pause reason on a held invoice, in the organization's language (the creditor reads it)."""
    with translation.override(organization.default_language):
        return _("Payment arrangement") if approved else _("Payment arrangement proposed")


def _note_clean(note: str, field: str, *, required: bool = False) -> str:
    note = (note or "").strip()
    if required and not note:
        raise ValidationError({field: _("Write a note to the debtor explaining why.")})
    if len(note) > NOTE_MAX_LENGTH:
        raise ValidationError({field: _("Keep the note to %(max)d characters or fewer.") % {"max": NOTE_MAX_LENGTH}})
    return note


def _invoices_lock(organization: Organization, debtor: Debtor, invoices: Iterable[Invoice]) -> list[Invoice]:
    """The chosen invoices, locked in id order (two proposals for one invoice wait for each other),
    each checked: this debtor's, open with something to pay, in euros, in no other arrangement."""
    ids = sorted({invoice.pk for invoice in invoices})
    if not ids:
        raise ValidationError({"invoices": _("Choose at least one invoice.")})
    locked = list(Invoice.objects.for_organization(organization).select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids) or any(invoice.debtor_id != debtor.pk for invoice in locked):
        raise ValidationError({"invoices": _("These invoices cannot be paid in terms here.")})
    for invoice in locked:
        if invoice.status != InvoiceStatus.OPEN or invoice.open_amount <= 0:
            message = _("Invoice %(number)s has nothing left to pay.")
            raise ValidationError({"invoices": message % {"number": invoice.number}})
        if invoice.currency != SUMMED_CURRENCY:
            raise ValidationError({"invoices": _("Only invoices in euros can be paid in terms.")})
    held = (
        ArrangementInvoice.objects.for_organization(organization)
        .filter(invoice__in=locked, holds=True)
        .select_related("invoice")
        .first()
    )
    if held is not None:
        message = _("Invoice %(number)s is already in a payment arrangement.")
        raise ValidationError({"invoices": message % {"number": held.invoice.number}})
    return locked


def arrangement_limits_check(*, organization: Organization, total: Decimal, term_count: int) -> None:
    """The organization's limits for a proposal from the portal: 1..max terms, each term at least the minimum."""
    max_terms = organization.arrangement_max_terms
    if max_terms < 1:
        raise ValidationError(_("Payment arrangements cannot be proposed here. Please contact us."))
    if not 1 <= term_count <= max_terms:
        message = _("Choose between 1 and %(max)d terms.") % {"max": max_terms}
        raise ValidationError({"term_count": message})
    smallest = arrangement_smallest_term(total, term_count)
    minimum = organization.arrangement_min_term_amount
    if smallest < minimum:
        language = translation.get_language() or "nl"
        message = _("Each term must be at least %(minimum)s; with %(count)d terms a term would be %(amount)s.") % {
            "minimum": format_money(minimum, language=language),
            "count": term_count,
            "amount": format_money(smallest, language=language),
        }
        raise ValidationError({"term_count": message})


def arrangement_first_due_date(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=FIRST_TERM_AFTER_DAYS)


def arrangement_schedule(
    *, organization: Organization, total: Decimal, term_count: int, today: dt.date
) -> list[tuple[dt.date, Decimal]]:
    """The terms a proposal made ``today`` would get (the portal's preview), checked against the limits."""
    arrangement_limits_check(organization=organization, total=total, term_count=term_count)
    return arrangement_terms(total, term_count, arrangement_first_due_date(today))


@transaction.atomic
def arrangement_propose(
    *,
    organization: Organization,
    debtor: Debtor,
    invoices: Iterable[Invoice],
    term_count: int,
    debtor_note: str,
    today: dt.date,
    source: str = ArrangementSource.PORTAL,
) -> Arrangement:
    """Store a proposal to pay ``invoices`` in ``term_count`` monthly terms and hold the invoices.

    Refused (ValidationError, nothing stored) outside the organization's limits, for invoices that are
    not this debtor's or not open, or that another proposal or approved arrangement covers. Approved at
    once when the organization approves proposals within its limits automatically.
    """
    if debtor.organization_id != organization.pk:
        raise ValueError("the debtor belongs to another organization")
    note = _note_clean(debtor_note, "debtor_note")
    locked = _invoices_lock(organization, debtor, invoices)
    total = sum((invoice.open_amount for invoice in locked), Decimal("0.00"))
    arrangement_limits_check(organization=organization, total=total, term_count=term_count)
    first_due = arrangement_first_due_date(today)
    try:
        with transaction.atomic():
            arrangement = _arrangement_store(organization, debtor, locked, total, term_count, first_due, note, source)
    except IntegrityError:  # a proposal for one of these invoices was committed in between
        raise ValidationError({"invoices": _("One of these invoices is already in a payment arrangement.")}) from None
    reason = arrangement_hold_reason(organization, approved=False)
    for invoice in locked:
        invoice_pause(invoice=invoice, reason=reason)
    logger.info(
        "arrangement.proposed",
        extra={"arrangement": arrangement.pk, "invoices": len(locked), "terms": term_count, "source": source},
    )
    _after_commit("arrangement_proposed_notify_task", arrangement.pk)
    if organization.arrangement_auto_approve and source == ArrangementSource.PORTAL:
        _decide(arrangement, ArrangementStatus.APPROVED, user=None, note="")
    return arrangement


def _arrangement_store(
    organization: Organization,
    debtor: Debtor,
    invoices: list[Invoice],
    total: Decimal,
    term_count: int,
    first_due: dt.date,
    note: str,
    source: str,
) -> Arrangement:
    arrangement = Arrangement.objects.for_organization(organization).create(
        organization=organization,
        debtor=debtor,
        total=total,
        term_count=term_count,
        first_due_date=first_due,
        source=source,
        debtor_note=note,
    )
    ArrangementInvoice.objects.bulk_create(
        ArrangementInvoice(
            organization=organization, arrangement=arrangement, invoice=invoice, open_amount=invoice.open_amount
        )
        for invoice in invoices
    )
    ArrangementTerm.objects.bulk_create(
        ArrangementTerm(organization=organization, arrangement=arrangement, number=number, due_date=due, amount=amount)
        for number, (due, amount) in enumerate(arrangement_terms(total, term_count, first_due), start=1)
    )
    return arrangement


def _locked(arrangement: Arrangement) -> Arrangement:
    """The arrangement row locked, and refused unless it still waits for a decision (a double click, or
    two members deciding at once: the second finds it decided)."""
    locked = Arrangement.objects.for_organization(arrangement.organization).select_for_update().get(pk=arrangement.pk)
    if locked.status != ArrangementStatus.PROPOSED:
        raise ValidationError(_("This proposal was already decided."))
    return locked


def _held_invoices(arrangement: Arrangement) -> list[Invoice]:
    """The arrangement's invoices still paused for it (a dispute filed since keeps its own pause)."""
    organization = arrangement.organization
    ours = {arrangement_hold_reason(organization, approved=value) for value in (False, True)}
    invoices = Invoice.objects.for_organization(organization).filter(arrangement_items__arrangement=arrangement)
    return [invoice for invoice in invoices.order_by("pk") if invoice.is_paused and invoice.pause_reason in ours]


def _decide(arrangement: Arrangement, status: str, *, user: User | None, note: str) -> Arrangement:
    arrangement.status = status
    arrangement.decided_by = user
    arrangement.decided_at = timezone.now()
    arrangement.decided_automatically = user is None and status == ArrangementStatus.APPROVED
    arrangement.decision_note = note
    arrangement.save(
        update_fields=["status", "decided_by", "decided_at", "decided_automatically", "decision_note", "updated_at"]
    )
    if status == ArrangementStatus.APPROVED:
        reason = arrangement_hold_reason(arrangement.organization, approved=True)
        for invoice in _held_invoices(arrangement):
            invoice_pause(invoice=invoice, reason=reason)
    else:
        arrangement_hold_release(arrangement=arrangement)
    logger.info("arrangement.decided", extra={"arrangement": arrangement.pk, "status": status})
    if status != ArrangementStatus.WITHDRAWN:  # the debtor withdrew it themselves
        _after_commit("arrangement_decided_notify_task", arrangement.pk)
    return arrangement


@transaction.atomic
def arrangement_approve(*, arrangement: Arrangement, user: User, note: str = "") -> Arrangement:
    """The creditor agrees; the invoices stay held (now "Payment arrangement") and the debtor is told."""
    note = _note_clean(note, "note")
    return _decide(_locked(arrangement), ArrangementStatus.APPROVED, user=user, note=note)


@transaction.atomic
def arrangement_reject(*, arrangement: Arrangement, user: User, note: str) -> Arrangement:
    """The creditor says no, with a note the debtor reads; the invoices go back into their flow."""
    note = _note_clean(note, "note", required=True)
    return _decide(_locked(arrangement), ArrangementStatus.REJECTED, user=user, note=note)


@transaction.atomic
def arrangement_withdraw(*, arrangement: Arrangement) -> Arrangement:
    """The debtor takes back a proposal not yet decided; the invoices go back into their flow."""
    return _decide(_locked(arrangement), ArrangementStatus.WITHDRAWN, user=None, note="")


def arrangement_hold_release(*, arrangement: Arrangement) -> list[Invoice]:
    """The arrangement stops holding its invoices: another arrangement may cover them, and those still
    paused for it resume their flow where it was (a dispute filed since keeps its own pause). Within a
    dossier they go back to the dossier's hold instead: the dossier, not the flow, works them."""
    ArrangementInvoice.objects.for_organization(arrangement.organization).filter(arrangement=arrangement).update(
        holds=False
    )
    held = _held_invoices(arrangement)
    if arrangement.dossier_id is not None:
        from collection.services.dossiers import dossier_hold_reason  # dossiers sit beside arrangements

        reason = dossier_hold_reason(arrangement.organization)
        for invoice in held:
            invoice_pause(invoice=invoice, reason=reason)
        return held
    for invoice in held:
        invoice_resume(invoice=invoice)
    return held


@transaction.atomic
def arrangement_make(
    *,
    organization: Organization,
    debtor: Debtor,
    invoices: Iterable[Invoice],
    term_count: int,
    first_due_date: dt.date,
    user: User,
    today: dt.date,
    note: str = "",
    dossier: Dossier | None = None,
) -> Arrangement:
    """The creditor agrees an arrangement with ``debtor`` (by phone, by letter): approved at once, the
    invoices held, and the debtor mailed the schedule with a pay link per term.

    Not bound by the portal's limits (the creditor decides), but refused (ValidationError, nothing
    stored) outside 1..36 terms, for a first term before ``today``, for terms under a cent, and for
    invoices a proposal would be refused for. ``dossier``: made within that collection dossier (a
    breach then hands the invoices back to the dossier instead of their flow).
    """
    if debtor.organization_id != organization.pk or (
        dossier is not None and dossier.organization_id != organization.pk
    ):
        raise ValueError("the debtor or dossier belongs to another organization")
    note = _note_clean(note, "note")
    if not 1 <= term_count <= CREDITOR_MAX_TERMS:
        raise ValidationError({"term_count": _("Choose between 1 and %(max)d terms.") % {"max": CREDITOR_MAX_TERMS}})
    if first_due_date < today:
        raise ValidationError({"first_due_date": _("The first term cannot be due before today.")})
    locked = _invoices_lock(organization, debtor, invoices)
    total = sum((invoice.open_amount for invoice in locked), Decimal("0.00"))
    if dossier is not None:  # the dossier's whole claim: principal, interest and costs on ``today``
        total = dossier_statement_on(organization=organization, dossier=dossier, on=today).statement.outstanding
    if arrangement_smallest_term(total, term_count) <= 0:
        raise ValidationError({"term_count": _("Too many terms for this amount.")})
    try:
        with transaction.atomic():
            arrangement = _arrangement_store(
                organization, debtor, locked, total, term_count, first_due_date, "", ArrangementSource.CREDITOR
            )
            if dossier is not None:
                arrangement.dossier = dossier
                arrangement.save(update_fields=["dossier", "updated_at"])
                dossier_arrangement_made(
                    organization=organization, dossier=dossier, total=total, term_count=term_count, user=user
                )
    except IntegrityError:
        raise ValidationError({"invoices": _("One of these invoices is already in a payment arrangement.")}) from None
    reason = arrangement_hold_reason(organization, approved=True)
    for invoice in locked:
        invoice_pause(invoice=invoice, reason=reason)
    logger.info("arrangement.made", extra={"arrangement": arrangement.pk, "invoices": len(locked), "terms": term_count})
    return _decide(arrangement, ArrangementStatus.APPROVED, user=user, note=note)


def _after_commit(task_name: str, arrangement_id: int) -> None:
    """Enqueue one of the e-mail tasks once the transaction is committed (the one lazy import)."""
    from collection import tasks

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(arrangement_id), robust=True)
