"""The bailiff's hand-over of a dossier as downloads: ``export.pdf`` and ``export.json``.

Members only (an export is recorded in the dossier's chain); another organization's dossier is a 404
like a missing one. Both downloads give the files of the same export (the latest while nothing
happened since that day, else a new one; ``collection.services.dossier_export``). Before the court fee
is recorded the export is refused with a 409 and the reason.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase

from collection.models import Dossier
from collection.services.dossier_export import DossierExport, dossier_export_current
from outstanding.access import OrganizationRequest, organization_view, tenant_object_or_404
from outstanding.calendar import local_today
from outstanding.models import Role, User


def _export(request: OrganizationRequest, dossier_id: str) -> DossierExport | HttpResponse:
    dossier = tenant_object_or_404(Dossier, request.organization, public_id=dossier_id)
    user = request.user if isinstance(request.user, User) else None
    try:
        return dossier_export_current(
            organization=request.organization, dossier=dossier, today=local_today(request.organization.time_zone),
            user=user,
        )  # fmt: skip
    except ValidationError as exc:
        return HttpResponse(" ".join(exc.messages), status=409, content_type="text/plain; charset=utf-8")


def _file(name: str, filename: str, content_type: str) -> FileResponse:
    try:
        stored = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    return FileResponse(stored, as_attachment=True, filename=filename, content_type=content_type)


@organization_view(Role.MEMBER)
def dossier_export_pdf(request: OrganizationRequest, dossier_id: str) -> HttpResponseBase:
    export = _export(request, dossier_id)
    if isinstance(export, HttpResponse):
        return export
    reference = export.event.dossier.reference
    return _file(export.pdf_name, f"{reference}-bailiff.pdf", "application/pdf")


@organization_view(Role.MEMBER)
def dossier_export_json(request: OrganizationRequest, dossier_id: str) -> HttpResponseBase:
    export = _export(request, dossier_id)
    if isinstance(export, HttpResponse):
        return export
    reference = export.event.dossier.reference
    return _file(export.json_name, f"{reference}-claim.json", "application/json")
