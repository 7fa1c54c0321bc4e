"""Dossier statements worked out by hand (issue 10, point 5; DOMAIN.md §§2, 4).

Each example writes its arithmetic out: interest is principal x rate x days / 365 over the days in
(start, end], exact until rounded once per interest year; payments go costs -> interest -> principal.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from collection.legal import collection_costs, statutory_interest
from collection.statements import (
    InvoiceFacts,
    PaymentFacts,
    Statement,
    StatementFacts,
    dossier_settlement,
    dossier_statement,
)

D = Decimal
date = dt.date


def invoice(id: int, principal: str, due: dt.date, number: str = "") -> InvoiceFacts:
    return InvoiceFacts(
        id=id, number=number or f"F{id}", principal=D(principal), due_date=due, interest_from=due + dt.timedelta(1)
    )


def paid(id: int, on: dt.date, amount: str, invoice_id: int = 1, credit_note: bool = False) -> PaymentFacts:
    return PaymentFacts(id=id, date=on, amount=D(amount), invoice_id=invoice_id, credit_note=credit_note)


def assert_reconciles(statement: Statement) -> None:
    assert statement.paid == statement.paid_to_costs + statement.paid_to_interest + statement.paid_to_principal
    assert statement.received == statement.paid + statement.overpaid
    owed = statement.principal_total + statement.reopened - statement.credited + statement.interest_total
    assert owed + statement.costs + statement.costs_vat - statement.paid == statement.outstanding


class TestAcrossTheJuly2026RateChange:
    """€ 10,000 due 31 March 2026, handelsrente; costs € 875 due 1 May; € 1,000 on 15 June, € 2,000 on 31 August."""

    facts = StatementFacts(
        commercial=True,
        invoices=(invoice(1, "10000.00", date(2026, 3, 31)),),
        costs=D("875.00"),  # WIK on 10,000: 15 % of 2,500 + 10 % of 2,500 + 5 % of 5,000 = 375 + 250 + 250
        costs_on=date(2026, 5, 1),
        payments=(paid(1, date(2026, 6, 15), "1000.00"), paid(2, date(2026, 8, 31), "2000.00")),
    )

    def test_the_costs_are_the_wik_scale(self) -> None:
        assert collection_costs(D("10000.00")) == self.facts.costs

    def test_the_first_payment_pays_the_costs_then_part_of_the_interest(self) -> None:
        statement = dossier_statement(self.facts, date(2026, 6, 15))
        # (31 Mar, 15 Jun] = 30 + 31 + 15 = 76 days at 10.15 %: 10,000 x 0.1015 x 76 / 365 = 211.3424... -> 211.34
        # 1,000 -> costs 875.00, interest 125.00; interest left 211.34 - 125 = 86.34
        first = statement.imputations[0]
        assert (first.to_costs, first.to_interest, first.to_principal) == (D("875.00"), D("125.00"), D("0.00"))
        assert statement.invoices[0].interest == D("86.34")
        assert statement.outstanding == D("10086.34")
        assert_reconciles(statement)

    def test_the_second_payment_pays_the_interest_through_its_day_then_principal(self) -> None:
        statement = dossier_statement(self.facts, date(2026, 8, 31))
        # (15 Jun, 30 Jun] 15 days at 10.15 %: 10,000 x 0.1015 x 15 / 365 = 41.7123...
        # (30 Jun, 31 Aug] 62 days at 10.40 %: 10,000 x 0.1040 x 62 / 365 = 176.6575...
        # year so far, exact: (77,140 + 15,225 + 64,480) / 365 = 429.7123... -> 429.71, of which 125 paid
        # 2,000 -> interest 304.71, principal 1,695.29; principal left 8,304.71
        second = statement.imputations[1]
        assert (second.to_costs, second.to_interest, second.to_principal) == (D("0"), D("304.71"), D("1695.29"))
        line = statement.invoices[0]
        assert (line.principal, line.interest, line.interest_accrued) == (D("8304.71"), D("0.00"), D("429.71"))
        assert_reconciles(statement)

    def test_at_the_end_of_the_year_interest_runs_at_ten_forty_on_the_principal_left(self) -> None:
        statement = dossier_statement(self.facts, date(2026, 12, 31))
        # (31 Aug, 31 Dec] = 30 + 31 + 30 + 31 = 122 days at 10.40 % on 8,304.71:
        # 8,304.71 x 0.1040 x 122 / 365 = 288.6853... ; year exact 429.7123 + 288.6853 = 718.3977 -> 718.40
        line = statement.invoices[0]
        assert line.interest_accrued == D("718.40")
        assert line.interest == D("718.40") - D("429.71") == D("288.69")
        assert statement.paid == D("3000.00")
        assert (statement.paid_to_costs, statement.paid_to_interest, statement.paid_to_principal) == (
            D("875.00"),
            D("429.71"),
            D("1695.29"),
        )
        assert statement.outstanding == D("8304.71") + D("288.69") == D("8593.40")
        assert_reconciles(statement)

    def test_the_periods_show_each_rate_and_basis_and_add_up_to_the_interest(self) -> None:
        line = dossier_statement(self.facts, date(2026, 12, 31)).invoices[0]
        # The first payment went to costs and interest only, so the basis stays 10,000 until 31 August.
        rows = [(p.first_day, p.end, p.days, p.rate, p.basis, p.amount) for p in line.periods]
        assert rows == [
            (date(2026, 4, 1), date(2026, 6, 30), 91, D("10.15"), D("10000.00"), D("253.05")),  # 253.0547...
            (date(2026, 7, 1), date(2026, 8, 31), 62, D("10.40"), D("10000.00"), D("176.66")),  # 429.71 - 253.05
            (date(2026, 9, 1), date(2026, 12, 31), 122, D("10.40"), D("8304.71"), D("288.69")),
        ]
        assert sum(p.amount for p in line.periods) == line.interest_accrued

    def test_splitting_at_the_payments_does_not_round_mid_way(self) -> None:
        # Without payments the statement must equal statutory_interest over the whole period exactly.
        no_payments = StatementFacts(commercial=True, invoices=self.facts.invoices)
        statement = dossier_statement(no_payments, date(2026, 12, 31))
        whole = statutory_interest(D("10000.00"), date(2026, 3, 31), date(2026, 12, 31), commercial=True)
        assert statement.invoices[0].interest == whole.interest

    def test_the_settlement_gives_the_costs_to_the_collector_and_the_rest_to_the_creditor(self) -> None:
        settlement = dossier_settlement(dossier_statement(self.facts, date(2026, 12, 31)))
        assert settlement.to_collector == D("875.00")
        assert settlement.to_creditor == D("429.71") + D("1695.29") == D("2125.00")
        assert settlement.creditor_fee == D("0") and settlement.to_refund == D("0")

    def test_a_payment_after_the_statement_date_does_not_count_yet(self) -> None:
        statement = dossier_statement(self.facts, date(2026, 7, 1))
        assert [i.payment_id for i in statement.imputations] == [1]


class TestConsumer:
    def test_a_consumer_pays_wettelijke_rente_of_four_percent(self) -> None:
        facts = StatementFacts(
            commercial=False,
            invoices=(invoice(1, "1200.00", date(2026, 1, 31)),),
            costs=D("180.00"),  # 15 % of 1,200
            costs_on=date(2026, 3, 1),
        )
        statement = dossier_statement(facts, date(2026, 7, 31))
        # (31 Jan, 31 Jul] = 28 + 31 + 30 + 31 + 30 + 31 = 181 days at 4 %: 1,200 x 0.04 x 181 / 365 = 23.8027 -> 23.80
        assert statement.invoices[0].interest == D("23.80")
        assert statement.outstanding == D("1200.00") + D("23.80") + D("180.00") == D("1403.80")
        assert_reconciles(statement)

    def test_the_costs_are_not_owed_before_they_are_due_and_a_payment_then_goes_to_interest_first(self) -> None:
        facts = StatementFacts(
            commercial=False,
            invoices=(invoice(1, "1200.00", date(2026, 1, 31)),),
            costs=D("180.00"),
            costs_on=date(2026, 3, 1),
            payments=(paid(1, date(2026, 2, 28), "100.00"),),
        )
        statement = dossier_statement(facts, date(2026, 2, 28))
        # (31 Jan, 28 Feb] = 28 days at 4 %: 1,200 x 0.04 x 28 / 365 = 3.6821 -> 3.68; costs not yet due
        # 100 -> interest 3.68, principal 96.32
        assert statement.costs == D("0")
        imputation = statement.imputations[0]
        assert (imputation.to_costs, imputation.to_interest, imputation.to_principal) == (
            D("0"),
            D("3.68"),
            D("96.32"),
        )
        assert statement.outstanding == D("1103.68")
        later = dossier_statement(facts, date(2026, 3, 1))
        # On 1 March the costs are due: + 180, and one more day of interest on 1,103.68: 0.1209... -> 0.12
        assert later.costs == D("180.00")
        assert later.outstanding == D("1103.68") + D("180.00") + D("0.12")
        assert_reconciles(later)

    def test_vat_on_the_costs_is_owed_and_paid_as_costs(self) -> None:
        facts = StatementFacts(
            commercial=False,
            invoices=(invoice(1, "500.00", date(2026, 1, 31)),),
            costs=D("75.00"),
            costs_vat=D("15.75"),  # 21 % of 75
            costs_on=date(2026, 1, 31),
            payments=(paid(1, date(2026, 1, 31), "100.00"),),
        )
        statement = dossier_statement(facts, date(2026, 1, 31))
        # no interest yet (it starts 1 February); 100 -> costs 90.75, principal 9.25
        assert (statement.paid_to_costs, statement.paid_to_principal) == (D("90.75"), D("9.25"))
        assert statement.outstanding == D("490.75")
        assert dossier_settlement(statement).to_collector == D("90.75")


class TestYearBoundary:
    facts = StatementFacts(commercial=True, invoices=(invoice(1, "1000.00", date(2025, 1, 31)),))

    def test_a_full_years_interest_joins_the_principal_on_the_anniversary(self) -> None:
        statement = dossier_statement(self.facts, date(2026, 3, 2))
        # Year 1, (31 Jan 2025, 31 Jan 2026]:
        #   150 days at 11.15 %: 1,000 x 0.1115 x 150 / 365 = 45.8219...
        #   215 days at 10.15 % (10.15 % from 1 July 2025, unchanged on 1 January 2026): 59.7876...
        #   exact 105.6095... -> 105.61 capitalised: principal 1,105.61
        # Year 2, (31 Jan, 2 Mar 2026] 30 days at 10.15 % on 1,105.61: 9.2235... -> 9.22
        line = statement.invoices[0]
        assert [(c.on, c.amount) for c in line.capitalisations] == [(date(2026, 1, 31), D("105.61"))]
        assert (line.principal, line.interest, line.interest_accrued) == (D("1105.61"), D("9.22"), D("114.83"))
        assert [p.basis for p in line.periods] == [D("1000.00"), D("1000.00"), D("1105.61")]
        whole = statutory_interest(D("1000.00"), date(2025, 1, 31), date(2026, 3, 2), commercial=True)
        assert whole.interest == line.interest_accrued
        assert_reconciles(statement)

    def test_only_the_unpaid_part_of_a_years_interest_is_capitalised(self) -> None:
        facts = StatementFacts(
            commercial=True, invoices=self.facts.invoices, payments=(paid(1, date(2025, 6, 30), "20.00"),)
        )
        statement = dossier_statement(facts, date(2026, 1, 31))
        # 20 on 30 June 2025 pays interest (45.82 accrued by then); the year's 105.61 less 20 -> 85.61 capitalised
        line = statement.invoices[0]
        assert line.capitalisations[0].amount == D("85.61")
        assert line.principal == D("1085.61")
        assert line.interest == D("0.00")
        assert_reconciles(statement)

    def test_a_payment_on_the_anniversary_pays_that_years_interest_before_it_is_capitalised(self) -> None:
        facts = StatementFacts(
            commercial=True, invoices=self.facts.invoices, payments=(paid(1, date(2026, 1, 31), "200.00"),)
        )
        statement = dossier_statement(facts, date(2026, 1, 31))
        # 200 -> interest 105.61, principal 94.39; nothing left to capitalise
        line = statement.invoices[0]
        assert (line.paid_to_interest, line.paid_to_principal) == (D("105.61"), D("94.39"))
        assert line.capitalisations[0].amount == D("0.00")
        assert line.principal == D("905.61")

    def test_a_period_from_the_29th_of_february_compounds_on_each_anniversary_without_drift(self) -> None:
        # start 29 Feb 2024: anniversaries 28 Feb 2025, 2026, 2027 and 29 Feb 2028 (counted from the start);
        # the interest year (28 Feb 2027, 29 Feb 2028] is 366 days and is still one year with one capitalisation.
        facts = StatementFacts(commercial=True, invoices=(invoice(1, "1000.00", date(2024, 2, 29)),))
        line = dossier_statement(facts, date(2028, 3, 15)).invoices[0]
        assert [c.on for c in line.capitalisations] == [
            date(2025, 2, 28),
            date(2026, 2, 28),
            date(2027, 2, 28),
            date(2028, 2, 29),
        ]
        whole = statutory_interest(D("1000.00"), date(2024, 2, 29), date(2028, 3, 15), commercial=True)
        assert [c.amount for c in line.capitalisations] == [c.amount for c in whole.capitalisations]
        assert line.interest_accrued == whole.interest


class TestPaymentsBeforeInterestAndOverpayment:
    def test_a_payment_before_interest_starts_lowers_the_principal_interest_then_runs_on(self) -> None:
        facts = StatementFacts(
            commercial=True,
            invoices=(invoice(1, "500.00", date(2026, 3, 31)),),
            payments=(paid(1, date(2026, 3, 20), "200.00"),),
        )
        statement = dossier_statement(facts, date(2026, 4, 30))
        # principal 300 from 20 March; (31 Mar, 30 Apr] 30 days at 10.15 %: 300 x 0.1015 x 30 / 365 = 2.5027 -> 2.50
        assert statement.invoices[0].principal == D("300.00")
        assert statement.invoices[0].interest == D("2.50")
        assert_reconciles(statement)

    def test_an_overpayment_is_reported_apart_and_never_makes_the_outstanding_negative(self) -> None:
        facts = StatementFacts(
            commercial=True,
            invoices=(invoice(1, "100.00", date(2026, 1, 31)),),
            costs=D("40.00"),
            costs_on=date(2026, 1, 31),
            payments=(paid(1, date(2026, 1, 31), "150.00"),),
        )
        statement = dossier_statement(facts, date(2026, 6, 30))
        # 150 -> costs 40, principal 100, 10 too much; no principal left, so no interest after
        assert (statement.paid, statement.overpaid, statement.outstanding) == (D("140.00"), D("10.00"), D("0.00"))
        assert statement.interest_total == D("0.00")
        assert dossier_settlement(statement).to_refund == D("10.00")
        assert_reconciles(statement)


class TestSeveralInvoices:
    facts = StatementFacts(
        commercial=True,
        invoices=(invoice(2, "1000.00", date(2026, 2, 28)), invoice(1, "1000.00", date(2026, 1, 31))),
        payments=(paid(1, date(2026, 3, 31), "1000.00", invoice_id=2),),
    )

    def test_interest_goes_oldest_invoice_first_principal_to_the_invoice_it_was_recorded_on_first(self) -> None:
        statement = dossier_statement(self.facts, date(2026, 3, 31))
        # F1 (oldest): (31 Jan, 31 Mar] 59 days: 1,000 x 0.1015 x 59 / 365 = 16.4068 -> 16.41
        # F2: (28 Feb, 31 Mar] 31 days: 8.6205 -> 8.62
        # 1,000 -> interest 16.41 (F1) + 8.62 (F2), principal 974.97 to F2 (recorded on it)
        imputation = statement.imputations[0]
        assert imputation.interest_by_invoice == ((1, D("16.41")), (2, D("8.62")))
        assert imputation.principal_by_invoice == ((2, D("974.97")),)
        assert [i.id for i in statement.invoices] == [1, 2]  # oldest first
        assert [i.principal for i in statement.invoices] == [D("1000.00"), D("25.03")]
        assert_reconciles(statement)

    def test_principal_beyond_the_recorded_invoice_goes_to_the_oldest_other(self) -> None:
        facts = StatementFacts(
            commercial=True,
            invoices=self.facts.invoices,
            payments=(paid(1, date(2026, 3, 31), "1100.00", invoice_id=2),),
        )
        statement = dossier_statement(facts, date(2026, 3, 31))
        # 1,100 - 25.03 interest = 1,074.97: F2's 1,000 then 74.97 off F1
        assert [i.principal for i in statement.invoices] == [D("925.03"), D("0.00")]


class TestReversalsAndCreditNotes:
    base = StatementFacts(
        commercial=True,
        invoices=(invoice(1, "1000.00", date(2026, 1, 31)),),
        costs=D("150.00"),
        costs_on=date(2026, 1, 31),
    )

    def facts(self, *payments: PaymentFacts) -> StatementFacts:
        return StatementFacts(
            commercial=True,
            invoices=self.base.invoices,
            costs=self.base.costs,
            costs_on=self.base.costs_on,
            payments=payments,
        )

    def test_a_charge_back_undoes_the_payment_principal_first(self) -> None:
        facts = self.facts(paid(1, date(2026, 1, 31), "500.00"), paid(2, date(2026, 1, 31), "-500.00"))
        statement = dossier_statement(facts, date(2026, 1, 31))
        assert (statement.paid, statement.received, statement.outstanding) == (D("0"), D("0"), D("1150.00"))
        assert statement.imputations[1].to_principal == D("-350.00")
        assert statement.imputations[1].to_costs == D("-150.00")

    def test_a_reversal_of_part_of_a_payment_leaves_the_costs_paid(self) -> None:
        facts = self.facts(paid(1, date(2026, 1, 31), "500.00"), paid(2, date(2026, 2, 10), "-200.00"))
        statement = dossier_statement(facts, date(2026, 2, 10))
        # 500 -> costs 150, principal 350 (no interest before 1 Feb); -200 back on the principal: 850 from 10 Feb
        # (31 Jan, 10 Feb] 10 days on 650: 650 x 0.1015 x 10 / 365 = 1.8075 -> 1.81
        assert statement.paid_to_costs == D("150.00")
        assert statement.invoices[0].principal == D("850.00")
        assert statement.outstanding == D("851.81")
        assert_reconciles(statement)

    def test_a_reversal_of_money_paid_before_the_dossier_reopens_the_principal(self) -> None:
        statement = dossier_statement(self.facts(paid(1, date(2026, 1, 31), "-80.00")), date(2026, 1, 31))
        assert statement.invoices[0].reopened == D("80.00")
        assert statement.outstanding == D("1230.00")
        assert_reconciles(statement)

    def test_a_credit_note_lowers_the_principal_and_is_not_imputed_to_costs_or_interest(self) -> None:
        facts = self.facts(paid(1, date(2026, 3, 31), "300.00", credit_note=True))
        statement = dossier_statement(facts, date(2026, 3, 31))
        # interest (31 Jan, 31 Mar] 59 days on 1,000: 16.41; credit 300 off the principal only
        assert statement.paid == D("0") and statement.credited == D("300.00")
        assert statement.invoices[0].principal == D("700.00")
        assert statement.outstanding == D("700.00") + D("16.41") + D("150.00")
        assert_reconciles(statement)

    def test_a_credit_note_beyond_the_principal_left_turns_what_was_paid_on_it_into_overpayment(self) -> None:
        facts = self.facts(
            paid(1, date(2026, 1, 31), "650.00"), paid(2, date(2026, 1, 31), "1000.00", credit_note=True)
        )
        statement = dossier_statement(facts, date(2026, 1, 31))
        # 650 -> costs 150, principal 500; credit 1,000: 500 off the principal, 500 paid on it freed
        assert (statement.paid_to_principal, statement.overpaid, statement.outstanding) == (
            D("0"),
            D("500.00"),
            D("0.00"),
        )
        assert_reconciles(statement)

    def test_a_negative_credit_note_is_refused(self) -> None:
        with pytest.raises(ValueError, match="positive"):
            dossier_statement(self.facts(paid(1, date(2026, 1, 31), "-1.00", credit_note=True)), date(2026, 2, 1))

    def test_a_payment_on_an_invoice_outside_the_dossier_is_refused(self) -> None:
        with pytest.raises(ValueError, match="not in the dossier"):
            dossier_statement(self.facts(paid(1, date(2026, 1, 31), "1.00", invoice_id=9)), date(2026, 2, 1))


class TestRateTableGap:
    def test_a_statement_past_the_last_half_year_in_the_table_says_from_when_interest_is_provisional(self) -> None:
        facts = StatementFacts(commercial=True, invoices=(invoice(1, "1000.00", date(2026, 10, 31)),))
        assert dossier_statement(facts, date(2026, 12, 31)).rates_unconfirmed_from is None
        # The table's last row is 1 July 2026; 1 January 2027 has no row yet.
        assert dossier_statement(facts, date(2027, 2, 1)).rates_unconfirmed_from == date(2027, 1, 1)

    def test_a_paid_dossier_has_no_provisional_interest(self) -> None:
        facts = StatementFacts(
            commercial=True,
            invoices=(invoice(1, "1000.00", date(2026, 10, 31)),),
            payments=(paid(1, date(2026, 10, 31), "1000.00"),),
        )
        assert dossier_statement(facts, date(2027, 2, 1)).rates_unconfirmed_from is None
