"""The dashboard's figures computed again, independently: plain Python over the fixture's rows.

No SQL beyond reading the rows, and written from the definitions (``invoices.selectors.receivables``
module docstring), not from the queries: the tests hold the two together. Also the fixture: an
organization with a seeded random history of invoices and payments, a credit note, a write-off, an
invoice in another currency, an arrangement and a promise to pay.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
import statistics
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils import timezone

from collection.models import Arrangement, ArrangementInvoice, ArrangementStatus, ArrangementTerm
from invoices.models import Invoice, InvoiceStatus, Payment, PaymentSource
from outstanding.models import Organization
from reminders.models import CallOutcome, CallOutcomeKind
from tests.factories import DebtorFactory, InvoiceFactory, PaymentFactory
from tests.reminders.reminder_builders import reminder_with_invoices

TODAY = dt.date(2026, 11, 18)  # a Wednesday; its ISO week runs 16–22 November
ZERO = Decimal("0.00")
BUCKETS = (("not_due", None, 0), ("1_30", 1, 30), ("31_60", 31, 60), ("61_90", 61, 90), ("over_90", 91, None))


@dataclass
class Rows:
    invoices: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    arrangements: list[dict[str, Any]]
    promised: dict[int, dt.date]


def history_create(organization: Organization, *, seed: int = 11, debtors: int = 12, invoices: int = 160) -> None:
    """Invoices over the last 30 months; most paid (some late, some early, some in parts), some open."""
    rng = random.Random(seed)
    people = [DebtorFactory(organization=organization) for _ in range(debtors)]
    habits = {debtor.pk: rng.choice([-3, 0, 5, 12, 25, 45]) for debtor in people}
    for n in range(invoices):
        debtor = rng.choice(people)
        issued = TODAY - dt.timedelta(days=rng.randint(0, 900))
        due = issued + dt.timedelta(days=rng.choice([14, 30]))
        amount = Decimal(rng.randint(2000, 250000)) / 100
        invoice = InvoiceFactory(
            debtor=debtor, number=f"H{n:04d}", issue_date=issued, due_date=due, amount=amount, open_amount=amount
        )
        paid_on = due + dt.timedelta(days=habits[debtor.pk] + rng.randint(-2, 6))
        if paid_on > TODAY or rng.random() < 0.15:
            if rng.random() < 0.3 and issued < TODAY - dt.timedelta(days=5):  # a part paid
                part = (amount / 3).quantize(Decimal("0.01"))
                _pay(invoice, part, min(TODAY, issued + dt.timedelta(days=rng.randint(1, 60))))
            continue
        if rng.random() < 0.25:  # in two parts
            first = (amount / 2).quantize(Decimal("0.01"))
            _pay(invoice, first, paid_on - dt.timedelta(days=rng.randint(1, 20)))
            _pay(invoice, amount - first, paid_on)
        else:
            _pay(invoice, amount, paid_on)
    _specials(organization, people)


def _pay(invoice: Invoice, amount: Decimal, on: dt.date, source: str = PaymentSource.MANUAL) -> None:
    on = max(on, invoice.issue_date)
    PaymentFactory(invoice=invoice, amount=amount, date=on, source=source)
    invoice.open_amount -= amount
    if invoice.open_amount <= 0:
        invoice.open_amount = ZERO
        invoice.status = InvoiceStatus.CREDITED if source == PaymentSource.CREDIT_NOTE else InvoiceStatus.PAID
    invoice.save()


def _specials(organization: Organization, people: list[Any]) -> None:
    debtor = people[0]
    credited = InvoiceFactory(
        debtor=debtor, number="S-credited", issue_date=TODAY - dt.timedelta(days=70), amount=Decimal("300.00")
    )
    _pay(credited, Decimal("300.00"), TODAY - dt.timedelta(days=50), PaymentSource.CREDIT_NOTE)
    written_off = InvoiceFactory(
        debtor=debtor, number="S-written-off", issue_date=TODAY - dt.timedelta(days=400), amount=Decimal("800.00")
    )
    _pay(written_off, Decimal("100.00"), TODAY - dt.timedelta(days=300))
    Invoice.objects.for_organization(organization).filter(pk=written_off.pk).update(status=InvoiceStatus.WRITTEN_OFF)
    InvoiceFactory(  # another currency: in no total
        debtor=debtor, number="S-usd", currency="USD", issue_date=TODAY - dt.timedelta(days=40), amount=Decimal("999")
    )
    this_week = InvoiceFactory(debtor=debtor, number="S-paid-monday", issue_date=TODAY - dt.timedelta(days=20))
    _pay(this_week, Decimal("21.00"), TODAY - dt.timedelta(days=2))  # Monday
    _pay(this_week, Decimal("100.00"), TODAY)
    refunded = InvoiceFactory(debtor=debtor, number="S-refund", issue_date=TODAY - dt.timedelta(days=30))
    _pay(refunded, Decimal("121.00"), TODAY - dt.timedelta(days=9), PaymentSource.MOLLIE)
    PaymentFactory(invoice=refunded, amount=Decimal("-21.00"), date=TODAY - dt.timedelta(days=1), source="mollie")
    Invoice.objects.for_organization(organization).filter(pk=refunded.pk).update(
        open_amount=Decimal("21.00"), status=InvoiceStatus.OPEN
    )
    _arrangement(organization, people[1])
    _promise(people[2])


def _arrangement(organization: Organization, debtor: Any) -> None:
    first = InvoiceFactory(debtor=debtor, number="S-arr-1", amount=Decimal("600.00"), due_date=TODAY - dt.timedelta(1))
    second = InvoiceFactory(debtor=debtor, number="S-arr-2", amount=Decimal("300.00"))
    arrangement = Arrangement.objects.create(
        organization=organization,
        debtor=debtor,
        total=Decimal("900.00"),
        term_count=3,
        first_due_date=TODAY - dt.timedelta(days=10),
        status=ArrangementStatus.APPROVED,
        source="creditor",
        decided_at=timezone.now(),
    )
    for invoice in (first, second):
        ArrangementInvoice.objects.create(
            organization=organization, arrangement=arrangement, invoice=invoice, open_amount=invoice.amount
        )
    for number, days in ((1, -10), (2, 20), (3, 50)):
        ArrangementTerm.objects.create(
            organization=organization,
            arrangement=arrangement,
            number=number,
            due_date=TODAY + dt.timedelta(days=days),
            amount=Decimal("300.00"),
        )
    _pay(first, Decimal("400.00"), TODAY - dt.timedelta(days=8))  # the first term and a third of the second


def _promise(debtor: Any) -> None:
    promised = InvoiceFactory(debtor=debtor, number="S-promised", amount=Decimal("250.00"))
    reminder = reminder_with_invoices(debtor, invoices=[promised], planned_date=TODAY - dt.timedelta(days=3))
    CallOutcome.objects.create(
        organization=debtor.organization,
        reminder=reminder,
        outcome=CallOutcomeKind.PROMISE,
        promised_date=TODAY + dt.timedelta(days=16),
    )


def rows(organization: Organization, today: dt.date) -> Rows:
    """The fixture as plain rows (read with the ORM, nothing summed in SQL)."""
    invoices = list(
        Invoice.objects.for_organization(organization).values(
            "id", "debtor_id", "issue_date", "due_date", "amount", "open_amount", "status", "currency"
        )
    )
    payments = list(Payment.objects.for_organization(organization).values("invoice_id", "amount", "date", "source"))
    arrangements = []
    for arrangement in Arrangement.objects.for_organization(organization).filter(status__in=["proposed", "approved"]):
        items = ArrangementInvoice.objects.for_organization(organization).filter(arrangement=arrangement, holds=True)
        terms = ArrangementTerm.objects.for_organization(organization).filter(arrangement=arrangement)
        arrangements.append(
            {
                "total": arrangement.total,
                "invoice_ids": {item.invoice_id for item in items},
                "terms": sorted((term.due_date, term.amount) for term in terms),
            }
        )
    promised: dict[int, dt.date] = {}
    outcomes = CallOutcome.objects.for_organization(organization).filter(outcome="promise").order_by("created_at")
    for outcome in outcomes:
        if outcome.promised_date >= today:
            for item in outcome.reminder.items.all():
                promised[item.invoice_id] = outcome.promised_date
    return Rows(invoices=invoices, payments=payments, arrangements=arrangements, promised=promised)


# --- the figures, from the definitions ---------------------------------------------------------------


def _euro(rows: Rows) -> list[dict[str, Any]]:
    return [invoice for invoice in rows.invoices if invoice["currency"] == "EUR"]


def _is_open(invoice: dict[str, Any]) -> bool:
    return invoice["status"] == "open" and invoice["open_amount"] > 0


def aging(rows: Rows, today: dt.date) -> dict[str, tuple[Decimal, int]]:
    result = {key: (ZERO, 0) for key, _low, _high in BUCKETS}
    for invoice in filter(_is_open, _euro(rows)):
        late = (today - invoice["due_date"]).days
        for key, low, high in BUCKETS:
            if (low is None and late <= 0) or (low is not None and late >= low and (high is None or late <= high)):
                amount, count = result[key]
                result[key] = (amount + invoice["open_amount"], count + 1)
    return result


def sales_in(rows: Rows, first: dt.date, last: dt.date) -> Decimal:
    return sum((i["amount"] for i in _euro(rows) if first <= i["issue_date"] <= last), ZERO)


def countback(rows: Rows, receivables: Decimal, end: dt.date) -> Decimal:
    """Walk back from ``end``: its month up to ``end``, then whole months, 24 at most."""
    days = Decimal(0)
    period_end = end
    for _ in range(24):
        if receivables <= 0:
            break
        period_start = period_end.replace(day=1)
        length = (period_end - period_start).days + 1
        sales = sales_in(rows, period_start, period_end)
        if sales <= receivables:
            receivables -= sales
            days += length
        else:
            days += length * receivables / sales
            receivables = Decimal(0)
        period_end = period_start - dt.timedelta(days=1)
    return days.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def open_on(rows: Rows, day: dt.date) -> Decimal:
    """What was open at the end of ``day``: today's open amount plus the payments dated after it."""
    paid_after: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for payment in rows.payments:
        if payment["date"] > day:
            paid_after[payment["invoice_id"]] += payment["amount"]
    total = ZERO
    for invoice in _euro(rows):
        if invoice["issue_date"] <= day:
            now = invoice["open_amount"] if invoice["status"] == "open" else ZERO
            total += now + paid_after[invoice["id"]]
    return total


