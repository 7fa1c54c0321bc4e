"""Factories that keep every object graph inside one organization.

A child inherits its parent's organization (an invoice takes its debtor's, a payment its
invoice's), so a test cannot build a cross-tenant graph by accident.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus, Payment
from outstanding.models import Membership, Organization, Role, User

TODAY = dt.date(2026, 11, 26)
PASSWORD = "correct-horse-battery-staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified_email(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            from allauth.account.models import EmailAddress

            self.save()
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class OrganizationFactory(DjangoModelFactory):
    class Meta:
        model = Organization
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Creditor {n} B.V.")
    legal_name = factory.LazyAttribute(lambda o: o.name)
    street = "Keizersgracht 1"
    postal_code = "1015 CJ"
    city = "Amsterdam"
    kvk_number = "12345678"
    vat_id = "NL000099998B57"
    iban = "NL91ABNA0417164300"
    email = factory.LazyAttribute(
        lambda o: "debiteuren@" + "".join(c for c in o.name.lower() if c.isalnum())[:30] + ".test"
    )

    @factory.post_generation
    def reminders_active(organization, create, extracted, **kwargs):
        """Reminders switched on unless ``reminders_active=False``: most tests are about a live organization."""
        if create and extracted is not False:
            from reminders.models import DunningSettings

            DunningSettings.objects.for_organization(organization).update_or_create(
                organization=organization, defaults={"reminders_active": True}
            )


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.MEMBER


class DebtorFactory(DjangoModelFactory):
    class Meta:
        model = Debtor

    organization = factory.SubFactory(OrganizationFactory)
    kind = DebtorKind.BUSINESS
    name = factory.Sequence(lambda n: f"Debtor {n}")
    emails = factory.LazyAttribute(lambda d: [f"billing{d.name.split()[-1]}@debtor.test"])
    phones = ["+31612345678"]
    street = "Damrak 1"
    postal_code = "1012 LG"
    city = "Amsterdam"


class InvoiceFactory(DjangoModelFactory):
    class Meta:
        model = Invoice

    debtor = factory.SubFactory(DebtorFactory)
    organization = factory.SelfAttribute("debtor.organization")
    number = factory.Sequence(lambda n: f"2026-{n:05d}")
    issue_date = TODAY - dt.timedelta(days=45)
    due_date = factory.LazyAttribute(lambda i: i.issue_date + dt.timedelta(days=30))
    amount = Decimal("121.00")
    vat_amount = Decimal("21.00")
    open_amount = factory.LazyAttribute(lambda i: i.amount if i.status == InvoiceStatus.OPEN else Decimal("0.00"))
    status = InvoiceStatus.OPEN


class PaymentFactory(DjangoModelFactory):
    class Meta:
        model = Payment

    invoice = factory.SubFactory(InvoiceFactory)
    organization = factory.SelfAttribute("invoice.organization")
    amount = Decimal("10.00")
    date = TODAY
