"""Writes for spreadsheet and e-invoice uploads: upload, map, confirm, commit.

The way of a CSV or XLSX file: :func:`import_upload` stores it with a guessed (or the saved)
mapping and checks every row; :func:`import_mapping_set` changes the mapping and checks again;
:func:`import_confirm` commits the valid rows — in the request for small files, in a Celery task
for large ones — through :func:`import_run`. E-invoices (UBL .xml or a .zip of them) are handed to
``invoices.ubl.ubl_import`` at once.

Nothing of a refused upload is stored: the file is checked in memory (size, rows, cells, the
organization's storage quota) and written only together with its row; a file whose row could not be
saved is deleted again, and ``outstanding.storage.orphan_files_sweep`` removes what a killed process
left between the two.

The commit is one database transaction: all valid rows or nothing. Progress cannot be read from
inside a transaction that is still open, so it goes to the cache (Redis) under the job's id while
the transaction runs; the final counts are written to the job in the same transaction as the data.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Mapping

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from invoices.imports.fields import FIELDS_BY_KEY, mapping_missing, mapping_offer
from invoices.imports.progress import progress_set
from invoices.imports.reading import UBL, ImportFileError, Table, check_size, file_kind, table_open
from invoices.imports.rows import RowReader, invoices_valid, rows_check, rows_count
from invoices.imports.selectors import job_table
from invoices.imports.values import text
from invoices.models import ImportJob, ImportMapping, ImportStatus
from invoices.services.upsert import invoices_upsert_many
from outstanding.models import Organization, User
from outstanding.storage import StorageQuotaExceeded, storage_quota_check, storage_usage_add

try:  # written in parallel (invoices/ubl/); CSV and XLSX imports work without it
    from invoices.ubl import UblError, ubl_import
except ImportError:  # pragma: no cover - only while the UBL module does not exist
    ubl_import = None  # type: ignore[assignment]

    class UblError(ValueError):  # type: ignore[no-redef]
        pass


logger = logging.getLogger(__name__)

SYNC_ROW_LIMIT = 2000  # more data rows than this: committed by a Celery task with a progress bar
RESULT_COUNTS = ("created", "updated", "unchanged", "debtors_created", "debtors_updated")


# --- Upload ---------------------------------------------------------------------------------------


def import_upload(*, organization: Organization, user: User | None, upload: UploadedFile) -> ImportJob:
    """Check an uploaded file and store it as an ImportJob; raises ImportFileError, storing nothing.

    Every check (size, quota, the whole file read once) runs before the file is written.
    """
    filename = upload.name or "upload"
    kind = file_kind(filename)
    check_size(upload.size or 0)
    _quota_check(organization, upload.size or 0)
    data = _read(upload)
    if kind == UBL:
        return _ubl_upload(organization=organization, user=user, data=data, filename=filename)
    table = table_open(data, kind)
    job = ImportJob(
        organization=organization, kind=kind, filename=filename[:255], created_by=user,
        mapping=mapping_offer(table.headers, _saved_mapping(organization)),
    )  # fmt: skip
    _check(job, table)
    _store(job, get_valid_filename(filename) or "upload", data)
    logger.info("import.uploaded", extra={"import_job": job.pk, "kind": kind, "rows": job.total_rows})
    return job


def _read(upload: UploadedFile) -> bytes:
    upload.seek(0)
    return upload.read()


def _quota_check(organization: Organization, size: int) -> None:
    try:
        storage_quota_check(organization=organization, incoming_bytes=size)
    except StorageQuotaExceeded as exc:
        raise ImportFileError(str(exc)) from None


def _store(job: ImportJob, filename: str, data: bytes) -> None:
    """Write the file and the job's row; when the row cannot be saved, the file goes too."""
    job.file.save(filename, ContentFile(data), save=False)
    try:
        job.save()
    except BaseException:
        job.file.delete(save=False)
        raise
    storage_usage_add(organization=job.organization, added_bytes=len(data))


