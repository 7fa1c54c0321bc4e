"""``{% invoice_reaction_state invoice.public_id as state %}`` on the portal's home page: whether a
dispute is open or a payment claim is being checked for that invoice.

The states of all the debtor's invoices are read once per request (the first row asks, the others
find them on the request), so a page of fifty invoices still costs one query.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django import template

from portal.selectors import portal_invoice_states

register = template.Library()
CACHE_ATTRIBUTE = "_portal_invoice_states"


@register.simple_tag(takes_context=True)
def invoice_reaction_state(context: dict[str, Any], public_id: UUID) -> str:
    request = context.get("request")
    access = getattr(request, "portal_access", None)
    if access is None:
        return ""
    states = getattr(request, CACHE_ATTRIBUTE, None)
    if states is None:
        states = portal_invoice_states(access=access)
        setattr(request, CACHE_ATTRIBUTE, states)
    return states.get(public_id, "")
