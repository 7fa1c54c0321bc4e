"""Opening an uploaded spreadsheet as a table of rows, whatever program wrote it.

CSV: UTF-8 with or without a byte order mark, UTF-16 with one (Excel's "Unicode text") or
Windows-1252 (Excel on Windows, most Dutch accounting packages); separated by semicolons (Dutch
Excel), commas or tabs. XLSX: the first sheet, read in openpyxl's read-only mode so memory stays
flat, dates as real dates, after ``xlsx_checks`` made sure it unpacks to a sane size and shape.
Rows keep their line number as the creditor sees it in the file (the header is line 1), empty lines
are skipped. Anything we cannot read raises :class:`ImportFileError` with a message for the
creditor; nothing has been stored at that point.

A :class:`Table` reads its rows lazily and can be read more than once (check, preview, commit).
Every read is bounded: it stops with an error at the first data row past ``IMPORT_MAX_DATA_ROWS``
and at the first cell longer than ``IMPORT_MAX_CELL_CHARS``, whoever reads the table.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from invoices.imports.errors import ImportFileError
from invoices.imports.values import text
from invoices.imports.xlsx_checks import READ_COLUMNS, cell_too_long, max_cell_chars, xlsx_check

CSV, XLSX, UBL = "csv", "xlsx", "ubl"
KINDS_BY_EXTENSION = {".csv": CSV, ".txt": CSV, ".xlsx": XLSX, ".xml": UBL, ".zip": UBL}
ACCEPT = ".csv,.txt,.xlsx,.xml,.zip"
DEFAULT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
DEFAULT_MAX_DATA_ROWS = 250_000
SNIFF_BYTES = 64 * 1024
DELIMITERS = (";", ",", "\t")
# Signatures of files that are not text, whatever their name says.
BINARY_MAGIC = (b"PK\x03\x04", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\xd0\xcf\x11\xe0", b"\x1f\x8b")

Row = tuple[int, list[object]]  # (line number in the file, cells)


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def max_data_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_DATA_ROWS", DEFAULT_MAX_DATA_ROWS))


@dataclass
class Table:
    """A header and lazily read data rows. ``rows()`` starts from the top every time it is called."""

    headers: list[str]
    header_line: int
    _records: Callable[[], Iterator[Row]]

    def rows(self) -> Iterator[Row]:
        """The data rows; raises ImportFileError on reaching the first row past the limit."""
        records = self._records()
        next(records, None)  # the header
        limit = max_data_rows()
        for count, row in enumerate(records, start=1):
            if count > limit:
                raise ImportFileError(
                    _("The file has more than %(limit)d invoices. Split it into smaller files.") % {"limit": limit}
                )
            yield row


def file_kind(filename: str) -> str:
    """csv, xlsx or ubl by the file's extension; a clear refusal for anything else."""
    extension = PurePath(filename).suffix.lower()
    if extension == ".xls":
        raise ImportFileError(_("Old Excel files (.xls) cannot be read. Save the sheet as .xlsx or CSV and try again."))
    if extension not in KINDS_BY_EXTENSION:
        raise ImportFileError(_("Upload a CSV (.csv), Excel (.xlsx) or e-invoice (.xml, .zip) file."))
    return KINDS_BY_EXTENSION[extension]


def check_size(size: int) -> None:
    if size == 0:
        raise ImportFileError(_("The file is empty."))
    limit = max_upload_bytes()
    if size > limit:
        raise file_too_large(limit)


def file_too_large(limit: int) -> ImportFileError:
    return ImportFileError(
        _("The file is larger than %(limit)d MB. Split it into smaller files.") % {"limit": limit // (1024 * 1024)}
        if limit >= 1024 * 1024
        else _("The file is larger than %(limit)d bytes.") % {"limit": limit}
    )


def table_open(data: bytes, kind: str, *, checked: bool = False) -> Table:
    """The table in ``data``; raises ImportFileError when it is empty, unreadable or only a header.

    ``checked``: the file is one we stored, so it passed ``xlsx_check`` on upload; not scanned again.
    """
    check_size(len(data))
    table = _csv_table(data) if kind == CSV else _xlsx_table(data, checked=checked)
    if next(table.rows(), None) is None:
        raise ImportFileError(_("The file has a header row but no invoices below it."))
    return table


# --- CSV ------------------------------------------------------------------------------------------


def _csv_table(data: bytes) -> Table:
    encoding = _encoding(data)
    dialect = _dialect(_decoded_sample(data, encoding))

    def records() -> Iterator[Row]:
        stream = io.TextIOWrapper(io.BytesIO(data), encoding=encoding, newline="")
        reader = csv.reader(stream, dialect)
        line = 0
        try:
            for record in reader:
                start, line = line + 1, reader.line_num  # a quoted field may span lines: report where it starts
                cells: list[object] = [cell.strip() for cell in record]
                _cells_check(start, cells)
                if any(cells):
                    yield start, cells
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):  # csv's own cap (128 KB) is past ours
                raise ImportFileError(
                    _("Line %(line)d holds a cell of more than %(limit)d characters, more than any invoice field "
                      "needs. Shorten or empty it and upload the file again.")
                    % {"line": line + 1, "limit": max_cell_chars()}
                ) from None  # fmt: skip
            raise ImportFileError(
                _("Line %(line)d cannot be read as CSV (%(reason)s).") % {"line": line + 1, "reason": exc}
            ) from None

    return _table(records)