def _saved_mapping(organization: Organization) -> dict[str, str]:
    saved = ImportMapping.objects.for_organization(organization).first()
    return dict(saved.columns) if saved else {}


def _ubl_upload(*, organization: Organization, user: User | None, data: bytes, filename: str) -> ImportJob:
    """E-invoices go straight in: the UBL module checks and imports them in one go."""
    if ubl_import is None:
        raise ImportFileError(_("E-invoices (.xml, .zip) cannot be imported yet. Upload a CSV or Excel file."))
    with transaction.atomic():
        try:
            result = ubl_import(organization=organization, data=data, filename=filename)
        except UblError as exc:
            raise ImportFileError(str(exc)) from None
        imported = result.created + result.updated + result.unchanged + result.credited
        job = ImportJob(
            organization=organization, kind=UBL, filename=filename[:255], created_by=user, status=ImportStatus.DONE,
            total_rows=imported + len(result.errors), valid_rows=imported, processed_rows=imported,
            rejected_rows=len(result.errors), finished_at=timezone.now(),
            errors=[{"line": None, "column": file, "reason": reason} for file, reason in result.errors],
            result={"created": result.created, "updated": result.updated, "unchanged": result.unchanged,
                    "credited": result.credited},
        )  # fmt: skip
        _store(job, get_valid_filename(filename) or "upload.xml", data)
    logger.info("import.ubl_done", extra={"import_job": job.pk, "imported": imported})
    return job


# --- Mapping and check ----------------------------------------------------------------------------


def import_mapping_set(*, job: ImportJob, mapping: Mapping[str, str]) -> ImportJob:
    """Use ``mapping`` for this file, remember it for the organization's next file, and check again."""
    if job.status not in (ImportStatus.UPLOADED, ImportStatus.READY):
        raise ImportFileError(_("This import has already been confirmed; its columns cannot change any more."))
    table = job_table(job)
    job.mapping = {key: header for key, header in mapping.items() if key in FIELDS_BY_KEY and header in table.headers}
    mapping_save(organization=job.organization, mapping=job.mapping)
    _check(job, table)
    job.save()
    return job


def mapping_save(*, organization: Organization, mapping: Mapping[str, str]) -> None:
    ImportMapping.objects.for_organization(organization).update_or_create(
        organization=organization, defaults={"columns": dict(mapping)}
    )


def _check(job: ImportJob, table: Table) -> None:
    """Count and check every row; READY when the required columns are mapped, UPLOADED when not."""
    job.errors, job.valid_rows, job.rejected_rows = [], 0, 0
    missing = mapping_missing(job.mapping)
    if missing:
        job.status, job.total_rows = ImportStatus.UPLOADED, rows_count(table)
        job.message = _("Choose the column for: %(fields)s.") % {"fields": ", ".join(str(f.label) for f in missing)}
        return
    summary = rows_check(table, job.mapping)
    job.status, job.message = ImportStatus.READY, ""
    job.total_rows, job.valid_rows, job.rejected_rows = summary.total_rows, summary.valid_rows, summary.rejected_rows
    job.errors = [error.as_dict() for error in summary.errors]


# --- Confirm and commit ---------------------------------------------------------------------------


def import_confirm(*, job: ImportJob) -> ImportJob:
    """Commit the valid rows: now when the file is small, through a Celery task when it is large.

    Claimed with a conditional UPDATE, so a double click or two members confirming at once import
    the file once.
    """
    if job.status != ImportStatus.READY or job.valid_rows == 0:
        raise ImportFileError(_("This import cannot be confirmed: there are no valid rows waiting."))
    mapping_save(organization=job.organization, mapping=job.mapping)
    if job.total_rows > SYNC_ROW_LIMIT:
        if _claim(job, ImportStatus.READY, ImportStatus.QUEUED):
            from invoices.tasks import import_run_task  # tasks import this module

            organization_id, job_id = job.organization_id, job.pk
            transaction.on_commit(lambda: import_run_task.delay(organization_id, job_id))
        return job
    if _claim(job, ImportStatus.READY, ImportStatus.RUNNING):
        import_run(job=job)
    return job


