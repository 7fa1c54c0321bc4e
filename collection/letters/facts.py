"""The facts one collector's letter is written from: plain values, gathered once before rendering.

:func:`letter_facts_build` is pure: the dossier's statement (``collection.statements``) and the
parties in, the facts out. The amounts are the statement's, to the cent; nothing is computed while
rendering (``collection.letters.render`` only formats).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from collection.statements import Statement

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Party:
    """A name and a postal address, with the lines a letter prints under them (KvK, VAT id, contact)."""

    name: str
    address_lines: tuple[str, ...]
    kvk_number: str = ""
    vat_id: str = ""
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class InterestLine:
    invoice_number: str
    first_day: dt.date
    end: dt.date
    days: int
    rate: Decimal  # percent a year
    basis: Decimal
    amount: Decimal


@dataclass(frozen=True)
class InvoiceLine:
    number: str
    issue_date: dt.date
    due_date: dt.date
    payment_term_days: int  # from the invoice date to the due date
    principal_original: Decimal  # open when it joined the dossier
    paid_to_principal: Decimal
    principal_left: Decimal  # including capitalised interest
    interest: Decimal  # owed now (accrued, not paid, not capitalised)


@dataclass(frozen=True)
class LetterFacts:
    """Everything a letter or e-mail of the collector states. ``kind`` is one of ``texts.LETTER_KINDS``."""

    kind: str
    language: str
    date: dt.date
    reference: str  # the dossier's, e.g. D2026-00012
    commercial: bool  # handelsrente (business debtor) or wettelijke rente
    collector: Party
    wki_registration: str
    creditor: Party
    debtor: Party
    invoices: tuple[InvoiceLine, ...]
    interest_lines: tuple[InterestLine, ...]
    principal: Decimal  # original, all invoices
    principal_left: Decimal
    interest: Decimal  # owed now (accrued, not paid, not capitalised)
    interest_accrued: Decimal  # all interest up to the letter's date, paid or not
    credited: Decimal  # credit notes
    reopened: Decimal  # reversals of payments made before the dossier
    paid_to_principal: Decimal
    costs: Decimal  # charged (zero before amicable collection)
    costs_vat: Decimal
    costs_vat_charged: bool
    paid: Decimal  # what the debt absorbed since the dossier opened
    total: Decimal  # what the letter asks to be paid
    term_until: dt.date  # pay by this day
    announced_costs: Decimal = ZERO  # pre-collection: the costs that follow if the term passes unpaid
    announced_costs_vat: Decimal = ZERO
    first_demand_on: dt.date | None = None  # the repeated demand refers to the first one
    iban: str = ""
    beneficiary: str = ""
    payment_reference: str = ""  # an RF reference (grouped) or the invoice numbers as text
    portal_url: str = ""

    @property
    def is_free_of_charge(self) -> bool:
        return self.kind == "pre_collection"


@dataclass(frozen=True)
class InvoiceDates:
    """What the statement does not hold of an invoice: its date (for the payment term)."""

    id: int
    issue_date: dt.date


def letter_facts_build(
    *, kind: str, language: str, date: dt.date, reference: str, statement: Statement,
    invoice_dates: Sequence[InvoiceDates], collector: Party, wki_registration: str, creditor: Party, debtor: Party,
    costs_vat_charged: bool, term_until: dt.date, announced_costs: Decimal = ZERO,
    announced_costs_vat: Decimal = ZERO, first_demand_on: dt.date | None = None, iban: str = "",
    payment_reference: str = "", portal_url: str = "",
) -> LetterFacts:  # fmt: skip
    """The facts of one letter from the dossier's statement on ``date``.

    A pre-collection letter is free of charge: it asks for the principal left only and announces the
    costs and the interest; a demand (sommatie) asks for the statement's outstanding total.
    """
    issued = {row.id: row.issue_date for row in invoice_dates}
    invoices = tuple(
        InvoiceLine(
            number=line.number,
            issue_date=issued[line.id],
            due_date=line.due_date,
            payment_term_days=(line.due_date - issued[line.id]).days,
            principal_original=line.principal_original,
            paid_to_principal=line.paid_to_principal,
            principal_left=line.principal,
            interest=line.interest,
        )
        for line in statement.invoices
    )
    interest_lines = tuple(
        InterestLine(
            invoice_number=line.number,
            first_day=period.first_day,
            end=period.end,
            days=period.days,
            rate=period.rate,
            basis=period.basis,
            amount=period.amount,
        )
        for line in statement.invoices
        for period in line.periods
        if period.days > 0
    )
    free = kind == "pre_collection"
    return LetterFacts(
        kind=kind,
        language=language,
        date=date,
        reference=reference,
        commercial=statement.commercial,
        collector=collector,
        wki_registration=wki_registration,
        creditor=creditor,
        debtor=debtor,
        invoices=invoices,
        interest_lines=interest_lines,
        principal=statement.principal_total,
        principal_left=statement.principal_left,
        interest=statement.interest_left,
        interest_accrued=statement.interest_total,
        credited=statement.credited,
        reopened=statement.reopened,
        paid_to_principal=statement.paid_to_principal,
        costs=statement.costs,
        costs_vat=statement.costs_vat,
        costs_vat_charged=costs_vat_charged,
        paid=statement.paid,
        total=statement.principal_left if free else statement.outstanding,
        term_until=term_until,
        announced_costs=announced_costs,
        announced_costs_vat=announced_costs_vat,
        first_demand_on=first_demand_on,
        iban=iban,
        beneficiary=creditor.name,
        payment_reference=payment_reference,
        portal_url=portal_url,
    )
