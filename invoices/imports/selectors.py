"""Reads for the import pages: past imports, the preview of a file as mapped, progress."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from invoices.imports.fields import FIELDS
from invoices.imports.progress import progress_get
from invoices.imports.reading import ImportFileError, Table, table_open
from invoices.imports.rows import RowError, rows_preview
from invoices.models import ImportJob, ImportStatus
from outstanding.models import Organization

RECENT_IMPORTS = 50
DATE_FIELDS = {"issue_date", "due_date"}
MONEY_FIELDS = {"amount", "vat_amount", "open_amount"}


@dataclass(frozen=True)
class PreviewColumn:
    key: str
    label: str
    header: str  # the creditor's own column name; "" for a value we work out (due date from the term)


@dataclass(frozen=True)
class PreviewCell:
    value: object
    kind: str  # "date", "money", "text": how the template shows it
    has_error: bool


@dataclass(frozen=True)
class PreviewRow:
    line: int
    cells: list[PreviewCell]
    errors: list[RowError]
    currency: str


@dataclass(frozen=True)
class Preview:
    columns: list[PreviewColumn]
    rows: list[PreviewRow]


def job_table(job: ImportJob) -> Table:
    """The job's stored file as a table; ImportFileError when it is gone or no longer readable."""
    try:
        with job.file.open("rb") as stored:
            data = stored.read()
    except (FileNotFoundError, ValueError):
        raise ImportFileError(_("The uploaded file is no longer available. Upload it again.")) from None
    return table_open(data, job.kind, checked=True)


def import_job_list(*, organization: Organization) -> QuerySet[ImportJob]:
    return ImportJob.objects.for_organization(organization).select_related("created_by")[:RECENT_IMPORTS]


def import_preview(*, job: ImportJob, table: Table) -> Preview:
    """The first rows of the job's file (``table``, from :func:`job_table`) as its mapping reads them."""
    columns = _preview_columns(job.mapping)
    rows = []
    for row in rows_preview(table, job.mapping):
        failed = {error.column for error in row.errors}
        cells = [_cell(row.values.get(column.key), column, failed) for column in columns]
        currency = row.values.get("currency")
        rows.append(PreviewRow(row.line, cells, row.errors, currency if isinstance(currency, str) else "EUR"))
    return Preview(columns, rows)


def _preview_columns(mapping: dict[str, str]) -> list[PreviewColumn]:
    columns = []
    for field in FIELDS:
        if field.key in mapping:
            columns.append(PreviewColumn(field.key, str(field.label), mapping[field.key]))
        elif field.key == "due_date" and "payment_term" in mapping:
            columns.append(PreviewColumn(field.key, str(field.label), ""))
    return columns


def _cell(value: object, column: PreviewColumn, failed: set[str]) -> PreviewCell:
    """How to show a value: read values by their type, unreadable ones as the text they were."""
    has_error = (column.header or column.label) in failed
    if value is None:
        return PreviewCell("", "text", has_error)
    if isinstance(value, tuple):  # e-mail addresses, phone numbers
        return PreviewCell(", ".join(cast(tuple[str, ...], value)), "text", has_error)
    if isinstance(value, dt.date) and column.key in DATE_FIELDS:
        return PreviewCell(value, "date", has_error)
    if isinstance(value, Decimal) and column.key in MONEY_FIELDS:
        return PreviewCell(value, "money", has_error)
    return PreviewCell(value, "text", has_error)


def import_progress(*, job: ImportJob) -> int:
    """Rows committed so far: from the cache while the job runs, from the job once it is finished."""
    if job.status == ImportStatus.RUNNING:
        return progress_get(job_id=job.pk)
    return job.processed_rows
