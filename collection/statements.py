"""A dossier's statement (specificatie) on a date: principal, interest, costs and payments, to the cent.

Pure: facts and a date in, a statement out; no database, no clock. Every figure comes from the
functions of :mod:`collection.legal` (DOMAIN.md §§2, 4), composed per invoice over time:

- Interest runs per invoice over the days in (start, end] with ``start = interest_from - 1`` day, on
  the principal left after each payment, split at every rate change by
  :func:`~collection.legal.statutory_interest` (called per stretch of constant principal inside one
  interest year, so it never capitalises there itself).
- Compounding: after each full year counted from ``start`` that year's *unpaid* interest, rounded to
  cents, is added to the invoice's principal (art. 6:119 lid 2 BW, and 6:119a).
- Cents: a year's interest is kept as the exact (unrounded) sum of its periods. What is owed at a
  moment is ``round(exact interest of the year so far) - interest paid in that year``: the exact sum
  is only *read* rounded, never replaced by its rounding, so splitting a stretch at a payment date
  loses or adds nothing. Rounding happens when capitalising and for the figures reported.
- Each payment is imputed by :func:`~collection.legal.impute_payment` (art. 6:44 BW): the dossier's
  costs (with their VAT) still open, then the interest owed up to and including the payment date
  (oldest invoice first), then principal: the invoice it was recorded on first, then the others
  oldest first. Payments on a day come before that day's capitalisation (the interest a payment
  pays is no longer unpaid).
- A negative payment (refund, charge-back) undoes in the reverse order: first the overpayment held,
  then principal (recorded invoice first, then the newest), interest, costs; what remains reopens the
  recorded invoice's principal (money taken back that was paid before the dossier existed).
- A credit note lowers its invoice's principal; it is not money from the debtor and is never imputed
  to costs or interest. Where it exceeds the principal left, what the debtor paid on that invoice's
  principal becomes overpayment; anything beyond that is reported as ``credit_excess``.

Reconciliation, on any date: ``principal + reopened - credited + interest + costs_due - paid ==
outstanding``, with ``paid == paid_to_costs + paid_to_interest + paid_to_principal`` and
``received == paid + overpaid`` (``received`` leaves out what a reversal takes back of money paid
before the dossier: that is ``reopened``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from dateutil.relativedelta import relativedelta

from collection.legal import InterestPeriod, impute_payment, statutory_interest
from outstanding.calendar import ONE_DAY
from outstanding.money import to_money

ZERO = Decimal("0.00")


# --- facts -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvoiceFacts:
    """One invoice of the dossier: its principal when it joined, and the first day of interest."""

    id: int
    number: str
    principal: Decimal
    due_date: dt.date
    interest_from: dt.date


@dataclass(frozen=True)
class PaymentFacts:
    """Money received (negative: taken back) or a credit note, on the invoice it was recorded on."""

    id: int
    date: dt.date
    amount: Decimal
    invoice_id: int
    credit_note: bool = False


@dataclass(frozen=True)
class StatementFacts:
    """``commercial``: handelsrente (art. 6:119a BW, a business debtor); else wettelijke rente (6:119)."""

    commercial: bool
    invoices: tuple[InvoiceFacts, ...]
    costs: Decimal = ZERO  # WIK collection costs of the dossier
    costs_vat: Decimal = ZERO  # VAT on the costs, when charged
    costs_on: dt.date | None = None  # the day the costs became due; None: not (yet) due
    payments: tuple[PaymentFacts, ...] = ()


# --- the statement -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StatementPeriod:
    """Interest over the days in (start, end] at ``rate`` % on ``basis``; for the claim specification.

    ``amount`` is rounded so that the periods of one interest year add up to that year's rounded
    interest (cumulative rounding); ``exact_amount`` is the unrounded figure.
    """

    start: dt.date
    end: dt.date
    days: int
    rate: Decimal
    basis: Decimal
    amount: Decimal
    exact_amount: Decimal

    @property
    def first_day(self) -> dt.date:
        return self.start + ONE_DAY


@dataclass(frozen=True)
class StatementCapitalisation:
    on: dt.date
    amount: Decimal


@dataclass(frozen=True)
class InvoiceStatement:
    id: int
    number: str
    due_date: dt.date
    interest_from: dt.date
    principal_original: Decimal  # when it joined the dossier
    credited: Decimal  # credit notes applied
    reopened: Decimal  # reversals of payments made before the dossier
    paid_to_principal: Decimal
    principal: Decimal  # left, including capitalised interest
    interest_accrued: Decimal  # all interest up to the statement date, paid or not, capitalised or not
    interest_capitalised: Decimal
    paid_to_interest: Decimal
    interest: Decimal  # accrued, not paid and not capitalised
    periods: tuple[StatementPeriod, ...]
    capitalisations: tuple[StatementCapitalisation, ...]

    @property
    def outstanding(self) -> Decimal:
        return self.principal + self.interest


@dataclass(frozen=True)
class PaymentImputation:
    """Where one payment went (negative parts: a reversal undoing earlier imputations)."""

    payment_id: int
    date: dt.date
    amount: Decimal
    invoice_id: int
    credit_note: bool
    to_costs: Decimal
    to_interest: Decimal
    to_principal: Decimal
    overpayment: Decimal
    interest_by_invoice: tuple[tuple[int, Decimal], ...]
    principal_by_invoice: tuple[tuple[int, Decimal], ...]


@dataclass(frozen=True)
class Statement:
    on: dt.date
    commercial: bool
    invoices: tuple[InvoiceStatement, ...]
    costs: Decimal  # due on ``on`` (zero before ``costs_on``)
    costs_vat: Decimal
    costs_on: dt.date | None
    paid_to_costs: Decimal
    paid_to_interest: Decimal
    paid_to_principal: Decimal
    paid: Decimal  # what the debt absorbed: the sum of the three above
    received: Decimal  # every payment, reversals subtracted
    overpaid: Decimal  # received beyond the debt: to refund or hold, never negative outstanding
    credited: Decimal
    credit_excess: Decimal
    imputations: tuple[PaymentImputation, ...]
    rates_unconfirmed_from: dt.date | None  # interest from this day on uses a rate the table only assumes

    @property
    def principal_total(self) -> Decimal:
        return sum((i.principal_original for i in self.invoices), ZERO)

    @property
    def reopened(self) -> Decimal:
        return sum((i.reopened for i in self.invoices), ZERO)

    @property
    def interest_total(self) -> Decimal:
        return sum((i.interest_accrued for i in self.invoices), ZERO)

    @property
    def principal_left(self) -> Decimal:
        return sum((i.principal for i in self.invoices), ZERO)

    @property
    def interest_left(self) -> Decimal:
        return sum((i.interest for i in self.invoices), ZERO)

    @property
    def costs_left(self) -> Decimal:
        return self.costs + self.costs_vat - self.paid_to_costs

    @property
    def outstanding(self) -> Decimal:
        return self.principal_left + self.interest_left + self.costs_left


@dataclass(frozen=True)
class Settlement:
    """What the money received is for: the creditor's share and the collector's."""

    to_creditor: Decimal  # principal and interest paid
    to_collector: Decimal  # collection costs (and their VAT) paid
    to_refund: Decimal  # overpaid: belongs to the debtor
    creditor_fee: Decimal  # No Cure No Pay: always zero, the collector's pay is the costs it collects


def dossier_settlement(statement: Statement) -> Settlement:
    """Split a dossier's receipts between creditor and collector.

    The creditor receives what was imputed to principal and interest; the collector what was imputed
    to the collection costs (art. 6:44 BW puts costs first, so the collector is paid before the
    creditor). No Cure No Pay: the creditor pays the collector no fee of its own, so a dossier where
    nothing was paid costs the creditor nothing and yields the collector nothing.
    """
    return Settlement(
        to_creditor=statement.paid_to_principal + statement.paid_to_interest,
        to_collector=statement.paid_to_costs,
        to_refund=statement.overpaid,
        creditor_fee=ZERO,
    )


# --- the computation ---------------------------------------------------------------------------------


@dataclass
class _Running:
    """One invoice while its history is replayed; money in cents except ``year_exact``."""

    facts: InvoiceFacts
    principal: Decimal
    accrued_to: dt.date  # interest counted through this day
    year: int = 1  # the interest year running: (start + year - 1 years, start + year years]
    year_exact: Decimal = Decimal(0)  # this year's interest, unrounded
    year_paid: Decimal = ZERO  # interest paid in this year (negative after a reversal of earlier years')
    accrued_done: Decimal = ZERO  # rounded interest of the years closed
    capitalised: Decimal = ZERO
    paid_to_interest: Decimal = ZERO
    paid_to_principal: Decimal = ZERO
    credited: Decimal = ZERO
    reopened: Decimal = ZERO
    periods: list[tuple[int, InterestPeriod]] = field(default_factory=list)
    capitalisations: list[StatementCapitalisation] = field(default_factory=list)

    @property
    def start(self) -> dt.date:
        return self.facts.interest_from - ONE_DAY

    @property
    def anniversary(self) -> dt.date:
        return self.start + relativedelta(years=self.year)  # from the start: no drift after 29 February

    @property
    def interest_owed(self) -> Decimal:
        return to_money(self.year_exact) - self.year_paid


@dataclass
class _Dossier:
    facts: StatementFacts
    invoices: list[_Running]  # oldest first
    paid_to_costs: Decimal = ZERO
    overpaid: Decimal = ZERO
    received: Decimal = ZERO
    credit_excess: Decimal = ZERO
    unconfirmed: list[dt.date] = field(default_factory=list)
    imputations: list[PaymentImputation] = field(default_factory=list)

    def costs_due(self, on: dt.date) -> Decimal:
        facts = self.facts
        if facts.costs_on is None or facts.costs_on > on:
            return ZERO
        return to_money(facts.costs) + to_money(facts.costs_vat)

    def invoice(self, invoice_id: int) -> _Running:
        for running in self.invoices:
            if running.facts.id == invoice_id:
                return running
        raise ValueError(f"payment recorded on invoice {invoice_id}, which is not in the dossier")


def dossier_statement(facts: StatementFacts, on: dt.date) -> Statement:
    """The dossier's statement at the end of day ``on``: payments dated after ``on`` do not count yet."""
    dossier = _Dossier(facts=facts, invoices=[_running(invoice) for invoice in _oldest_first(facts.invoices)])
    payments = sorted((p for p in facts.payments if p.date <= on), key=lambda p: (p.date, p.id))
    for day, of_day in groupby(payments, key=lambda p: p.date):
        _advance_all(dossier, day)
        for payment in of_day:
            _apply(dossier, payment)
        _capitalise_due(dossier, day)
    _advance_all(dossier, on)
    _capitalise_due(dossier, on)
    return _statement(dossier, on)


