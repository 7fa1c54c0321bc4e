from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from invoices.models import Debtor, Invoice, InvoiceStatus, PaymentSource
from invoices.services import DebtorData, InvoiceData, invoice_upsert, invoices_upsert_many, payment_record
from invoices.services.upsert import invoice_data_errors

pytestmark = pytest.mark.django_db

ISSUED = dt.date(2026, 10, 1)


def data(number: str = "F-1", amount: str = "121.00", **overrides: object) -> InvoiceData:
    values: dict[str, object] = {
        "number": number, "debtor": DebtorData(name="Bakkerij Jansen", external_id="D1", emails=["a@b.test"]),
        "issue_date": ISSUED, "due_date": ISSUED + dt.timedelta(days=30), "amount": Decimal(amount),
        "vat_amount": Decimal("21.00"),
    }  # fmt: skip
    values.update(overrides)
    return InvoiceData(**values)  # type: ignore[arg-type]


def test_the_same_data_twice_changes_nothing(org_a) -> None:
    first, outcome = invoice_upsert(organization=org_a.organization, data=data())
    assert outcome == "created"
    again, outcome = invoice_upsert(organization=org_a.organization, data=data())
    assert outcome == "unchanged"
    assert again.pk == first.pk and again.updated_at == first.updated_at
    assert Invoice.objects.for_organization(org_a.organization).count() == 1
    assert Debtor.objects.for_organization(org_a.organization).count() == 1


def test_changed_amounts_update_the_invoice_and_keep_what_was_paid_here(org_a) -> None:
    invoice, _ = invoice_upsert(organization=org_a.organization, data=data(amount="100.00"))
    payment_record(organization=org_a.organization, invoice=invoice, amount=Decimal("30.00"), date=ISSUED)
    updated, outcome = invoice_upsert(organization=org_a.organization, data=data(amount="150.00"))
    assert outcome == "updated"
    assert (updated.amount, updated.open_amount) == (Decimal("150.00"), Decimal("120.00"))


def test_a_stated_open_amount_wins_and_zero_means_paid(org_a) -> None:
    invoice, _ = invoice_upsert(organization=org_a.organization, data=data(open_amount=Decimal("0.00")))
    assert (invoice.status, invoice.open_amount) == (InvoiceStatus.PAID, Decimal("0.00"))
    invoice, _ = invoice_upsert(organization=org_a.organization, data=data(open_amount=Decimal("21.00")))
    assert (invoice.status, invoice.open_amount) == (InvoiceStatus.OPEN, Decimal("21.00"))


def test_an_external_id_matches_before_the_number_and_links_a_number_only_invoice(org_a) -> None:
    by_number, _ = invoice_upsert(organization=org_a.organization, data=data())
    linked, outcome = invoice_upsert(organization=org_a.organization, data=data(external_id="mb-77"))
    assert (linked.pk, linked.external_id, outcome) == (by_number.pk, "mb-77", "updated")
    renumbered, _ = invoice_upsert(organization=org_a.organization, data=data(number="F-1b", external_id="mb-77"))
    assert renumbered.pk == by_number.pk
    assert Invoice.objects.for_organization(org_a.organization).count() == 1


def test_the_same_number_in_another_organization_is_another_invoice(org_a, org_b) -> None:
    mine, _ = invoice_upsert(organization=org_a.organization, data=data())
    theirs, outcome = invoice_upsert(organization=org_b.organization, data=data())
    assert outcome == "created" and theirs.pk != mine.pk
    assert theirs.debtor.organization_id == org_b.organization.pk


def test_a_debtor_is_matched_by_name_without_an_external_id_and_unstated_fields_are_kept(org_a) -> None:
    consumer = DebtorData(name="Piet Pietersen", kind="b2c", phones=["+31611111111"])
    invoice_upsert(organization=org_a.organization, data=data(debtor=consumer))
    invoice_upsert(organization=org_a.organization, data=data(number="F-2", debtor=DebtorData(name="piet pietersen")))
    debtor = Debtor.objects.for_organization(org_a.organization).get()
    assert (debtor.kind, debtor.phones) == ("b2c", ["+31611111111"])


def test_many_rows_are_written_in_batches_with_the_last_duplicate_winning(org_a) -> None:
    rows = [data(number=f"F-{n}", amount=str(n + 1)) for n in range(25)] + [data(number="F-3", amount="999.00")]
    result = invoices_upsert_many(organization=org_a.organization, rows=rows, batch_size=10)
    assert (result.created, result.updated, result.unchanged) == (25, 1, 0)  # F-3 again in the last batch
    invoice = Invoice.objects.for_organization(org_a.organization).get(number="F-3")
    assert invoice.amount == Decimal("999.00")
    same_batch = [data(number="G-1", amount="1.00"), data(number="G-1", amount="2.00")]
    result = invoices_upsert_many(organization=org_a.organization, rows=same_batch)
    assert result.created == 1
    assert Invoice.objects.for_organization(org_a.organization).get(number="G-1").amount == Decimal("2.00")


def test_a_credited_invoice_has_nothing_open(org_a) -> None:
    invoice, _ = invoice_upsert(organization=org_a.organization, data=data(status=InvoiceStatus.CREDITED))
    assert (invoice.status, invoice.open_amount) == (InvoiceStatus.CREDITED, Decimal("0.00"))
    assert PaymentSource.MANUAL  # sources stay importable


def test_invalid_rows_are_explained() -> None:
    bad = data(number=" ", amount="-1.00", due_date=ISSUED - dt.timedelta(days=1), currency="euro")
    fields = [name for name, _reason in invoice_data_errors(bad)]
    assert fields == ["number", "amount", "due_date", "currency"]
