"""Settings page "Collection": how dossiers open (automatically or after approval) and the free
pre-collection letter. Everyone reads; administrators change (like the company settings)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from outstanding.access import OrganizationRequest, organization_view
from outstanding.forms import DossierSettingsForm


@organization_view()
def dossier_settings(request: OrganizationRequest) -> HttpResponse:
    organization, can_manage = request.organization, request.membership.can_manage
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    form = DossierSettingsForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect("dossier_settings", org_id=organization.public_id)
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "collection/dossier_settings.html", {"form": form, "can_manage": can_manage}, status=status)
