"""What arrangements say about money to come: the terms of the arrangements that hold invoices."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from collection.models import ARRANGEMENT_HOLDING_STATUSES, Arrangement, ArrangementInvoice, ArrangementTerm
from invoices.models import InvoiceStatus
from outstanding.models import Organization

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ArrangementExpectation:
    """One proposed or approved arrangement: its total, what of its invoices is still open, its terms."""

    total: Decimal
    still_open: Decimal
    invoice_ids: frozenset[int]
    terms: tuple[tuple[dt.date, Decimal], ...]


def arrangement_expectations(*, organization: Organization, currency: str = "EUR") -> list[ArrangementExpectation]:
    """Every arrangement that holds invoices (proposed or approved), in three queries.

    ``still_open`` sums today's open amount of its held invoices in ``currency`` that are still open.
    """
    holding = list(ARRANGEMENT_HOLDING_STATUSES)
    totals = dict(
        Arrangement.objects.for_organization(organization).filter(status__in=holding).values_list("id", "total")
    )
    invoices: dict[int, set[int]] = defaultdict(set)
    still_open: dict[int, Decimal] = defaultdict(lambda: ZERO)
    items = ArrangementInvoice.objects.for_organization(organization).filter(
        holds=True, arrangement__status__in=holding
    )
    for arrangement_id, invoice_id, open_amount, status, invoice_currency in items.values_list(
        "arrangement_id", "invoice_id", "invoice__open_amount", "invoice__status", "invoice__currency"
    ):
        invoices[arrangement_id].add(invoice_id)
        if status == InvoiceStatus.OPEN and invoice_currency == currency:
            still_open[arrangement_id] += open_amount
    terms: dict[int, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    term_rows = ArrangementTerm.objects.for_organization(organization).filter(arrangement__status__in=holding)
    for arrangement_id, due_date, amount in term_rows.order_by("number").values_list(
        "arrangement_id", "due_date", "amount"
    ):
        terms[arrangement_id].append((due_date, amount))
    return [
        ArrangementExpectation(
            total=total,
            still_open=still_open[pk],
            invoice_ids=frozenset(invoices[pk]),
            terms=tuple(terms[pk]),
        )
        for pk, total in totals.items()
    ]
