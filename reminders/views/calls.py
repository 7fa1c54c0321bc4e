"""Creditor pages for the call list: today's phone reminders per debtor, logging outcomes, the CSV export."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from invoices.models import Debtor
from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.calendar import local_today
from outstanding.models import Role, User
from reminders.forms.calls import CallOutcomeForm
from reminders.models import CallOutcomeKind
from reminders.selectors import calls as call_selectors
from reminders.services import calls


def _today(request: OrganizationRequest) -> dt.date:
    return local_today(request.organization.time_zone)


def _call_list(request: OrganizationRequest, failed: tuple[Debtor, CallOutcomeForm] | None = None) -> HttpResponse:
    """The list; after a refused outcome, that debtor's form comes back with its errors."""
    today = _today(request)
    tasks = call_selectors.call_list(organization=request.organization, today=today)
    for task in tasks:
        if failed and failed[0].pk == task.debtor.pk:
            task.form = failed[1]  # type: ignore[attr-defined]
        else:
            task.form = CallOutcomeForm(today=today, auto_id=f"id_{task.debtor.public_id.hex}_%s")  # type: ignore[attr-defined]
    if failed and not any(task.debtor.pk == failed[0].pk for task in tasks):
        messages.error(request, " ".join(str(error) for error in failed[1].non_field_errors()))
    return render(request, "reminders/calls/call_list.html", {"tasks": tasks, "today": today})


@organization_view()
def call_list(request: OrganizationRequest) -> HttpResponse:
    return _call_list(request)


@organization_view()
def call_list_export(request: OrganizationRequest) -> HttpResponse:
    today = _today(request)
    tasks = call_selectors.call_list(organization=request.organization, today=today)
    response = HttpResponse(call_selectors.call_list_csv(tasks), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="call-list-{today.isoformat()}.csv"'
    return response


@organization_view(Role.MEMBER)
def call_outcome(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=debtor_id)
    if refused := post_only(request):
        return refused
    today = _today(request)
    form = CallOutcomeForm(request.POST, today=today, auto_id=f"id_{debtor.public_id.hex}_%s")
    if form.is_valid():
        data = form.cleaned_data
        try:
            calls.call_outcome_log(
                organization=request.organization,
                debtor=debtor,
                today=today,
                outcome=data["outcome"],
                promised_date=data["promised_date"],
                note=data["note"],
                user=cast(User, request.user),  # organization_view let only a logged-in user through
            )
        except ValidationError as exc:
            _show_errors(form, exc)
        else:
            label = CallOutcomeKind(data["outcome"]).label
            messages.success(
                request, _("Call to %(name)s logged: %(outcome)s.") % {"name": debtor.name, "outcome": label}
            )
            return redirect("call_list", org_id=request.organization.public_id)
    return _call_list(request, failed=(debtor, form))


def _show_errors(form: CallOutcomeForm, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)
