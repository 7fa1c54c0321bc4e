"""Opening dossiers from the creditor's pages: by hand for chosen invoices of a debtor, and by approval
for the debtors whose invoices reached their flow's hand-over step (when the organization did not
choose to open those automatically). Either way the page first shows what is missing
(``dossier_opening_problems``) and opens nothing until it is fixed."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collection import selectors, services
from collection.forms import DossierOpenForm
from collection.models import Dossier, DossierOrigin
from collection.selectors.dossier_pages import dossier_invoices_offerable
from invoices.models import Debtor
from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.calendar import local_today
from outstanding.models import Role, User


def _address_incomplete(debtor: Debtor) -> bool:
    return not all(value.strip() for value in (debtor.name, debtor.street, debtor.postal_code, debtor.city))


def _opened(request: OrganizationRequest, dossier: Dossier) -> HttpResponse:
    messages.success(request, _("Dossier %(reference)s is open.") % {"reference": dossier.reference})
    return redirect("dossier_detail", org_id=request.organization.public_id, dossier_id=dossier.public_id)


def _new_page(
    request: OrganizationRequest, debtor: Debtor, form: DossierOpenForm, problems: list[str], status: int = 200
) -> HttpResponse:
    context = {
        "debtor": debtor,
        "form": form,
        "offered": form.offered,
        "chosen": form.cleaned_data["invoices"] if form.is_bound and form.is_valid() else list(form.offered),
        "problems": problems,
        "address_incomplete": _address_incomplete(debtor),
    }
    return render(request, "collection/dossier_new.html", context, status=status)


@organization_view(Role.MEMBER)
def dossier_new(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    """Choose open invoices of a debtor, see what is missing, open the dossier (origin: by hand).

    GET with ``invoices`` checks a selection without opening anything; POST opens, or shows the
    problems with a 400 and opens nothing.
    """
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=debtor_id)
    organization, today = request.organization, local_today(request.organization.time_zone)
    offered = dossier_invoices_offerable(organization=organization, debtor=debtor)
    data = request.POST if request.method == "POST" else (request.GET if "invoices" in request.GET else None)
    form = DossierOpenForm(data, invoices=offered)
    if data is None:
        chosen = offered
    elif form.is_valid():
        chosen = form.chosen_invoices()
    else:
        return _new_page(request, debtor, form, [], status=400)
    problems = selectors.dossier_opening_problems(
        organization=organization, debtor=debtor, invoices=chosen, today=today
    )
    if request.method != "POST" or problems:
        return _new_page(request, debtor, form, problems, status=400 if request.method == "POST" else 200)
    try:
        dossier = services.dossier_open(
            organization=organization, debtor=debtor, invoices=chosen, today=today, origin=DossierOrigin.MANUAL,
            user=cast(User, request.user),
        )  # fmt: skip
    except ValidationError as exc:
        return _new_page(request, debtor, form, exc.messages, status=400)
    return _opened(request, dossier)


def _ready_page(request: OrganizationRequest, status: int = 200) -> HttpResponse:
    today = local_today(request.organization.time_zone)
    candidates = selectors.hand_over_candidates(organization=request.organization, today=today)
    context = {"candidates": candidates, "auto_open": request.organization.dossier_auto_open}
    return render(request, "collection/dossier_ready.html", context, status=status)


@organization_view()
def dossier_ready(request: OrganizationRequest) -> HttpResponse:
    """The debtors whose invoices reached the hand-over step and wait for the creditor, with what is missing."""
    return _ready_page(request)


@organization_view(Role.MEMBER)
def dossier_ready_open(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    """Approve one debtor's hand-over: open its dossier for the invoices that reached the step."""
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=debtor_id)
    if refused := post_only(request):
        return refused
    organization, today = request.organization, local_today(request.organization.time_zone)
    candidates = selectors.hand_over_candidates(organization=organization, today=today)
    candidate = next((c for c in candidates if c.debtor.pk == debtor.pk), None)
    if candidate is None:
        messages.error(request, _("%(name)s has no invoices waiting to be handed over.") % {"name": debtor.name})
        return _ready_page(request, status=400)
    if candidate.problems:
        messages.error(request, _("Fix what is missing for %(name)s first.") % {"name": debtor.name})
        return _ready_page(request, status=400)
    try:
        dossier = services.dossier_open(
            organization=organization, debtor=debtor, invoices=candidate.invoices, today=today,
            origin=DossierOrigin.HAND_OVER, user=cast(User, request.user),
        )  # fmt: skip
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _ready_page(request, status=400)
    return _opened(request, dossier)