def _oldest_first(invoices: Iterable[InvoiceFacts]) -> list[InvoiceFacts]:
    return sorted(invoices, key=lambda i: (i.due_date, i.number, i.id))


def _running(invoice: InvoiceFacts) -> _Running:
    principal = to_money(invoice.principal)
    if principal < ZERO:
        raise ValueError(f"invoice {invoice.number}: a principal cannot be negative ({principal})")
    return _Running(facts=invoice, principal=principal, accrued_to=invoice.interest_from - ONE_DAY)


def _advance_all(dossier: _Dossier, to: dt.date) -> None:
    for running in dossier.invoices:
        _advance(dossier, running, to)


def _advance(dossier: _Dossier, running: _Running, to: dt.date) -> None:
    """Accrue interest through ``to``, capitalising each anniversary passed before ``to``."""
    while running.accrued_to < to:
        if running.accrued_to == running.anniversary:
            _capitalise(running)
        stretch_end = min(to, running.anniversary)
        _accrue(dossier, running, running.accrued_to, stretch_end)
        running.accrued_to = stretch_end


def _accrue(dossier: _Dossier, running: _Running, start: dt.date, end: dt.date) -> None:
    """One stretch of constant principal inside one interest year, by ``statutory_interest``.

    A stretch never reaches a full year counted from its own start except when it is exactly one
    year (then ``statutory_interest`` capitalises only at its end, after every period); a year that
    runs from 28 February to 29 February is one day longer and is cut in two first.
    """
    if start + relativedelta(years=1) < end:
        middle = start + relativedelta(months=6)
        _accrue(dossier, running, start, middle)
        _accrue(dossier, running, middle, end)
        return
    result = statutory_interest(running.principal, start, end, commercial=dossier.facts.commercial)
    for period in result.periods:
        running.periods.append((running.year, period))
        running.year_exact += period.amount
    if result.rates_unconfirmed_from is not None and running.principal > ZERO:
        dossier.unconfirmed.append(max(result.rates_unconfirmed_from, start + ONE_DAY))


