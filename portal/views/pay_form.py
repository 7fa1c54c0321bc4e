"""The "pay online" form on the portal page: which invoices it offers, which are ticked, and its error."""

from __future__ import annotations

from dataclasses import dataclass

from invoices.payments.mollie import ONLINE_CURRENCY, online_payments_enabled
from portal.models import PortalAccess
from portal.selectors import PortalInvoice, PortalOverview
from portal.views.form_token import portal_form_token


@dataclass(frozen=True)
class PayChoice:
    invoice: PortalInvoice
    checked: bool


@dataclass(frozen=True)
class PayForm:
    choices: tuple[PayChoice, ...]
    form_token: str
    error: str


def pay_form(access: PortalAccess, overview: PortalOverview, *, chosen: set[str] | None, error: str) -> PayForm | None:
    """None when the organization takes no online payments or nothing can be paid online (euros only).

    Every invoice is ticked at first (the message's invoices come first, as on the page); after a
    failed attempt the debtor's own choice stays.
    """
    if not online_payments_enabled(access.organization):
        return None
    payable = [row for row in overview.invoices if row.currency == ONLINE_CURRENCY and row.open_amount > 0]
    if not payable:
        return None
    choices = tuple(PayChoice(invoice=row, checked=chosen is None or str(row.public_id) in chosen) for row in payable)
    return PayForm(choices=choices, form_token=portal_form_token(access), error=error)
