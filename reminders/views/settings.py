"""Creditor page: the organization's dunning settings."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from outstanding.access import OrganizationRequest, organization_view
from outstanding.models import Role
from reminders.engine import dunning_settings
from reminders.forms.settings import DunningSettingsForm
from reminders.services import dunning as dunning_services


@organization_view(Role.VIEWER, write=True)
def dunning_settings_edit(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    settings = dunning_settings(organization)
    can_manage = request.membership.can_manage
    form = DunningSettingsForm(request.POST or None, instance=settings)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                dunning_services.dunning_settings_update(settings=settings, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Reminder settings saved."))
                return redirect("dunning_settings", org_id=organization.public_id)
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "reminders/settings.html", {"form": form, "can_manage": can_manage})