def _encoding(data: bytes) -> str:
    """utf-8-sig, utf-16, utf-8 or cp1252 (Windows-1252); binary files are refused here."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _looks_binary(data):
        raise ImportFileError(
            _("This is not a CSV text file (it looks like a spreadsheet, PDF or other binary file). Export the "
              "sheet as CSV, or upload the .xlsx file itself.")
        )  # fmt: skip
    for encoding in ("utf-8", "cp1252"):
        if _decodes(data, encoding):
            return encoding
    raise ImportFileError(_("The file's text encoding is unknown. Save it as CSV UTF-8 and try again."))


def _looks_binary(data: bytes) -> bool:
    head = data[:SNIFF_BYTES]
    if head.startswith(BINARY_MAGIC) or b"\x00" in head:
        return True
    controls = sum(1 for byte in head if byte < 32 and byte not in (9, 10, 13))
    return controls > len(head) // 100


def _decodes(data: bytes, encoding: str) -> bool:
    # In slices: a 50 MB file is not decoded into one 50 MB string just to look at it.
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        for start in range(0, len(data), 1024 * 1024):
            decoder.decode(data[start : start + 1024 * 1024])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _decoded_sample(data: bytes, encoding: str) -> str:
    return codecs.getincrementaldecoder(encoding)().decode(data[:SNIFF_BYTES])


def _dialect(sample: str) -> type[csv.Dialect]:
    """Excel's CSV dialect with the separator of the file.

    csv.Sniffer's separator is taken when it splits the first lines evenly; otherwise the one that
    does, and failing that the one that splits the header into the most columns. Only the separator
    is taken from the sniffer: its guess of the quote character trips over names like "Zoë's Café".
    """
    lines = [line for line in sample.splitlines()[:-1] or sample.splitlines() if line.strip()][:20]
    try:
        sniffed = csv.Sniffer().sniff("\n".join(lines), delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed in DELIMITERS and _columns_if_consistent(lines, sniffed) > 1:
        return _dialect_for(sniffed)

    def preference(option: str) -> tuple[int, int, int]:  # on a full tie: semicolon (Dutch Excel) first
        header = next(csv.reader(lines[:1], delimiter=option), [])
        return _columns_if_consistent(lines, option), len(header), -DELIMITERS.index(option)

    return _dialect_for(max(DELIMITERS, key=preference))


def _columns_if_consistent(lines: list[str], delimiter: str) -> int:
    """How many columns ``delimiter`` gives when every sampled line has as many; 0 when they differ."""
    counts = {len(record) for record in csv.reader(lines, delimiter=delimiter)}
    return counts.pop() if len(counts) == 1 else 0


def _dialect_for(delimiter: str) -> type[csv.Dialect]:
    class Dialect(csv.excel):
        pass

    Dialect.delimiter = delimiter
    return Dialect


# --- XLSX -----------------------------------------------------------------------------------------


def _xlsx_table(data: bytes, *, checked: bool) -> Table:
    if not checked:
        xlsx_check(data)  # sizes, shape and cell lengths, before openpyxl builds anything
    width = _header_width(data)  # and a broken file is refused now, not halfway through reading it

    def records() -> Iterator[Row]:
        workbook = _workbook(data)
        try:
            for line, values in enumerate(_sheet_rows(workbook, width), start=1):
                if values.count(None) == len(values):  # a gap in the sheet: cheap to skip, and often long
                    continue
                cells = [value.strip() if isinstance(value, str) else value for value in values]
                _cells_check(line, cells)
                if any(cell is not None and cell != "" for cell in cells):
                    yield line, cells
        finally:
            workbook.close()

    return _table(records)


def _sheet_rows(workbook, width: int) -> Iterator[tuple[object, ...]]:  # type: ignore[no-untyped-def]
    """The first sheet's rows, ``width`` cells each.

    The sheet's own idea of its size can be a lie ("A1:XFD1048576") and openpyxl would pad every row
    to it, so it is forgotten; rows are read as wide as the header (at most READ_COLUMNS): a cell
    right of the last header has no column to be mapped to.
    """
    sheet = workbook.worksheets[0]
    sheet.reset_dimensions()
    return sheet.iter_rows(min_row=1, max_col=width, values_only=True)


def _header_width(data: bytes) -> int:
    workbook = _workbook(data)
    try:
        for values in _sheet_rows(workbook, READ_COLUMNS):
            filled = [position for position, value in enumerate(values, start=1) if value not in (None, "")]
            if filled:
                return filled[-1]
        return 1
    finally:
        workbook.close()


def _workbook(data: bytes):  # type: ignore[no-untyped-def]
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError, IndexError):
        raise ImportFileError(_("This is not an Excel workbook (.xlsx) we can read. Save it again as .xlsx.")) from None


# --- Both -----------------------------------------------------------------------------------------


def _cells_check(line: int, cells: list[object]) -> None:
    limit = max_cell_chars()
    for column, cell in enumerate(cells, start=1):
        if isinstance(cell, str) and len(cell) > limit:
            raise cell_too_long(line, column)


def _table(records: Callable[[], Iterator[Row]]) -> Table:
    first = next(records(), None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    line, cells = first
    return Table(headers=_headers(cells), header_line=line, _records=records)


def _headers(cells: list[object]) -> list[str]:
    """The header names, unique: a blank header gets a name, a repeated one a number."""
    names = [text(cell) for cell in cells]
    while names and not names[-1]:
        names.pop()  # trailing empty cells: a spreadsheet's formatting, not columns
    headers: list[str] = []
    for position, name in enumerate(names, start=1):
        name = name or _("Column %(number)d") % {"number": position}
        unique, copy = name, 2
        while unique in headers:
            unique, copy = f"{name} ({copy})", copy + 1
        headers.append(unique)
    return headers
