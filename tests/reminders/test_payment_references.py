"""One RF payment reference per bundle of a debtor's invoices: stable, per organization, never an invoice's."""

from __future__ import annotations

from decimal import Decimal

import pytest
from stdnum import iso11649

from invoices.models import InvoiceStatus
from reminders.channels.letter import bundle_reference_new, creditor_reference, is_bundle_reference
from reminders.models import BundleReference, Channel, StepKind
from reminders.services.payment_references import bundle_reference, reminder_bundle_reference
from tests.factories import DebtorFactory, InvoiceFactory
from tests.reminders.reminder_builders import reminder_with_invoices

pytestmark = pytest.mark.django_db


@pytest.fixture
def debtor(org_a):
    return DebtorFactory(organization=org_a.organization, name="Klant B.V.")


def reference_of(debtor, *invoices) -> str:  # type: ignore[no-untyped-def]
    return bundle_reference(
        organization=debtor.organization, debtor=debtor, invoice_public_ids=[i.public_id for i in invoices]
    )


def test_a_bundle_reference_is_a_valid_iso_11649_reference_of_the_bundle_form() -> None:
    for _ in range(50):
        reference = bundle_reference_new()
        assert iso11649.is_valid(reference) and len(reference) == 21 <= 25
        assert is_bundle_reference(reference)
    assert not is_bundle_reference(creditor_reference("F2026001") or "")


def test_an_invoice_number_of_the_bundle_form_gets_no_reference_of_its_own() -> None:
    assert creditor_reference("B1234567890123456") is None
    assert creditor_reference("B123456789012345") is not None  # one digit short: an ordinary number
    assert creditor_reference("B12345678901234567") is not None  # one digit more: an ordinary number


def test_the_same_set_of_invoices_gets_the_same_reference_in_any_order(debtor) -> None:  # type: ignore[no-untyped-def]
    one, two, three = (InvoiceFactory(debtor=debtor) for _ in range(3))

    first = reference_of(debtor, one, two)

    assert reference_of(debtor, two, one) == first
    assert reference_of(debtor, one, two, three) not in ("", first)
    stored = BundleReference.objects.for_organization(debtor.organization).get(reference=first)
    assert (stored.debtor, sorted(stored.invoice_ids)) == (debtor, sorted([one.pk, two.pk]))
    assert BundleReference.objects.for_organization(debtor.organization).count() == 2


def test_one_invoice_or_none_gets_no_bundle_reference(debtor) -> None:  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(debtor=debtor)
    assert reference_of(debtor) == reference_of(debtor, invoice) == ""
    assert not BundleReference.objects.for_organization(debtor.organization).exists()


def test_invoices_of_another_debtor_or_organization_get_no_reference(debtor, org_b) -> None:  # type: ignore[no-untyped-def]
    ours = InvoiceFactory(debtor=debtor)
    other_debtor = InvoiceFactory(debtor=DebtorFactory(organization=debtor.organization))
    other_organization = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization))

    assert reference_of(debtor, ours, other_debtor) == ""
    assert reference_of(debtor, ours, other_organization) == ""
    assert not BundleReference.unscoped.exists()


def test_a_reminders_reference_covers_the_open_invoices_it_is_about(debtor) -> None:  # type: ignore[no-untyped-def]
    paid = InvoiceFactory(debtor=debtor, status=InvoiceStatus.PAID, open_amount=Decimal("0.00"))
    one, two = InvoiceFactory(debtor=debtor), InvoiceFactory(debtor=debtor)
    reminder = reminder_with_invoices(debtor, invoices=[paid, one, two], channel=Channel.LETTER)

    assert reminder_bundle_reference(reminder=reminder) == reference_of(debtor, one, two) != ""


def test_an_escalation_asks_only_for_the_invoices_at_its_step(debtor) -> None:  # type: ignore[no-untyped-def]
    one, two, milder = (InvoiceFactory(debtor=debtor) for _ in range(3))
    reminder = reminder_with_invoices(debtor, invoices=[one, two, milder], kind=StepKind.NOTICE_OF_DEFAULT)
    reminder.items.filter(invoice=milder).update(step_kind=StepKind.REMINDER)

    assert reminder_bundle_reference(reminder=reminder) == reference_of(debtor, one, two)


def test_each_organization_has_references_of_its_own(debtor, org_b) -> None:  # type: ignore[no-untyped-def]
    theirs = DebtorFactory(organization=org_b.organization)
    ours_ref = reference_of(debtor, InvoiceFactory(debtor=debtor), InvoiceFactory(debtor=debtor))
    their_ref = reference_of(theirs, InvoiceFactory(debtor=theirs), InvoiceFactory(debtor=theirs))

    assert ours_ref != their_ref
    assert not BundleReference.objects.for_organization(debtor.organization).filter(reference=their_ref).exists()