def import_run_queued(*, job: ImportJob) -> ImportJob:
    """The task's entry: run a queued job once (a redelivered task finds it claimed already)."""
    if _claim(job, ImportStatus.QUEUED, ImportStatus.RUNNING):
        import_run(job=job)
    return job


def _claim(job: ImportJob, from_status: str, to_status: str) -> bool:
    claimed = (
        ImportJob.objects.for_organization(job.organization)
        .filter(pk=job.pk, status=from_status)
        .update(status=to_status, processed_rows=0)
    )
    job.refresh_from_db()
    return claimed == 1


def import_run(*, job: ImportJob) -> ImportJob:
    """Commit the valid rows of a RUNNING job in one transaction; on any failure nothing is kept.

    The file is read once (``invoices_valid``), then the intake path writes the invoices batch by
    batch; after each batch the count goes to the cache for the progress bar.
    """

    def progress(done: int) -> None:
        job.processed_rows = done
        progress_set(job_id=job.pk, processed=done)

    try:
        table = job_table(job)
        with transaction.atomic():
            result = invoices_upsert_many(
                organization=job.organization, rows=invoices_valid(table, job.mapping), progress=progress
            )
            job.status, job.finished_at, job.message = ImportStatus.DONE, timezone.now(), ""
            job.result = {name: getattr(result, name) for name in RESULT_COUNTS}
            job.save(update_fields=["status", "finished_at", "message", "result", "processed_rows"])
    except ImportFileError as exc:
        _fail(job, str(exc))
    except Exception:
        # Anything else (a database error, a worker problem): the transaction is rolled back, the
        # creditor gets a plain message and the details go to the log with the job's id only.
        logger.exception("import.failed", extra={"import_job": job.pk})
        _fail(job, _("The import failed and nothing was changed. Try again; if it fails again, contact support."))
    else:
        logger.info("import.done", extra={"import_job": job.pk, "import_result": job.result})
    return job


def _fail(job: ImportJob, message: str) -> None:
    job.status, job.message, job.processed_rows, job.finished_at = (
        ImportStatus.FAILED, message, 0, timezone.now()
    )  # fmt: skip
    job.save(update_fields=["status", "message", "processed_rows", "finished_at"])


STALE_AFTER = dt.timedelta(hours=2)  # the largest file commits in about a minute


def import_jobs_release_stale(*, now: dt.datetime | None = None) -> int:
    """Queued or running imports whose worker died: mark them failed so the creditor can try again.

    Safe because an import commits in one transaction: a job that never finished wrote nothing.
    Cross-tenant on purpose (a periodic sweep), hence ``ImportJob.unscoped``.
    """
    cutoff = (now or timezone.now()) - STALE_AFTER
    return ImportJob.unscoped.filter(
        status__in=(ImportStatus.QUEUED, ImportStatus.RUNNING), created_at__lt=cutoff
    ).update(
        status=ImportStatus.FAILED,
        message=_("The import stopped before it finished and nothing was changed. Please confirm it again."),
        processed_rows=0,
        finished_at=timezone.now(),
    )


# --- Rejected rows --------------------------------------------------------------------------------


def rejected_rows(*, job: ImportJob) -> Iterator[list[str]]:
    """Header and one line per problem: line, column, reason, then the row as it was in the file."""
    table = job_table(job)
    yield [_("Line"), _("Column"), _("Reason"), *table.headers]
    reader = RowReader(table.headers, job.mapping)
    for line, cells in table.rows():
        for error in reader.read(line, cells).errors:
            yield [str(error.line), error.column, error.reason, *(text(cell) for cell in cells)]