def dso(rows: Rows, today: dt.date) -> Decimal:
    return countback(rows, sum((a for a, _c in aging(rows, today).values()), ZERO), today)


def best_possible(rows: Rows, today: dt.date) -> Decimal | None:
    sales = sales_in(rows, today - dt.timedelta(days=89), today)
    if not sales:
        return None
    current = aging(rows, today)["not_due"][0]
    return (current / sales * 90).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def month_ends(today: dt.date) -> list[dt.date]:
    ends = []
    day = today.replace(day=1) - dt.timedelta(days=1)
    while len(ends) < 12:
        ends.append(day)
        day = day.replace(day=1) - dt.timedelta(days=1)
    return list(reversed(ends))


def trend(rows: Rows, today: dt.date) -> list[tuple[dt.date, Decimal, Decimal]]:
    return [(end, open_on(rows, end), countback(rows, open_on(rows, end), end)) for end in month_ends(today)]


def delays(rows: Rows) -> dict[int, int]:
    last_paid: dict[int, dt.date] = {}
    for payment in rows.payments:
        known = last_paid.get(payment["invoice_id"])
        last_paid[payment["invoice_id"]] = max(known, payment["date"]) if known else payment["date"]
    per_debtor: dict[int, list[int]] = defaultdict(list)
    for invoice in rows.invoices:
        if invoice["status"] == "paid" and invoice["id"] in last_paid:
            per_debtor[invoice["debtor_id"]].append((last_paid[invoice["id"]] - invoice["due_date"]).days)
    return {debtor: statistics.median_low(days) for debtor, days in per_debtor.items()}


