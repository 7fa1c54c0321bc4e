"""A small ledger with a known answer, shared by the invoice tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from invoices.models import Debtor, Invoice, InvoiceStatus
from tests.factories import TODAY, DebtorFactory, InvoiceFactory


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Pin the organization-local date the creditor pages use to ``TODAY``."""

    def pinned(time_zone: str = "Europe/Amsterdam", now: object = None) -> dt.date:
        return TODAY

    monkeypatch.setattr("invoices.views.local_today", pinned)
    monkeypatch.setattr("outstanding.views.local_today", pinned)
    return TODAY


@dataclass
class Ledger:
    acme: Debtor
    bakker: Debtor
    not_yet_due: Invoice  # Acme, open 121.00, due in 10 days
    partly_paid_overdue: Invoice  # Acme, open 200.25 of 250.50, 5 days late
    long_overdue: Invoice  # Bakker, open 999.99 of 1000.00, 40 days late
    due_today: Invoice  # Bakker, open 10.01, due today: not overdue yet
    paid: Invoice  # Acme, paid
    credited: Invoice  # Bakker, credited
    dollars: Invoice  # Bakker, open USD 77.00, late: listed, never summed
    foreign: Invoice  # organization B, open and late: never counted for A

    open_amount = Decimal("1331.25")  # 121.00 + 200.25 + 999.99 + 10.01
    overdue_amount = Decimal("1200.24")  # 200.25 + 999.99
    open_count = 4
    overdue_count = 2


def invoice(
    debtor: Debtor,
    number: str,
    due_in: int,
    amount: str,
    open_amount: str | None = None,
    status: str = InvoiceStatus.OPEN,
    currency: str = "EUR",
) -> Invoice:
    amount_value = Decimal(amount)
    if open_amount is None:
        open_value = amount_value if status == InvoiceStatus.OPEN else Decimal("0.00")
    else:
        open_value = Decimal(open_amount)
    return InvoiceFactory(
        debtor=debtor,
        number=number,
        issue_date=TODAY - days(60),
        due_date=TODAY + days(due_in),
        amount=amount_value,
        open_amount=open_value,
        status=status,
        currency=currency,
    )


@pytest.fixture
def ledger(org_a, org_b) -> Ledger:
    acme = DebtorFactory(organization=org_a.organization, name="Acme Bouw B.V.", city="Utrecht")
    bakker = DebtorFactory(organization=org_a.organization, name="Bakkerij De Vries", city="Zwolle")
    foreign_debtor = DebtorFactory(organization=org_b.organization, name="Acme Foreign")
    return Ledger(
        acme=acme,
        bakker=bakker,
        not_yet_due=invoice(acme, "2026-0001", 10, "121.00"),
        partly_paid_overdue=invoice(acme, "2026-0002", -5, "250.50", "200.25"),
        long_overdue=invoice(bakker, "2026-0003", -40, "1000.00", "999.99"),
        due_today=invoice(bakker, "2026-0004", 0, "10.01"),
        paid=invoice(acme, "2026-0005", -40, "500.00", status=InvoiceStatus.PAID),
        credited=invoice(bakker, "2026-0006", -20, "300.00", status=InvoiceStatus.CREDITED),
        dollars=invoice(bakker, "2026-0007", -3, "77.00", currency="USD"),
        foreign=invoice(foreign_debtor, "2026-0002", -30, "5000.00"),
    )
