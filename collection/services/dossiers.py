"""Collection dossiers: opening one (with the checks that must hold first), moving it through its
stages, pausing, closing. Every change is a :class:`DossierEvent` appended through
``dossier_event_append`` in the same transaction, with the amounts it decided.

Legal amounts are decided here, by ``collection.legal``, and stored on the dossier: the statutory
collection costs (WIK) when amicable collection starts (for a consumer never above what the 14-day
letter stated), their VAT when the creditor cannot deduct it (no VAT id: the debtor pays the VAT),
the court fee when the dossier goes to court.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collection.legal import (
    collection_costs,
    collection_costs_for_consumer_letter,
    collection_costs_vat,
    interest_start_date,
)
from collection.models import (
    OPEN_STAGES,
    STAGE_ORDER,
    ArrangementStatus,
    Dossier,
    DossierClosure,
    DossierEvent,
    DossierEventKind,
    DossierInvoice,
    DossierOrigin,
    DossierStage,
)
from collection.selectors.dossier_checks import dossier_opening_problems
from collection.selectors.dossier_pages import expected_court_fee
from collection.selectors.dossiers import hand_over_candidates
from collection.selectors.statements import dossier_statement_on
from collection.services.dossier_chain import dossier_event_append
from collection.texts import in_organization_language as _in_language
from invoices.models import Debtor, DebtorKind, Invoice
from invoices.services import invoice_pause, invoice_resume, invoice_write_off
from outstanding.models import Organization, User
from reminders.selectors.legal_steps import LegalLetter, fourteen_day_letters

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")


def dossier_hold_reason(organization: Organization) -> str:
    """The pause reason on an invoice in a dossier, in the organization's language."""
    with translation.override(organization.default_language):
        return _("In collection")


# -- opening ---------------------------------------------------------------------------------------


def _next_reference(organization: Organization, today: dt.date) -> str:
    """D<year>-<n>: the organization's dossiers of that year counted; the caller holds the organization lock."""
    prefix = f"D{today.year}-"
    count = Dossier.objects.for_organization(organization).filter(reference__startswith=prefix).count()
    return f"{prefix}{count + 1:05d}"


