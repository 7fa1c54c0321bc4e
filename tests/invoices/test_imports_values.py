"""Reading single cells: Dutch dates and amounts, contact details and identifiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

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

NEW_YEARS_EVE = dt.date(2026, 12, 31)


@pytest.fixture(autouse=True)
def _english(settings) -> None:  # type: ignore[no-untyped-def]
    """Messages in English: the assertions read the English msgids, whatever Dutch catalog exists."""
    settings.LANGUAGE_CODE = "en"


@pytest.mark.parametrize(
    "value",
    [
        "31-12-2026",
        "31/12/2026",
        "31.12.2026",
        "2026-12-31",
        "31-12-26",
        "2026-12-31 00:00:00",
        "20261231",
        " 31-12-2026 ",
    ],
)
def test_common_dutch_and_iso_date_formats_are_read(value: str) -> None:
    assert parse_date(value) == NEW_YEARS_EVE


def test_spreadsheet_dates_and_excel_serial_numbers_are_read() -> None:
    assert parse_date(dt.datetime(2026, 12, 31, 0, 0)) == NEW_YEARS_EVE
    assert parse_date(NEW_YEARS_EVE) == NEW_YEARS_EVE
    assert parse_date(46387) == NEW_YEARS_EVE  # Excel's serial for 31-12-2026
    assert parse_date(46387.0) == NEW_YEARS_EVE
    assert parse_date("46387") == NEW_YEARS_EVE


def test_the_day_comes_first_as_in_the_netherlands() -> None:
    assert parse_date("01-02-2026") == dt.date(2026, 2, 1)
    assert parse_date("1-2-2026") == dt.date(2026, 2, 1)


@pytest.mark.parametrize("value", ["31-02-2026", "12/31/2026", "gisteren", "31-12", "2026-13-01", "31-12/2026", 12.5])
def test_impossible_or_unknown_dates_are_refused_with_an_example(value: object) -> None:
    with pytest.raises(CellError) as error:
        parse_date(value)
    assert "31-12-2026" in str(error.value) or "existing date" in str(error.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("€ 1.234,56", "1234.56"),
        ("€1.234,56", "1234.56"),
        ("EUR 1.234,56", "1234.56"),
        ("1234,5", "1234.50"),
        ("1234.5", "1234.50"),
        ("1.234", "1234.00"),
        ("1,234", "1234.00"),
        ("12,345", "12345.00"),  # one separator and three digits: thousands, whichever the separator
        ("1.234.567,89", "1234567.89"),
        ("1\u00a0234,56", "1234.56"),
        ("121", "121.00"),
        ("121,0000", "121.00"),
        ("0,50", "0.50"),
        ("-12,50", "-12.50"),
        ("12,50-", "-12.50"),
        (1234.56, "1234.56"),
        (0.1 + 0.2, "0.30"),
        (1000, "1000.00"),
        (Decimal("99.90"), "99.90"),
    ],
)
def test_amounts_are_read_with_comma_or_dot_decimals_and_thousands_separators(value: object, expected: str) -> None:
    assert parse_amount(value) == Decimal(expected)


def test_an_amount_in_brackets_is_refused_with_the_reason() -> None:
    with pytest.raises(CellError, match="brackets"):
        parse_amount("(1.234,56)")


@pytest.mark.parametrize("value", ["0,125", "1.23.4", "1,2,3", "abc", "12.50.00", "€", True, 1e15, 12.345])
def test_what_is_not_an_amount_in_cents_is_refused(value: object) -> None:
    with pytest.raises(CellError):
        parse_amount(value)


def test_a_three_decimal_comma_after_four_digits_is_not_taken_for_thousands() -> None:
    with pytest.raises(CellError, match="two decimals"):
        parse_amount("1234,567")


def test_email_addresses_are_checked_and_several_may_share_a_cell() -> None:
    assert parse_emails("a@b.test; c@d.test") == ("a@b.test", "c@d.test")
    with pytest.raises(CellError, match="geen-mail"):
        parse_emails("geen-mail")


def test_phone_numbers_are_normalised_to_international_format_dutch_by_default() -> None:
    assert parse_phones("06 12345678") == ("+31612345678",)
    assert parse_phones("020-1234567 / +32 470 12 34 56") == ("+31201234567", "+32470123456")
    with pytest.raises(CellError, match="12345"):
        parse_phones("12345")


def test_identifiers_go_through_the_one_place_for_dutch_identifiers() -> None:
    assert parse_kvk("1234 5678") == "12345678"
    assert parse_kvk("1234567") == "01234567"  # a spreadsheet dropped the leading zero
    assert parse_vat_id("nl 0000.99998.B57") == "NL000099998B57"
    assert parse_iban("NL91 ABNA 0417 1643 00") == "NL91ABNA0417164300"
    for parser, bad in ((parse_kvk, "1234"), (parse_vat_id, "NL123456789B01"), (parse_iban, "NL00ABNA0000000000")):
        with pytest.raises(CellError):
            parser(bad)


def test_kind_language_country_and_currency_words_are_understood() -> None:
    assert [parse_kind(word) for word in ("Zakelijk", "particulier", "B2B", "b2c", "")] == [
        "b2b",
        "b2c",
        "b2b",
        "b2c",
        "",
    ]
    assert [parse_language(word) for word in ("Nederlands", "EN", "")] == ["nl", "en", ""]
    assert [parse_country(word) for word in ("Nederland", "België", "de", "")] == ["NL", "BE", "DE", ""]
    assert [parse_currency(word) for word in ("€", "usd", "")] == ["EUR", "USD", "EUR"]
    for parser, bad in (
        (parse_kind, "groot"),
        (parse_language, "Duits"),
        (parse_country, "Atlantis"),
        (parse_currency, "euro's"),
    ):
        with pytest.raises(CellError):
            parser(bad)


def test_a_payment_term_is_a_number_of_days() -> None:
    assert [parse_term_days(value) for value in ("30", "14 dagen", "60 days", 30.0)] == [30, 14, 60, 30]
    with pytest.raises(CellError):
        parse_term_days("een maand")


def test_whole_spreadsheet_numbers_read_as_text_lose_their_decimal_point() -> None:
    assert text(1001.0) == "1001"
    assert text(None) == ""
    assert text("  F-1 ") == "F-1"