def cash_in(rows: Rows, today: dt.date) -> tuple[list[tuple[dt.date, Decimal, int]], Decimal]:
    """(this week and the 7 after it as (Monday, amount, count), the amount expected later)."""
    expected: list[tuple[dt.date, Decimal]] = []
    held: set[int] = set()
    by_id = {invoice["id"]: invoice for invoice in rows.invoices}
    for arrangement in rows.arrangements:
        held |= arrangement["invoice_ids"]
        still_open = sum((by_id[i]["open_amount"] for i in arrangement["invoice_ids"] if _is_open(by_id[i])), ZERO)
        paid = arrangement["total"] - still_open
        for on, amount in arrangement["terms"]:
            left = amount - min(paid, amount)
            paid -= min(paid, amount)
            if left > 0:
                expected.append((on, left))
    usual = delays(rows)
    for invoice in filter(_is_open, _euro(rows)):
        if invoice["id"] in held:
            continue
        on = rows.promised.get(invoice["id"]) or invoice["due_date"] + dt.timedelta(
            days=usual.get(invoice["debtor_id"], 0)
        )
        expected.append((on, invoice["open_amount"]))
    monday = today - dt.timedelta(days=today.weekday())
    weeks = [[monday + dt.timedelta(weeks=n), ZERO, 0] for n in range(8)]
    later = ZERO
    for on, amount in expected:
        index = (max(on, today) - monday).days // 7
        if index < 8:
            weeks[index][1] += amount
            weeks[index][2] += 1
        else:
            later += amount
    return [(w[0], w[1], w[2]) for w in weeks], later


def payments_this_week(rows: Rows, today: dt.date) -> tuple[Decimal, int]:
    monday = today - dt.timedelta(days=today.weekday())
    currency = {invoice["id"]: invoice["currency"] for invoice in rows.invoices}
    chosen = [
        p
        for p in rows.payments
        if monday <= p["date"] <= today and p["source"] != "credit" and currency[p["invoice_id"]] == "EUR"
    ]
    return sum((p["amount"] for p in chosen), ZERO), len(chosen)


def days_in_month(day: dt.date) -> int:
    return calendar.monthrange(day.year, day.month)[1]
