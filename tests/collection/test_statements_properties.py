"""Properties of dossier statements for any mix of invoices, part-payments, rate changes and years.

Issue 10, point 5: the statement on any date reconciles to the cent; money is conserved by the art.
6:44 imputation; the outstanding is never negative (an overpayment is reported apart); interest
accrued never shrinks as the statement date moves on.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import hypothesis
from hypothesis import strategies

from collection.legal import statutory_interest
from collection.statements import InvoiceFacts, PaymentFacts, Statement, StatementFacts, dossier_statement

D = Decimal
ZERO = D("0.00")
PROPERTY = hypothesis.settings(max_examples=150, deadline=None)

dates = strategies.dates(min_value=dt.date(2023, 1, 1), max_value=dt.date(2028, 12, 31))
amounts = strategies.integers(min_value=1, max_value=5 * 10**6).map(lambda cents: D(cents) / 100)


@strategies.composite
def dossier_facts(draw: strategies.DrawFn, with_payments: bool = True) -> StatementFacts:
    count = draw(strategies.integers(min_value=1, max_value=3))
    invoices = tuple(
        InvoiceFacts(
            id=index + 1,
            number=f"F{index + 1}",
            principal=draw(amounts),
            due_date=(due := draw(dates)),
            interest_from=due + dt.timedelta(days=draw(strategies.integers(min_value=1, max_value=40))),
        )
        for index in range(count)
    )
    payments: list[PaymentFacts] = []
    for index in range(draw(strategies.integers(min_value=0, max_value=6)) if with_payments else 0):
        kind = draw(strategies.sampled_from(["payment", "payment", "payment", "reversal", "credit"]))
        amount = draw(amounts)
        payments.append(
            PaymentFacts(
                id=index + 1,
                date=draw(dates),
                amount=-amount if kind == "reversal" else amount,
                invoice_id=draw(strategies.integers(min_value=1, max_value=count)),
                credit_note=kind == "credit",
            )
        )
    costs = draw(strategies.integers(min_value=0, max_value=700_000).map(lambda cents: D(cents) / 100))
    return StatementFacts(
        commercial=draw(strategies.booleans()),
        invoices=invoices,
        costs=costs,
        costs_vat=draw(strategies.sampled_from([ZERO, (costs * D("0.21")).quantize(D("0.01"))])),
        costs_on=draw(strategies.none() | dates),
        payments=tuple(payments),
    )


def owed(statement: Statement) -> Decimal:
    principal = statement.principal_total + statement.reopened - statement.credited
    return principal + statement.interest_total + statement.costs + statement.costs_vat


@PROPERTY
@hypothesis.given(facts=dossier_facts(), on=dates)
def test_every_cent_received_goes_to_costs_interest_principal_or_the_overpayment(
    facts: StatementFacts, on: dt.date
) -> None:
    statement = dossier_statement(facts, on)
    assert statement.paid == statement.paid_to_costs + statement.paid_to_interest + statement.paid_to_principal
    assert statement.received == statement.paid + statement.overpaid
    for imputation in statement.imputations:
        parts = imputation.to_costs + imputation.to_interest + imputation.to_principal + imputation.overpayment
        assert parts == imputation.amount or imputation.credit_note


@PROPERTY
@hypothesis.given(facts=dossier_facts(), on=dates)
def test_the_statement_reconciles_to_the_cent_on_any_date(facts: StatementFacts, on: dt.date) -> None:
    statement = dossier_statement(facts, on)
    assert owed(statement) - statement.paid == statement.outstanding
    for figure in (statement.outstanding, statement.paid, statement.interest_total):
        assert figure.as_tuple().exponent == -2


@PROPERTY
@hypothesis.given(facts=dossier_facts(), on=dates)
def test_nothing_owed_is_ever_negative_and_an_overpayment_is_reported_apart(facts: StatementFacts, on: dt.date) -> None:
    statement = dossier_statement(facts, on)
    assert statement.outstanding >= ZERO
    assert statement.overpaid >= ZERO
    assert statement.costs_left >= ZERO
    assert all(line.principal >= ZERO and line.interest >= ZERO for line in statement.invoices)


@PROPERTY
@hypothesis.given(facts=dossier_facts(), on=dates, days=strategies.integers(min_value=0, max_value=900))
def test_a_later_statement_never_has_less_interest_accrued(facts: StatementFacts, on: dt.date, days: int) -> None:
    later = on + dt.timedelta(days=days)
    earlier_lines = dossier_statement(facts, on).invoices
    later_lines = dossier_statement(facts, later).invoices
    for before, after in zip(earlier_lines, later_lines, strict=True):
        assert after.interest_accrued >= before.interest_accrued


@PROPERTY
@hypothesis.given(facts=dossier_facts(with_payments=False), on=dates, days=strategies.integers(1, 900))
def test_an_unpaid_dossier_owes_more_later_and_its_interest_is_statutory_interest_on_each_invoice(
    facts: StatementFacts, on: dt.date, days: int
) -> None:
    statement = dossier_statement(facts, on)
    assert dossier_statement(facts, on + dt.timedelta(days=days)).outstanding >= statement.outstanding
    for invoice, line in zip(
        sorted(facts.invoices, key=lambda i: (i.due_date, i.number)), statement.invoices, strict=True
    ):
        start = invoice.interest_from - dt.timedelta(days=1)
        expected = statutory_interest(invoice.principal, start, max(start, on), commercial=facts.commercial)
        assert line.interest_accrued == expected.interest
        assert sum((period.amount for period in line.periods), ZERO) == line.interest_accrued


@PROPERTY
@hypothesis.given(facts=dossier_facts(), on=dates)
def test_payments_after_the_statement_date_change_nothing(facts: StatementFacts, on: dt.date) -> None:
    until_on = StatementFacts(
        commercial=facts.commercial,
        invoices=facts.invoices,
        costs=facts.costs,
        costs_vat=facts.costs_vat,
        costs_on=facts.costs_on,
        payments=tuple(p for p in facts.payments if p.date <= on),
    )
    assert dossier_statement(facts, on) == dossier_statement(until_on, on)
