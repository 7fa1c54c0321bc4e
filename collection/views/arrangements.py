"""Creditor pages for payment arrangements: the list (open proposals first) and one arrangement, where
members approve or reject a proposal. Viewers read."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collection import selectors, services
from collection.forms import ArrangementDecisionForm
from collection.models import Arrangement, ArrangementStatus
from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.models import Role, User

PAGE_SIZE = 200


@organization_view()
def arrangement_list(request: OrganizationRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ArrangementStatus.values:
        status = ""
    arrangements = selectors.arrangement_list(organization=request.organization, status=status or None)
    context = {
        "arrangements": list(arrangements[:PAGE_SIZE]),
        "status": status,
        "statuses": ArrangementStatus.choices,
        "open_count": selectors.arrangement_proposals_open_count(organization=request.organization),
        "page_size": PAGE_SIZE,
    }
    return render(request, "collection/arrangement_list.html", context)


def _arrangement(request: OrganizationRequest, arrangement_id: str) -> Arrangement:
    return tenant_object_or_404(Arrangement, request.organization, public_id=arrangement_id)


def _detail(
    request: OrganizationRequest,
    arrangement: Arrangement,
    form: ArrangementDecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "arrangement": arrangement,
        "items": arrangement.items.select_related("invoice").order_by("invoice__due_date", "invoice__pk"),
        "terms": arrangement.terms.order_by("number"),
        "form": form or ArrangementDecisionForm(),
    }
    return render(request, "collection/arrangement_detail.html", context, status=status)


@organization_view()
def arrangement_detail(request: OrganizationRequest, arrangement_id: str) -> HttpResponse:
    return _detail(request, _arrangement(request, arrangement_id))


def _decide(request: OrganizationRequest, arrangement_id: str, *, approving: bool) -> HttpResponse:
    arrangement = _arrangement(request, arrangement_id)
    if refused := post_only(request):
        return refused
    form = ArrangementDecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, arrangement, form, status=400)
    user = cast(User, request.user)  # organization_view lets only logged-in members in
    try:
        if approving:
            services.arrangement_approve(arrangement=arrangement, user=user, note=form.cleaned_data["note"])
        else:
            services.arrangement_reject(arrangement=arrangement, user=user, note=form.cleaned_data["note"])
    except ValidationError as exc:
        form.add_error(None, exc)  # a {"note": ...} error lands on the note field
        return _detail(request, arrangement, form, status=400)
    messages.success(request, _("The proposal was approved.") if approving else _("The proposal was rejected."))
    return redirect("arrangement_detail", org_id=request.organization.public_id, arrangement_id=arrangement.public_id)


@organization_view(Role.MEMBER)
def arrangement_approve(request: OrganizationRequest, arrangement_id: str) -> HttpResponse:
    return _decide(request, arrangement_id, approving=True)


@organization_view(Role.MEMBER)
def arrangement_reject(request: OrganizationRequest, arrangement_id: str) -> HttpResponse:
    return _decide(request, arrangement_id, approving=False)
