from __future__ import annotations

import pytest
from django.apps import apps
from django.db import IntegrityError, transaction

from invoices.models import Debtor, Invoice
from outstanding.tenancy import TenantManager, TenantModel, UnscopedQueryError
from tests.factories import DebtorFactory, InvoiceFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


def tenant_models() -> list[type]:
    return [model for model in apps.get_models() if issubclass(model, TenantModel)]


def test_every_model_with_an_organization_is_a_tenant_model() -> None:
    from outstanding.models import ApiKey, Invitation, Membership

    # Tenancy core: queried through the user, the token or (API keys) the hash that finds the tenant.
    exempt = {Membership, Invitation, ApiKey}
    for model in apps.get_models():
        field_names = {field.name for field in model._meta.get_fields()}
        if "organization" in field_names and model not in exempt:
            assert issubclass(model, TenantModel), f"{model.__name__} has an organization but is not a TenantModel"


def test_tenant_models_keep_the_refusing_manager_as_objects() -> None:
    assert tenant_models(), "no tenant models found"
    for model in tenant_models():
        assert isinstance(model.objects, TenantManager), model
        assert model._default_manager.name == "unscoped", model


def test_an_unscoped_query_is_refused(org_a) -> None:
    DebtorFactory(organization=org_a.organization)
    with pytest.raises(UnscopedQueryError):
        list(Debtor.objects.all())
    with pytest.raises(UnscopedQueryError):
        Debtor.objects.filter(name__startswith="D").count()
    with pytest.raises(UnscopedQueryError):
        Debtor.objects.get(name="nobody")
    with pytest.raises(UnscopedQueryError):
        Debtor.objects.update(notes="x")


def test_a_scoped_query_sees_only_its_organization(org_a, org_b) -> None:
    mine = DebtorFactory(organization=org_a.organization)
    DebtorFactory(organization=org_b.organization)
    assert list(Debtor.objects.for_organization(org_a.organization)) == [mine]
    assert Debtor.objects.for_organization(org_a.organization).filter(name=mine.name).count() == 1


def test_the_database_refuses_an_invoice_for_another_organizations_debtor(org_a, org_b) -> None:
    foreign_debtor = DebtorFactory(organization=org_b.organization)
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceFactory(debtor=foreign_debtor, organization=org_a.organization)
        # The composite foreign key is deferred: it fires at commit, forced here.
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_invoice_numbers_are_unique_per_organization_only() -> None:
    first = InvoiceFactory(number="2026-001")
    InvoiceFactory(number="2026-001")  # another organization: fine
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceFactory(number="2026-001", debtor=DebtorFactory(organization=first.organization))


def test_open_amount_cannot_exceed_the_amount() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceFactory(amount="100.00", open_amount="100.01")
    assert Invoice.unscoped.count() == 0


def test_organizations_are_independent() -> None:
    assert OrganizationFactory().public_id != OrganizationFactory().public_id


def test_the_database_refuses_a_reminder_item_for_another_organizations_invoice(org_a, org_b) -> None:
    """The reminder rows carry composite keys (organization, invoice) and (organization, reminder)."""
    from django.db import connection

    from reminders.models import Reminder, ReminderItem

    mine = DebtorFactory(organization=org_a.organization)
    theirs = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization))
    reminder = Reminder.objects.create(
        organization=org_a.organization, debtor=mine, channel="email", kind="reminder", planned_date=theirs.due_date
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReminderItem.objects.create(
            organization=org_a.organization, reminder=reminder, invoice=theirs, step_kind="reminder", step_day=3,
            channel="email", open_amount=theirs.open_amount,
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_the_database_refuses_a_reminder_for_another_organizations_debtor(org_a, org_b) -> None:
    from django.db import connection

    from reminders.models import Reminder

    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(
            organization=org_a.organization, debtor=DebtorFactory(organization=org_b.organization),
            channel="email", kind="reminder", planned_date=OrganizationFactory().created_at.date(),
        )  # fmt: skip
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
