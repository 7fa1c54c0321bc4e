from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from invoices import selectors
from invoices.models import InvoiceStatus, PaymentSource
from tests.factories import TODAY, DebtorFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def numbers(invoices) -> list[str]:
    return [invoice.number for invoice in invoices]


def test_receivables_totals_are_right_to_the_cent(org_a, ledger) -> None:
    totals = selectors.receivables_totals(organization=org_a.organization, today=TODAY)
    assert totals.open_amount == ledger.open_amount
    assert totals.overdue_amount == ledger.overdue_amount
    assert (totals.open_count, totals.overdue_count, totals.debtor_count) == (4, 2, 2)


def test_receivables_totals_of_the_other_organization_count_only_its_own(org_b, ledger) -> None:
    totals = selectors.receivables_totals(organization=org_b.organization, today=TODAY)
    assert (totals.open_amount, totals.overdue_amount, totals.open_count) == (Decimal("5000.00"), Decimal("5000.00"), 1)


def test_receivables_totals_are_zero_without_invoices(org_a) -> None:
    totals = selectors.receivables_totals(organization=org_a.organization, today=TODAY)
    assert (totals.open_amount, totals.overdue_amount, totals.debtor_count) == (Decimal("0.00"), Decimal("0.00"), 0)


def test_debtor_totals_count_only_that_debtors_open_euro_invoices(org_a, ledger) -> None:
    acme = selectors.debtor_totals(organization=org_a.organization, debtor=ledger.acme, today=TODAY)
    assert (acme.open_amount, acme.overdue_amount) == (Decimal("321.25"), Decimal("200.25"))
    assert (acme.open_count, acme.overdue_count) == (2, 1)
    bakker = selectors.debtor_totals(organization=org_a.organization, debtor=ledger.bakker, today=TODAY)
    assert (bakker.open_amount, bakker.overdue_amount) == (Decimal("1010.00"), Decimal("999.99"))


def test_invoice_list_holds_only_the_organizations_invoices(org_a, ledger) -> None:
    invoices = selectors.invoice_list(organization=org_a.organization, today=TODAY)
    assert ledger.foreign not in invoices
    assert len(invoices) == 7


def test_invoice_list_filters_by_status(org_a, ledger) -> None:
    paid = selectors.invoice_list(organization=org_a.organization, today=TODAY, status=InvoiceStatus.PAID)
    assert numbers(paid) == ["2026-0005"]


def test_invoice_list_ignores_an_unknown_status(org_a, ledger) -> None:
    assert len(selectors.invoice_list(organization=org_a.organization, today=TODAY, status="bogus")) == 7


def test_overdue_means_open_with_something_to_pay_and_past_the_due_date(org_a, ledger) -> None:
    overdue = selectors.invoice_list(organization=org_a.organization, today=TODAY, overdue=True, sort="number")
    assert numbers(overdue) == ["2026-0002", "2026-0003", "2026-0007"]


def test_every_listed_invoice_says_whether_it_is_overdue(org_a, ledger) -> None:
    invoices = selectors.invoice_list(organization=org_a.organization, today=TODAY)
    assert {invoice.number for invoice in invoices if invoice.overdue} == {"2026-0002", "2026-0003", "2026-0007"}
    for listed in invoices:
        assert listed.overdue == listed.is_overdue(TODAY)  # the SQL and the model agree


def test_invoice_list_searches_number_debtor_name_and_external_id(org_a, ledger) -> None:
    def search(term: str) -> list[str]:
        return numbers(selectors.invoice_list(organization=org_a.organization, today=TODAY, search=term, sort="number"))

    assert search("0003") == ["2026-0003"]
    assert search("  bakkerij ") == ["2026-0003", "2026-0004", "2026-0006", "2026-0007"]
    assert search("foreign") == []  # organization B's debtor
    InvoiceFactory(debtor=ledger.acme, number="X-1", external_id="EXACT-9")
    assert search("EXACT-9") == ["X-1"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("number", ["2026-0001", "2026-0002", "2026-0003"]),
        ("-number", ["2026-0007", "2026-0006", "2026-0005"]),
        ("open_amount", ["2026-0006", "2026-0005", "2026-0004"]),  # equal amounts: newest first
        ("-amount", ["2026-0003", "2026-0005", "2026-0006"]),
        ("due_date", ["2026-0005", "2026-0003", "2026-0006"]),
    ],
)
def test_invoice_list_sorts(org_a, ledger, sort, expected) -> None:
    invoices = selectors.invoice_list(organization=org_a.organization, today=TODAY, sort=sort)
    assert numbers(invoices)[:3] == expected


