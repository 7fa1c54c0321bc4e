"""Creditor pages: the flow editor, and choosing a debtor's flow."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from invoices.models import Debtor
from invoices.views import debtor_detail_render
from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.models import Role
from reminders.forms.flows import DebtorFlowForm, FlowNameForm, FlowStepForm
from reminders.models import Flow, FlowStep
from reminders.selectors import flows as flow_selectors
from reminders.services import flows as flow_services


@organization_view()
def flow_list(request: OrganizationRequest) -> HttpResponse:
    flows = flow_selectors.flows_with_steps(organization=request.organization)
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
            "problems": flow_services.flow_problems(flow=flow, steps=steps),
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
        flow_services.flow_step_save(flow=flow, step=None, **form.cleaned_data)
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
        flow_services.flow_step_save(flow=flow, step=step, **form.cleaned_data)
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
        flow_services.flow_step_delete(step=step)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Step removed."))
    return redirect("flow_detail", org_id=request.organization.public_id, flow_id=flow.public_id)


@organization_view(Role.MEMBER)
def debtor_flow_choose(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    """Choose a flow for the debtor, or "automatic". Only the organization's flows for the debtor's kind."""
    organization = request.organization
    debtor = tenant_object_or_404(Debtor, organization, public_id=debtor_id)
    if refused := post_only(request):
        return refused
    state = flow_selectors.debtor_flow_state(organization=organization, debtor=debtor)
    form = DebtorFlowForm(request.POST, flows=state.options)
    if form.is_valid():
        flow = form.chosen_flow()
        try:
            flow_services.debtor_flow_choose(organization=organization, debtor=debtor, flow=flow)
        except ValidationError as exc:
            form.add_error(None, exc)  # a dict error lands on its field
        else:
            messages.success(request, _saved_message(debtor, flow))
            return redirect("debtor_detail", org_id=organization.public_id, debtor_id=debtor.public_id)
    return debtor_detail_render(request, debtor, flow_form=form)


def _saved_message(debtor: Debtor, flow: Flow | None) -> str:
    if flow is None:
        return _("The reminder flow for %(name)s is now chosen automatically.") % {"name": debtor.name}
    return _("%(name)s now gets the flow “%(flow)s”.") % {"name": debtor.name, "flow": flow.name}
