from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from invoices import services
from invoices.models import Debtor, Invoice, InvoiceStatus, Payment, PaymentSource
from tests.factories import TODAY, DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


def record(invoice: Invoice, amount: str, **kwargs) -> Payment:
    return services.payment_record(
        organization=invoice.organization, invoice=invoice, amount=Decimal(amount), date=TODAY, **kwargs
    )


def payment_count(invoice: Invoice) -> int:
    return Payment.objects.for_organization(invoice.organization).filter(invoice=invoice).count()


# --- payment_record ---------------------------------------------------------------------------------


def test_a_partial_payment_lowers_the_open_amount(invoice_a) -> None:
    payment = record(invoice_a, "21.00")
    invoice_a.refresh_from_db()
    assert invoice_a.open_amount == Decimal("100.00")
    assert invoice_a.status == InvoiceStatus.OPEN
    assert (payment.amount, payment.invoice, payment.organization) == (
        Decimal("21.00"),
        invoice_a,
        invoice_a.organization,
    )


def test_paying_the_rest_marks_the_invoice_paid(invoice_a) -> None:
    record(invoice_a, "21.00")
    record(invoice_a, "100.00")
    invoice_a.refresh_from_db()
    assert (invoice_a.open_amount, invoice_a.status) == (Decimal("0.00"), InvoiceStatus.PAID)


def test_paying_too_much_settles_the_invoice_and_clamps_the_open_amount_at_zero(invoice_a) -> None:
    payment = record(invoice_a, "150.00")
    invoice_a.refresh_from_db()
    assert (invoice_a.open_amount, invoice_a.status) == (Decimal("0.00"), InvoiceStatus.PAID)
    assert payment.amount == Decimal("150.00")  # the surplus stays visible


def test_a_payment_on_a_credited_invoice_keeps_its_status(org_a, debtor_a) -> None:
    invoice = InvoiceFactory(debtor=debtor_a, status=InvoiceStatus.CREDITED)
    record(invoice, "10.00")
    invoice.refresh_from_db()
    assert (invoice.status, invoice.open_amount) == (InvoiceStatus.CREDITED, Decimal("0.00"))


def test_amounts_are_rounded_half_up_to_cents(invoice_a) -> None:
    payment = record(invoice_a, "10.005")
    assert payment.amount == Decimal("10.01")


def test_recording_the_same_source_and_reference_twice_records_once(invoice_a) -> None:
    first = record(invoice_a, "21.00", source=PaymentSource.MOLLIE, reference="tr_abc")
    again = record(invoice_a, "21.00", source=PaymentSource.MOLLIE, reference="tr_abc")
    invoice_a.refresh_from_db()
    assert again == first
    assert payment_count(invoice_a) == 1
    assert invoice_a.open_amount == Decimal("100.00")


def test_a_known_reference_for_another_invoice_changes_neither_invoice(org_a, invoice_a) -> None:
    other = InvoiceFactory(debtor=invoice_a.debtor)
    first = record(invoice_a, "21.00", source=PaymentSource.IMPORT, reference="bank-1")
    assert record(other, "21.00", source=PaymentSource.IMPORT, reference="bank-1") == first
    other.refresh_from_db()
    assert other.open_amount == other.amount
    assert payment_count(other) == 0


def test_the_same_reference_from_another_source_is_another_payment(invoice_a) -> None:
    record(invoice_a, "1.00", source=PaymentSource.MOLLIE, reference="123")
    record(invoice_a, "1.00", source=PaymentSource.IMPORT, reference="123")
    assert payment_count(invoice_a) == 2


def test_the_same_reference_in_another_organization_is_another_payment(invoice_a) -> None:
    foreign = InvoiceFactory()
    record(invoice_a, "1.00", source=PaymentSource.MOLLIE, reference="tr_1")
    record(foreign, "1.00", source=PaymentSource.MOLLIE, reference="tr_1")
    assert payment_count(foreign) == 1


def test_payments_without_a_reference_are_never_deduplicated(invoice_a) -> None:
    record(invoice_a, "1.00")
    record(invoice_a, "1.00")
    assert payment_count(invoice_a) == 2


