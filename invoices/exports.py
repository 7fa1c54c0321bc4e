"""The invoice and debtor lists as files: CSV for any spreadsheet, XLSX for Excel.

An export is the list's current selection (every page, the same filters and order), bounded at
``EXPORT_MAX_ROWS`` rows: the CSV is streamed in chunks, the XLSX is built in a temporary file by
openpyxl's write-only mode, and a larger selection is refused with a message rather than a file that
times out half-way.

CSV: UTF-8 with a byte order mark (Excel otherwise reads cp1252), semicolons and Dutch decimal commas
("1234,56", no thousands separator), as Dutch Excel opens it; dates as ISO (2026-11-23), which every
spreadsheet reads as a date. Any cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return gets a leading ``'`` in both formats, so a debtor named "=HYPERLINK(...)" stays text (CSV
injection). XLSX numbers are real numbers (amounts with two decimals), dates real dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

EXPORT_MAX_ROWS = 50_000
CHUNK_SIZE = 2_000
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"

Cell = str | int | Decimal | dt.date | None


def neutralised(text: str) -> str:
    """Text a spreadsheet will not run as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralised(str(value))


class _Echo:
    """A file-like object that hands back what csv.writer writes, for streaming."""

    def write(self, value: str) -> str:
        return value


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    writer = csv.writer(_Echo(), delimiter=";", lineterminator="\r\n")
    yield ("\ufeff" + writer.writerow([neutralised(title) for title in header])).encode()
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row]).encode()


def _xlsx_cell(sheet: WriteOnlyWorksheet, value: Cell) -> Any:
    if isinstance(value, str):
        return neutralised(value)  # openpyxl would store "=…" as a formula
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, Decimal):
        cell.number_format = MONEY_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def xlsx_file(title: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> IO[bytes]:
    """An .xlsx with one sheet, in a temporary file (spooled in memory while small), rewound."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])  # Excel's limit on a sheet name
    sheet.append([neutralised(name) for name in header])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    output = tempfile.SpooledTemporaryFile(max_size=10 * 1024 * 1024)  # noqa: SIM115  (the response closes it)
    workbook.save(output)
    output.seek(0)
    return output  # type: ignore[return-value]
