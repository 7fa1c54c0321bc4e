"""The creditor's choice of a reminder flow for one debtor, posted from the debtor page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from invoices.models import Debtor
from invoices.views import debtor_detail_render
from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.models import Role
from reminders import flow_selectors, flow_services
from reminders.flow_forms import DebtorFlowForm
from reminders.models import Flow


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
