"""The staff admin: every registered model over two organizations, search, and who may enter."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from invoices.models import Debtor, Invoice, InvoiceStatus, Payment
from outstanding.models import ApiKey, Invitation, Membership, Organization, Role, User
from tests.conftest import Tenant
from tests.factories import TODAY, DebtorFactory, InvoiceFactory, PaymentFactory, UserFactory
from tests.two_factor import login_with_totp, totp_activate

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser() -> User:
    return UserFactory(email="staff@operator.test", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(superuser: User) -> Client:
    """Staff as they really come in: allauth's login with the password and a TOTP code."""
    client = Client()
    login_with_totp(client, superuser, totp_activate(superuser))
    return client


@pytest.fixture
def two_tenants(org_a: Tenant, org_b: Tenant) -> tuple[Tenant, Tenant]:
    """A row of every registered model, in both organizations where the model belongs to one."""
    for tenant, name in ((org_a, "Bakkerij Alfa"), (org_b, "Brasserie Beta")):
        debtor = DebtorFactory(organization=tenant.organization, name=name)
        invoice = InvoiceFactory(debtor=debtor, number=f"{name[:3].upper()}-0001")
        PaymentFactory(invoice=invoice, reference=f"bank-{name[:3]}")
        Invitation.objects.create(
            organization=tenant.organization, email=f"new@{name[:3]}.test", invited_by=tenant.owner
        )
        _reminder_rows(tenant, debtor, invoice)
    Group.objects.create(name="Collection agents")
    Authenticator.objects.create(user=org_a.owner, type=Authenticator.Type.RECOVERY_CODES, data={"seed": "x"})
    return org_a, org_b


def _reminder_rows(tenant: Tenant, debtor: Debtor, invoice: Invoice) -> None:
    """Defaults (settings, flows, steps, templates) and one row of every intake and reminder model."""
    from invoices.models import AccountingConnection, ImportJob, ImportMapping
    from outstanding.models import ApiKey
    from outstanding.services import organization_defaults_install
    from reminders.models import CallOutcome, DunningRun, LetterBatch, MessageTemplate, Reminder, ReminderItem

    organization = tenant.organization
    organization_defaults_install(organization)
    ApiKey.objects.create(organization=organization, name="ERP", prefix="ost_abcd", hashed_key=f"h{organization.pk}")
    ImportJob.objects.create(organization=organization, kind="csv", file="imports/x.csv", filename="x.csv")
    ImportMapping.objects.create(organization=organization, columns={"number": "Factuurnummer"})
    AccountingConnection.objects.create(organization=organization, provider="moneybird", account_id="123")
    reminder = Reminder.objects.create(
        organization=organization, debtor=debtor, channel="phone", kind="reminder", planned_date=TODAY
    )
    ReminderItem.objects.create(
        organization=organization,
        reminder=reminder,
        invoice=invoice,
        step_kind="reminder",
        step_day=3,
        channel="phone",
        open_amount=invoice.open_amount,
    )
    CallOutcome.objects.create(organization=organization, reminder=reminder, outcome="no_answer")
    DunningRun.objects.create(organization=organization, date=TODAY, succeeded=True, summary="ok")
    LetterBatch.objects.create(organization=organization, date=TODAY, letter_count=0)
    _collection_rows(organization, debtor)
    MessageTemplate.objects.for_organization(organization).get_or_create(
        organization=organization,
        kind="reminder",
        tone="friendly",
        language="nl",
        defaults={"email_subject": "Herinnering", "email_body": "Tekst", "sms_body": "Sms", "letter_body": "Brief"},
    )


def _collection_rows(organization: Organization, debtor: Debtor) -> None:
    """A dossier (opened by its service: the admin cannot add one) and an arrangement."""
    from collection.models import Arrangement, ArrangementStatus, DossierOrigin
    from collection.services import dossier_open

    debtor = DebtorFactory(organization=organization, name=f"Collection debtor {organization.pk}")
    invoice = InvoiceFactory(debtor=debtor, number=f"COL-{organization.pk}", issue_date=TODAY - dt.timedelta(days=90))
    dossier_open(organization=organization, debtor=debtor, invoices=[invoice], today=TODAY, origin=DossierOrigin.MANUAL)
    Arrangement.objects.create(
        organization=organization, debtor=debtor, total=Decimal("100.00"), term_count=2, first_due_date=TODAY,
        status=ArrangementStatus.PROPOSED, source="portal",
    )  # fmt: skip


def admin_url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


# Invitations: created by invitation_create, which also e-mails them. API keys: shown once to their maker.
# Dossiers and arrangements: opened and decided by collection.services (checks, holds, the event record).
NOT_ADDABLE = {Invitation, ApiKey, *(apps.get_model("collection", name) for name in ("Dossier", "Arrangement"))}