@pytest.mark.django_db(transaction=True)
def test_two_deliveries_of_one_payment_at_the_same_time_record_it_once() -> None:
    """A webhook and an import deliver the same Mollie payment together, in two real connections."""
    import threading

    from django.db import connection

    invoice = InvoiceFactory(amount=Decimal("100.00"))
    barrier = threading.Barrier(2)
    results: list[object] = []

    def deliver() -> None:
        try:
            barrier.wait(timeout=5)
            results.append(record(invoice, "21.00", source=PaymentSource.MOLLIE, reference="tr_race").pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert len(results) == 2 and results[0] == results[1]
    assert payment_count(invoice) == 1
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal("79.00")


@pytest.mark.parametrize("amount", ["0", "0.00", "-5.00", "0.004", "abc", ""])
def test_an_invalid_amount_is_refused_and_changes_nothing(invoice_a, amount) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.payment_record(organization=invoice_a.organization, invoice=invoice_a, amount=amount, date=TODAY)
    assert "amount" in excinfo.value.message_dict
    invoice_a.refresh_from_db()
    assert invoice_a.open_amount == Decimal("121.00")
    assert payment_count(invoice_a) == 0


def test_a_float_amount_is_refused(invoice_a) -> None:
    with pytest.raises(ValidationError):
        services.payment_record(organization=invoice_a.organization, invoice=invoice_a, amount=12.5, date=TODAY)


def test_an_invoice_of_another_organization_is_refused(org_b, invoice_a) -> None:
    with pytest.raises(ValidationError):
        services.payment_record(organization=org_b.organization, invoice=invoice_a, amount=Decimal("1"), date=TODAY)
    assert payment_count(invoice_a) == 0


def test_an_unknown_source_is_a_programming_error(invoice_a) -> None:
    with pytest.raises(ValueError, match="source"):
        record(invoice_a, "1.00", source="cash-in-a-drawer")


# --- debtors ----------------------------------------------------------------------------------------


def test_pausing_a_debtor_keeps_the_reason_and_end_date(debtor_a) -> None:
    services.debtor_pause(debtor=debtor_a, reason="  Disputed by phone ", until=TODAY + dt.timedelta(days=14))
    debtor_a.refresh_from_db()
    assert debtor_a.is_paused
    assert (debtor_a.pause_reason, debtor_a.paused_until) == ("Disputed by phone", TODAY + dt.timedelta(days=14))


@pytest.mark.parametrize("reason", ["", "   "])
def test_pausing_needs_a_reason(debtor_a, reason) -> None:
    with pytest.raises(ValidationError) as excinfo:
        services.debtor_pause(debtor=debtor_a, reason=reason)
    assert "pause_reason" in excinfo.value.message_dict
    debtor_a.refresh_from_db()
    assert not debtor_a.is_paused


def test_a_pause_reason_longer_than_the_column_is_refused(debtor_a) -> None:
    with pytest.raises(ValidationError):
        services.debtor_pause(debtor=debtor_a, reason="x" * 201)


def test_resuming_clears_the_pause(debtor_a) -> None:
    services.debtor_pause(debtor=debtor_a, reason="Bankruptcy", until=TODAY)
    services.debtor_resume(debtor=debtor_a)
    debtor_a.refresh_from_db()
    assert (debtor_a.is_paused, debtor_a.pause_reason, debtor_a.paused_until) == (False, "", None)


def test_debtor_create_sets_the_organization_server_side(org_a) -> None:
    debtor = services.debtor_create(organization=org_a.organization, name="Nieuw B.V.", emails=["a@b.test"])
    assert Debtor.objects.for_organization(org_a.organization).get(pk=debtor.pk).emails == ["a@b.test"]


def test_debtor_create_refuses_fields_it_does_not_know(org_a) -> None:
    with pytest.raises(TypeError):
        services.debtor_create(organization=org_a.organization, name="X", is_paused=True)


def test_debtor_create_validates_the_fields(org_a) -> None:
    with pytest.raises(ValidationError):
        services.debtor_create(organization=org_a.organization, name="X", emails=["not an address"])


def test_debtor_update_cannot_move_a_debtor_to_another_organization(org_a, org_b, debtor_a) -> None:
    with pytest.raises(TypeError):
        services.debtor_update(debtor=debtor_a, organization=org_b.organization)


def test_debtor_update_changes_the_given_fields(debtor_a) -> None:
    services.debtor_update(debtor=debtor_a, city="Groningen", notes="Calls back on Fridays")
    debtor_a.refresh_from_db()
    assert (debtor_a.city, debtor_a.notes) == ("Groningen", "Calls back on Fridays")


# --- invoices ---------------------------------------------------------------------------------------


def new_invoice(organization, debtor, **kwargs) -> Invoice:
    values = {
        "number": " 2026-100 ",
        "issue_date": TODAY,
        "due_date": TODAY + dt.timedelta(days=14),
        "amount": Decimal("121.00"),
        "vat_amount": Decimal("21.00"),
    }
    return services.invoice_create(organization=organization, debtor=debtor, **{**values, **kwargs})


def test_invoice_create_opens_the_whole_amount(org_a, debtor_a) -> None:
    invoice = new_invoice(org_a.organization, debtor_a)
    assert (invoice.number, invoice.open_amount, invoice.status) == ("2026-100", Decimal("121.00"), InvoiceStatus.OPEN)


def test_an_invoice_created_with_nothing_open_is_paid(org_a, debtor_a) -> None:
    invoice = new_invoice(org_a.organization, debtor_a, open_amount=Decimal("0"))
    assert invoice.status == InvoiceStatus.PAID


def test_invoice_create_refuses_another_organizations_debtor(org_a, org_b) -> None:
    with pytest.raises(ValidationError):
        new_invoice(org_a.organization, DebtorFactory(organization=org_b.organization))


def test_invoice_create_refuses_more_open_than_the_amount(org_a, debtor_a) -> None:
    with pytest.raises(ValidationError):
        new_invoice(org_a.organization, debtor_a, open_amount=Decimal("121.01"))


def test_invoice_create_refuses_a_due_date_before_the_invoice_date(org_a, debtor_a) -> None:
    with pytest.raises(ValidationError):
        new_invoice(org_a.organization, debtor_a, due_date=TODAY - dt.timedelta(days=1))


def test_invoice_create_refuses_a_number_already_used_in_the_organization(org_a, debtor_a) -> None:
    new_invoice(org_a.organization, debtor_a)
    with pytest.raises(ValidationError):
        new_invoice(org_a.organization, debtor_a)


# --- payment_reverse (refunds and chargebacks of online payments) ------------------------------------------


def reverse(invoice: Invoice, amount: str, reference: str = "tr_1:reversed-1.00:x") -> Payment:
    return services.payment_reverse(
        organization=invoice.organization, invoice=invoice, amount=Decimal(amount), date=TODAY, reference=reference
    )


def test_a_reversal_reopens_a_paid_invoice_as_a_negative_payment(invoice_a) -> None:
    record(invoice_a, str(invoice_a.open_amount), source=PaymentSource.MOLLIE, reference="tr_1:x")

    reversal = reverse(invoice_a, "21.00")

    invoice_a.refresh_from_db()
    assert (invoice_a.open_amount, invoice_a.status) == (Decimal("21.00"), InvoiceStatus.OPEN)
    assert (reversal.amount, reversal.source) == (Decimal("-21.00"), PaymentSource.MOLLIE)


def test_the_same_reversal_twice_changes_nothing_the_second_time(invoice_a) -> None:
    record(invoice_a, str(invoice_a.open_amount), source=PaymentSource.MOLLIE, reference="tr_1:x")

    first, again = reverse(invoice_a, "21.00"), reverse(invoice_a, "21.00")

    assert first == again and payment_count(invoice_a) == 2
    invoice_a.refresh_from_db()
    assert invoice_a.open_amount == Decimal("21.00")


def test_a_reversal_never_opens_more_than_the_invoice_amount(invoice_a) -> None:
    record(invoice_a, str(invoice_a.open_amount), source=PaymentSource.MOLLIE, reference="tr_1:x")

    reverse(invoice_a, "9999.00")

    invoice_a.refresh_from_db()
    assert invoice_a.open_amount == invoice_a.amount


def test_a_reversal_on_another_organizations_invoice_is_refused(invoice_a) -> None:
    foreign = InvoiceFactory()

    with pytest.raises(ValidationError):
        services.payment_reverse(
            organization=invoice_a.organization, invoice=foreign, amount=Decimal("1.00"), date=TODAY, reference="r"
        )
    assert payment_count(foreign) == 0


def test_only_online_payments_can_be_negative(invoice_a) -> None:
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            organization=invoice_a.organization, invoice=invoice_a, amount=Decimal("-1.00"), date=TODAY, source="manual"
        )
    with pytest.raises(ValidationError):
        reverse(invoice_a, "0.00")
