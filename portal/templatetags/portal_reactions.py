"""``{{ reaction_states|reaction_state:invoice.public_id }}`` on the portal's home page: whether a
dispute is open or a payment claim is being checked for that invoice.

The view reads the states of all the debtor's invoices once (``portal.selectors.portal_invoice_states``)
and hands them to the template; this filter only looks one up.
"""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from django import template

register = template.Library()


@register.filter
def reaction_state(states: Mapping[UUID, str] | None, public_id: UUID) -> str:
    return states.get(public_id, "") if states else ""
