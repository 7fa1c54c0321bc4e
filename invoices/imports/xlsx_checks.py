"""Checks on an .xlsx before openpyxl opens it: what it unpacks to, and what it would make us build.

An .xlsx is a zip of XML. A file of a few hundred kilobytes can unpack into hundreds of megabytes,
into one row of millions of cells, or into one cell of 100 MB; openpyxl, even in read-only mode,
builds a whole row and the whole shared-strings table in memory, so each of those would take the
web worker down before our own row checks run. So, before openpyxl sees the file:

1. **The zip**: the sum of the unpacked sizes it declares (``ZipInfo.file_size``; reading through
   ``zipfile`` never yields more than declared), the compression ratio of each member larger than
   1 MB (a spreadsheet compresses about ten times, a bomb a thousand) and the number of members.
2. **The XML**, streamed through defusedxml's parser into callbacks that build no tree and keep no
   text (they count its length), so memory stays flat:
   no cell (inline or shared string) longer than ``IMPORT_MAX_CELL_CHARS``, reported with its line
   and column; no row with more cells than Excel allows; no value beyond the columns we read; no row
   beyond Excel's last one. Members are scanned when they are XML, whatever their name, because the
   workbook decides which part is its first sheet.

Every refusal is an :class:`ImportFileError` with a message for the creditor.
"""

from __future__ import annotations

import io
import zipfile
from typing import IO
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, get_column_letter

from invoices.imports.errors import ImportFileError

DEFAULT_MAX_UNPACKED_BYTES = 120 * 1024 * 1024
DEFAULT_MAX_COMPRESSION_RATIO = 100
DEFAULT_MAX_CELL_CHARS = 10_000
RATIO_CHECKED_FROM_BYTES = 1024 * 1024  # a small, repetitive part may compress well and harms nobody
MAX_MEMBERS = 1000
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
READ_COLUMNS = 256  # A to IV: far more than an invoice list has; openpyxl reads no further
NAMESPACES = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)
XML_STARTS = (b"<", b"\xef\xbb\xbf<")
CHUNK_BYTES = 1024 * 1024


