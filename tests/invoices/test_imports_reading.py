"""Opening uploads as tables: encodings, separators, empty lines, XLSX, and files we refuse."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from invoices.imports.reading import CSV, UBL, XLSX, ImportFileError, file_kind, table_open

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"


@pytest.fixture(autouse=True)
def _english(settings) -> None:  # type: ignore[no-untyped-def]
    """Messages in English: the assertions read the English msgids, whatever Dutch catalog exists."""
    settings.LANGUAGE_CODE = "en"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_windows_1252_semicolon_file_from_dutch_excel_is_read_with_its_accents() -> None:
    table = table_open(fixture("dutch_windows1252.csv"), CSV)
    assert table.headers[:4] == ["Factuurnummer", "Factuurdatum", "Vervaldatum", "Bedrag"]
    rows = list(table.rows())
    assert rows[0][1][7] == "Café De Gouden Leeuw"
    assert rows[0][1][3] == "€ 1.234,56"


def test_line_numbers_are_as_in_the_file_with_empty_lines_skipped_but_counted() -> None:
    table = table_open(fixture("dutch_windows1252.csv"), CSV)
    assert table.header_line == 1
    assert [line for line, _cells in table.rows()] == [2, 3, 5, 6]


def test_a_utf8_file_with_a_byte_order_mark_and_commas_is_read() -> None:
    table = table_open(fixture("english_utf8_bom.csv"), CSV)
    assert table.headers[0] == "Invoice number"  # no BOM glued to the first header
    assert [cells[7] for _line, cells in table.rows()] == ["Ångström Ltd", "Zoë's Café"]
    assert next(table.rows())[1][3] == "1,234.56"  # a quoted comma stays inside its cell


def test_a_tab_separated_utf8_file_without_bom_is_read() -> None:
    table = table_open(fixture("payment_term_utf8.txt"), CSV)
    assert table.headers == ["Factuurnummer", "Factuurdatum", "Betalingstermijn", "Totaal incl. BTW", "Debiteur"]
    assert len(list(table.rows())) == 2


def test_a_utf16_unicode_text_export_is_read() -> None:
    data = "Factuurnummer\tNaam\nF-1\tÉén B.V.\n".encode("utf-16")
    table = table_open(data, CSV)
    assert list(table.rows()) == [(2, ["F-1", "Één B.V."])]


@pytest.mark.parametrize("separator", [";", ",", "\t"])
def test_the_separator_is_detected_even_when_amounts_contain_commas(separator: str) -> None:
    amount = '"1.234,56"' if separator == "," else "1.234,56"
    lines = [separator.join(["Factuurnummer", "Bedrag", "Naam"])] + [
        separator.join([f"F-{n}", amount, f"Klant {n}"]) for n in range(5)
    ]
    table = table_open("\n".join(lines).encode(), CSV)
    assert table.headers == ["Factuurnummer", "Bedrag", "Naam"]
    assert next(table.rows())[1] == ["F-0", "1.234,56", "Klant 0"]


def test_an_uneven_file_is_split_by_the_separator_its_header_uses() -> None:
    table = table_open(b"Nummer,Naam,Bedrag\nF-1,Klant A,10\nF-2,Klant B,20,\n", CSV)
    assert table.headers == ["Nummer", "Naam", "Bedrag"]
    assert [cells for _line, cells in table.rows()] == [["F-1", "Klant A", "10"], ["F-2", "Klant B", "20", ""]]


def test_a_quoted_cell_spanning_two_lines_reports_the_line_it_starts_on() -> None:
    data = b'Nummer;Adres\nF-1;"Damrak 1\nAmsterdam"\nF-2;Kerkweg 3\n'
    assert [line for line, _cells in table_open(data, CSV).rows()] == [2, 4]


def test_repeated_and_blank_headers_get_names_of_their_own() -> None:
    table = table_open(b"Naam;;Naam;\nA;B;C;\n", CSV)
    assert table.headers == ["Naam", "Column 2", "Naam (2)"]


def test_an_xlsx_first_sheet_is_read_with_real_dates_and_numbers() -> None:
    data = xlsx([["Factuurnummer", "Factuurdatum", "Bedrag"], [], [1001, dt.date(2026, 12, 31), 1234.56]])
    table = table_open(data, XLSX)
    assert table.headers == ["Factuurnummer", "Factuurdatum", "Bedrag"]
    [(line, cells)] = list(table.rows())
    assert line == 3
    assert cells[0] == 1001 and cells[2] == 1234.56
    assert cells[1] == dt.datetime(2026, 12, 31, 0, 0)


def test_a_table_can_be_read_more_than_once() -> None:
    table = table_open(xlsx([["Nummer"], ["F-1"], ["F-2"]]), XLSX)
    assert list(table.rows()) == list(table.rows()) == [(2, ["F-1"]), (3, ["F-2"])]


@pytest.mark.parametrize(
    ("name", "kind", "message"),
    [
        ("empty.csv", CSV, "empty"),
        ("only_headers.csv", CSV, "no invoices"),
        ("picture_renamed.csv", CSV, "not a CSV text file"),
    ],
)
def test_files_we_cannot_import_are_refused_with_a_clear_message(name: str, kind: str, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        table_open(fixture(name), kind)


def test_an_excel_workbook_renamed_to_csv_is_refused_as_binary() -> None:
    with pytest.raises(ImportFileError, match="not a CSV text file"):
        table_open(xlsx([["Nummer"], ["F-1"]]), CSV)


def test_a_csv_file_renamed_to_xlsx_is_refused() -> None:
    with pytest.raises(ImportFileError, match="not an Excel workbook"):
        table_open(fixture("with_errors.csv"), XLSX)


def test_an_xlsx_with_only_a_header_or_nothing_is_refused() -> None:
    with pytest.raises(ImportFileError, match="no invoices"):
        table_open(xlsx([["Factuurnummer", "Bedrag"]]), XLSX)
    with pytest.raises(ImportFileError, match="empty"):
        table_open(xlsx([]), XLSX)


def test_the_size_limit_is_explained(settings) -> None:  # type: ignore[no-untyped-def]
    settings.IMPORT_MAX_UPLOAD_BYTES = 50 * 1024 * 1024
    with pytest.raises(ImportFileError, match="larger than 50 MB"):
        table_open(b"x" * (50 * 1024 * 1024 + 1), CSV)


def test_the_kind_follows_the_extension_and_other_files_are_refused() -> None:
    assert [file_kind(name) for name in ("a.CSV", "b.txt", "c.xlsx", "d.xml", "e.zip")] == [CSV, CSV, XLSX, UBL, UBL]
    with pytest.raises(ImportFileError, match=r"\.xls\)"):
        file_kind("old.xls")
    with pytest.raises(ImportFileError, match="Upload a CSV"):
        file_kind("invoice.pdf")
