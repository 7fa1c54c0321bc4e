"""The management commands: create_organization and seed_demo."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from io import StringIO

import pytest
from allauth.account.models import EmailAddress
from django.core.management import CommandError, call_command
from django.db.models import Sum
from schwifty import IBAN
from stdnum.nl import btw

from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus, Payment
from outstanding import demo
from outstanding.demo import planning
from outstanding.models import Membership, Organization, Role, User
from tests.factories import InvoiceFactory, OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)


def run(*args: str) -> list[str]:
    stdout = StringIO()
    call_command(*args, stdout=stdout)
    return stdout.getvalue().strip().splitlines()


def row_counts() -> dict[str, int]:
    return {
        "users": User.objects.count(),
        "organizations": Organization.objects.count(),
        "memberships": Membership.objects.count(),
        "debtors": Debtor.unscoped.count(),
        "invoices": Invoice.unscoped.count(),
        "payments": Payment.unscoped.count(),
    }


# --- create_organization --------------------------------------------------------------------------


def test_create_organization_prints_the_uuid_last() -> None:
    lines = run("create_organization", "Gamma Bouw B.V.", "--owner", "Eigenaar@Gamma.test", "--password", "pw-1234567")

    organization = Organization.objects.get(public_id=uuid.UUID(lines[-1]))
    assert organization.name == "Gamma Bouw B.V."


def test_create_organization_makes_the_new_user_a_verified_owner() -> None:
    lines = run("create_organization", "Gamma Bouw B.V.", "--owner", "Eigenaar@Gamma.test", "--password", "pw-1234567")

    user = User.objects.get(email="eigenaar@gamma.test")
    assert user.check_password("pw-1234567")
    assert EmailAddress.objects.filter(user=user, email="eigenaar@gamma.test", verified=True, primary=True).exists()
    membership = Membership.objects.get(user=user)
    assert str(membership.organization.public_id) == lines[-1]
    assert membership.role == Role.OWNER


def test_create_organization_reuses_an_existing_user() -> None:
    existing = UserFactory(email="owner@example.test")

    lines = run("create_organization", "Tweede Zaak", "--owner", "OWNER@example.test")

    assert User.objects.filter(email__iexact="owner@example.test").count() == 1
    organization = Organization.objects.get(public_id=uuid.UUID(lines[-1]))
    assert Membership.objects.get(organization=organization).user == existing
    assert existing.memberships.count() == 1


@pytest.mark.parametrize("email", ["not-an-email", "owner@", "", "two words@example.test"])
def test_create_organization_rejects_a_bad_email(email: str) -> None:
    with pytest.raises(CommandError, match="e-mail"):
        run("create_organization", "Gamma Bouw B.V.", "--owner", email)
    assert not Organization.objects.exists()
    assert not User.objects.exists()


# --- seed_demo ------------------------------------------------------------------------------------


@pytest.fixture
def demo_organization() -> Organization:
    demo.demo_seed(size="small", today=TODAY)
    return Organization.objects.get(name=demo.DEMO_ORGANIZATION_NAME)


def test_seed_demo_prints_a_summary_last(settings) -> None:
    lines = run("seed_demo", "--size", "small")

    organization = Organization.objects.get(name=demo.DEMO_ORGANIZATION_NAME)
    assert lines[-1] == (
        f"Demo organization {organization.public_id}: 30 debtors, 200 invoices — "
        f"log in as {settings.DEMO_USER_EMAIL} / {settings.DEMO_USER_PASSWORD}"
    )


def test_seed_demo_creates_a_demo_owner_who_can_log_in(settings, demo_organization: Organization) -> None:
    user = User.objects.get(email=settings.DEMO_USER_EMAIL)
    assert user.check_password(settings.DEMO_USER_PASSWORD)
    assert EmailAddress.objects.get(user=user).verified
    assert Membership.objects.get(user=user).organization == demo_organization
    assert Membership.objects.get(user=user).role == Role.OWNER


def test_the_demo_organization_has_valid_dutch_identifiers(demo_organization: Organization) -> None:
    assert len(demo_organization.kvk_number) == 8 and demo_organization.kvk_number.isdigit()
    assert btw.is_valid(demo_organization.vat_id)
    assert IBAN(demo_organization.iban).compact == demo_organization.iban


def test_seed_demo_small_builds_the_whole_graph_inside_the_demo_organization(demo_organization: Organization) -> None:
    assert Debtor.unscoped.count() == Debtor.objects.for_organization(demo_organization).count() == 30
    assert Invoice.unscoped.count() == Invoice.objects.for_organization(demo_organization).count() == 200
    for invoice in Invoice.unscoped.select_related("debtor"):
        assert invoice.debtor.organization_id == demo_organization.pk
    for payment in Payment.unscoped.select_related("invoice"):
        assert payment.organization_id == payment.invoice.organization_id == demo_organization.pk


def test_seeded_debtors_look_dutch_and_realistic(demo_organization: Organization) -> None:
    debtors = list(Debtor.objects.for_organization(demo_organization))
    assert {debtor.kind for debtor in debtors} == {DebtorKind.BUSINESS, DebtorKind.CONSUMER}
    for debtor in debtors:
        assert debtor.emails and all(email.endswith(".example") for email in debtor.emails)
        assert debtor.postal_code[:4].isdigit() and debtor.city
        assert debtor.external_id.startswith("demo-debtor-")
        if debtor.vat_id:
            assert btw.is_valid(debtor.vat_id)
        if debtor.kvk_number:
            assert len(debtor.kvk_number) == 8
        for phone in debtor.phones:
            assert phone.startswith("+316") and len(phone) == 12


def test_seeded_invoices_keep_the_amount_invariants(demo_organization: Organization) -> None:
    paid_per_invoice = dict(
        Payment.objects.for_organization(demo_organization).values_list("invoice").annotate(total=Sum("amount"))
    )
    for invoice in Invoice.objects.for_organization(demo_organization):
        paid = paid_per_invoice.get(invoice.pk, 0)
        assert 0 <= invoice.open_amount <= invoice.amount
        assert invoice.amount.as_tuple().exponent == -2
        assert invoice.issue_date <= invoice.due_date
        assert TODAY - dt.timedelta(days=730) <= invoice.issue_date <= TODAY
        if invoice.status == InvoiceStatus.PAID:
            assert invoice.open_amount == 0 and paid == invoice.amount
        elif invoice.status == InvoiceStatus.CREDITED:
            assert invoice.open_amount == 0 and paid == 0
        else:
            assert paid == invoice.amount - invoice.open_amount


def test_seeded_payments_are_dated_between_the_invoice_and_today(demo_organization: Organization) -> None:
    for payment in Payment.objects.for_organization(demo_organization).select_related("invoice"):
        assert payment.invoice.issue_date <= payment.date <= TODAY
        assert payment.amount > 0


def test_seed_demo_mixes_statuses(demo_organization: Organization) -> None:
    statuses = set(Invoice.objects.for_organization(demo_organization).values_list("status", flat=True))
    assert {InvoiceStatus.PAID, InvoiceStatus.OPEN} <= statuses


def test_the_full_plan_has_every_status_and_both_vat_rates() -> None:
    # The plan is pure: the full size is checked without writing 6,000 rows.
    rng = random.Random(planning.SEED)
    debtors = planning.plan_debtors(rng, planning.SIZES["full"].debtors)
    invoices = planning.plan_invoices(rng, debtors, planning.SIZES["full"].invoices, TODAY)
    assert len(invoices) == 6000
    assert {invoice.status for invoice in invoices} == set(InvoiceStatus.values)
    consumers = sum(debtor.fields["kind"] == DebtorKind.CONSUMER for debtor in debtors) / len(debtors)
    assert 0.15 < consumers < 0.35
    assert len({invoice.number for invoice in invoices}) == 6000


def test_seed_demo_twice_changes_nothing(demo_organization: Organization) -> None:
    before = row_counts()

    run("seed_demo", "--size", "small")

    assert row_counts() == before


def test_seed_demo_once_does_nothing_when_there_are_invoices(demo_organization: Organization) -> None:
    before = row_counts()

    lines = run("seed_demo", "--once")  # full size, but the demo already has invoices

    assert row_counts() == before
    assert "30 debtors, 200 invoices" in lines[-1]


def test_seed_demo_keeps_an_existing_demo_users_password(settings) -> None:
    UserFactory(email=settings.DEMO_USER_EMAIL)

    run("seed_demo", "--size", "small")

    assert not User.objects.get(email=settings.DEMO_USER_EMAIL).check_password(settings.DEMO_USER_PASSWORD)


def test_seed_demo_seeds_into_an_existing_organization() -> None:
    organization = OrganizationFactory(name="Bestaand B.V.")
    InvoiceFactory(debtor__organization=organization, number="F-1")

    lines = run("seed_demo", "--size", "small", "--org", str(organization.public_id))

    assert lines[-1] == f"Organization {organization.public_id}: 31 debtors, 201 invoices"
    assert not Organization.objects.filter(name=demo.DEMO_ORGANIZATION_NAME).exists()
    assert Debtor.unscoped.exclude(organization=organization).count() == 0
    assert Invoice.unscoped.exclude(organization=organization).count() == 0


def test_seed_demo_rejects_an_unknown_organization() -> None:
    with pytest.raises(CommandError, match="No organization"):
        run("seed_demo", "--size", "small", "--org", str(uuid.uuid4()))
    with pytest.raises(CommandError, match="No organization"):
        run("seed_demo", "--size", "small", "--org", "not-a-uuid")
