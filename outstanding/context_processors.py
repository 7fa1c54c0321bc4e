from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from outstanding.models import Membership


def tenancy(request: HttpRequest) -> dict[str, Any]:
    """The current organization and the user's other organizations (for the switcher)."""
    organization = getattr(request, "organization", None)
    if organization is None:
        return {}
    return {
        "organization": organization,
        "membership": request.membership,  # type: ignore[attr-defined]
        "memberships": Membership.objects.filter(user=request.user)  # type: ignore[misc]  # a member is logged in
        .select_related("organization")
        .order_by("organization__name"),
    }
