from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus, PaymentSource
from tests.factories import TODAY, DebtorFactory, InvoiceFactory, PaymentFactory

DAY = dt.timedelta(days=1)


def unsaved_invoice(**kwargs) -> Invoice:
    values = {
        "number": "2026-1",
        "issue_date": TODAY - 30 * DAY,
        "due_date": TODAY,
        "amount": Decimal("121.00"),
        "open_amount": Decimal("121.00"),
        "status": InvoiceStatus.OPEN,
    }
    return Invoice(**{**values, **kwargs})


def test_the_paid_amount_is_the_amount_minus_what_is_open() -> None:
    assert unsaved_invoice(open_amount=Decimal("21.50")).paid_amount == Decimal("99.50")


def test_an_invoice_is_overdue_from_the_day_after_its_due_date() -> None:
    invoice = unsaved_invoice(due_date=TODAY)
    assert not invoice.is_overdue(TODAY)
    assert invoice.is_overdue(TODAY + DAY)


@pytest.mark.parametrize(
    "changes",
    [
        {"status": InvoiceStatus.PAID, "open_amount": Decimal("0")},
        {"status": InvoiceStatus.CREDITED},
        {"status": InvoiceStatus.WRITTEN_OFF},
        {"open_amount": Decimal("0.00")},
    ],
)
def test_an_invoice_with_nothing_to_pay_is_never_overdue(changes) -> None:
    assert not unsaved_invoice(due_date=TODAY - 60 * DAY, **changes).is_overdue(TODAY)


def test_days_overdue_counts_from_the_due_date_and_is_never_negative() -> None:
    invoice = unsaved_invoice(due_date=TODAY - 12 * DAY)
    assert invoice.days_overdue(TODAY) == 12
    assert invoice.days_overdue(TODAY - 20 * DAY) == 0


def test_a_debtors_first_address_and_number_are_its_main_ones() -> None:
    debtor = Debtor(name="X", emails=["a@x.test", "b@x.test"], phones=["+31201234567"])
    assert (debtor.email, debtor.phone) == ("a@x.test", "+31201234567")
    assert (Debtor(name="Y").email, Debtor(name="Y").phone) == ("", "")


def test_a_debtors_address_lines_leave_out_what_is_empty() -> None:
    assert Debtor(street="Damrak 1", postal_code="1012 LG", city="Amsterdam").address_lines == [
        "Damrak 1",
        "1012 LG Amsterdam",
    ]
    assert Debtor(city="Zwolle").address_lines == ["Zwolle"]
    assert Debtor().address_lines == []


def test_a_debtor_is_a_business_or_a_consumer() -> None:
    assert Debtor(kind=DebtorKind.BUSINESS).is_business
    assert not Debtor(kind=DebtorKind.CONSUMER).is_business


def test_names_show_as_text() -> None:
    assert str(Debtor(name="Acme")) == "Acme"
    assert str(unsaved_invoice(number="F-9")) == "F-9"


# --- database constraints: a bug that bypasses the services still cannot store nonsense -------------


def refused(**kwargs) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceFactory(**kwargs)


@pytest.mark.django_db
def test_a_paid_invoice_has_nothing_open() -> None:
    refused(status=InvoiceStatus.PAID, open_amount=Decimal("1.00"))


@pytest.mark.django_db
def test_the_due_date_is_not_before_the_invoice_date() -> None:
    refused(issue_date=TODAY, due_date=TODAY - DAY)


@pytest.mark.django_db
def test_the_open_amount_is_not_negative() -> None:
    refused(open_amount=Decimal("-0.01"))


@pytest.mark.django_db
def test_an_invoice_number_is_not_empty() -> None:
    refused(number="")


@pytest.mark.django_db
def test_a_payment_is_more_than_zero() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(amount=Decimal("0.00"))


@pytest.mark.django_db
def test_a_reference_is_stored_once_per_organization_and_source() -> None:
    first = PaymentFactory(source=PaymentSource.MOLLIE, reference="tr_1")
    PaymentFactory(invoice=first.invoice, source=PaymentSource.IMPORT, reference="tr_1")
    PaymentFactory(invoice=first.invoice, reference="")
    PaymentFactory(invoice=first.invoice, reference="")  # no reference: no uniqueness
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentFactory(invoice=first.invoice, source=PaymentSource.MOLLIE, reference="tr_1")


@pytest.mark.django_db
def test_a_pause_reason_exists_only_while_paused() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        DebtorFactory(is_paused=False, pause_reason="stale")


@pytest.mark.django_db
def test_a_debtors_external_id_is_unique_within_its_organization_only() -> None:
    first = DebtorFactory(external_id="CRM-1")
    DebtorFactory(external_id="CRM-1")  # another organization
    DebtorFactory(organization=first.organization, external_id="")
    DebtorFactory(organization=first.organization, external_id="")
    with pytest.raises(IntegrityError), transaction.atomic():
        DebtorFactory(organization=first.organization, external_id="CRM-1")
