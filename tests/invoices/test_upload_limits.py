"""Bounded uploads: size while streaming, rows, .xlsx bombs and long cells, nothing left on disk, the quota.

Every bomb is built here with zipfile, just past and just under the limit it tests.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import Workbook

from invoices.imports import services
from invoices.imports.reading import CSV, XLSX, ImportFileError, table_open
from invoices.models import ImportJob, ImportStatus
from invoices.tasks import orphan_files_sweep_task
from outstanding.celery import app
from outstanding.storage import organization_storage_used, orphan_files_sweep
from outstanding.uploads import uploads_refused
from tests.conftest import client_for
from tests.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

HEADER = "Factuurnummer;Factuurdatum;Vervaldatum;Bedrag;Naam\n"
SHEET = b"xl/worksheets/sheet1.xml"
MAIN = b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
HOUR = 60 * 60


@pytest.fixture(autouse=True)
def _english(settings) -> None:  # type: ignore[no-untyped-def]
    """Messages in English: the assertions read the English msgids, whatever Dutch catalog exists."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def upload_tmp(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """A temporary-upload directory of our own, and every upload over 100 bytes streamed into it."""
    directory = tmp_path / "upload-tmp"
    directory.mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(directory)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 100
    return directory


def csv_rows(count: int) -> bytes:
    lines = [HEADER] + [f"F-{n};01-10-2026;31-10-2026;{n},00;Klant {n}\n" for n in range(1, count + 1)]
    return "".join(lines).encode()


def csv_of_size(size: int) -> bytes:
    """A valid one-invoice CSV padded with trailing spaces (stripped when read) to exactly ``size`` bytes."""
    data = csv_rows(1)
    return data[:-1] + b" " * (size - len(data)) + b"\n"


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_sheet(sheet_data: bytes, head: bytes = b"") -> bytes:
    """A real workbook whose first sheet is replaced by ``<sheetData>`` of our own making, deflated."""
    sheet = b'<?xml version="1.0" encoding="UTF-8"?><worksheet ' + MAIN + b">" + head
    sheet += b"<sheetData>" + sheet_data + b"</sheetData></worksheet>"
    source = zipfile.ZipFile(io.BytesIO(xlsx([["a"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            content = sheet if member.filename == SHEET.decode() else source.read(member)
            archive.writestr(member.filename, content)
    return buffer.getvalue()


def row(line: int, *cells: str) -> bytes:
    inline = b"".join(f'<c t="inlineStr"><is><t>{cell}</t></is></c>'.encode() for cell in cells)
    return f'<row r="{line}">'.encode() + inline + b"</row>"


def unpacked(data: bytes) -> int:
    return sum(member.file_size for member in zipfile.ZipFile(io.BytesIO(data)).infolist())


def sheet_ratio(data: bytes) -> float:
    member = zipfile.ZipFile(io.BytesIO(data)).getinfo(SHEET.decode())
    return member.file_size / member.compress_size


def upload_job(org, name: str, data: bytes) -> ImportJob:  # type: ignore[no-untyped-def]
    return services.import_upload(organization=org.organization, user=org.member, upload=SimpleUploadedFile(name, data))


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def import_url(organization) -> str:  # type: ignore[no-untyped-def]
    return reverse("import_list", kwargs={"org_id": organization.public_id})


def age(path: Path, seconds: int) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


# --- Size, while streaming ------------------------------------------------------------------------


def test_a_file_past_the_upload_limit_is_dropped_while_streaming_and_leaves_nothing(
    org_a, settings, upload_tmp
) -> None:
    settings.UPLOAD_MAX_FILE_BYTES = 1000  # the import page's own check (50 MB) would take it
    response = client_for(org_a.member).post(
        import_url(org_a.organization), {"file": SimpleUploadedFile("big.csv", csv_of_size(1001))}
    )
    assert response.status_code == 200
    assert "The file is larger than 1000 bytes." in response.content.decode()
    assert not ImportJob.objects.for_organization(org_a.organization).exists()
    assert stored_files(Path(settings.MEDIA_ROOT)) == []
    assert list(upload_tmp.iterdir()) == []


def test_a_file_at_the_upload_limit_is_taken_and_only_its_stored_copy_stays(org_a, settings, upload_tmp) -> None:
    settings.UPLOAD_MAX_FILE_BYTES = 1000
    response = client_for(org_a.member).post(
        import_url(org_a.organization), {"file": SimpleUploadedFile("ok.csv", csv_of_size(1000))}
    )
    job = ImportJob.objects.for_organization(org_a.organization).get()
    assert response.status_code == 302 and job.total_rows == 1
    assert [path.name for path in stored_files(Path(settings.MEDIA_ROOT))] == [Path(job.file.name).name]
    assert list(upload_tmp.iterdir()) == []


def test_a_dropped_file_keeps_the_other_fields_of_the_form(settings) -> None:
    settings.UPLOAD_MAX_FILE_BYTES = 10
    request = RequestFactory().post("/", {"note": "keep me", "file": SimpleUploadedFile("a.csv", b"x" * 11)})
    assert dict(request.FILES) == {}
    assert request.POST["note"] == "keep me"
    assert uploads_refused(request) == {"file": 11}


# --- Rows -----------------------------------------------------------------------------------------


def test_a_file_past_the_row_limit_is_refused_and_nothing_of_it_stays_on_disk(org_a, settings) -> None:
    settings.IMPORT_MAX_DATA_ROWS = 3
    with pytest.raises(ImportFileError, match="The file has more than 3 invoices"):
        upload_job(org_a, "four.csv", csv_rows(4))
    assert not ImportJob.objects.for_organization(org_a.organization).exists()
    assert stored_files(Path(settings.MEDIA_ROOT)) == []
    assert upload_job(org_a, "three.csv", csv_rows(3)).total_rows == 3


def test_the_row_limit_holds_when_the_columns_are_not_mapped_yet(org_a, settings) -> None:
    settings.IMPORT_MAX_DATA_ROWS = 3
    data = "Kolom;Andere\n" + "".join(f"x{n};y\n" for n in range(4))
    with pytest.raises(ImportFileError, match="more than 3 invoices"):
        upload_job(org_a, "unmapped.csv", data.encode())
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


def test_reading_stops_at_the_first_row_past_the_limit(settings) -> None:
    settings.IMPORT_MAX_DATA_ROWS = 3
    # Line 6 cannot be read as CSV: the limit is reported, so nothing after row 4 was read.
    data = csv_rows(4) + b'F-5;"unterminated\n'
    with pytest.raises(ImportFileError, match="more than 3 invoices"):
        list(table_open(data, CSV).rows())


def test_a_row_whose_file_could_not_be_saved_takes_its_file_with_it(org_a, settings, monkeypatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(ImportJob, "save", crash)
    with pytest.raises(RuntimeError):
        upload_job(org_a, "ok.csv", csv_rows(1))
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


# --- XLSX: unpacked size, compression, shape ------------------------------------------------------


def padded_sheet(total: int) -> bytes:
    """A workbook whose members unpack to exactly ``total`` bytes (the sheet padded with whitespace)."""
    rows = row(1, "Factuurnummer") + row(2, "F-1")
    first = with_sheet(rows)
    return with_sheet(rows + b" " * (total - unpacked(first)))


def test_an_xlsx_that_unpacks_past_the_limit_is_refused_before_it_is_parsed(settings) -> None:
    settings.IMPORT_XLSX_MAX_UNPACKED_BYTES = 2 * 1024 * 1024
    settings.IMPORT_XLSX_MAX_COMPRESSION_RATIO = 1_000_000  # this test is about the size alone
    data = padded_sheet(2 * 1024 * 1024 + 1)
    assert len(data) < 20_000
    with pytest.raises(ImportFileError, match="Unpacked, this Excel file would be larger than 2 MB"):
        table_open(data, XLSX)
    assert list(table_open(padded_sheet(2 * 1024 * 1024), XLSX).rows()) == [(2, ["F-1"])]


def test_an_xlsx_compressed_like_a_bomb_is_refused(settings) -> None:
    data = padded_sheet(5 * 1024 * 1024)  # 5 MB of sheet in a few kilobytes, like the 563 KB file of 192 MB
    ratio = sheet_ratio(data)
    assert ratio > 100
    with pytest.raises(ImportFileError, match="unpacks to far more than a spreadsheet does"):
        table_open(data, XLSX)
    settings.IMPORT_XLSX_MAX_COMPRESSION_RATIO = int(ratio)  # just past: refused
    with pytest.raises(ImportFileError, match="unpacks to far more"):
        table_open(data, XLSX)
    settings.IMPORT_XLSX_MAX_COMPRESSION_RATIO = int(ratio) + 1  # just under: read
    assert list(table_open(data, XLSX).rows()) == [(2, ["F-1"])]


def test_a_sheet_that_lies_about_its_size_is_read_as_wide_as_its_values() -> None:
    data = with_sheet(row(1, "Nummer", "Naam") + row(2, "F-1", "Klant"), head=b'<dimension ref="A1:XFD1048576"/>')
    table = table_open(data, XLSX)
    assert table.headers == ["Nummer", "Naam"]
    assert list(table.rows()) == [(2, ["F-1", "Klant"])]


def test_rows_far_down_the_sheet_are_read_up_to_excels_last_line_and_no_further() -> None:
    header = row(1, "Nummer")
    assert list(table_open(with_sheet(header + row(1_048_576, "F-1")), XLSX).rows()) == [(1_048_576, ["F-1"])]
    with pytest.raises(ImportFileError, match="rows beyond line 1048576"):
        table_open(with_sheet(header + row(1_048_577, "F-1")), XLSX)


def test_a_row_with_more_cells_than_excel_allows_is_refused() -> None:
    wide = b'<row r="2">' + b"<c/>" * 16_385 + b"</row>"
    with pytest.raises(ImportFileError, match="Line 2 has more than 16384 cells"):
        table_open(with_sheet(row(1, "Nummer") + wide), XLSX)
    at_most = b'<row r="2">' + b'<c t="inlineStr"><is><t>F-1</t></is></c>' + b"<c/>" * 16_383 + b"</row>"
    assert list(table_open(with_sheet(row(1, "Nummer") + at_most), XLSX).rows()) == [(2, ["F-1"])]


def test_a_value_past_the_columns_we_read_is_refused_with_its_place() -> None:
    def sheet_with_values_in(column: str) -> bytes:
        def far(line: int, first: str, last: str) -> str:
            return f'<row r="{line}"><c r="A{line}" t="inlineStr"><is><t>{first}</t></is></c>' \
                   f'<c r="{column}{line}" t="inlineStr"><is><t>{last}</t></is></c></row>'  # fmt: skip

        return with_sheet((far(1, "Nummer", "Ver weg") + far(2, "F-1", "1")).encode())

    with pytest.raises(ImportFileError, match="Line 1 has a value in column IW; only columns A to IV"):
        table_open(sheet_with_values_in("IW"), XLSX)
    table = table_open(sheet_with_values_in("IV"), XLSX)
    (line, cells), *_more = list(table.rows())
    assert (len(table.headers), table.headers[-1]) == (256, "Ver weg")
    assert (line, cells[0], cells[255], len(cells)) == (2, "F-1", "1", 256)


# --- Cells ----------------------------------------------------------------------------------------


def test_an_xlsx_cell_past_the_limit_is_refused_with_its_line_and_column() -> None:
    too_long = "x" * 10_001
    with pytest.raises(ImportFileError, match="Line 3, column B: the cell holds more than 10000 characters"):
        table_open(xlsx([["Nummer", "Omschrijving"], ["F-1", "kort"], ["F-2", too_long]]), XLSX)
    table = table_open(xlsx([["Nummer", "Omschrijving"], ["F-1", "x" * 10_000]]), XLSX)
    assert list(table.rows()) == [(2, ["F-1", "x" * 10_000])]


def test_an_inline_xlsx_cell_past_the_limit_is_refused_with_its_line_and_column(settings) -> None:
    settings.IMPORT_XLSX_MAX_COMPRESSION_RATIO = 1_000_000  # the cell alone, not its compression
    data = with_sheet(row(1, "Nummer", "Omschrijving") + row(2, "F-1", "x" * 10_001))
    with pytest.raises(ImportFileError, match="Line 2, column B: the cell holds more than 10000 characters"):
        table_open(data, XLSX)


def test_a_small_xlsx_with_one_huge_cell_is_refused_before_it_is_parsed() -> None:
    data = with_sheet(row(1, "Nummer", "Omschrijving") + row(2, "F-1", "x" * 20_000_000))  # as the 104 KB of 100 MB
    assert len(data) < 200_000
    with pytest.raises(ImportFileError, match="unpacks to far more than a spreadsheet does"):
        table_open(data, XLSX)


def test_a_csv_cell_past_the_limit_is_refused_with_its_line_and_column() -> None:
    data = (HEADER + "F-1;01-10-2026;31-10-2026;1,00;" + "x" * 10_001 + "\n").encode()
    with pytest.raises(ImportFileError, match="Line 2, column E: the cell holds more than 10000 characters"):
        table_open(data, CSV)
    longer_than_csv_allows = (HEADER + "F-1;01-10-2026;31-10-2026;1,00;" + "x" * 200_000 + "\n").encode()
    with pytest.raises(ImportFileError, match="Line 2 holds a cell of more than 10000 characters"):
        list(table_open(longer_than_csv_allows, CSV).rows())
    at_limit = (HEADER + "F-1;01-10-2026;31-10-2026;1,00;" + "x" * 10_000 + "\n").encode()
    assert len(next(table_open(at_limit, CSV).rows())[1][4]) == 10_000


def test_the_import_page_refuses_a_long_cell_and_stores_nothing(org_a, settings) -> None:
    data = xlsx([["Factuurnummer", "Naam"], ["F-1", "x" * 10_001]])
    response = client_for(org_a.member).post(
        import_url(org_a.organization), {"file": SimpleUploadedFile("a.xlsx", data)}
    )
    assert response.status_code == 200
    assert "Line 2, column B: the cell holds more than 10000 characters" in response.content.decode()
    assert len(response.content) < 100_000
    assert stored_files(Path(settings.MEDIA_ROOT)) == []


# --- Quota ----------------------------------------------------------------------------------------


def test_an_upload_that_would_pass_the_storage_quota_is_refused_with_what_is_used(org_a, org_b, settings) -> None:
    invoice = InvoiceFactory(debtor__organization=org_a.organization)
    invoice.pdf.save("invoice.pdf", ContentFile(b"%PDF" + b"x" * 996))  # 1,000 bytes stored
    data = csv_rows(1)
    settings.ORGANIZATION_STORAGE_QUOTA_BYTES = 1000 + len(data) - 1
    with pytest.raises(ImportFileError, match=r"does not fit in your organization's storage: 1000.bytes of"):
        upload_job(org_a, "one.csv", data)
    assert not ImportJob.objects.for_organization(org_a.organization).exists()
    assert upload_job(org_b, "one.csv", data).status == ImportStatus.READY  # another tenant's room is its own
    settings.ORGANIZATION_STORAGE_QUOTA_BYTES = 1000 + len(data)
    assert upload_job(org_a, "one.csv", data).status == ImportStatus.READY
    assert organization_storage_used(organization=org_a.organization) == 1000 + len(data)


def test_a_second_upload_counts_the_first_one_against_the_quota(org_a, settings) -> None:
    data = csv_rows(1)
    settings.ORGANIZATION_STORAGE_QUOTA_BYTES = 2 * len(data) - 1
    upload_job(org_a, "one.csv", data)
    with pytest.raises(ImportFileError, match="Contact support to raise the limit"):
        upload_job(org_a, "two.csv", data)


def test_the_import_page_explains_the_quota(org_a, settings) -> None:
    settings.ORGANIZATION_STORAGE_QUOTA_BYTES = 10
    response = client_for(org_a.member).post(
        import_url(org_a.organization), {"file": SimpleUploadedFile("one.csv", csv_rows(1))}
    )
    assert "does not fit in your organization&#x27;s storage" in response.content.decode()
    assert not ImportJob.objects.for_organization(org_a.organization).exists()


# --- Sweeper --------------------------------------------------------------------------------------


def test_the_sweep_removes_old_orphans_and_keeps_what_rows_point_to_and_fresh_files(
    org_a, settings, upload_tmp
) -> None:
    media = Path(settings.MEDIA_ROOT)
    job = upload_job(org_a, "kept.csv", csv_rows(1))
    kept = media / job.file.name
    orphans = [media / "private/imports/2026/11/refused.csv", media / "private/letters/2026/11/letter-x.pdf"]
    fresh, public = media / "private/imports/2026/12/uploading.csv", media / "public/logos/old-logo.png"
    stale_temp, other_temp = upload_tmp / "tmpab12cd.upload.csv", upload_tmp / "notes.txt"
    for path in [*orphans, fresh, public, stale_temp, other_temp]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x" * 100)
    for path in [kept, *orphans, public, stale_temp, other_temp]:
        age(path, HOUR + 60)
    age(fresh, HOUR - 60)

    result = orphan_files_sweep()

    assert (result.files, result.bytes) == (3, 300)
    assert not any(path.exists() for path in [*orphans, stale_temp])
    assert all(path.exists() for path in [kept, fresh, public, other_temp])


def test_the_sweep_runs_hourly_on_beat_as_a_task(org_a, settings) -> None:
    orphan = Path(settings.MEDIA_ROOT) / "private/imports/2026/11/refused.csv"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")
    age(orphan, 2 * HOUR)
    assert orphan_files_sweep_task.delay().get() == 1
    assert not orphan.exists()
    schedules = [entry["task"] for entry in app.conf.beat_schedule.values()]
    assert "invoices.tasks.orphan_files_sweep_task" in schedules
