"""Reads of the debtor portal, each inside the organization and debtor a token resolved to."""

from portal.selectors.access import portal_access_for_token
from portal.selectors.overview import PortalInvoice, PortalOverview, portal_invoice, portal_overview
from portal.selectors.payments import portal_invoices_chosen, portal_online_payment
from portal.selectors.reactions import (
    ReactionItem,
    ReactionsBreakdown,
    reactions_list,
    reactions_needing_attention,
    reactions_needing_attention_count,
)
from portal.selectors.threads import InvoiceThread, invoice_thread, portal_invoice_states, portal_proof
from portal.selectors.timeline import PortalTimelineEntry, portal_timeline

__all__ = [
    "InvoiceThread",
    "PortalInvoice",
    "PortalOverview",
    "PortalTimelineEntry",
    "ReactionItem",
    "ReactionsBreakdown",
    "invoice_thread",
    "portal_access_for_token",
    "portal_invoice",
    "portal_invoice_states",
    "portal_invoices_chosen",
    "portal_online_payment",
    "portal_overview",
    "portal_proof",
    "portal_timeline",
    "reactions_list",
    "reactions_needing_attention",
    "reactions_needing_attention_count",
]
