"""The creditor's side of the portal: closing a debtor's links."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from invoices.models import Debtor
from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.models import Role
from portal.services import portal_access_revoke


@organization_view(Role.MEMBER)
def debtor_portal_revoke(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    """Every portal link this debtor received stops working; the next message brings a new one."""
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=debtor_id)
    if refused := post_only(request):
        return refused
    count = portal_access_revoke(debtor=debtor)
    if count:
        messages.success(
            request,
            ngettext(
                "%(count)d portal link of %(name)s no longer works.",
                "%(count)d portal links of %(name)s no longer work.",
                count,
            )
            % {"count": count, "name": debtor.name},
        )
    else:
        messages.info(request, _("%(name)s has no working portal links.") % {"name": debtor.name})
    return redirect("debtor_detail", org_id=request.organization.public_id, debtor_id=debtor.public_id)
