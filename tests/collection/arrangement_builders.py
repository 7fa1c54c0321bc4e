"""Shared by the arrangement tests: limits, open invoices and portal links."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from invoices.models import Debtor, Invoice
from outstanding.models import Organization
from portal.services import portal_link_issue
from tests.factories import TODAY, InvoiceFactory


def open_invoice(debtor: Debtor, number: str, amount: str, *, days_overdue: int = 15, **fields: object) -> Invoice:
    due = TODAY - dt.timedelta(days=days_overdue)
    return InvoiceFactory(
        debtor=debtor,
        number=number,
        issue_date=due - dt.timedelta(days=30),
        due_date=due,
        amount=Decimal(amount),
        **fields,
    )


def limits(organization: Organization, *, max_terms: int = 6, minimum: str = "25.00", auto: bool = False) -> None:
    organization.arrangement_max_terms = max_terms
    organization.arrangement_min_term_amount = Decimal(minimum)
    organization.arrangement_auto_approve = auto
    fields = ["arrangement_max_terms", "arrangement_min_term_amount", "arrangement_auto_approve"]
    organization.save(update_fields=fields)


def portal_link(debtor: Debtor) -> str:
    """The path of a fresh portal link of ``debtor`` (what a test client requests)."""
    url = portal_link_issue(organization=debtor.organization, debtor=debtor)
    return url.split("localhost:8000", 1)[1]