def _capitalise_due(dossier: _Dossier, day: dt.date) -> None:
    for running in dossier.invoices:
        if running.accrued_to == day == running.anniversary:
            _capitalise(running)


def _capitalise(running: _Running) -> None:
    """A full year passed: its unpaid interest, in cents, joins the principal (art. 6:119 lid 2 BW)."""
    amount = running.interest_owed
    running.capitalisations.append(StatementCapitalisation(on=running.anniversary, amount=amount))
    running.accrued_done += to_money(running.year_exact)
    running.capitalised += amount
    running.principal += amount
    running.year, running.year_exact, running.year_paid = running.year + 1, Decimal(0), ZERO


def _apply(dossier: _Dossier, payment: PaymentFacts) -> None:
    amount = to_money(payment.amount)
    recorded_on = dossier.invoice(payment.invoice_id)
    if payment.credit_note:
        dossier.imputations.append(_credit(dossier, payment, amount, recorded_on))
    elif amount >= ZERO:
        dossier.received += amount
        dossier.imputations.append(_pay(dossier, payment, amount, recorded_on))
    else:
        dossier.received += amount
        dossier.imputations.append(_reverse(dossier, payment, -amount, recorded_on))


def _pay(dossier: _Dossier, payment: PaymentFacts, amount: Decimal, recorded_on: _Running) -> PaymentImputation:
    """Art. 6:44 BW over the whole dossier, then spread over its invoices."""
    imputation = impute_payment(
        amount,
        costs=dossier.costs_due(payment.date) - dossier.paid_to_costs,
        interest=sum((r.interest_owed for r in dossier.invoices), ZERO),
        principal=sum((r.principal for r in dossier.invoices), ZERO),
    )
    dossier.paid_to_costs += imputation.to_costs
    dossier.overpaid += imputation.overpayment
    to_interest = _spread(imputation.to_interest, dossier.invoices, lambda r: r.interest_owed)
    for running, part in to_interest:
        running.year_paid += part
        running.paid_to_interest += part
    principal_order = [recorded_on, *(r for r in dossier.invoices if r is not recorded_on)]
    to_principal = _spread(imputation.to_principal, principal_order, lambda r: r.principal)
    for running, part in to_principal:
        running.principal -= part
        running.paid_to_principal += part
    return _imputation(payment, amount, imputation.to_costs, to_interest, to_principal, imputation.overpayment)


