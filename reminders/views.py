"""Creditor pages: the reminders overview (what needs attention, the week ahead), the dunning
settings and the flow editor."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.calendar import local_today
from outstanding.models import Role
from reminders import dispatch, selectors, services
from reminders.editor_forms import DunningSettingsForm, FlowNameForm, FlowStepForm
from reminders.engine import dunning_settings
from reminders.models import Channel, Flow, FlowStep, Reminder, ReminderStatus

PAGE_SIZE = 50
STATUS_FILTERS = [("attention", gettext_lazy("Needs attention")), *ReminderStatus.choices]


@organization_view()
def reminder_overview(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    reminders = selectors.reminder_list(organization=organization, status=status, channel=channel)
    page = Paginator(reminders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "reminders/overview.html",
        {
            "page": page, "status": status, "channel": channel, "statuses": STATUS_FILTERS,
            "channels": Channel.choices, "attention_count": selectors.attention_count(organization=organization),
        },
    )  # fmt: skip


@organization_view()
def week_ahead(request: OrganizationRequest) -> HttpResponse:
    """The coming seven days as the engine will plan them (loaded by htmx: it runs the engine)."""
    organization = request.organization
    days = selectors.week_ahead(organization=organization, today=local_today(organization.time_zone))
    return render(request, "reminders/_week_ahead.html", {"days": days})


@organization_view(Role.MEMBER)
def reminder_retry(request: OrganizationRequest, reminder_id: str) -> HttpResponse:
    reminder = tenant_object_or_404(Reminder, request.organization, public_id=reminder_id)
    if refused := post_only(request):
        return refused
    dispatch.reminder_retry(reminder=reminder)
    messages.success(request, _("The message will be sent again."))
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("reminder_overview", org_id=request.organization.public_id)


@organization_view(Role.MEMBER)
def reminder_cancel(request: OrganizationRequest, reminder_id: str) -> HttpResponse:
    reminder = tenant_object_or_404(Reminder, request.organization, public_id=reminder_id)
    if refused := post_only(request):
        return refused
    try:
        services.reminder_cancel(reminder=reminder)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Cancelled. Its invoices stay in their flow and come up again on the next sending day; "
              "pause the debtor to stop all reminders."),
        )  # fmt: skip
    return redirect("reminder_overview", org_id=request.organization.public_id)


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
                services.dunning_settings_update(settings=settings, **form.cleaned_data)
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, _("Reminder settings saved."))
                return redirect("dunning_settings", org_id=organization.public_id)
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "reminders/settings.html", {"form": form, "can_manage": can_manage})


@organization_view()
def flow_list(request: OrganizationRequest) -> HttpResponse:
    flows = selectors.flows_with_steps(organization=request.organization)
    return render(request, "reminders/flows/list.html", {"flows": flows})


def _flow_page(request: OrganizationRequest, flow: Flow, *, step_form: FlowStepForm | None = None,
               status: int = 200) -> HttpResponse:  # fmt: skip
    steps = list(flow.steps.order_by("days_after_due"))
    return render(
        request, "reminders/flows/detail.html",
        {
            "flow": flow, "steps": [(step, FlowStepForm.for_step(step)) for step in steps],
            "add_form": step_form or FlowStepForm(), "name_form": FlowNameForm(initial={"name": flow.name}),
            "can_manage": request.membership.can_manage,
            "problems": services.flow_problems(flow=flow, steps=steps),
        },
        status=status,
    )  # fmt: skip


@organization_view()
def flow_detail(request: OrganizationRequest, flow_id: str) -> HttpResponse:
    flow = tenant_object_or_404(Flow, request.organization, public_id=flow_id)
    return _flow_page(request, flow)


@organization_view(Role.ADMIN)
def flow_rename(request: OrganizationRequest, flow_id: str) -> HttpResponse:
    flow = tenant_object_or_404(Flow, request.organization, public_id=flow_id)
    if refused := post_only(request):
        return refused
    form = FlowNameForm(request.POST)
    if form.is_valid():
        flow.name = form.cleaned_data["name"].strip()
        flow.save(update_fields=["name"])
        messages.success(request, _("Flow renamed."))
    return redirect("flow_detail", org_id=request.organization.public_id, flow_id=flow.public_id)


@organization_view(Role.ADMIN)
def flow_step_add(request: OrganizationRequest, flow_id: str) -> HttpResponse:
    flow = tenant_object_or_404(Flow, request.organization, public_id=flow_id)
    if refused := post_only(request):
        return refused
    form = FlowStepForm(request.POST)
    if not form.is_valid():
        return _flow_page(request, flow, step_form=form, status=400)
    try:
        services.flow_step_save(flow=flow, step=None, **form.cleaned_data)
    except ValidationError as exc:
        form.add_error(None, exc)
        return _flow_page(request, flow, step_form=form, status=400)
    messages.success(request, _("Step added."))
    return redirect("flow_detail", org_id=request.organization.public_id, flow_id=flow.public_id)


@organization_view(Role.ADMIN)
def flow_step_edit(request: OrganizationRequest, flow_id: str, step_id: str) -> HttpResponse:
    flow = tenant_object_or_404(Flow, request.organization, public_id=flow_id)
    step = tenant_object_or_404(FlowStep, request.organization, public_id=step_id, flow=flow)
    if refused := post_only(request):
        return refused
    form = FlowStepForm(request.POST, prefix=str(step.public_id))
    try:
        if not form.is_valid():
            raise ValidationError(_("Check the step: a day, a kind, at least one channel and a tone."))
        services.flow_step_save(flow=flow, step=step, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Step saved."))
    return redirect("flow_detail", org_id=request.organization.public_id, flow_id=flow.public_id)


@organization_view(Role.ADMIN)
def flow_step_delete(request: OrganizationRequest, flow_id: str, step_id: str) -> HttpResponse:
    flow = tenant_object_or_404(Flow, request.organization, public_id=flow_id)
    step = tenant_object_or_404(FlowStep, request.organization, public_id=step_id, flow=flow)
    if refused := post_only(request):
        return refused
    try:
        services.flow_step_delete(step=step)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Step removed."))
    return redirect("flow_detail", org_id=request.organization.public_id, flow_id=flow.public_id)
