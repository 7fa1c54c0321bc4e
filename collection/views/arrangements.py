"""Creditor pages for payment arrangements: the list (open proposals first), one arrangement, where
members approve or reject a proposal and follow what is paid per term, and a new arrangement a member
makes for a debtor's open invoices (approved at once). Viewers read."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collection import selectors, services
from collection.forms import ArrangementDecisionForm, ArrangementMakeForm
from collection.models import Arrangement, ArrangementStatus
from collection.selectors.arrangements import arrangement_invoices_offerable, arrangement_progress
from collection.services.arrangements import arrangement_make
from invoices.models import Debtor
from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.calendar import local_today
from outstanding.models import Role, User

PAGE_SIZE = 200


@organization_view()
def arrangement_list(request: OrganizationRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in ArrangementStatus.values:
        status = ""
    arrangements = selectors.arrangement_list(organization=request.organization, status=status or None)
    shown = list(arrangements[:PAGE_SIZE])
    progress = arrangement_progress(organization=request.organization, arrangements=shown)
    context = {
        "arrangements": [(arrangement, progress[arrangement.pk]) for arrangement in shown],
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
    progress = arrangement_progress(organization=request.organization, arrangements=[arrangement])
    context = {
        "arrangement": arrangement,
        "items": arrangement.items.select_related("invoice").order_by("invoice__due_date", "invoice__pk"),
        "terms": progress[arrangement.pk].terms,
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


def _make_page(
    request: OrganizationRequest, debtor: Debtor, form: ArrangementMakeForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "collection/arrangement_new.html",
        {"debtor": debtor, "form": form, "offered": form.offered},
        status=status,
    )


@organization_view(Role.MEMBER)
def arrangement_new(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    """A member makes an arrangement for some of a debtor's open invoices; the debtor gets the schedule."""
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=debtor_id)
    today = local_today(request.organization.time_zone)
    offered = arrangement_invoices_offerable(organization=request.organization, debtor=debtor)
    if request.method != "POST":
        initial = {
            "invoices": [str(invoice.public_id) for invoice in offered],
            "term_count": 3,
            "first_due_date": today + dt.timedelta(days=services.FIRST_TERM_AFTER_DAYS),
        }
        return _make_page(request, debtor, ArrangementMakeForm(initial=initial, invoices=offered))
    form = ArrangementMakeForm(request.POST, invoices=offered)
    if not form.is_valid():
        return _make_page(request, debtor, form, status=400)
    try:
        arrangement = arrangement_make(
            organization=request.organization,
            debtor=debtor,
            invoices=form.chosen_invoices(),
            term_count=form.cleaned_data["term_count"],
            first_due_date=form.cleaned_data["first_due_date"],
            note=form.cleaned_data["note"],
            user=cast(User, request.user),
            today=today,
        )
    except ValidationError as exc:
        form.add_error(None, exc)  # {"term_count": ...} lands on its field
        return _make_page(request, debtor, form, status=400)
    messages.success(request, _("The payment arrangement was made. The debtor receives the schedule by e-mail."))
    return redirect("arrangement_detail", org_id=request.organization.public_id, arrangement_id=arrangement.public_id)
