"""The creditor's side of a debtor's defence (verweer): read the defences of a dossier, answer one
(optionally resuming collection), and download a file the debtor added. Viewers read; members answer."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collection.forms import DossierDefenceAnswerForm
from collection.models import Dossier
from collection.selectors.defences import Defence, dossier_defences
from collection.services.dossier_defences import dossier_defence_answer
from outstanding.access import OrganizationRequest, organization_view, tenant_object_or_404
from outstanding.calendar import local_today
from outstanding.models import Role, User


def _page(
    request: OrganizationRequest, dossier: Dossier, bound: DossierDefenceAnswerForm | None = None, status: int = 200
) -> HttpResponse:
    defences = dossier_defences(organization=request.organization, dossier=dossier)
    forms = [
        (defence, bound if bound is not None and bound.data.get("defence") == str(defence.sequence) else None)
        for defence in defences
    ]
    rows = [
        (defence, form or DossierDefenceAnswerForm(initial={"defence": defence.sequence})) for defence, form in forms
    ]
    context = {
        "dossier": dossier,
        "defences": rows,
        "can_answer": request.membership.has_role(Role.MEMBER) and dossier.is_open,
    }
    return render(request, "collection/dossier_defence_answer.html", context, status=status)


@organization_view(write=True)
def dossier_defence_answer_view(request: OrganizationRequest, dossier_id: str) -> HttpResponse:
    dossier = tenant_object_or_404(Dossier, request.organization, public_id=dossier_id)
    if request.method != "POST":
        return _page(request, dossier)
    form = DossierDefenceAnswerForm(request.POST)
    if not form.is_valid():
        return _page(request, dossier, form, status=400)
    try:
        dossier_defence_answer(
            organization=request.organization, dossier=dossier, defence_sequence=form.cleaned_data["defence"],
            text=form.cleaned_data["text"], user=cast(User, request.user), resume=form.cleaned_data["resume"],
            today=local_today(request.organization.time_zone),
        )  # fmt: skip
    except ValidationError as error:
        form.add_error(None, error.messages)
        return _page(request, dossier, form, status=400)
    messages.success(request, _("Your answer was sent to the debtor."))
    return redirect("dossier_defence_answer", org_id=request.organization.public_id, dossier_id=dossier.public_id)


def _defence(defences: list[Defence], number: str) -> Defence:
    for defence in defences:
        if str(defence.sequence) == number and defence.file:
            return defence
    raise Http404


@organization_view()
def dossier_defence_file(request: OrganizationRequest, dossier_id: str) -> FileResponse:
    """A file the debtor added to a defence: a download, never shown inline or sniffed as something else."""
    dossier = tenant_object_or_404(Dossier, request.organization, public_id=dossier_id)
    defence = _defence(dossier_defences(organization=request.organization, dossier=dossier), request.GET.get("n", ""))
    stored = defence.file or {}
    try:
        opened = default_storage.open(stored["name"], "rb")
    except (FileNotFoundError, KeyError):
        raise Http404 from None
    response = FileResponse(
        opened, content_type=stored.get("content_type", "application/octet-stream"), as_attachment=True,
        filename=stored.get("original_name") or "defence",
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response