def _reverse(dossier: _Dossier, payment: PaymentFacts, amount: Decimal, recorded_on: _Running) -> PaymentImputation:
    """Money taken back: undo the imputations last-first, so what stays paid is imputed as art. 6:44 says."""
    from_overpaid = min(amount, dossier.overpaid)
    dossier.overpaid -= from_overpaid
    rest = amount - from_overpaid
    newest_first = dossier.invoices[::-1]
    principal_order = [recorded_on, *(r for r in newest_first if r is not recorded_on)]
    from_principal = _spread(rest, principal_order, lambda r: r.paid_to_principal)
    for running, part in from_principal:
        running.principal += part
        running.paid_to_principal -= part
    rest -= sum((part for _, part in from_principal), ZERO)
    from_interest = _spread(rest, newest_first, lambda r: r.paid_to_interest)
    for running, part in from_interest:
        running.year_paid -= part
        running.paid_to_interest -= part
    rest -= sum((part for _, part in from_interest), ZERO)
    from_costs = min(rest, dossier.paid_to_costs)
    dossier.paid_to_costs -= from_costs
    rest -= from_costs
    if rest:  # paid before the dossier, taken back now: the invoice owes it again
        recorded_on.principal += rest
        recorded_on.reopened += rest
        dossier.received += rest  # the money it takes back was never received in the dossier
        from_principal = [*from_principal, (recorded_on, rest)]
    return _imputation(payment, -amount, -from_costs, _negated(from_interest), _negated(from_principal), -from_overpaid)


def _credit(dossier: _Dossier, payment: PaymentFacts, amount: Decimal, invoice: _Running) -> PaymentImputation:
    """A credit note lowers its invoice; past the principal left it frees what was paid on it."""
    if amount <= ZERO:
        raise ValueError(f"credit note {payment.id}: the amount must be positive, not {amount}")
    off_principal = min(amount, invoice.principal)
    invoice.principal -= off_principal
    freed = min(amount - off_principal, invoice.paid_to_principal)
    invoice.paid_to_principal -= freed
    dossier.overpaid += freed
    dossier.credit_excess += amount - off_principal - freed
    invoice.credited += off_principal + freed
    return _imputation(payment, amount, ZERO, [], [(invoice, off_principal + freed)], freed)


def _spread(
    amount: Decimal, order: list[_Running], capacity: Callable[[_Running], Decimal]
) -> list[tuple[_Running, Decimal]]:
    """Fill each invoice in ``order`` up to ``capacity(invoice)`` until ``amount`` is used up."""
    parts: list[tuple[_Running, Decimal]] = []
    for running in order:
        part = min(amount, capacity(running))
        if part > ZERO:
            parts.append((running, part))
            amount -= part
    return parts


