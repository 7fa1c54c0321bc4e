"""From a row of cells to an invoice for the intake path, or the reasons it cannot be one.

Every problem is a :class:`RowError` with the line number as in the file (header = line 1), the
column under the creditor's own header name, and the reason. A row with any error is left out
entirely; the other rows go in. Checks are the cell parsers (``values``), the intake path's own
rules (``invoice_data_errors``) and one rule across rows: an invoice number or external id may appear
only once in a file, since two different rows cannot both be the truth about one invoice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from invoices.imports.fields import FIELDS_BY_KEY
from invoices.imports.reading import Table
from invoices.imports.values import (
    CellError,
    parse_amount,
    parse_country,
    parse_currency,
    parse_date,
    parse_emails,
    parse_iban,
    parse_kind,
    parse_kvk,
    parse_language,
    parse_phones,
    parse_term_days,
    parse_vat_id,
    text,
)
from invoices.models import Debtor, Invoice
from invoices.services.upsert import DebtorData, InvoiceData, invoice_data_errors
from outstanding.text import SINGLE_LINE_MESSAGE, has_control_characters

ERRORS_KEPT = 200
PREVIEW_ROWS = 10
# invoice_data_errors names its fields after InvoiceData; the creditor knows them by their column.
UPSERT_FIELDS = {"number": "number", "debtor": "debtor_name", "amount": "amount", "open_amount": "open_amount",
                 "due_date": "due_date", "currency": "currency"}  # fmt: skip
TEXT_LIMITS = {
    "number": Invoice._meta.get_field("number").max_length,
    "external_id": Invoice._meta.get_field("external_id").max_length,
    "debtor_external_id": Debtor._meta.get_field("external_id").max_length,
    "debtor_name": Debtor._meta.get_field("name").max_length,
    "contact_person": Debtor._meta.get_field("contact_person").max_length,
    "street": Debtor._meta.get_field("street").max_length,
    "postal_code": Debtor._meta.get_field("postal_code").max_length,
    "city": Debtor._meta.get_field("city").max_length,
}
FAILED = object()  # a cell that was there but could not be read
DEBTOR_KEYS = frozenset({
    "debtor_name", "debtor_external_id", "contact_person", "email", "phone", "street", "postal_code", "city",
    "country", "kvk_number", "vat_id", "iban", "kind", "language",
})  # fmt: skip
DEBTOR_CACHE_MAX = 20_000  # distinct debtor descriptions remembered per read of a file


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "reason": self.reason}


@dataclass
class ParsedRow:
    """One row as mapped: each field's value (as read, or the raw text when unreadable) and its errors."""

    line: int
    values: dict[str, object]
    errors: list[RowError]
    invoice: InvoiceData | None = None


@dataclass
class CheckSummary:
    total_rows: int = 0
    valid_rows: int = 0
    rejected_rows: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first ERRORS_KEPT