def test_invoice_list_sorts_by_debtor_name_both_ways(org_a, ledger) -> None:
    ascending = selectors.invoice_list(organization=org_a.organization, today=TODAY, sort="debtor")
    descending = selectors.invoice_list(organization=org_a.organization, today=TODAY, sort="-debtor")
    assert ascending[0].debtor == ledger.acme
    assert descending[0].debtor == ledger.bakker


def test_an_unknown_sort_falls_back_to_the_most_days_overdue_first(org_a, ledger) -> None:
    invoices = selectors.invoice_list(organization=org_a.organization, today=TODAY, sort="organization_id")
    assert invoices[0] == ledger.long_overdue


def test_invoice_list_narrows_to_one_debtor(org_a, ledger) -> None:
    invoices = selectors.invoice_list(organization=org_a.organization, today=TODAY, debtor=ledger.acme, sort="number")
    assert numbers(invoices) == ["2026-0001", "2026-0002", "2026-0005"]


def test_invoice_list_totals_follow_the_filters(org_a, ledger) -> None:
    everything = selectors.invoice_list(organization=org_a.organization, today=TODAY)
    totals = selectors.invoice_list_totals(invoices=everything, today=TODAY)
    assert (totals.count, totals.open_amount, totals.overdue_amount) == (7, ledger.open_amount, ledger.overdue_amount)
    acme = selectors.invoice_list(organization=org_a.organization, today=TODAY, search="Acme")
    totals = selectors.invoice_list_totals(invoices=acme, today=TODAY)
    assert (totals.count, totals.open_amount, totals.overdue_amount) == (3, Decimal("321.25"), Decimal("200.25"))


def test_debtor_list_annotates_open_and_overdue_amounts_biggest_overdue_first(org_a, ledger) -> None:
    DebtorFactory(organization=org_a.organization, name="Zonder Facturen")
    debtors = list(selectors.debtor_list(organization=org_a.organization, today=TODAY))
    assert [debtor.name for debtor in debtors] == ["Bakkerij De Vries", "Acme Bouw B.V.", "Zonder Facturen"]
    bakker, acme, empty = debtors
    assert (bakker.open_amount, bakker.overdue_amount, bakker.open_count) == (Decimal("1010.00"), Decimal("999.99"), 3)
    assert (acme.open_amount, acme.overdue_amount, acme.open_count) == (Decimal("321.25"), Decimal("200.25"), 2)
    assert (empty.open_amount, empty.overdue_amount, empty.open_count) == (Decimal("0.00"), Decimal("0.00"), 0)
    assert acme.last_invoice_date == TODAY - dt.timedelta(days=60)


def test_debtor_list_searches_name_contact_email_and_identifiers(org_a, ledger) -> None:
    DebtorFactory(
        organization=org_a.organization,
        name="Jansen",
        contact_person="Piet Pietersen",
        emails=["Boekhouding@Jansen.test"],
        kvk_number="87654321",
        external_id="CRM-7",
    )

    def search(term: str) -> list[str]:
        debtors = selectors.debtor_list(organization=org_a.organization, today=TODAY, search=term)
        return [debtor.name for debtor in debtors]

    assert search("acme") == ["Acme Bouw B.V."]
    assert search("pietersen") == ["Jansen"]
    assert search("Boekhouding@Jansen.test") == ["Jansen"]
    assert search("87654321") == ["Jansen"]
    assert search("CRM-7") == ["Jansen"]
    assert search("Acme Foreign") == []  # organization B's debtor


def test_invoice_payments_lists_the_newest_first(org_a, invoice_a) -> None:
    older = PaymentFactory(invoice=invoice_a, date=TODAY.replace(day=1))
    newer = PaymentFactory(invoice=invoice_a, date=TODAY)
    PaymentFactory()  # another organization's
    assert list(selectors.invoice_payments(organization=org_a.organization, invoice=invoice_a)) == [newer, older]


def test_payment_by_reference_looks_only_inside_the_organization_and_source(org_a, invoice_a) -> None:
    payment = PaymentFactory(invoice=invoice_a, source=PaymentSource.MOLLIE, reference="tr_1")
    PaymentFactory(source=PaymentSource.MOLLIE, reference="tr_2")
    find = selectors.payment_by_reference
    assert find(organization=org_a.organization, source=PaymentSource.MOLLIE, reference="tr_1") == payment
    assert find(organization=org_a.organization, source=PaymentSource.IMPORT, reference="tr_1") is None
    assert find(organization=org_a.organization, source=PaymentSource.MOLLIE, reference="tr_2") is None
    assert find(organization=org_a.organization, source=PaymentSource.MANUAL, reference="") is None