def _negated(parts: list[tuple[_Running, Decimal]]) -> list[tuple[_Running, Decimal]]:
    return [(running, -part) for running, part in parts]


def _imputation(
    payment: PaymentFacts,
    amount: Decimal,
    to_costs: Decimal,
    to_interest: list[tuple[_Running, Decimal]],
    to_principal: list[tuple[_Running, Decimal]],
    overpayment: Decimal,
) -> PaymentImputation:
    return PaymentImputation(
        payment_id=payment.id,
        date=payment.date,
        amount=amount,
        invoice_id=payment.invoice_id,
        credit_note=payment.credit_note,
        to_costs=to_costs,
        to_interest=sum((part for _, part in to_interest), ZERO),
        to_principal=sum((part for _, part in to_principal), ZERO),
        overpayment=overpayment,
        interest_by_invoice=tuple((r.facts.id, part) for r, part in to_interest),
        principal_by_invoice=tuple((r.facts.id, part) for r, part in to_principal),
    )


def _statement(dossier: _Dossier, on: dt.date) -> Statement:
    invoices = tuple(_invoice_statement(running) for running in dossier.invoices)
    facts = dossier.facts
    costs_due = facts.costs_on is not None and facts.costs_on <= on
    return Statement(
        on=on,
        commercial=facts.commercial,
        invoices=invoices,
        costs=to_money(facts.costs) if costs_due else ZERO,
        costs_vat=to_money(facts.costs_vat) if costs_due else ZERO,
        costs_on=facts.costs_on,
        paid_to_costs=dossier.paid_to_costs,
        paid_to_interest=sum((i.paid_to_interest for i in invoices), ZERO),
        paid_to_principal=sum((i.paid_to_principal for i in invoices), ZERO),
        paid=dossier.paid_to_costs + sum((i.paid_to_interest + i.paid_to_principal for i in invoices), ZERO),
        received=dossier.received,
        overpaid=dossier.overpaid,
        credited=sum((i.credited for i in invoices), ZERO),
        credit_excess=dossier.credit_excess,
        imputations=tuple(dossier.imputations),
        rates_unconfirmed_from=min(dossier.unconfirmed, default=None),
    )


def _invoice_statement(running: _Running) -> InvoiceStatement:
    facts = running.facts
    return InvoiceStatement(
        id=facts.id,
        number=facts.number,
        due_date=facts.due_date,
        interest_from=facts.interest_from,
        principal_original=to_money(facts.principal),
        credited=running.credited,
        reopened=running.reopened,
        paid_to_principal=running.paid_to_principal,
        principal=running.principal,
        interest_accrued=running.accrued_done + to_money(running.year_exact),
        interest_capitalised=running.capitalised,
        paid_to_interest=running.paid_to_interest,
        interest=running.interest_owed,
        periods=_statement_periods(running.periods),
        capitalisations=tuple(running.capitalisations),
    )


def _statement_periods(periods: list[tuple[int, InterestPeriod]]) -> tuple[StatementPeriod, ...]:
    """Adjacent periods of one year at one rate on one basis merge; amounts rounded cumulatively per year."""
    merged: list[tuple[int, InterestPeriod]] = []
    for year, period in periods:
        if merged and _continues(merged[-1], year, period):
            last = merged.pop()[1]
            period = InterestPeriod(
                start=last.start,
                end=period.end,
                days=last.days + period.days,
                rate=period.rate,
                base=period.base,
                amount=last.amount + period.amount,
            )
        merged.append((year, period))
    result: list[StatementPeriod] = []
    for _year, of_year in groupby(merged, key=lambda item: item[0]):
        running_exact, running_rounded = Decimal(0), ZERO
        for _, period in of_year:
            running_exact += period.amount
            amount = to_money(running_exact) - running_rounded
            running_rounded += amount
            result.append(
                StatementPeriod(
                    start=period.start,
                    end=period.end,
                    days=period.days,
                    rate=period.rate,
                    basis=period.base,
                    amount=amount,
                    exact_amount=period.amount,
                )
            )
    return tuple(result)


def _continues(previous: tuple[int, InterestPeriod], year: int, period: InterestPeriod) -> bool:
    last_year, last = previous
    return last_year == year and last.end == period.start and last.rate == period.rate and last.base == period.base
