"""Approved payment arrangements run on their own: terms get paid, reminders go out, and they end.

Once a day per organization (``collection.tasks.arrangements_run_all``, beat), for the organization's
local ``today``, every approved arrangement is advanced:

1. **Paid.** What the terms have received is computed from the payments recorded on the arrangement's
   invoices since it was made (``collection.selectors.arrangement_progress``), filling the oldest
   unpaid term first, and stored on the terms. Every payment path (Mollie's webhook, a bank statement,
   an import, a connector, a payment entered by hand) ends in ``invoices.services.payment_record``, so
   counting the payments needs no hook in any of them, and a refund counts against the terms as well.
2. **Completed** when every term is paid, or nothing is open any more on its invoices: the invoices
   leave the hold (they are paid) and the creditor sees it in the arrangements list.
3. **Broken** when a term is still not fully paid :data:`GRACE_DAYS` after its due date: the
   invoices' hold is released and their flow resumes where it was (as after a rejection); a
   dossier's arrangement hands back to its dossier; the creditor's members and the debtor are mailed.
4. **Reminded**: :data:`REMINDER_DAYS_BEFORE` days before a term (up to its due date) the debtor gets
   one reminder with the term's pay link. The task claims ``reminder_sent_at`` before sending, so a
   second run the same day, or a retried task, never mails twice.

Paying a term online (:func:`arrangement_term_payment_start`) starts the portal's Mollie payment for
exactly what is open on that term over the arrangement's open invoices; Mollie's webhook books it
through ``payment_record``, oldest invoice first, and the next look at the arrangement sees it paid.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from collection.models import Arrangement, ArrangementStatus, ArrangementTerm, Dossier
from collection.selectors.arrangements import (
    ArrangementProgress,
    TermProgress,
    arrangement_progress,
    arrangement_running_list,
)
from collection.selectors.statements import dossier_statement_on
from collection.services.arrangements import _after_commit, arrangement_hold_release
from collection.services.dossiers import dossier_arrangement_broken
from invoices.models import Invoice, InvoiceStatus, OnlinePayment
from invoices.payments.mollie import online_payment_create
from outstanding.calendar import local_today
from outstanding.models import Organization

logger = logging.getLogger(__name__)

# A reminder goes out this many days before a term's due date.
REMINDER_DAYS_BEFORE = 3
# A term still unpaid this many days after its due date breaks the arrangement.
GRACE_DAYS = 7
ZERO = Decimal("0.00")


@dataclass
class ArrangementsRunResult:
    arrangements: int = 0
    reminders: int = 0
    completed: int = 0
    broken: int = 0


def arrangement_breaching_term(progress: ArrangementProgress, today: dt.date) -> TermProgress | None:
    """The first term unpaid past its grace period on ``today``, or None (a pure rule)."""
    limit = today - dt.timedelta(days=GRACE_DAYS)
    return next((term for term in progress.terms if not term.is_paid and term.due_date < limit), None)


def arrangement_terms_to_remind(progress: ArrangementProgress, today: dt.date) -> list[TermProgress]:
    """Terms whose reminder is due on ``today``: unpaid, not reminded, due within the next few days."""
    return [
        term
        for term in progress.terms
        if not term.is_paid
        and term.reminder_sent_at is None
        and today <= term.due_date <= today + dt.timedelta(days=REMINDER_DAYS_BEFORE)
    ]


def arrangement_is_complete(progress: ArrangementProgress, *, in_dossier: bool = False) -> bool:
    """Every term paid, or nothing left open on the invoices (paid, credited or written off another way).

    Within a dossier only the terms count: its total holds interest and costs besides the invoices'
    principal, so invoices paid off are not yet the arrangement done."""
    return progress.all_paid or (not in_dossier and progress.invoices_open <= 0)


def arrangements_run(*, organization: Organization, today: dt.date) -> ArrangementsRunResult:
    """Advance every running arrangement of ``organization`` on ``today`` (the daily task)."""
    running = arrangement_running_list(organization=organization)
    progress = arrangement_progress(organization=organization, arrangements=running)
    result = ArrangementsRunResult(arrangements=len(running))
    for arrangement in running:
        outcome = arrangement_advance(arrangement=arrangement, progress=progress[arrangement.pk], today=today)
        result.completed += outcome.status == ArrangementStatus.COMPLETED
        result.broken += outcome.status == ArrangementStatus.BROKEN
        result.reminders += outcome.reminders
    logger.info(
        "arrangements.run",
        extra={
            "organization": organization.pk,
            "arrangements": result.arrangements,
            "reminders": result.reminders,
            "completed": result.completed,
            "broken": result.broken,
        },
    )
    return result


@dataclass(frozen=True)
class Advance:
    status: str  # the arrangement's status afterwards
    reminders: int = 0  # reminders queued


@transaction.atomic
def arrangement_advance(*, arrangement: Arrangement, progress: ArrangementProgress, today: dt.date) -> Advance:
    """Store what is paid, then complete, break or queue the reminders due. Nothing happens to an
    arrangement no longer running (decided or ended since it was read)."""
    organization = arrangement.organization
    locked = Arrangement.objects.for_organization(organization).select_for_update().filter(pk=arrangement.pk).first()
    if locked is None or locked.status != ArrangementStatus.APPROVED:
        return Advance(status=locked.status if locked else "")
    _terms_store(organization, progress)
    if arrangement_is_complete(progress, in_dossier=locked.dossier_id is not None):
        arrangement_complete(arrangement=locked, today=today)
        return Advance(status=ArrangementStatus.COMPLETED)
    breaching = arrangement_breaching_term(progress, today)
    if breaching is not None:
        arrangement_break(arrangement=locked, term_number=breaching.number, today=today)
        return Advance(status=ArrangementStatus.BROKEN)
    reminded = arrangement_terms_to_remind(progress, today)
    for term in reminded:
        _term_after_commit("arrangement_term_reminder_task", term.pk)
    return Advance(status=locked.status, reminders=len(reminded))


def _terms_store(organization: Organization, progress: ArrangementProgress) -> None:
    """Write the computed payment state on the term rows that changed (one statement for them all)."""
    terms = ArrangementTerm.objects.for_organization(organization).filter(pk__in=[term.pk for term in progress.terms])
    rows = {row.pk: row for row in terms}
    changed = []
    for term in progress.terms:
        row = rows[term.pk]
        if (row.paid_amount, row.paid_on) != (term.paid, term.paid_on):
            row.paid_amount, row.paid_on = term.paid, term.paid_on
            changed.append(row)
    if changed:
        ArrangementTerm.objects.for_organization(organization).bulk_update(changed, ["paid_amount", "paid_on"])


def _end(arrangement: Arrangement, status: str, today: dt.date, term_number: int | None = None) -> None:
    arrangement.status = status
    arrangement.ended_on = today
    arrangement.broken_term_number = term_number
    arrangement.save(update_fields=["status", "ended_on", "broken_term_number", "updated_at"])
    arrangement_hold_release(arrangement=arrangement)


def arrangement_complete(*, arrangement: Arrangement, today: dt.date) -> Arrangement:
    """Every term paid: the arrangement is completed and its invoices leave the hold (the caller locked it)."""
    _end(arrangement, ArrangementStatus.COMPLETED, today)
    logger.info("arrangement.completed", extra={"arrangement": arrangement.pk})
    return arrangement


def arrangement_break(*, arrangement: Arrangement, term_number: int, today: dt.date) -> Arrangement:
    """Term ``term_number`` was not paid in time: the arrangement is broken (the caller locked it).

    The invoices resume their flow where it was; an arrangement made within a dossier gives the dossier
    back its course; the creditor's members and the debtor are told after commit.
    """
    _end(arrangement, ArrangementStatus.BROKEN, today, term_number)
    if arrangement.dossier_id is not None:
        _dossier_arrangement_broken(arrangement, today)
    logger.info("arrangement.broken", extra={"arrangement": arrangement.pk, "term": term_number})
    _after_commit("arrangement_broken_notify_task", arrangement.pk)
    return arrangement


def _dossier_arrangement_broken(arrangement: Arrangement, today: dt.date) -> None:
    """The one call into the dossiers: a broken arrangement gives its dossier back its course."""
    dossier = arrangement.dossier
    if dossier is not None:
        dossier_arrangement_broken(organization=arrangement.organization, dossier=dossier, today=today)


# --- paying a term online -------------------------------------------------------------------------------


def arrangement_term_payment_start(
    *, arrangement: Arrangement, progress: ArrangementProgress, term_number: int, return_path: str
) -> OnlinePayment:
    """Start a Mollie payment for what is open on term ``term_number``, over the arrangement's open invoices.

    Refused (ValidationError, nothing started) when the arrangement no longer runs, the term is paid,
    or nothing is open on the invoices. ``MollieUnavailable`` passes through (nothing is booked then).
    """
    if arrangement.status != ArrangementStatus.APPROVED:
        raise ValidationError(_("This payment arrangement is no longer running."))
    term = progress.term(term_number)
    if term is None:
        raise ValidationError(_("This term does not exist."))
    if term.is_paid:
        raise ValidationError(_("This term has been paid. Thank you."))
    organization = arrangement.organization
    if arrangement.dossier is not None:
        return _dossier_term_payment_start(arrangement, arrangement.dossier, term.open, return_path, term_number)
    invoices = list(
        Invoice.objects.for_organization(organization).filter(
            arrangement_items__arrangement=arrangement, status=InvoiceStatus.OPEN, open_amount__gt=0
        )
    )
    open_total = sum((invoice.open_amount for invoice in invoices), ZERO)
    if open_total <= 0:
        raise ValidationError(_("Nothing is left to pay on this payment arrangement."))
    payment = online_payment_create(
        organization=organization,
        debtor=arrangement.debtor,
        invoices=invoices,
        return_path=return_path,
        amount=min(term.open, open_total),
        part_allowed=True,
    )
    logger.info("arrangement.term_payment_started", extra={"arrangement": arrangement.pk, "term": term_number})
    return payment


def _dossier_term_payment_start(
    arrangement: Arrangement, dossier: Dossier, term_open: Decimal, return_path: str, term_number: int
) -> OnlinePayment:
    """A term of an arrangement within a dossier pays toward the whole claim (principal, interest and
    costs): at most what the dossier's statement has outstanding today, even once the invoices' own open
    amounts are paid off; the dossier imputes it costs → interest → principal."""
    organization = arrangement.organization
    outstanding = dossier_statement_on(
        organization=organization, dossier=dossier, on=local_today(organization.time_zone)
    ).statement.outstanding
    if outstanding <= 0:
        raise ValidationError(_("Nothing is left to pay on this payment arrangement."))
    invoices = list(Invoice.objects.for_organization(organization).filter(arrangement_items__arrangement=arrangement))
    payment = online_payment_create(
        organization=organization, debtor=arrangement.debtor, invoices=invoices, return_path=return_path,
        amount=min(term_open, outstanding), part_allowed=True, claim_total=outstanding,
    )  # fmt: skip
    logger.info("arrangement.term_payment_started", extra={"arrangement": arrangement.pk, "term": term_number})
    return payment


def _term_after_commit(task_name: str, term_id: int) -> None:
    from collection import tasks  # tasks sit on top of services: the one lazy import

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(term_id), robust=True)
