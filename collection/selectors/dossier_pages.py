"""Reads for the creditor's dossier pages: the list's rows, the invoices that can go to collection by
hand, and the facts of the judicial guard (the computation itself is ``collection.guards``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db.models import DecimalField, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from collection.guards import GuardResult, bailiff_costs_estimate, judicial_guard, recovery_chance_estimate
from collection.legal import CourtFeeUnknown, court_fee
from collection.models import Dossier, DossierInvoice
from collection.selectors.dossiers import dossier_list
from collection.statements import Statement
from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus
from outstanding.models import Organization

ZERO = Decimal("0.00")


def dossier_list_rows(*, organization: Organization, stage: str = "", open_only: bool = False) -> QuerySet[Dossier]:
    """The list's dossiers (next action first) with ``principal_total``: the sum of their invoices'
    principal when they joined (one query with a join, whatever the number of dossiers)."""
    money: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)
    return dossier_list(organization=organization, stage=stage, open_only=open_only).annotate(
        principal_total=Coalesce(Sum("items__principal"), Value(ZERO), output_field=money)
    )


def dossier_invoices_offerable(*, organization: Organization, debtor: Debtor) -> list[Invoice]:
    """The debtor's invoices a member may hand over by hand: open, something to pay, in no open dossier.

    Whatever else stands in the way (an invoice in another currency, the debtor's address, a
    consumer's 14-day letter) is what ``dossier_opening_problems`` tells the member.
    """
    in_open_dossier = DossierInvoice.objects.for_organization(organization).filter(active=True).values("invoice_id")
    return list(
        Invoice.objects.for_organization(organization)
        .filter(debtor=debtor, status=InvoiceStatus.OPEN, open_amount__gt=0)
        .exclude(pk__in=in_open_dossier)
        .order_by("due_date", "number")
    )


def expected_court_fee(*, organization: Organization, claim: Decimal, on: dt.date) -> Decimal | None:
    """The griffierecht the creditor will be asked for, as ``collection.services.dossiers`` decides it
    (claimant a legal person unless it has no KvK number); None where the table has none."""
    try:
        return court_fee(claim, year=on.year, claimant_is_natural_person=not organization.kvk_number.strip())
    except CourtFeeUnknown:
        return None


def dossier_judicial_guard(
    *, organization: Organization, dossier: Dossier, items: Sequence[DossierInvoice], statement: Statement,
    today: dt.date,
) -> GuardResult:  # fmt: skip
    """The judicial guard for ``dossier`` today, from facts already read (no query).

    The claim is what the statement says is outstanding, and the court fee is computed on it, as
    ``collection.services.dossiers`` asks the creditor for it. The debtor "paid something" when a payment
    came in after the dossier opened or an invoice joined the dossier part-paid.
    """
    claim = max(statement.outstanding, ZERO)
    fee = expected_court_fee(organization=organization, claim=claim, on=today)
    paid_something = statement.received > 0 or any(item.principal < item.invoice.amount for item in items)
    chance = recovery_chance_estimate(
        consumer=dossier.debtor_kind == DebtorKind.CONSUMER, paid_something=paid_something
    )
    bailiff = bailiff_costs_estimate(today, vat_charged=dossier.costs_vat_charged)
    return judicial_guard(claim, fee, bailiff, chance)
