"""The demo organization: a Dutch wholesaler with two years of debtors, invoices and payments.

``seed_demo`` (and ``make run``) call :func:`demo_seed`. Everything is generated from a fixed seed,
relative to the organization's local today, first as a plan (plain data, no database) and then
written in bulk. Rows carry external ids (``demo-debtor-0001``, ``demo-invoice-000001``) and existing
ones are skipped, so a second run changes nothing.

Statuses follow the bookkeeping meaning: a credited invoice (creditnota) has nothing open and no
payments; a written-off invoice (afgeboekt) keeps its unpaid remainder as ``open_amount``, because
the claim still exists even though the creditor stopped collecting it. For every open, paid or
written-off invoice the payments add up to ``amount - open_amount``.

E-mail addresses use the reserved ``.example`` top-level domain so the demo can never mail anyone.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction

from invoices.models import Debtor, Invoice, Payment
from outstanding.calendar import local_today
from outstanding.demo.planning import SEED, SIZES, DebtorPlan, InvoicePlan, plan_debtors, plan_invoices
from outstanding.models import Organization, Role, User
from outstanding.services import organization_create, user_get_or_create

BATCH_SIZE = 1000

DEMO_ORGANIZATION_NAME = "Demo Groothandel B.V."
DEMO_ORGANIZATION_FIELDS = {
    "legal_name": "Demo Groothandel B.V.",
    "street": "Nijverheidsweg 18",
    "postal_code": "3534 AM",
    "city": "Utrecht",
    "kvk_number": "30281757",
    "vat_id": "NL004495445B01",
    "iban": "NL81RABO0312345678",
    "email": "debiteuren@demogroothandel.example",
    "phone": "+31302345678",
}


@dataclass(frozen=True)
class SeedResult:
    organization: Organization
    debtors: int
    invoices: int
    created_debtors: int = 0
    created_invoices: int = 0
    created_payments: int = 0


def demo_user_get_or_create() -> User:
    """The demo login; an existing user is left as it is (its password included)."""
    existing = User.objects.filter(email__iexact=settings.DEMO_USER_EMAIL).first()
    if existing is not None:
        return existing
    user, _created = user_get_or_create(email=settings.DEMO_USER_EMAIL, password=settings.DEMO_USER_PASSWORD)
    return user


def demo_organization_get_or_create() -> Organization:
    user = demo_user_get_or_create()
    organization = (
        Organization.objects.filter(name=DEMO_ORGANIZATION_NAME, memberships__user=user, memberships__role=Role.OWNER)
        .order_by("pk")
        .first()
    )
    if organization is None:
        organization = organization_create(name=DEMO_ORGANIZATION_NAME, owner=user, **DEMO_ORGANIZATION_FIELDS)
    _reminders_switch_on(organization, user)
    return organization


def _reminders_switch_on(organization: Organization, user: User) -> None:
    """The demo has every fact a message needs, so ``make run`` shows reminders that go out (the go-live gate)."""
    from reminders.engine import dunning_settings
    from reminders.services.activation import reminders_activate

    if not dunning_settings(organization).reminders_active:
        reminders_activate(organization=organization, user=user, today=local_today(organization.time_zone))


def _write_debtors(organization: Organization, plans: list[DebtorPlan]) -> tuple[dict[str, int], int]:
    """Create the planned debtors that do not exist yet; the ids of all of them by external id."""
    debtors = Debtor.objects.for_organization(organization)
    existing = set(
        debtors.filter(external_id__in=[plan.external_id for plan in plans]).values_list("external_id", flat=True)
    )
    new = [
        Debtor(organization=organization, external_id=plan.external_id, **plan.fields)
        for plan in plans
        if plan.external_id not in existing
    ]
    Debtor.objects.bulk_create(new, batch_size=BATCH_SIZE)
    ids = dict(debtors.filter(external_id__in=[plan.external_id for plan in plans]).values_list("external_id", "pk"))
    return ids, len(new)


def _write_invoices(
    organization: Organization, plans: list[InvoicePlan], debtor_ids: dict[str, int]
) -> tuple[int, int]:
    """Create the planned invoices whose external id and number are both still free, with their payments."""
    taken: set[tuple[str, str]] = set()
    for external_id, number in Invoice.objects.for_organization(organization).values_list("external_id", "number"):
        taken.update((("id", external_id), ("number", number)))
    new = [plan for plan in plans if ("id", plan.external_id) not in taken and ("number", plan.number) not in taken]
    invoices = [
        Invoice(
            organization=organization,
            debtor_id=debtor_ids[plan.debtor.external_id],
            number=plan.number,
            external_id=plan.external_id,
            issue_date=plan.issue_date,
            due_date=plan.due_date,
            amount=plan.amount,
            vat_amount=plan.vat_amount,
            open_amount=plan.open_amount,
            status=plan.status,
        )
        for plan in new
    ]
    Invoice.objects.bulk_create(invoices, batch_size=BATCH_SIZE)
    payments = [
        Payment(
            organization=organization,
            invoice_id=invoice.pk,
            amount=payment.amount,
            date=payment.date,
            source=payment.source,
            reference=payment.reference,
        )
        for plan, invoice in zip(new, invoices, strict=True)
        for payment in plan.payments
    ]
    Payment.objects.bulk_create(payments, batch_size=BATCH_SIZE)
    return len(invoices), len(payments)


def _result(organization: Organization, **created: int) -> SeedResult:
    return SeedResult(
        organization=organization,
        debtors=Debtor.objects.for_organization(organization).count(),
        invoices=Invoice.objects.for_organization(organization).count(),
        **created,
    )


def _statistics_refresh() -> None:
    """Fresh planner statistics after a bulk load: until autovacuum passes (and on a server running
    without it) PostgreSQL plans the engine's statement for near-empty tables, with nested loops."""
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE invoices_debtor, invoices_invoice, invoices_payment")


@transaction.atomic
def demo_seed(
    *, organization: Organization | None = None, size: str = "full", once: bool = False, today: dt.date | None = None
) -> SeedResult:
    """Seed ``organization`` (default: the demo organization, created with its owner when missing).

    ``once`` does nothing when the organization already has invoices. Otherwise rows that already
    exist (by external id, or by invoice number) are skipped, so a second run adds nothing.
    """
    if organization is None:
        organization = demo_organization_get_or_create()
    if once and Invoice.objects.for_organization(organization).exists():
        return _result(organization)
    today = today or local_today(organization.time_zone)
    rng = random.Random(SEED)
    debtor_plans = plan_debtors(rng, SIZES[size].debtors)
    invoice_plans = plan_invoices(rng, debtor_plans, SIZES[size].invoices, today)
    debtor_ids, created_debtors = _write_debtors(organization, debtor_plans)
    created_invoices, created_payments = _write_invoices(organization, invoice_plans, debtor_ids)
    _statistics_refresh()
    return _result(
        organization,
        created_debtors=created_debtors,
        created_invoices=created_invoices,
        created_payments=created_payments,
    )