class RowReader:
    """Reads rows under one mapping, remembering the invoice numbers and ids already seen in the file."""

    def __init__(self, headers: list[str], mapping: Mapping[str, str]) -> None:
        self.columns = {key: header for key, header in mapping.items() if header in headers and key in FIELDS_BY_KEY}
        positions = {key: headers.index(header) for key, header in self.columns.items()}
        self.invoice_positions = {key: position for key, position in positions.items() if key not in DEBTOR_KEYS}
        self.debtor_positions = {key: position for key, position in positions.items() if key in DEBTOR_KEYS}
        self.widest_position = max(positions.values(), default=-1)
        self.numbers_seen: dict[str, int] = {}
        self.external_ids_seen: dict[str, int] = {}
        # A file names the same debtors on many rows, written the same way: their cells are read once.
        self.debtors_read: dict[tuple[object, ...], tuple[DebtorData, dict[str, object], list[tuple[str, str]]]] = {}

    def column(self, key: str) -> str:
        """The creditor's header for our field; our own label for a field not in the file."""
        if key in self.columns:
            return self.columns[key]
        return str(FIELDS_BY_KEY[key].label) if key in FIELDS_BY_KEY else key

    def read(self, line: int, cells: list[object]) -> ParsedRow:
        row = _RowParse(self, line, cells, self.invoice_positions)
        fields = row.invoice_fields()
        debtor = self._debtor(row, cells)
        invoice = None if row.errors else InvoiceData(debtor=debtor, **fields)
        if invoice is not None:
            row.errors.extend(
                RowError(line, self.column(UPSERT_FIELDS.get(name, name)), reason)
                for name, reason in invoice_data_errors(invoice)
            )
        if invoice is not None and not row.errors:
            row.errors.extend(self._repeats(line, invoice))
        return ParsedRow(line, row.values, row.errors, None if row.errors else invoice)

    def _debtor(self, row: _RowParse, cells: list[object]) -> DebtorData:
        positions = self.debtor_positions.values()
        if len(cells) > self.widest_position:
            raw = tuple(map(cells.__getitem__, positions))
        else:  # a short row
            raw = tuple(cells[position] if position < len(cells) else None for position in positions)
        known = self.debtors_read.get(raw)
        if known is None:
            parse = _RowParse(self, row.line, cells, self.debtor_positions)
            known = (parse.debtor(), parse.values, [(error.column, error.reason) for error in parse.errors])
            if len(self.debtors_read) < DEBTOR_CACHE_MAX:
                self.debtors_read[raw] = known
        debtor, values, errors = known
        row.values.update(values)
        row.errors.extend(RowError(row.line, column, reason) for column, reason in errors)
        return debtor

    def _repeats(self, line: int, invoice: InvoiceData) -> list[RowError]:
        """Only the first row with an invoice number (or external id) goes in; repeats are refused."""
        errors = []
        for key, value, seen in (
            ("number", invoice.number, self.numbers_seen),
            ("external_id", invoice.external_id, self.external_ids_seen),
        ):
            if value and value in seen:
                reason = _("This invoice is already on line %(line)d of the file.") % {"line": seen[value]}
                errors.append(RowError(line, self.column(key), reason))
        if not errors:
            self.numbers_seen[invoice.number] = line
            if invoice.external_id:
                self.external_ids_seen[invoice.external_id] = line
        return errors


class _RowParse:
    """The work of reading one row; collects values and errors as it goes."""

    def __init__(self, reader: RowReader, line: int, cells: list[object], positions: dict[str, int]) -> None:
        self.reader, self.line = reader, line
        width = len(cells)  # a short row: the missing cells are empty
        self.raw = {key: cells[position] if position < width else None for key, position in positions.items()}
        self.values: dict[str, object] = {}
        self.errors: list[RowError] = []

    def error(self, key: str, reason: str) -> None:
        self.errors.append(RowError(self.line, self.reader.column(key), reason))

    def parse(self, key: str, parser: Callable[[Any], Any], default: object = None, required: bool = False) -> Any:
        raw = self.raw.get(key)
        if raw is None or raw == "":  # the readers strip text cells
            if required:
                self.error(key, _("%(field)s is missing.") % {"field": FIELDS_BY_KEY[key].label})
                return FAILED
            return default
        try:
            value = parser(raw)
        except CellError as exc:
            self.error(key, str(exc))
            self.values[key] = text(raw)
            return FAILED
        self.values[key] = value
        return value

    def text(self, key: str, required: bool = False) -> str:
        value = self.parse(key, text, "", required)
        limit = TEXT_LIMITS.get(key)
        if value is not FAILED and limit and len(value) > limit:
            self.error(key, _("Longer than %(limit)d characters.") % {"limit": limit})
            return ""
        if value is not FAILED and has_control_characters(value):
            # A line break in a number or name would split a line of the letter and its EPC QR code.
            self.error(key, str(SINGLE_LINE_MESSAGE))
            return ""
        return "" if value is FAILED else value

    def invoice_fields(self) -> dict[str, Any]:
        """Everything of the invoice but its debtor, as keyword arguments for InvoiceData."""
        number = self.text("number", required=True)
        issue_date = self.parse("issue_date", parse_date, required=True)
        due_date = self._due_date(issue_date)
        amount = self.parse("amount", parse_amount, required=True)
        vat_amount = self.parse("vat_amount", parse_amount, Decimal("0.00"))
        if isinstance(vat_amount, Decimal) and vat_amount < 0:
            self.error("vat_amount", _("The VAT amount is negative."))
        open_amount = self.parse("open_amount", parse_amount)
        currency = self.parse("currency", lambda value: parse_currency(text(value)), "EUR")
        external_id = self.text("external_id")
        return {
            "number": number, "issue_date": issue_date, "due_date": due_date, "amount": amount,
            "vat_amount": vat_amount, "open_amount": open_amount, "currency": currency, "external_id": external_id,
        }  # fmt: skip

    def _due_date(self, issue_date: object) -> object:
        """The due date column; when that is empty, the invoice date plus the payment term column."""
        has_term = "payment_term" in self.raw
        due_date = self.parse("due_date", parse_date, required=not has_term)
        if due_date is not None or not has_term:
            return due_date
        days = self.parse("payment_term", parse_term_days)
        if days is None:
            self.error("due_date", _("The due date is missing and there is no payment term."))
            return FAILED
        if days is FAILED or not isinstance(issue_date, dt.date):
            return FAILED
        due_date = issue_date + dt.timedelta(days=days)
        self.values["due_date"] = due_date
        return due_date

    def debtor(self) -> DebtorData:
        name = self.text("debtor_name", required=True)
        self.parse("iban", lambda value: parse_iban(text(value)))  # checked; see the report on where it goes
        return DebtorData(
            name=name,
            external_id=self.text("debtor_external_id"),
            contact_person=self.text("contact_person"),
            emails=list(self._text_parse("email", parse_emails, ())),
            phones=list(self._text_parse("phone", parse_phones, ())),
            street=self.text("street"),
            postal_code=self.text("postal_code"),
            city=self.text("city"),
            country=self._text_parse("country", parse_country, ""),
            kvk_number=self._text_parse("kvk_number", parse_kvk, ""),
            vat_id=self._text_parse("vat_id", parse_vat_id, ""),
            kind=self._text_parse("kind", parse_kind, ""),
            language=self._text_parse("language", parse_language, ""),
        )

    def _text_parse(self, key: str, parser: Callable[[str], Any], default: Any) -> Any:
        value = self.parse(key, lambda raw: parser(text(raw)), default)
        return default if value is FAILED else value