def registered_models() -> list[type[Model]]:
    return list(admin.site._registry)


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_staff_can_open_the_changelist_and_a_change_page(model: type[Model], staff_client: Client, two_tenants) -> None:
    response = staff_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200

    instance = model._default_manager.order_by("pk").first()
    assert instance is not None, f"add a {model._meta.label} row to the two_tenants fixture"
    assert staff_client.get(admin_url(model, "change", instance.pk)).status_code == 200


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_staff_can_open_the_add_page(model: type[Model], staff_client: Client) -> None:
    expected = 403 if model in NOT_ADDABLE else 200

    assert staff_client.get(admin_url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", [Debtor, Invoice, Payment, Membership, Invitation], ids=str)
def test_tenant_lists_show_both_organizations_and_filter_by_one(
    model: type[Model], staff_client: Client, two_tenants: tuple[Tenant, Tenant]
) -> None:
    org_a, org_b = (tenant.organization for tenant in two_tenants)

    everything = staff_client.get(admin_url(model, "changelist"))
    filtered = staff_client.get(admin_url(model, "changelist"), {"organization__id__exact": org_a.pk})

    assert org_a.name in everything.text and org_b.name in everything.text
    assert {row.organization for row in filtered.context["cl"].result_list} == {org_a}


def test_the_invoice_list_takes_a_fixed_number_of_queries(
    staff_client: Client, two_tenants, django_assert_max_num_queries
) -> None:
    for tenant in two_tenants:
        for number in range(10):
            InvoiceFactory(debtor__organization=tenant.organization, number=f"EXTRA-{number}")

    with django_assert_max_num_queries(12):  # session, user, count, rows, filters; not one per row
        staff_client.get(admin_url(Invoice, "changelist"))


@pytest.mark.parametrize(
    ("model", "term", "expected"),
    [
        (Debtor, "alfa", 1),
        (Debtor, "billingalfa@DEBTOR", 1),
        (Invoice, "BRA-0001", 1),
        (Invoice, "bakkerij", 1),
        (Payment, "bank-Bak", 1),
        (Organization, "beta installaties", 1),
        (Membership, "alpha groothandel", 3),
        (Invitation, "new@bra.test", 1),
        (User, "staff@operator", 1),
        (Debtor, "nothing like this", 0),
    ],
)
def test_search_finds_rows(model: type[Model], term: str, expected: int, staff_client: Client, two_tenants) -> None:
    response = staff_client.get(admin_url(model, "changelist"), {"q": term})

    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


def test_search_by_public_id_finds_the_row(staff_client: Client, two_tenants) -> None:
    invoice = Invoice.unscoped.order_by("pk").last()

    response = staff_client.get(admin_url(Invoice, "changelist"), {"q": str(invoice.public_id).upper()})

    assert list(response.context["cl"].result_list) == [invoice]


@pytest.mark.parametrize(
    "path", ["admin:index", "admin:invoices_invoice_changelist", "admin:outstanding_user_changelist"]
)
def test_a_user_who_is_not_staff_is_sent_to_the_login(path: str, owner_client: Client) -> None:
    response = owner_client.get(reverse(path))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_an_anonymous_visitor_is_sent_to_the_login(client: Client) -> None:
    response = client.get(admin_url(Debtor, "changelist"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


# --- Writing through the admin --------------------------------------------------------------------


DEBTOR_FORM = {"kind": "b2b", "name": "Hotel Zeezicht", "language": "nl", "country": "NL", "emails": "", "phones": ""}


def invoice_form(debtor: Debtor, **changes: object) -> dict[str, object]:
    return {
        "number": "2026-9000",
        "debtor": debtor.pk,
        "status": InvoiceStatus.OPEN,
        "issue_date": "2026-11-01",
        "due_date": "2026-12-01",
        "currency": "EUR",
        "amount": "121.00",
        "vat_amount": "21.00",
        "open_amount": "121.00",
        "external_id": "",
        **changes,
    }


def test_staff_choose_the_organization_when_adding_a_debtor(staff_client: Client, org_b: Tenant) -> None:
    response = staff_client.post(admin_url(Debtor, "add"), {**DEBTOR_FORM, "organization": org_b.organization.pk})

    assert response.status_code == 302
    assert Debtor.unscoped.get(name="Hotel Zeezicht").organization == org_b.organization


def test_adding_a_debtor_needs_an_organization(staff_client: Client, db) -> None:
    response = staff_client.post(admin_url(Debtor, "add"), DEBTOR_FORM)

    assert response.status_code == 200
    assert "organization" in response.context["adminform"].form.errors
    assert not Debtor.unscoped.exists()


def test_an_invoice_cannot_get_a_debtor_of_another_organization(
    staff_client: Client, org_a: Tenant, org_b: Tenant
) -> None:
    foreign_debtor = DebtorFactory(organization=org_b.organization)

    response = staff_client.post(
        admin_url(Invoice, "add"), {**invoice_form(foreign_debtor), "organization": org_a.organization.pk}
    )

    assert response.status_code == 200
    assert "debtor" in response.context["adminform"].form.errors
    assert not Invoice.unscoped.exists()


def test_a_duplicate_invoice_number_is_a_form_error(staff_client: Client, invoice_a: Invoice) -> None:
    form = invoice_form(invoice_a.debtor, number=invoice_a.number)

    response = staff_client.post(admin_url(Invoice, "add"), {**form, "organization": invoice_a.organization_id})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Invoice.unscoped.count() == 1


def test_the_organization_of_an_invoice_cannot_be_changed(
    staff_client: Client, invoice_a: Invoice, org_b: Tenant
) -> None:
    form = invoice_form(invoice_a.debtor, number=invoice_a.number, organization=org_b.organization.pk)

    response = staff_client.post(admin_url(Invoice, "change", invoice_a.pk), form)

    assert response.status_code == 302
    invoice_a.refresh_from_db()
    assert invoice_a.organization != org_b.organization


def test_a_payment_added_in_the_admin_lowers_the_open_amount(staff_client: Client, invoice_a: Invoice) -> None:
    form = {"invoice": invoice_a.pk, "amount": "21.00", "date": "2026-11-20", "source": "manual", "reference": ""}

    response = staff_client.post(admin_url(Payment, "add"), {**form, "organization": invoice_a.organization_id})

    assert response.status_code == 302
    payment = Payment.unscoped.get()
    assert (payment.organization, payment.amount, payment.date) == (
        invoice_a.organization,
        Decimal("21.00"),
        dt.date(2026, 11, 20),
    )
    invoice_a.refresh_from_db()
    assert invoice_a.open_amount == Decimal("100.00")


def test_payments_cannot_be_changed_or_deleted_in_the_admin(staff_client: Client, invoice_a: Invoice) -> None:
    payment = PaymentFactory(invoice=invoice_a)

    staff_client.post(admin_url(Payment, "change", payment.pk), {"amount": "999.00"})
    deleted = staff_client.post(admin_url(Payment, "delete", payment.pk), {"post": "yes"})

    assert deleted.status_code == 403
    payment.refresh_from_db()
    assert payment.amount == Decimal("10.00")


def test_invitations_are_not_added_in_the_admin(staff_client: Client, db) -> None:
    assert staff_client.get(admin_url(Invitation, "add")).status_code == 403


def test_staff_add_a_user_by_email(staff_client: Client) -> None:
    form = {
        "email": "Nieuw@Example.test",
        "usable_password": "true",
        "password1": "a-long-secret-1",
        "password2": "a-long-secret-1",
    }

    response = staff_client.post(admin_url(User, "add"), form)

    assert response.status_code == 302
    assert User.objects.get(email="nieuw@example.test").check_password("a-long-secret-1")


def test_staff_add_a_member_on_the_organization_page(staff_client: Client, org_b: Tenant) -> None:
    newcomer = UserFactory()
    organization = org_b.organization
    membership = Membership.objects.get(organization=organization)
    form = {
        "name": organization.name,
        "country": "NL",
        "time_zone": "Europe/Amsterdam",
        "default_language": "nl",
        "payment_claim_hold_days": "10",
        "arrangement_max_terms": "6",
        "arrangement_min_term_amount": "25.00",
        "pre_collection_days": "14",
        "memberships-TOTAL_FORMS": "2",
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": membership.pk,
        "memberships-0-organization": organization.pk,
        "memberships-0-user": membership.user_id,
        "memberships-0-role": membership.role,
        "memberships-1-organization": organization.pk,
        "memberships-1-user": newcomer.pk,
        "memberships-1-role": Role.ADMIN,
        "memberships-1-weekly_summary": "on",
    }

    response = staff_client.post(admin_url(Organization, "change", organization.pk), form)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Membership.objects.get(user=newcomer).organization == organization
    assert Membership.objects.get(user=newcomer).weekly_summary


def field_names(adminform: Any) -> set[str]:
    """The fields on an admin form, editable and read-only."""
    names = set()
    for fieldset in adminform:
        for line in fieldset:
            for field in line:
                names.add(field.field["name"] if field.is_readonly else field.field.name)
    return names


@pytest.mark.parametrize("model", [Debtor, Invoice, Payment, Organization], ids=str)
def test_the_change_form_shows_every_field_of_the_model(model: type[Model], staff_client: Client, two_tenants) -> None:
    # Explicit fieldsets silently hide a field that is added to the model later.
    instance = model._default_manager.order_by("pk").first()

    response = staff_client.get(admin_url(model, "change", instance.pk))

    hidden = {field.name for field in model._meta.concrete_fields} - field_names(response.context["adminform"])
    expected = {"id", *SECRETS.get(model, ())}
    assert hidden == expected, f"the {model.__name__} admin does not show {sorted(hidden - expected)}"


# Secrets are never shown, not even to staff (the organization's own Mollie key).
SECRETS: dict[type[Model], tuple[str, ...]] = {Organization: ("mollie_api_key",)}


def test_the_organization_admin_never_shows_the_mollie_key(staff_client: Client, two_tenants) -> None:
    organization = two_tenants[0].organization
    Organization.objects.filter(pk=organization.pk).update(mollie_api_key="test_" + "k" * 30)

    html = staff_client.get(admin_url(Organization, "change", organization.pk)).content.decode()

    assert "kkkkkkkkkk" not in html
