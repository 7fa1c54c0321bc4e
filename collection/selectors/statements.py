"""A dossier's statement from the database: gather the facts once (two queries), compute purely.

The facts are the dossier's invoices as they joined it (principal = the open amount then, due date,
first day of interest) and every payment recorded on them after the dossier was opened: what was
paid before is already out of the principal. Credit notes (source ``credit``) lower their invoice;
negative payments (an online payment refunded or charged back) take money back. The computation is
:func:`collection.statements.dossier_statement`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from collection.models import Dossier, DossierInvoice
from collection.statements import InvoiceFacts, PaymentFacts, Statement, StatementFacts, dossier_statement
from invoices import selectors as invoice_selectors
from invoices.models import DebtorKind, PaymentSource
from outstanding.models import Organization


@dataclass(frozen=True)
class DossierStatement:
    """The statement with the public ids of its invoices and payments (the statement knows them by pk)."""

    dossier: Dossier
    statement: Statement
    invoice_public_ids: dict[int, uuid.UUID]
    invoice_numbers: dict[int, str]
    payment_public_ids: dict[int, uuid.UUID]


def dossier_statement_facts(*, organization: Organization, dossier: Dossier) -> StatementFacts:
    return _gathered(organization, dossier)[0]


def dossier_statement_on(*, organization: Organization, dossier: Dossier, on: dt.date) -> DossierStatement:
    """The dossier's statement at the end of ``on`` (payments dated later do not count yet)."""
    facts, invoice_ids, numbers, payment_ids = _gathered(organization, dossier)
    return DossierStatement(
        dossier=dossier,
        statement=dossier_statement(facts, on),
        invoice_public_ids=invoice_ids,
        invoice_numbers=numbers,
        payment_public_ids=payment_ids,
    )


def _gathered(
    organization: Organization, dossier: Dossier
) -> tuple[StatementFacts, dict[int, uuid.UUID], dict[int, str], dict[int, uuid.UUID]]:
    items = list(
        DossierInvoice.objects.for_organization(organization)
        .filter(dossier=dossier)
        .select_related("invoice")
        .order_by("due_date", "pk")
    )
    invoice_ids = [item.invoice_id for item in items]
    payments = list(
        invoice_selectors.payments_on_invoices(
            organization=organization, invoice_ids=invoice_ids, recorded_after=dossier.created_at
        )
    )
    facts = StatementFacts(
        commercial=dossier.debtor_kind == DebtorKind.BUSINESS,
        invoices=tuple(
            InvoiceFacts(
                id=item.invoice_id,
                number=item.invoice.number,
                principal=item.principal,
                due_date=item.due_date,
                interest_from=item.interest_from,
            )
            for item in items
        ),
        costs=dossier.costs,
        costs_vat=dossier.costs_vat,  # zero unless charged (the creditor cannot deduct VAT)
        costs_on=dossier.costs_on,
        payments=tuple(
            PaymentFacts(
                id=payment.pk,
                date=payment.date,
                amount=payment.amount,
                invoice_id=payment.invoice_id,
                credit_note=payment.source == PaymentSource.CREDIT_NOTE,
            )
            for payment in payments
        ),
    )
    return (
        facts,
        {item.invoice_id: item.invoice.public_id for item in items},
        {item.invoice_id: item.invoice.number for item in items},
        {payment.pk: payment.public_id for payment in payments},
    )