# --- Whole tables ---------------------------------------------------------------------------------


def rows_read(table: Table, mapping: Mapping[str, str]) -> Iterator[ParsedRow]:
    """Every data row of ``table`` read under ``mapping``; the table refuses files with too many rows."""
    reader = RowReader(table.headers, mapping)
    for line, cells in table.rows():
        yield reader.read(line, cells)


def rows_check(table: Table, mapping: Mapping[str, str]) -> CheckSummary:
    summary = CheckSummary()
    for row in rows_read(table, mapping):
        summary.total_rows += 1
        if row.errors:
            summary.rejected_rows += 1
            summary.errors.extend(row.errors[: max(0, ERRORS_KEPT - len(summary.errors))])
        else:
            summary.valid_rows += 1
    return summary


def rows_count(table: Table) -> int:
    return sum(1 for _row in table.rows())


def rows_preview(table: Table, mapping: Mapping[str, str], limit: int = PREVIEW_ROWS) -> list[ParsedRow]:
    preview = []
    for row in rows_read(table, mapping):
        preview.append(row)
        if len(preview) == limit:
            break
    return preview


def invoices_valid(table: Table, mapping: Mapping[str, str]) -> list[InvoiceData]:
    """The valid rows' invoices, each debtor described as the whole file describes it.

    A debtor on many rows may be described a little differently on each (an e-mail address on one,
    a phone number on another). The intake path keeps the last description per batch; to make a
    file's debtors independent of where the batches happen to split, the descriptions the valid
    rows give are merged (later rows win, an empty cell erases nothing) and every invoice of that
    debtor carries the one merged description. Importing the same file twice changes nothing.

    Merging needs the whole file read before the first batch is written, so the invoices are kept
    in memory (about 60 MB per 100,000 rows; a file has at most ``max_data_rows``): one read of
    the file instead of two.
    """
    merged: dict[tuple[str, str], DebtorData] = {}
    merged_from: dict[tuple[str, str], DebtorData] = {}
    invoices = []
    for row in rows_read(table, mapping):
        invoice = row.invoice
        if invoice is None:
            continue
        debtor = invoice.debtor
        if merged_from.get(debtor.key) is not debtor:  # rows written alike share one object: merge it once
            _debtor_merge(merged, debtor)
            merged_from[debtor.key] = debtor
        invoice.debtor = merged[debtor.key]  # completed in place by the rows still to come
        invoices.append(invoice)
    return invoices


def _debtor_merge(debtors: dict[tuple[str, str], DebtorData], data: DebtorData) -> None:
    known = debtors.get(data.key)
    if known is None:
        debtors[data.key] = dataclasses.replace(data)
        return
    for name, value in data.values().items():
        if value not in ("", []):
            setattr(known, name, value)
