"""Reads of the debtor portal, each inside the organization and debtor a token resolved to."""

from portal.selectors.access import portal_access_for_token
from portal.selectors.overview import PortalInvoice, PortalOverview, portal_invoice, portal_overview
from portal.selectors.payments import portal_invoices_chosen, portal_online_payment
from portal.selectors.timeline import PortalTimelineEntry, portal_timeline

__all__ = [
    "PortalInvoice",
    "PortalOverview",
    "PortalTimelineEntry",
    "portal_access_for_token",
    "portal_invoice",
    "portal_invoices_chosen",
    "portal_online_payment",
    "portal_overview",
    "portal_timeline",
]
