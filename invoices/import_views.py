"""Creditor pages for importing invoices: upload, map the columns, check, confirm, follow progress.

Everyone in the organization sees the imports; members and up upload and confirm. Large files are
committed by a Celery task while the page polls a small progress partial with htmx.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any, cast

from django.contrib import messages
from django.http import HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from invoices.imports import selectors, services
from invoices.imports.forms import ImportMappingForm, ImportUploadForm
from invoices.imports.reading import ImportFileError
from invoices.models import ImportJob, ImportStatus
from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.models import Role, User
from outstanding.uploads import uploads_refused

EDITABLE = (ImportStatus.UPLOADED, ImportStatus.READY)
IN_PROGRESS = (ImportStatus.QUEUED, ImportStatus.RUNNING)
# A cell starting with one of these is a formula to a spreadsheet program (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _job(request: OrganizationRequest, import_id: str) -> ImportJob:
    return tenant_object_or_404(ImportJob, request.organization, public_id=import_id)


def _to_job(request: OrganizationRequest, job: ImportJob) -> HttpResponse:
    return redirect("import_detail", org_id=request.organization.public_id, import_id=job.public_id)


@organization_view(Role.VIEWER, write=True)
def import_list(request: OrganizationRequest) -> HttpResponse:
    """Past imports and, for members, the upload form."""
    form = _upload_form(request) if request.membership.can_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            user = cast(User, request.user)  # organization_view lets only logged-in members in
            job = services.import_upload(organization=request.organization, user=user, upload=form.cleaned_data["file"])
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return _to_job(request, job)
    jobs = selectors.import_job_list(organization=request.organization)
    return render(request, "invoices/imports/import_list.html", {"form": form, "jobs": jobs})


def _upload_form(request: OrganizationRequest) -> ImportUploadForm:
    if request.method != "POST":
        return ImportUploadForm()
    files = request.FILES  # parses the body; a file too large was dropped on the way (outstanding.uploads)
    return ImportUploadForm(request.POST, files, refused=uploads_refused(request))


@organization_view()
def import_detail(request: OrganizationRequest, import_id: str) -> HttpResponse:
    return _detail(request, _job(request, import_id))


def _detail(request: OrganizationRequest, job: ImportJob, form: ImportMappingForm | None = None) -> HttpResponse:
    context: dict[str, Any] = {"job": job, "in_progress": job.status in IN_PROGRESS}
    if job.status in EDITABLE:
        context.update(_check_context(request, job, form))
    if job.status in IN_PROGRESS:
        context["processed"] = selectors.import_progress(job=job)
    return render(request, "invoices/imports/import_detail.html", context)


def _check_context(request: OrganizationRequest, job: ImportJob, form: ImportMappingForm | None) -> dict[str, Any]:
    """The mapping form (for members), the preview and the check's findings."""
    try:
        table = selectors.job_table(job)
        preview = selectors.import_preview(job=job, table=table)
    except ImportFileError as exc:
        return {"file_error": str(exc)}
    if form is None and request.membership.can_edit:
        form = ImportMappingForm(initial=job.mapping, headers=table.headers)
    return {"mapping_form": form, "preview": preview, "large": job.total_rows > services.SYNC_ROW_LIMIT}


@organization_view(Role.MEMBER)
def import_mapping(request: OrganizationRequest, import_id: str) -> HttpResponse:
    job = _job(request, import_id)
    if refused := post_only(request):
        return refused
    try:
        form = ImportMappingForm(request.POST, headers=selectors.job_table(job).headers)
        if form.is_valid():
            services.import_mapping_set(job=job, mapping=form.mapping())
            return _to_job(request, job)
    except ImportFileError as exc:
        messages.error(request, str(exc))
        return _to_job(request, job)
    return _detail(request, job, form=form)


@organization_view(Role.MEMBER)
def import_confirm(request: OrganizationRequest, import_id: str) -> HttpResponse:
    job = _job(request, import_id)
    if refused := post_only(request):
        return refused
    try:
        job = services.import_confirm(job=job)
    except ImportFileError as exc:
        messages.error(request, str(exc))
    else:
        _confirm_message(request, job)
    return _to_job(request, job)


def _confirm_message(request: OrganizationRequest, job: ImportJob) -> None:
    if job.status == ImportStatus.DONE:
        messages.success(request, _("The import is done."))
    elif job.status == ImportStatus.FAILED:
        messages.error(request, job.message)
    elif job.status in IN_PROGRESS:
        messages.info(request, _("The import runs in the background; you can follow it here or leave this page."))


@organization_view()
def import_progress(request: OrganizationRequest, import_id: str) -> HttpResponse:
    """The progress partial polled by htmx; once the job is finished it shows the result and stops polling."""
    job = _job(request, import_id)
    context = {"job": job, "in_progress": job.status in IN_PROGRESS, "processed": selectors.import_progress(job=job)}
    return render(request, "invoices/imports/_progress.html", context)


@organization_view()
def import_rejected(request: OrganizationRequest, import_id: str) -> HttpResponseBase:
    """The rejected rows with line, column and reason, as a CSV that opens in Dutch Excel."""
    job = _job(request, import_id)
    try:
        lines = list(services.rejected_rows(job=job)) if job.kind != "ubl" else []
    except ImportFileError as exc:
        messages.error(request, str(exc))
        return _to_job(request, job)
    stem = get_valid_filename(PurePath(job.filename).stem) or "import"
    response = StreamingHttpResponse(_csv_lines(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="rejected-{stem}.csv"'
    return response


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(lines: list[list[str]]) -> Iterator[bytes]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff".encode()  # the byte order mark tells Excel the file is UTF-8
    for line in lines:
        yield writer.writerow([_defused(cell) for cell in line]).encode()


def _defused(cell: str) -> str:
    return f"'{cell}" if cell.startswith(FORMULA_STARTS) else cell
