"""Rows to invoices: every problem reported with its line, the creditor's column name and a reason."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from invoices.imports.fields import mapping_guess
from invoices.imports.reading import CSV, table_open
from invoices.imports.rows import RowError, RowReader, invoices_valid, rows_check, rows_preview

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"


@pytest.fixture(autouse=True)
def _english(settings) -> None:  # type: ignore[no-untyped-def]
    """Messages in English: the assertions read the English msgids, whatever Dutch catalog exists."""
    settings.LANGUAGE_CODE = "en"


def table(name: str):  # type: ignore[no-untyped-def]
    return table_open((FIXTURES / name).read_bytes(), CSV)


def check(name: str):  # type: ignore[no-untyped-def]
    loaded = table(name)
    return rows_check(loaded, mapping_guess(loaded.headers))


def test_every_problem_names_its_line_column_and_reason() -> None:
    summary = check("with_errors.csv")
    assert (summary.total_rows, summary.valid_rows, summary.rejected_rows) == (13, 1, 12)
    found = {(error.line, error.column) for error in summary.errors}
    assert found == {
        (3, "Factuurdatum"),  # 31-02-2026 does not exist
        (4, "Bedrag"),  # (100,00)
        (5, "E-mail"),
        (6, "Telefoon"),
        (7, "KvK"),
        (8, "BTW-nummer"),
        (9, "IBAN"),
        (10, "Vervaldatum"),  # before the invoice date: the intake path's own rule
        (11, "Factuurnummer"),  # missing
        (12, "Factuurnummer"),  # F-1 again
        (13, "Vervaldatum"),  # missing, and no payment term column
        (14, "Bedrag"),  # negative: the intake path's rule
    }


def test_the_reasons_are_readable() -> None:
    reasons = {error.line: error.reason for error in check("with_errors.csv").errors}
    assert reasons[3] == "“31-02-2026” is not an existing date (day-month-year)."
    assert "brackets" in reasons[4]
    assert reasons[10] == "The due date is before the invoice date."
    assert reasons[11] == "Invoice number is missing."
    assert reasons[12] == "This invoice is already on line 2 of the file."
    assert reasons[13] == "Due date is missing."
    assert "credit notes" in reasons[14]


def test_a_good_row_becomes_invoice_data_with_normalised_contact_details() -> None:
    loaded = table("with_errors.csv")
    [invoice] = list(invoices_valid(loaded, mapping_guess(loaded.headers)))
    assert (invoice.number, invoice.issue_date, invoice.due_date) == (
        "F-1",
        dt.date(2026, 10, 1),
        dt.date(2026, 10, 31),
    )
    assert invoice.amount == Decimal("100.00") and invoice.open_amount is None
    assert invoice.debtor.phones == ["+31612345678"]
    assert (invoice.debtor.kvk_number, invoice.debtor.vat_id) == ("12345678", "NL000099998B57")


def test_a_payment_term_column_gives_the_due_date() -> None:
    loaded = table("payment_term_utf8.txt")
    invoices = list(invoices_valid(loaded, mapping_guess(loaded.headers)))
    assert [invoice.due_date for invoice in invoices] == [dt.date(2026, 10, 31), dt.date(2026, 10, 15)]


def test_without_due_date_or_term_the_row_is_refused_not_given_a_default_term() -> None:
    reader = RowReader(["Nr", "Datum", "Vervaldatum", "Termijn", "Bedrag", "Naam"], {
        "number": "Nr", "issue_date": "Datum", "due_date": "Vervaldatum", "payment_term": "Termijn",
        "amount": "Bedrag", "debtor_name": "Naam",
    })  # fmt: skip
    row = reader.read(7, ["F-1", "01-10-2026", "", "", "10,00", "Klant"])
    assert row.errors == [RowError(7, "Vervaldatum", "The due date is missing and there is no payment term.")]
    assert reader.read(8, ["F-2", "01-10-2026", "", "30", "10,00", "Klant"]).invoice is not None


def test_a_debtor_on_many_rows_is_described_once_with_everything_the_rows_state() -> None:
    loaded = table("dutch_windows1252.csv")
    invoices = list(invoices_valid(loaded, mapping_guess(loaded.headers)))
    first, *_middle, last = invoices
    assert first.debtor is last.debtor  # one description for the whole file
    assert first.debtor.emails == ["info@goudenleeuw.test"]  # line 6 has no e-mail: nothing is erased
    assert first.debtor.contact_person == "José Müller"
    assert [invoice.amount for invoice in invoices] == [Decimal(v) for v in ("1234.56", "121.00", "50.00", "1000.00")]


def test_the_preview_shows_values_as_read_and_raw_text_where_unreadable() -> None:
    loaded = table("with_errors.csv")
    preview = rows_preview(loaded, mapping_guess(loaded.headers), limit=3)
    assert [row.line for row in preview] == [2, 3, 4]
    assert preview[0].values["issue_date"] == dt.date(2026, 10, 1)
    assert preview[1].values["issue_date"] == "31-02-2026"
    assert preview[2].values["amount"] == "(100,00)"


def test_a_short_row_has_empty_cells_for_what_it_lacks() -> None:
    reader = RowReader(["Nr", "Naam", "Bedrag"], {"number": "Nr", "debtor_name": "Naam", "amount": "Bedrag"})
    row = reader.read(2, ["F-1"])
    assert {error.column for error in row.errors} >= {"Naam", "Bedrag"}
