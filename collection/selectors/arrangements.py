"""Reads of payment arrangements, each inside one organization (and for the portal, one debtor)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db.models import Case, F, IntegerField, QuerySet, Sum, Value, When

from collection.models import Arrangement, ArrangementInvoice, ArrangementStatus, ArrangementTerm
from invoices.models import Debtor, Invoice, InvoiceStatus, Payment
from invoices.selectors import SUMMED_CURRENCY
from outstanding.models import Organization

ZERO = Decimal("0.00")


def arrangement_proposals_open_count(*, organization: Organization) -> int:
    """How many proposals wait for the creditor's decision (for the home page and the menu)."""
    return Arrangement.objects.for_organization(organization).filter(status=ArrangementStatus.PROPOSED).count()


def arrangement_list(*, organization: Organization, status: str | None = None) -> QuerySet[Arrangement]:
    """The organization's arrangements, open proposals first, then newest first."""
    arrangements = Arrangement.objects.for_organization(organization).select_related("debtor", "decided_by")
    if status:
        arrangements = arrangements.filter(status=status)
    waiting_first = Case(
        When(status=ArrangementStatus.PROPOSED, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return arrangements.order_by(waiting_first, "-created_at", "-id")


def arrangement_list_for_debtor(*, organization: Organization, debtor: Debtor) -> QuerySet[Arrangement]:
    """One debtor's arrangements, newest first, with their terms (what the portal shows)."""
    return (
        Arrangement.objects.for_organization(organization)
        .filter(debtor=debtor)
        .prefetch_related("terms", "items__invoice")
        .order_by("-created_at", "-id")
    )


def arrangement_for_debtor(
    *, organization: Organization, debtor: Debtor, arrangement_id: UUID | str
) -> Arrangement | None:
    """One arrangement of this debtor, or None: another debtor's answers exactly like a missing one."""
    try:
        arrangements = arrangement_list_for_debtor(organization=organization, debtor=debtor)
        return arrangements.filter(public_id=arrangement_id).first()
    except (ValueError, TypeError, ValidationError):
        return None


def arrangement_held_invoice_public_ids(*, organization: Organization, debtor: Debtor) -> set[UUID]:
    """Public ids of this debtor's invoices that a proposal or approved arrangement holds (not offered again)."""

    return set(
        ArrangementInvoice.objects.for_organization(organization)
        .filter(arrangement__debtor=debtor, holds=True)
        .values_list("invoice__public_id", flat=True)
    )


# --- progress: what is paid on each term ----------------------------------------------------------------


@dataclass(frozen=True)
class TermProgress:
    """One term as paid so far: ``paid`` of ``amount``; ``paid_on`` the day the money completing it came."""

    pk: int
    number: int
    due_date: dt.date
    amount: Decimal
    paid: Decimal
    paid_on: dt.date | None
    reminder_sent_at: dt.datetime | None

    @property
    def open(self) -> Decimal:
        return self.amount - self.paid

    @property
    def is_paid(self) -> bool:
        return self.paid >= self.amount


@dataclass(frozen=True)
class ArrangementProgress:
    terms: tuple[TermProgress, ...]
    paid: Decimal  # everything counted toward the terms (a surplus beyond the last term included)
    invoices_open: Decimal  # what is still open on the arrangement's invoices

    @property
    def open(self) -> Decimal:
        return sum((term.open for term in self.terms), ZERO)

    @property
    def all_paid(self) -> bool:
        return all(term.is_paid for term in self.terms)

    def term(self, number: int) -> TermProgress | None:
        return next((term for term in self.terms if term.number == number), None)


def arrangement_terms_paid(
    amounts: Sequence[Decimal], payments: Sequence[tuple[dt.date, Decimal]]
) -> list[tuple[Decimal, dt.date | None]]:
    """Per term (in order) what is paid and the day it became fully paid, from the payments in the order
    they were recorded: the money fills the oldest unpaid term first.

    A pure rule. Negative payments (a refund or chargeback) take money back from the newest paid term;
    a term that a refund reopens loses its ``paid_on``. Money beyond the last term stays uncounted here.
    """
    ends, running = [], ZERO
    for amount in amounts:
        running += amount
        ends.append(running)
    completed: list[dt.date | None] = [None] * len(amounts)
    total = ZERO
    for day, amount in payments:
        total += amount
        for index, end in enumerate(ends):
            if total >= end and completed[index] is None:
                completed[index] = day
            elif total < end:
                completed[index] = None
    total = max(total, ZERO)
    result, start = [], ZERO
    for amount, end, completed_on in zip(amounts, ends, completed, strict=True):
        paid = min(amount, max(ZERO, total - start))
        result.append((paid, completed_on if paid >= amount else None))
        start = end
    return result


def arrangement_progress(
    *, organization: Organization, arrangements: Sequence[Arrangement]
) -> dict[int, ArrangementProgress]:
    """Progress per arrangement id, gathered in three queries however many arrangements.

    Counted are the payments on the arrangement's invoices recorded since the arrangement was made (its
    total is their open amount at that moment), whatever their source: Mollie, bank statement, import,
    connector, by hand or a credit note. Computed from the payments rather than hooked into each payment
    path, so no path can forget it and a refund counts too.
    """
    ids = [arrangement.pk for arrangement in arrangements]
    if not ids:
        return {}
    payments: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    rows = (
        Payment.objects.for_organization(organization)
        .filter(
            invoice__arrangement_items__arrangement_id__in=ids,
            created_at__gte=F("invoice__arrangement_items__arrangement__created_at"),
        )
        .order_by("created_at", "id")
        .values_list("invoice__arrangement_items__arrangement_id", "date", "amount")
    )
    for arrangement_id, day, amount in rows:
        payments[arrangement_id].append((day, amount))
    terms: dict[int, list[ArrangementTerm]] = defaultdict(list)
    for term in (
        ArrangementTerm.objects.for_organization(organization).filter(arrangement_id__in=ids).order_by("number")
    ):
        terms[term.arrangement_id].append(term)
    open_amounts = dict(
        ArrangementInvoice.objects.for_organization(organization)
        .filter(arrangement_id__in=ids, invoice__status=InvoiceStatus.OPEN)
        .values("arrangement_id")
        .annotate(total=Sum("invoice__open_amount"))
        .values_list("arrangement_id", "total")
    )
    return {
        arrangement_id: _progress(terms[arrangement_id], payments[arrangement_id], open_amounts.get(arrangement_id))
        for arrangement_id in ids
    }


def _progress(
    terms: list[ArrangementTerm], payments: list[tuple[dt.date, Decimal]], invoices_open: Decimal | None
) -> ArrangementProgress:
    paid = arrangement_terms_paid([term.amount for term in terms], payments)
    return ArrangementProgress(
        terms=tuple(
            TermProgress(
                pk=term.pk,
                number=term.number,
                due_date=term.due_date,
                amount=term.amount,
                paid=term_paid,
                paid_on=paid_on,
                reminder_sent_at=term.reminder_sent_at,
            )
            for term, (term_paid, paid_on) in zip(terms, paid, strict=True)
        ),
        paid=sum((amount for _day, amount in payments), ZERO),
        invoices_open=invoices_open or ZERO,
    )


def arrangement_running_list(*, organization: Organization) -> list[Arrangement]:
    """The organization's approved arrangements that have not ended (what the daily run works through)."""
    return list(
        Arrangement.objects.for_organization(organization)
        .filter(status=ArrangementStatus.APPROVED)
        .select_related("organization", "debtor")
        .order_by("pk")
    )


def arrangement_invoices_offerable(*, organization: Organization, debtor: Debtor) -> list[Invoice]:
    """The debtor's invoices a creditor can put in a new arrangement: open, in euros, held by none."""
    held = ArrangementInvoice.objects.for_organization(organization).filter(holds=True).values("invoice_id")
    return list(
        Invoice.objects.for_organization(organization)
        .filter(debtor=debtor, status=InvoiceStatus.OPEN, open_amount__gt=0, currency=SUMMED_CURRENCY)
        .exclude(pk__in=held)
        .order_by("due_date", "pk")
    )


def arrangements_broken_recently_count(*, organization: Organization, today: dt.date, days: int = 14) -> int:
    """Arrangements that broke in the last ``days`` days: the creditor decides what next."""
    return (
        Arrangement.objects.for_organization(organization)
        .filter(status=ArrangementStatus.BROKEN, ended_on__gte=today - dt.timedelta(days=days))
        .count()
    )
