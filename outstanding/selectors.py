"""Reads of the core that other apps share."""

from __future__ import annotations

from collections.abc import Iterable

from outstanding.models import Membership, Organization, Role

# Who is asked to act on something (a debtor's reaction, a proposal): viewers only read.
ACTING_ROLES = (Role.OWNER, Role.ADMIN, Role.MEMBER)


def member_email_addresses(*, organization: Organization, roles: Iterable[str] = ACTING_ROLES) -> list[str]:
    """The addresses of the organization's active members with one of ``roles``, each once, sorted."""
    addresses = (
        Membership.objects.filter(organization=organization, role__in=list(roles), user__is_active=True)
        .exclude(user__email="")
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    return list(dict.fromkeys(addresses))
