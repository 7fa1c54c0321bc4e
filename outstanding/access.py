"""The one tenant resolver for creditor pages.

Every creditor URL lives under ``/app/<uuid:org_id>/``. :func:`organization_view` resolves that
organization from the URL for the logged-in user and answers **404** to anyone who is not a member,
so a stranger cannot even learn that an organization exists. A member whose role is too low for the
action gets 403: they know the organization already.

Child objects are fetched through :func:`tenant_object_or_404`, so an object of another organization
answers 404 exactly like a missing one (zulip's ``access_*_by_id`` habit).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar
from uuid import UUID

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.http.response import HttpResponseBase

from outstanding.models import Membership, Organization, Role

M = TypeVar("M", bound=Model)
View = Callable[..., HttpResponseBase]


class OrganizationRequest(HttpRequest):
    """What a view decorated with :func:`organization_view` receives (for type checkers)."""

    organization: Organization
    membership: Membership


def membership_for_user(user: Any, org_id: UUID | str) -> Membership:
    """The user's membership of the organization, or Http404 — also when the id is malformed."""
    if not getattr(user, "is_authenticated", False):
        raise Http404
    try:
        return Membership.objects.select_related("organization").get(user=user, organization__public_id=org_id)
    except (Membership.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def organization_view(role: str = Role.VIEWER, *, write: bool | None = None) -> Callable[[View], View]:
    """Decorate a creditor view taking ``org_id`` from the URL.

    ``role`` is the least role the view needs. ``write=True`` lets viewers read (GET/HEAD) but
    requires ``Role.MEMBER`` for anything else, which is what most pages want.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, org_id: UUID, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = membership_for_user(request.user, org_id)
            needed = role
            if write and request.method not in ("GET", "HEAD", "OPTIONS"):
                needed = max(role, Role.MEMBER, key=Role.rank)
            if not membership.has_role(needed):
                raise PermissionDenied
            request.organization = membership.organization  # type: ignore[attr-defined]
            request.membership = membership  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        wrapper.organization_view = True  # type: ignore[attr-defined]  # checked by the URL sweep test
        return wrapper

    return decorator


def post_only(request: HttpRequest) -> HttpResponse | None:
    """405 for anything but POST, for write views to call *after* fetching their object.

    Fetching first means another organization's id answers 404 whatever the method, so a GET cannot
    tell "exists elsewhere" from "does not exist" (the outsider sweep walks every URL with GET too).
    """
    return None if request.method == "POST" else HttpResponseNotAllowed(["POST"])


def tenant_object_or_404(model: type[M], organization: Organization, **lookup: Any) -> M:
    """Fetch one tenant-owned object inside ``organization``; 404 when missing *or* not ours."""
    try:
        return model.objects.for_organization(organization).get(**lookup)  # type: ignore[attr-defined]
    except (model.DoesNotExist, ValidationError, ValueError):  # type: ignore[attr-defined]
        raise Http404 from None


def stored_file_or_404(field: Any) -> Any:
    """The opened file behind a ``FileField`` value; 404 when there is none or it is gone from storage.

    The only way a private file (an import, an invoice PDF, a letter, a print batch) leaves the server:
    call it in a view that fetched the owning object with :func:`tenant_object_or_404` under
    :func:`organization_view`. Nothing serves ``MEDIA_URL``, and stored names are random
    (``outstanding.files``), so a file is reachable neither at a URL of its own nor by guessing.
    """
    if not field:
        raise Http404
    try:
        return field.open("rb")
    except FileNotFoundError:
        raise Http404 from None