@transaction.atomic
def dossier_open(
    *, organization: Organization, debtor: Debtor, invoices: Iterable[Invoice], today: dt.date, origin: str,
    user: User | None = None, stage: str | None = None, letters: dict[int, LegalLetter] | None = None,
) -> Dossier:  # fmt: skip
    """Open a dossier for ``invoices`` of ``debtor``, or raise ValidationError with what is missing.

    The invoices are held (paused: no more reminders) and belong to the dossier until it closes. It
    starts in pre-collection when the organization chose so (and ``stage`` does not say otherwise),
    else in amicable collection with the statutory costs set.
    """
    if origin not in DossierOrigin.values:
        raise ValueError(f"unknown dossier origin: {origin!r}")
    stage = stage or (DossierStage.PRE_COLLECTION if organization.dossier_pre_collection else DossierStage.AMICABLE)
    if stage not in (DossierStage.PRE_COLLECTION, DossierStage.AMICABLE):
        raise ValidationError({"stage": _("A dossier starts in pre-collection or amicable collection.")})
    Organization.objects.select_for_update().filter(pk=organization.pk).first()  # one reference at a time
    ids = sorted({invoice.pk for invoice in invoices})
    locked = list(Invoice.objects.for_organization(organization).select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(locked) != len(ids):
        raise ValidationError(_("These invoices cannot be handed over here."))
    locked.sort(key=lambda invoice: (invoice.due_date, invoice.number))
    if debtor.kind == DebtorKind.CONSUMER and letters is None:
        letters = fourteen_day_letters(organization=organization, invoice_ids=ids)
    problems = dossier_opening_problems(
        organization=organization, debtor=debtor, invoices=locked, today=today, letters=letters
    )
    if problems:
        raise ValidationError(problems)
    consumer_letter = _latest_letter(letters or {}) if debtor.kind == DebtorKind.CONSUMER else None
    dossier = Dossier.objects.create(
        organization=organization, reference=_next_reference(organization, today), debtor=debtor,
        debtor_kind=debtor.kind, stage=stage, origin=origin, opened_on=today, opened_by=user, stage_since=today,
        next_action_on=today, costs_vat_charged=not organization.vat_id.strip(),
        fourteen_day_letter_sent_on=consumer_letter.sent_date if consumer_letter else None,
        fourteen_day_term_ends_on=consumer_letter.term_end_date if consumer_letter else None,
    )  # fmt: skip
    items = DossierInvoice.objects.bulk_create(
        DossierInvoice(
            organization=organization,
            dossier=dossier,
            invoice=invoice,
            principal=invoice.open_amount,
            due_date=invoice.due_date,
            interest_from=interest_start_date(invoice.due_date),
        )
        for invoice in locked
    )
    reason = dossier_hold_reason(organization)
    for invoice in locked:
        invoice_pause(invoice=invoice, reason=reason)
    dossier_event_append(
        organization=organization, dossier=dossier, kind=DossierEventKind.OPENED, user=user,
        summary=_in_language(organization, gettext_lazy("Dossier opened with %(count)d invoice(s)"), count=len(items)),
        data={
            "origin": origin, "stage": stage, "debtor_kind": debtor.kind,
            "invoices": [
                {"number": item.invoice.number, "principal": item.principal, "due_date": item.due_date,
                 "interest_from": item.interest_from}
                for item in items
            ],
            "fourteen_day_letter": (
                {"sent_on": consumer_letter.sent_date, "term_ends_on": consumer_letter.term_end_date}
                if consumer_letter else None
            ),
        },
    )  # fmt: skip
    if stage == DossierStage.PRE_COLLECTION:
        dossier.pre_collection_until = today + dt.timedelta(days=organization.pre_collection_days)
        dossier.next_action_on = dossier.pre_collection_until
        dossier.save(update_fields=["pre_collection_until", "next_action_on", "updated_at"])
    else:
        _costs_set(organization, dossier, items, letters or {}, today, user)
    logger.info("dossier.opened", extra={"dossier": dossier.pk, "origin": origin, "invoices": len(items)})
    return dossier


def _latest_letter(letters: dict[int, LegalLetter]) -> LegalLetter | None:
    dated = [letter for letter in letters.values() if letter.term_end_date is not None]
    return max(dated, key=lambda letter: letter.term_end_date or dt.date.min, default=None)


def _costs_set(
    organization: Organization, dossier: Dossier, items: Sequence[DossierInvoice], letters: dict[int, LegalLetter],
    today: dt.date, user: User | None,
) -> None:  # fmt: skip
    """Decide the statutory collection costs (and their VAT) as amicable collection starts; store them."""
    principals = [item.principal for item in items]
    if dossier.debtor_kind == DebtorKind.CONSUMER:
        costs = collection_costs_for_consumer_letter(principals, on=today)
        stated = [letter.collection_costs for letter in letters.values() if letter.collection_costs is not None]
        if stated and len(stated) == len(letters):
            costs = min(costs, max(stated))  # never more than the 14-day letter announced
    else:
        costs = collection_costs(sum(principals, ZERO), on=today)
    vat = collection_costs_vat(costs, on=today) if dossier.costs_vat_charged else ZERO
    dossier.costs, dossier.costs_vat, dossier.costs_on = costs, vat, today
    dossier.save(update_fields=["costs", "costs_vat", "costs_on", "updated_at"])
    dossier_event_append(
        organization=organization, dossier=dossier, kind=DossierEventKind.COSTS_SET, user=user,
        summary=_in_language(organization, gettext_lazy("Collection costs and statutory interest added")),
        data={"costs": costs, "costs_vat": vat, "vat_charged": dossier.costs_vat_charged, "on": today,
              "principal": sum(principals, ZERO)},
    )  # fmt: skip


# -- stages ----------------------------------------------------------------------------------------


def _locked(organization: Organization, dossier: Dossier) -> Dossier:
    return Dossier.objects.for_organization(organization).select_for_update().get(pk=dossier.pk)


def _refresh(target: Dossier, source: Dossier) -> Dossier:
    for field in source._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


@transaction.atomic
def dossier_stage_set(
    *, organization: Organization, dossier: Dossier, stage: str, today: dt.date, user: User | None = None,
    reason: str = "",
) -> Dossier:  # fmt: skip
    """Move ``dossier`` forward to ``stage`` (never back; closing is :func:`dossier_close`).

    Leaving pre-collection sets the costs. Going to court asks the creditor for the court fee of the
    claim (``collection.legal.court_fee`` for the year, claimant a legal person unless it has no KvK
    number); the dossier goes to the bailiff once the fee is recorded (:func:`dossier_court_fee_record`).
    """
    locked = _locked(organization, dossier)
    if stage not in STAGE_ORDER or stage == DossierStage.CLOSED:
        raise ValidationError({"stage": _("Choose a stage to move the dossier to.")})
    if locked.stage == DossierStage.CLOSED:
        raise ValidationError(_("This dossier is closed."))
    if STAGE_ORDER.index(stage) <= STAGE_ORDER.index(locked.stage):
        raise ValidationError({"stage": _("A dossier only moves forward.")})
    if STAGE_ORDER.index(stage) > STAGE_ORDER.index(DossierStage.JUDICIAL) and locked.court_fee_paid_on is None:
        raise ValidationError({"stage": _("Record the court fee before the dossier goes to the bailiff.")})
    previous = locked.stage
    locked.stage, locked.stage_since, locked.next_action_on = stage, today, today
    locked.save(update_fields=["stage", "stage_since", "next_action_on", "updated_at"])
    dossier_event_append(
        organization=organization, dossier=locked, kind=DossierEventKind.STAGE_CHANGED, user=user,
        summary=_in_language(
            organization, gettext_lazy("From %(old)s to %(new)s"), old=DossierStage(previous).label,
            new=DossierStage(stage).label,
        ),
        data={"from": previous, "to": stage, "reason": reason},
    )  # fmt: skip
    if previous == DossierStage.PRE_COLLECTION:
        items = list(
            DossierInvoice.objects.for_organization(organization).filter(dossier=locked).select_related("invoice")
        )
        letters = (
            fourteen_day_letters(organization=organization, invoice_ids=[item.invoice_id for item in items])
            if locked.debtor_kind == DebtorKind.CONSUMER else {}
        )  # fmt: skip
        _costs_set(organization, locked, items, letters, today, user)
    if stage == DossierStage.JUDICIAL:
        _court_fee_request(organization, locked, today, user)
    return _refresh(dossier, locked)


def dossier_claim_amount(*, organization: Organization, dossier: Dossier, today: dt.date) -> Decimal:
    """What the claim in court is: the statement's outstanding amount on ``today`` (principal, interest
    and costs, less what was paid)."""
    return dossier_statement_on(organization=organization, dossier=dossier, on=today).statement.outstanding


def _court_fee_request(organization: Organization, dossier: Dossier, today: dt.date, user: User | None) -> None:
    """Ask the creditor for the court fee of the claim; where the table has no fee (another year, above
    the kantonrechter limit), the fee is entered by hand when it is paid."""
    claim = dossier_claim_amount(organization=organization, dossier=dossier, today=today)
    natural_person = not organization.kvk_number.strip()
    fee = expected_court_fee(organization=organization, claim=claim, on=today)
    dossier.court_fee = fee
    dossier.save(update_fields=["court_fee", "updated_at"])
    dossier_event_append(
        organization=organization, dossier=dossier, kind=DossierEventKind.COURT_FEE_REQUESTED, user=user,
        summary=_in_language(organization, gettext_lazy("Court fee requested from the creditor")),
        data={"court_fee": fee, "claim": claim, "year": today.year, "claimant_natural_person": natural_person},
    )  # fmt: skip


@transaction.atomic
def dossier_court_fee_record(
    *, organization: Organization, dossier: Dossier, paid_on: dt.date, user: User | None = None,
    amount: Decimal | None = None,
) -> Dossier:  # fmt: skip
    """The creditor paid the court fee: the dossier can go to the bailiff. ``amount`` is needed only
    when the fee table had none for this claim; once recorded, a second call changes nothing."""
    locked = _locked(organization, dossier)
    if locked.stage != DossierStage.JUDICIAL:
        raise ValidationError(_("The court fee is paid when the dossier goes to court."))
    if locked.court_fee_paid_on is not None:
        return _refresh(dossier, locked)
    if locked.court_fee is None:
        if amount is None or amount <= 0:
            raise ValidationError({"amount": _("Enter the court fee that was paid.")})
        locked.court_fee = amount.quantize(Decimal("0.01"))
    locked.court_fee_paid_on = paid_on
    locked.save(update_fields=["court_fee", "court_fee_paid_on", "updated_at"])
    dossier_event_append(
        organization=organization, dossier=locked, kind=DossierEventKind.COURT_FEE_PAID, user=user,
        summary=_in_language(organization, gettext_lazy("Court fee paid")),
        data={"court_fee": locked.court_fee, "paid_on": paid_on},
    )  # fmt: skip
    return _refresh(dossier, locked)


def _reason_clean(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Say why.")})
    if len(reason) > 200:
        raise ValidationError({"reason": _("Keep the reason to 200 characters or fewer.")})
    return reason


@transaction.atomic
def dossier_pause(
    *, organization: Organization, dossier: Dossier, reason: str, user: User | None = None, actor_label: str = ""
) -> Dossier:
    """Stop working the dossier for now (a defence, talks with the debtor): no letters, no next step."""
    reason = _reason_clean(reason)
    locked = _locked(organization, dossier)
    if not locked.is_open:
        raise ValidationError(_("This dossier is closed."))
    if locked.is_paused and locked.pause_reason == reason:
        return _refresh(dossier, locked)
    locked.is_paused, locked.pause_reason = True, reason
    locked.save(update_fields=["is_paused", "pause_reason", "updated_at"])
    dossier_event_append(
        organization=organization, dossier=locked, kind=DossierEventKind.PAUSED, user=user, actor_label=actor_label,
        summary=reason, data={"reason": reason},
    )  # fmt: skip
    return _refresh(dossier, locked)


@transaction.atomic
def dossier_resume(
    *, organization: Organization, dossier: Dossier, reason: str, today: dt.date, user: User | None = None
) -> Dossier:
    """Work the dossier again from where it was; its next action is today."""
    reason = _reason_clean(reason)
    locked = _locked(organization, dossier)
    if not locked.is_open:
        raise ValidationError(_("This dossier is closed."))
    if not locked.is_paused:
        return _refresh(dossier, locked)
    locked.is_paused, locked.pause_reason, locked.next_action_on = False, "", today
    locked.save(update_fields=["is_paused", "pause_reason", "next_action_on", "updated_at"])
    dossier_event_append(
        organization=organization, dossier=locked, kind=DossierEventKind.RESUMED, user=user, summary=reason,
        data={"reason": reason},
    )  # fmt: skip
    return _refresh(dossier, locked)


@transaction.atomic
def dossier_close(
    *, organization: Organization, dossier: Dossier, closure: str, today: dt.date, user: User | None = None,
    note: str = "",
) -> Dossier:  # fmt: skip
    """Close ``dossier``: paid, arrangement completed, uncollectable (its invoices are written off) or
    withdrawn by the creditor (its invoices are released, back in the creditor's hands)."""
    if closure not in DossierClosure.values:
        raise ValidationError({"closure": _("Choose how the dossier ends.")})
    locked = _locked(organization, dossier)
    if not locked.is_open:
        return _refresh(dossier, locked)
    items = list(DossierInvoice.objects.for_organization(organization).filter(dossier=locked).select_related("invoice"))
    for item in items:
        if closure == DossierClosure.UNCOLLECTABLE:
            invoice_write_off(organization=organization, invoice=item.invoice)
        if item.invoice.is_paused and item.invoice.pause_reason == dossier_hold_reason(organization):
            invoice_resume(invoice=item.invoice)
    DossierInvoice.objects.for_organization(organization).filter(dossier=locked).update(active=False)
    previous = locked.stage
    locked.stage, locked.closure, locked.closed_on, locked.next_action_on = DossierStage.CLOSED, closure, today, None
    locked.is_paused, locked.pause_reason = False, ""
    locked.save(
        update_fields=["stage", "closure", "closed_on", "next_action_on", "is_paused", "pause_reason", "updated_at"]
    )
    dossier_event_append(
        organization=organization, dossier=locked, kind=DossierEventKind.CLOSED, user=user,
        summary=_in_language(organization, gettext_lazy("Closed: %(closure)s"), closure=DossierClosure(closure).label),
        data={"closure": closure, "from_stage": previous, "note": note.strip()[:500]},
    )  # fmt: skip
    return _refresh(dossier, locked)


@transaction.atomic
def dossier_arrangement_made(
    *, organization: Organization, dossier: Dossier, total: Decimal, term_count: int, user: User | None = None
) -> Dossier:
    """A payment arrangement was agreed within the dossier: it is recorded and the dossier waits (no
    letters, no next stage) until the arrangement completes (then the dossier closes as such) or breaks."""
    reason = _in_language(organization, gettext_lazy("Payment arrangement"))
    dossier_event_append(
        organization=organization, dossier=dossier, kind=DossierEventKind.ARRANGEMENT, user=user,
        summary=_in_language(
            organization, gettext_lazy("Payment arrangement of %(total)s in %(terms)d terms"), total=f"€ {total:.2f}",
            terms=term_count,
        ),
        data={"total": total, "terms": term_count},
    )  # fmt: skip
    return dossier_pause(organization=organization, dossier=dossier, reason=reason, user=user)


@transaction.atomic
def dossier_arrangement_broken(*, organization: Organization, dossier: Dossier, today: dt.date) -> Dossier:
    """A payment arrangement within the dossier was broken: the dossier is worked again from where it was."""
    locked = _locked(organization, dossier)
    if not locked.is_open:
        return _refresh(dossier, locked)
    locked.is_paused, locked.pause_reason, locked.next_action_on = False, "", today
    locked.save(update_fields=["is_paused", "pause_reason", "next_action_on", "updated_at"])
    dossier_event_append(
        organization=organization, dossier=locked, kind=DossierEventKind.ARRANGEMENT,
        summary=_in_language(organization, gettext_lazy("Payment arrangement broken: collection resumes")),
        data={"broken_on": today},
    )  # fmt: skip
    return _refresh(dossier, locked)


# -- the daily work: hand-overs and terms that ran out ------------------------------------------------


def dossier_hand_overs_open(*, organization: Organization, today: dt.date) -> tuple[list[Dossier], int]:
    """Open a dossier per debtor whose invoices reached their flow's hand-over step, when the
    organization chose to open them automatically. Returns (dossiers opened, debtors that could not
    be opened yet: they wait in the attention list with what is missing)."""
    if not organization.dossier_auto_open:
        return [], 0
    opened, waiting = [], 0
    for candidate in hand_over_candidates(organization=organization, today=today):
        if candidate.problems:
            waiting += 1
            continue
        opened.append(
            dossier_open(
                organization=organization,
                debtor=candidate.debtor,
                invoices=candidate.invoices,
                today=today,
                origin=DossierOrigin.HAND_OVER,
            )
        )
    return opened, waiting


def dossier_pre_collections_end(*, organization: Organization, today: dt.date) -> list[Dossier]:
    """Move every unpaused dossier whose free pre-collection term has passed to amicable collection."""
    due = Dossier.objects.for_organization(organization).filter(
        stage=DossierStage.PRE_COLLECTION, is_paused=False, pre_collection_until__lt=today
    )
    return [
        dossier_stage_set(
            organization=organization,
            dossier=dossier,
            stage=DossierStage.AMICABLE,
            today=today,
            reason=_in_language(organization, gettext_lazy("The pre-collection term has passed")),
        )
        for dossier in due.order_by("pk")
    ]


def _recorded_payment_ids(organization: Organization, dossier: Dossier) -> set[str]:
    rows = (
        DossierEvent.objects.for_organization(organization)
        .filter(dossier=dossier, kind=DossierEventKind.PAYMENT)
        .values_list("data__payment", flat=True)
    )
    return {str(row) for row in rows}


def dossier_settle(*, organization: Organization, dossier: Dossier, today: dt.date) -> Dossier:
    """Bring the record up to date with the money: every payment on the dossier's invoices not yet in its
    chain is appended (PAYMENT, with its art. 6:44 imputation), and a dossier with nothing outstanding
    closes as paid (or as arrangement completed when an arrangement within it completed)."""
    found = dossier_statement_on(organization=organization, dossier=dossier, on=today)
    statement = found.statement
    recorded = _recorded_payment_ids(organization, dossier)
    for imputation in statement.imputations:
        public_id = str(found.payment_public_ids.get(imputation.payment_id, imputation.payment_id))
        if public_id in recorded:
            continue
        recorded.add(public_id)
        dossier_event_append(
            organization=organization, dossier=dossier, kind=DossierEventKind.PAYMENT,
            summary=_in_language(
                organization, gettext_lazy("Payment of %(amount)s"), amount=f"€ {imputation.amount:.2f}"
            ),
            data={
                "payment": public_id, "date": imputation.date, "amount": imputation.amount,
                "invoice": found.invoice_numbers.get(imputation.invoice_id, ""), "credit_note": imputation.credit_note,
                "to_costs": imputation.to_costs, "to_interest": imputation.to_interest,
                "to_principal": imputation.to_principal, "overpayment": imputation.overpayment,
            },
        )  # fmt: skip
    if statement.outstanding > 0 or not dossier.is_open or not statement.imputations:
        return dossier
    completed = dossier.arrangements.filter(status=ArrangementStatus.COMPLETED).exists()
    closure = DossierClosure.ARRANGEMENT_COMPLETED if completed else DossierClosure.PAID
    return dossier_close(organization=organization, dossier=dossier, closure=closure, today=today)


def dossiers_settle(*, organization: Organization, today: dt.date) -> list[Dossier]:
    """The daily pass over every open dossier (two queries each): payments recorded, paid ones closed.
    Returns the dossiers that closed."""
    closed = []
    for dossier in Dossier.objects.for_organization(organization).filter(stage__in=OPEN_STAGES).order_by("pk"):
        with transaction.atomic():
            settled = dossier_settle(organization=organization, dossier=dossier, today=today)
        if not settled.is_open:
            closed.append(settled)
    return closed