def max_unpacked_bytes() -> int:
    return int(getattr(settings, "IMPORT_XLSX_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES))


def max_compression_ratio() -> int:
    return int(getattr(settings, "IMPORT_XLSX_MAX_COMPRESSION_RATIO", DEFAULT_MAX_COMPRESSION_RATIO))


def max_cell_chars() -> int:
    return int(getattr(settings, "IMPORT_MAX_CELL_CHARS", DEFAULT_MAX_CELL_CHARS))


def cell_too_long(line: int, column: int) -> ImportFileError:
    """The refusal of a cell over ``IMPORT_MAX_CELL_CHARS``; CSV and XLSX say it alike."""
    return ImportFileError(
        _(
            "Line %(line)d, column %(column)s: the cell holds more than %(limit)d characters, more than any "
            "invoice field needs. Shorten or empty it and upload the file again."
        )
        % {"line": line, "column": get_column_letter(column), "limit": max_cell_chars()}
    )


def xlsx_check(data: bytes) -> None:
    """Refuse an .xlsx that unpacks too large, compresses like a bomb or holds rows or cells past the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise _unreadable() from None
    with archive:
        members = archive.infolist()
        _members_check(members)
        shared = [member for member in members if member.filename.lower().endswith("sharedstrings.xml")]
        long_strings: set[int] = set()
        for member in shared:
            long_strings |= _long_shared_strings(archive, member)
        for member in members:
            if member not in shared and not member.is_dir() and _is_xml(archive, member):
                _sheet_check(archive, member, long_strings)


def _members_check(members: list[zipfile.ZipInfo]) -> None:
    if len(members) > MAX_MEMBERS:
        raise ImportFileError(
            _("This Excel file has more than %(count)d parts. Save the sheet on its own as .xlsx or CSV.")
            % {"count": MAX_MEMBERS}
        )
    limit = max_unpacked_bytes()
    if sum(member.file_size for member in members) > limit:
        raise ImportFileError(
            _("Unpacked, this Excel file would be larger than %(limit)d MB. Save it as CSV or split it up.")
            % {"limit": limit // (1024 * 1024)}
        )
    ratio = max_compression_ratio()
    for member in members:
        if member.file_size > max(RATIO_CHECKED_FROM_BYTES, ratio * member.compress_size):
            raise ImportFileError(
                _("This Excel file unpacks to far more than a spreadsheet does, so it was refused. Save it "
                  "again as .xlsx or CSV.")
            )  # fmt: skip


def _is_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bool:
    with _open(archive, member) as stream:
        return stream.read(8).lstrip().startswith(XML_STARTS)


def _open(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> IO[bytes]:
    try:
        return archive.open(member)
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError):
        raise _unreadable() from None


def _scan(archive: zipfile.ZipFile, member: zipfile.ZipInfo, target: _Target) -> None:
    """Stream one XML member through ``target``'s callbacks: no tree is built, no text is kept."""
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    with _open(archive, member) as stream:
        try:
            while chunk := stream.read(CHUNK_BYTES):
                parser.feed(chunk)
            parser.close()
        except (ParseError, DefusedXmlException, zipfile.BadZipFile, EOFError, OSError):
            raise _unreadable() from None


class _Target:
    """Callbacks of the XML parser; elements outside the spreadsheet namespaces are ignored."""

    def start(self, tag: str, attributes: dict[str, str]) -> None:
        namespace, _brace, name = tag.rpartition("}")
        if namespace[1:] in NAMESPACES:
            self.opened(name, attributes)

    def end(self, tag: str) -> None:
        namespace, _brace, name = tag.rpartition("}")
        if namespace[1:] in NAMESPACES:
            self.closed(name)

    def data(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

    def opened(self, name: str, attributes: dict[str, str]) -> None:
        pass

    def closed(self, name: str) -> None:
        pass


class _SharedStrings(_Target):
    """Positions of the shared strings over the cell limit; the sheets' cells say where they are used."""

    def __init__(self) -> None:
        self.limit, self.index, self.length, self.counting = max_cell_chars(), 0, 0, False
        self.long: set[int] = set()

    def opened(self, name: str, attributes: dict[str, str]) -> None:
        if name == "si":
            self.length = 0
        elif name == "t":
            self.counting = True

    def data(self, text: str) -> None:
        if self.counting:
            self.length += len(text)

    def closed(self, name: str) -> None:
        if name == "t":
            self.counting = False
        elif name == "si":
            if self.length > self.limit:
                self.long.add(self.index)
            self.index += 1


class _Sheet(_Target):
    """A sheet as it streams past: the line, column and cell count of the current row, and the
    current cell's text length (or shared-string number)."""

    def __init__(self, long_strings: set[int]) -> None:
        self.long_strings, self.limit = long_strings, max_cell_chars()
        self.line, self.column, self.cells = 0, 0, 0
        self.kind, self.has_value, self.counting, self.length, self.digits = "", False, False, 0, ""

    def opened(self, name: str, attributes: dict[str, str]) -> None:
        if name == "row":
            self._row(attributes.get("r"))
        elif name == "c":
            self._cell(attributes.get("r"), attributes.get("t", ""))
        elif name in ("v", "t"):
            self.has_value = self.counting = True
        elif name == "is":
            self.has_value = True

    def data(self, text: str) -> None:
        if not self.counting:
            return
        self.length += len(text)
        if self.kind == "s":
            self.digits = (self.digits + text)[:20]
        elif self.length > self.limit:  # refused now, before the rest of a huge cell is read
            raise cell_too_long(self.line, self.column)

    def closed(self, name: str) -> None:
        if name in ("v", "t"):
            self.counting = False
        elif name == "c" and self.has_value:
            self._value_check()

    def _row(self, reference: str | None) -> None:
        self.line = _number(reference) if reference else self.line + 1
        self.column, self.cells = 0, 0
        if self.line > EXCEL_MAX_ROWS:
            raise ImportFileError(
                _("The sheet has rows beyond line %(count)d, more than Excel allows. Save it again as .xlsx or CSV.")
                % {"count": EXCEL_MAX_ROWS}
            )

    def _cell(self, reference: str | None, kind: str) -> None:
        self.column = _column(reference) if reference else self.column + 1
        self.cells += 1
        if self.cells > EXCEL_MAX_COLUMNS:
            raise ImportFileError(
                _("Line %(line)d has more than %(count)d cells, more than Excel allows. Save it again as .xlsx or CSV.")
                % {"line": self.line, "count": EXCEL_MAX_COLUMNS}
            )
        self.kind, self.has_value, self.length, self.digits = kind, False, 0, ""

    def _value_check(self) -> None:
        if self.column > READ_COLUMNS:
            raise ImportFileError(
                _("Line %(line)d has a value in column %(column)s; only columns A to %(last)s can be imported. Move or delete it and try again.")  # noqa: E501
                % {"line": self.line, "column": get_column_letter(self.column), "last": get_column_letter(READ_COLUMNS)}
            )  # fmt: skip
        if self.kind == "s" and self.digits.strip().isdigit() and int(self.digits) in self.long_strings:
            raise cell_too_long(self.line, self.column)


def _long_shared_strings(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> set[int]:
    target = _SharedStrings()
    _scan(archive, member, target)
    return target.long


def _sheet_check(archive: zipfile.ZipFile, member: zipfile.ZipInfo, long_strings: set[int]) -> None:
    _scan(archive, member, _Sheet(long_strings))


def _number(reference: str) -> int:
    try:
        return int(reference)
    except ValueError:
        raise _unreadable() from None


def _column(reference: str) -> int:
    try:
        return column_index_from_string(coordinate_from_string(reference)[0])
    except ValueError:
        raise _unreadable() from None


def _unreadable() -> ImportFileError:
    return ImportFileError(_("This is not an Excel workbook (.xlsx) we can read. Save it again as .xlsx."))
