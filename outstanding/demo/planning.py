"""The demo as a plan: pure functions over a seeded random generator, no database.

Each debtor gets a payment profile (punctual, a bit late, chronic late payer, partial payer, never
pays); each invoice is settled as it stands on ``today``: the payments that have happened by then,
the open amount, and the status.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum.nl import btw

from invoices.models import DebtorKind, InvoiceStatus, PaymentSource
from outstanding.demo.data import (
    BUSINESS_NAMES,
    BUSINESS_TYPES,
    CATALOG,
    CITIES,
    FIRST_NAMES,
    LEGAL_FORMS,
    PAUSE_REASONS,
    POSTAL_LETTERS,
    STREETS,
    SURNAMES,
)
from outstanding.money import to_money

SEED = 20240501
YEARS_OF_HISTORY = 2
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class DemoSize:
    debtors: int
    invoices: int


SIZES = {"small": DemoSize(debtors=30, invoices=200), "full": DemoSize(debtors=400, invoices=6000)}

PUNCTUAL, LATE, CHRONIC, PARTIAL, NEVER = "punctual", "late", "chronic", "partial", "never"
PROFILE_WEIGHTS = {PUNCTUAL: 35, LATE: 30, CHRONIC: 15, PARTIAL: 12, NEVER: 8}
CONSUMER_SHARE = 0.25
CREDITED_SHARE = 0.02
WRITE_OFF_AFTER_DAYS = 270


@dataclass
class DebtorPlan:
    external_id: str
    profile: str
    payment_term: int
    activity: float
    fields: dict[str, object]


@dataclass
class PaymentPlan:
    amount: Decimal
    date: dt.date
    source: str
    reference: str


@dataclass
class InvoicePlan:
    debtor: DebtorPlan
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal
    vat_amount: Decimal
    status: str = InvoiceStatus.OPEN
    open_amount: Decimal = ZERO
    payments: list[PaymentPlan] = field(default_factory=list)
    number: str = ""
    external_id: str = ""


def _person_name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


def _business_name(rng: random.Random) -> str:
    kind = rng.choice(BUSINESS_TYPES)
    if rng.random() < 0.5:
        name = rng.choice(BUSINESS_NAMES)
    else:
        surname = rng.choice(SURNAMES)
        name = surname[0].upper() + surname[1:]  # without a first name: "Van den Broek"
    return f"{kind} {name} {rng.choice(LEGAL_FORMS)}".strip()


def _slug(name: str) -> str:
    words = name.lower().replace("b.v.", "").replace("v.o.f.", "").replace("'", "").split()
    return "-".join("".join(c for c in word if c.isalnum()) for word in words if any(c.isalnum() for c in word))


def _address(rng: random.Random) -> dict[str, object]:
    city, prefix = rng.choice(CITIES)
    postal_code = f"{prefix}{rng.randint(11, 99)} {rng.choice(POSTAL_LETTERS)}{rng.choice(POSTAL_LETTERS)}"
    return {"street": f"{rng.choice(STREETS)} {rng.randint(1, 180)}", "postal_code": postal_code, "city": city}


def _mobile(rng: random.Random) -> str:
    return f"+316{rng.randint(10_000_000, 59_999_999)}"


def _vat_id(rng: random.Random) -> str:
    """A Dutch btw-id that passes python-stdnum: NL, nine digits that pass the 11-test, B01."""
    while True:
        candidate = f"NL{rng.randint(10_000_000, 999_999_999):09d}B01"
        if btw.is_valid(candidate):
            return candidate


def _debtor_fields(rng: random.Random, kind: str, used_names: set[str]) -> dict[str, object]:
    fields: dict[str, object] = {"kind": kind, **_address(rng)}
    if kind == DebtorKind.CONSUMER:
        name = _person_name(rng)
        provider = rng.choice(("ziggo", "kpnmail", "gmail", "hotmail", "outlook", "xs4all"))
        emails = [f"{_slug(name).replace('-', '.')}@{provider}.example"]
    else:
        name = _business_name(rng)
        if name in used_names:
            name = f"{name} {fields['city']}"
        domain = f"{_slug(name)}.example"
        contact_person = _person_name(rng)
        emails = [f"{rng.choice(('administratie', 'facturen', 'info', 'crediteuren'))}@{domain}"]
        if rng.random() < 0.3:
            emails.append(f"{_slug(contact_person).replace('-', '.')}@{domain}")
        fields["contact_person"] = contact_person
        if rng.random() < 0.8:
            fields["kvk_number"] = f"{rng.randint(10_000_000, 99_999_999)}"
        if rng.random() < 0.7:
            fields["vat_id"] = _vat_id(rng)
    used_names.add(name)
    fields.update(
        name=name,
        emails=emails,
        phones=[_mobile(rng)] if rng.random() < 0.85 else [],
        language="en" if rng.random() < 0.04 else "nl",
    )
    return fields


def plan_debtors(rng: random.Random, count: int) -> list[DebtorPlan]:
    used_names: set[str] = set()
    debtors = []
    for index in range(1, count + 1):
        kind = DebtorKind.CONSUMER if rng.random() < CONSUMER_SHARE else DebtorKind.BUSINESS
        fields = _debtor_fields(rng, kind, used_names)
        profile = rng.choices(list(PROFILE_WEIGHTS), weights=list(PROFILE_WEIGHTS.values()))[0]
        if profile in (CHRONIC, NEVER) and rng.random() < 0.15:
            fields.update(is_paused=True, pause_reason=rng.choice(PAUSE_REASONS))
        business = kind == DebtorKind.BUSINESS
        debtors.append(
            DebtorPlan(
                external_id=f"demo-debtor-{index:04d}",
                profile=profile,
                payment_term=rng.choice((30, 30, 30, 14)) if business else 14,
                activity=rng.uniform(1, 12) if business else rng.uniform(0.2, 1.2),
                fields=fields,
            )
        )
    return debtors


def _invoice_amounts(rng: random.Random, business: bool) -> tuple[Decimal, Decimal]:
    """Invoice lines from the catalog; VAT per rate, rounded per rate (amount incl. VAT, VAT)."""
    net_per_rate: dict[Decimal, Decimal] = defaultdict(lambda: ZERO)
    lines = rng.randint(1, 8) if business else rng.randint(1, 3)
    for price, rate in rng.sample(CATALOG, lines):
        quantity = rng.choice((1, 2, 4, 6, 10, 12, 20, 24, 40)) if business else rng.randint(1, 4)
        net_per_rate[rate] += price * quantity
    vat = sum((to_money(net * rate) for rate, net in net_per_rate.items()), ZERO)
    return to_money(sum(net_per_rate.values(), ZERO) + vat), vat


def _issue_date(rng: random.Random, today: dt.date) -> dt.date:
    day = today - dt.timedelta(days=rng.randint(0, 365 * YEARS_OF_HISTORY - 1))
    return day - dt.timedelta(days=max(0, day.weekday() - 4))  # invoices go out on weekdays


def _payment_dates(rng: random.Random, profile: str, due: dt.date) -> list[tuple[dt.date, Decimal]]:
    """When the debtor pays which share of the invoice; an empty list means never."""

    def after(low: int, high: int) -> dt.date:
        return due + dt.timedelta(days=rng.randint(low, high))

    if profile == PUNCTUAL:
        return [(after(-10, 2), Decimal(1))]
    if profile == LATE:
        return [(after(3, 25), Decimal(1))]
    if profile == CHRONIC:
        return [] if rng.random() < 0.12 else [(after(20, 110), Decimal(1))]
    if profile == PARTIAL:
        share = Decimal(rng.randint(25, 60)) / 100
        first = (after(0, 30), share)
        return [first, (after(45, 120), Decimal(1) - share)] if rng.random() < 0.6 else [first]
    return [(after(90, 200), Decimal(1))] if rng.random() < 0.1 else []


def _settle(rng: random.Random, invoice: InvoicePlan, today: dt.date, sequence: int) -> None:
    """Decide payments, open amount and status as they stand on ``today``."""
    if rng.random() < CREDITED_SHARE:
        invoice.status, invoice.open_amount = InvoiceStatus.CREDITED, ZERO
        return
    paid, cumulative_share = ZERO, Decimal(0)
    for number, (date, share) in enumerate(_payment_dates(rng, invoice.debtor.profile, invoice.due_date), 1):
        date = max(date, invoice.issue_date)
        cumulative_share += share
        amount = to_money(invoice.amount * cumulative_share) - paid  # shares add up to exactly the amount
        if date > today or amount <= 0:
            break
        online = invoice.debtor.fields["kind"] == DebtorKind.CONSUMER and rng.random() < 0.6
        source = PaymentSource.MOLLIE if online else PaymentSource.IMPORT
        invoice.payments.append(PaymentPlan(amount, date, source, f"demo-{sequence:06d}-{number}"))
        paid += amount
    invoice.open_amount = invoice.amount - paid
    if invoice.open_amount == 0:
        invoice.status = InvoiceStatus.PAID
    elif (today - invoice.due_date).days > WRITE_OFF_AFTER_DAYS and rng.random() < 0.5:
        invoice.status = InvoiceStatus.WRITTEN_OFF


def plan_invoices(rng: random.Random, debtors: list[DebtorPlan], count: int, today: dt.date) -> list[InvoicePlan]:
    """``count`` invoices spread over the debtors by activity, numbered per year in date order."""
    owners = rng.choices(debtors, weights=[debtor.activity for debtor in debtors], k=count)
    invoices = []
    for debtor in owners:
        issue_date = _issue_date(rng, today)
        amount, vat = _invoice_amounts(rng, debtor.fields["kind"] == DebtorKind.BUSINESS)
        due_date = issue_date + dt.timedelta(days=debtor.payment_term)
        invoices.append(InvoicePlan(debtor, issue_date, due_date, amount, vat, open_amount=amount))
    invoices.sort(key=lambda invoice: invoice.issue_date)
    per_year: dict[int, int] = defaultdict(int)
    for sequence, invoice in enumerate(invoices, 1):
        per_year[invoice.issue_date.year] += 1
        invoice.number = f"F{invoice.issue_date.year}-{per_year[invoice.issue_date.year]:05d}"
        invoice.external_id = f"demo-invoice-{sequence:06d}"
        _settle(rng, invoice, today, sequence)
    return invoices
