"""What the portal shows a debtor: their open invoices (those the message was about first) and the total."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from uuid import UUID

from invoices.models import Invoice, InvoiceStatus
from invoices.selectors import SUMMED_CURRENCY, invoice_list, open_q
from portal.models import PortalAccess


@dataclass(frozen=True)
class PortalInvoice:
    public_id: UUID
    number: str
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal
    open_amount: Decimal
    currency: str
    days_overdue: int
    has_pdf: bool
    in_message: bool  # one of the invoices the link's message was about


@dataclass(frozen=True)
class PortalOverview:
    organization_name: str
    logo_url: str
    debtor_name: str
    invoices: tuple[PortalInvoice, ...]
    total_open: Decimal  # euro invoices (as everywhere: another currency is listed, never added)
    other_currencies: bool

    @property
    def in_message_count(self) -> int:
        return sum(1 for invoice in self.invoices if invoice.in_message)


def _open_invoices(access: PortalAccess, today: dt.date) -> list[Invoice]:
    invoices = invoice_list(
        organization=access.organization, today=today, status=InvoiceStatus.OPEN, debtor=access.debtor, sort="due_date"
    )
    return list(invoices.filter(open_q()))


def _portal_invoice(invoice: Invoice, today: dt.date, in_message: bool) -> PortalInvoice:
    return PortalInvoice(
        public_id=invoice.public_id,
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        amount=invoice.amount,
        open_amount=invoice.open_amount,
        currency=invoice.currency,
        days_overdue=invoice.days_overdue(today),
        has_pdf=bool(invoice.pdf),
        in_message=in_message,
    )


def portal_overview(*, access: PortalAccess, today: dt.date) -> PortalOverview:
    """The debtor's open invoices, oldest due first, with the message's own invoices on top."""
    focus = set(access.invoice_ids)
    rows = [_portal_invoice(invoice, today, invoice.pk in focus) for invoice in _open_invoices(access, today)]
    rows.sort(key=lambda row: not row.in_message)  # stable: due-date order within each group
    organization = access.organization
    return PortalOverview(
        organization_name=organization.name,
        logo_url=organization.logo.url if organization.logo else "",
        debtor_name=access.debtor.name,
        invoices=tuple(rows),
        total_open=sum((row.open_amount for row in rows if row.currency == SUMMED_CURRENCY), Decimal("0.00")),
        other_currencies=any(row.currency != SUMMED_CURRENCY for row in rows),
    )


def portal_invoice(*, access: PortalAccess, invoice_id: UUID | str) -> Invoice | None:
    """One invoice of the link's own debtor, or None: another debtor's answers exactly like a missing one."""
    try:
        return (
            Invoice.objects.for_organization(access.organization)
            .filter(debtor=access.debtor, public_id=invoice_id)
            .first()
        )
    except (ValueError, TypeError):
        return None
