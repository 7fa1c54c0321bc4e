"""Creditor pages: the organization's dunning settings, and switching reminders on and off (the go-live gate)."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outstanding.access import OrganizationRequest, organization_view, post_only
from outstanding.calendar import local_today
from outstanding.models import Organization, Role, User
from reminders.engine import dunning_settings
from reminders.forms.settings import ActivationForm, DunningSettingsForm
from reminders.models import BacklogStart
from reminders.services import activation
from reminders.services import dunning as dunning_services
from reminders.services.activation import FirstRun


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


@organization_view(Role.VIEWER, write=True)
def reminders_activation(request: OrganizationRequest) -> HttpResponse:
    """What is missing, where the backlog starts and what the first run sends; members switch on (POST)."""
    organization = request.organization
    settings = dunning_settings(organization)
    today = local_today(organization.time_zone)
    form = ActivationForm(request.POST or None, initial={"backlog_start": settings.backlog_start})
    if request.method == "POST" and form.is_valid():
        try:
            result = activation.reminders_activate(
                organization=organization, user=cast(User, request.user), today=today,
                backlog_start=form.cleaned_data["backlog_start"],
            )  # fmt: skip
        except activation.MissingFactsError:
            messages.error(request, _("Fill in the missing company details first; then switch reminders on."))
        else:
            count = result.next_run_messages
            messages.success(
                request,
                ngettext(
                    "Reminders are on. The first run sends %(count)d message.",
                    "Reminders are on. The first run sends %(count)d messages.",
                    count,
                ) % {"count": count},
            )  # fmt: skip
            return redirect("reminders_activation", org_id=organization.public_id)
    missing = activation.organization_missing_facts(organization)
    context = {
        "form": form, "settings": settings, "can_switch": request.membership.can_edit,
        "facts": activation.REQUIRED_FACTS, "missing_fields": {fact.field for fact in missing}, "missing": missing,
        "previews": _first_run_previews(organization, today, active=settings.reminders_active),
    }  # fmt: skip
    return render(request, "reminders/activation.html", context)


def _first_run_previews(organization: Organization, today: dt.date, *, active: bool) -> list[tuple[object, FirstRun]]:
    """Live: the next run. Not yet: the first run for each backlog start, so the creditor can compare."""
    if active:
        return [("", activation.first_run_preview(organization, today))]
    return [
        (label, activation.first_run_preview(organization, today, backlog_start=value))
        for value, label in BacklogStart.choices
    ]


@organization_view(Role.MEMBER)
def reminders_deactivate(request: OrganizationRequest) -> HttpResponse:
    if refused := post_only(request):
        return refused
    # organization_view let only a logged-in user through
    activation.reminders_deactivate(organization=request.organization, user=cast(User, request.user))
    messages.success(request, _("Reminders are off. Nothing is sent until you switch them on again."))
    return redirect("reminders_activation", org_id=request.organization.public_id)
