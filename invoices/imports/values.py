"""Reading one cell of a creditor's spreadsheet: dates, amounts, e-mail addresses, phone numbers, codes.

Every parser takes what the file holds (text from a CSV; text, numbers or dates from an XLSX) and
returns a clean value or raises :class:`CellError` with a reason a creditor understands. The parsers
are pure and the expensive ones are cached per distinct value: a 100,000-row file names the same
few thousand debtors, phone numbers and dates over and over.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from outstanding.identifiers import clean_iban, clean_kvk, clean_phone, clean_vat_id
from outstanding.money import CENT

# Excel counts days from 30 December 1899 (its 1900 leap-year bug included).
EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_SERIALS = range(20_000, 80_000)  # 1954 to 2119: a plain number in that range in a date column is a serial
MAX_AMOUNT = Decimal("1000000000000")  # the database keeps 14 digits, 2 of them cents
MAX_TERM_DAYS = 3650
CACHE_SIZE = 50_000

DATE_DMY = re.compile(r"^(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})$")
DATE_YMD = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})(?:[ T]00:00(?::00)?)?$")
DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
AMOUNT_BODY = re.compile(r"^\d[\d.,]*$")
# The plain ways of writing an amount, read without the general rules below (most cells are one of these).
DUTCH_AMOUNT = re.compile(r"^(-?)(\d+|[1-9]\d{0,2}(?:\.\d{3})+)(?:,(\d{1,2}))?$")
ENGLISH_AMOUNT = re.compile(r"^(-?)(\d+|[1-9]\d{0,2}(?:,\d{3})+)(?:\.(\d{1,2}))?$")
CURRENCY_NOISE = re.compile(r"[€$£\s\u00a0\u202f']|^(?:EUR|USD|GBP)|(?:EUR|USD|GBP)$", re.IGNORECASE)
EMAIL_SPLIT = re.compile(r"[;,\s]+")
PHONE_SPLIT = re.compile(r"[;,/]+")
TERM = re.compile(r"^(\d{1,4})(?:\s*(?:dagen|dag|days|day|d))?$", re.IGNORECASE)

KINDS = {
    "b2b": "b2b", "zakelijk": "b2b", "zakelijke klant": "b2b", "bedrijf": "b2b", "business": "b2b",
    "company": "b2b", "organisatie": "b2b", "b2c": "b2c", "particulier": "b2c", "consument": "b2c",
    "consumer": "b2c", "prive": "b2c", "privé": "b2c", "private": "b2c", "person": "b2c",
}  # fmt: skip
LANGUAGES = {
    "nl": "nl", "nld": "nl", "nl-nl": "nl", "nl_nl": "nl", "nl-be": "nl", "nederlands": "nl", "dutch": "nl",
    "en": "en", "eng": "en", "en-gb": "en", "en-us": "en", "engels": "en", "english": "en",
}  # fmt: skip
COUNTRIES = {
    "nederland": "NL", "netherlands": "NL", "the netherlands": "NL", "holland": "NL", "nld": "NL",
    "belgie": "BE", "belgië": "BE", "belgium": "BE", "bel": "BE", "duitsland": "DE", "germany": "DE",
    "deutschland": "DE", "deu": "DE", "frankrijk": "FR", "france": "FR", "luxemburg": "LU",
    "luxembourg": "LU", "verenigd koninkrijk": "GB", "united kingdom": "GB", "uk": "GB",
}  # fmt: skip
CURRENCY_WORDS = {"€": "EUR", "euro": "EUR", "euros": "EUR", "$": "USD", "£": "GBP"}


class CellError(ValueError):
    """A cell that cannot be read; the message is the reason shown next to the line and column."""


def text(value: object) -> str:
    """A cell as text. Whole numbers from a spreadsheet lose their ``.0`` (invoice number 1001, not 1001.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    return str(value).strip()


def is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_date(value: object) -> dt.date:
    """A date from a real spreadsheet date, an Excel serial number or Dutch and ISO text formats.

    Accepted: 31-12-2026, 31/12/2026, 31.12.2026, 31-12-26, 2026-12-31, 20261231 and Excel serials.
    Day first always: in the Netherlands 01-02-2026 is the first of February.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _excel_serial(value)
    return _date_from_text(str(value).strip())


def _excel_serial(value: float) -> dt.date:
    if not float(value).is_integer() or int(value) not in EXCEL_SERIALS:
        raise CellError(_("%(value)s is not a date. Use for example 31-12-2026.") % {"value": text(value)})
    return EXCEL_EPOCH + dt.timedelta(days=int(value))


@lru_cache(maxsize=CACHE_SIZE)
def _date_from_text(raw: str) -> dt.date:
    if raw.isdigit() and int(raw) in EXCEL_SERIALS:
        return _excel_serial(int(raw))
    if match := DATE_DMY.match(raw):
        day, _separator, month, year = match.groups()
        year_number = int(year) + (2000 if len(year) == 2 else 0)
        return _existing_date(raw, year_number, int(month), int(day))
    if match := DATE_YMD.match(raw):
        year, _separator, month, day = match.groups()
        return _existing_date(raw, int(year), int(month), int(day))
    if match := DATE_COMPACT.match(raw):
        year, month, day = match.groups()
        return _existing_date(raw, int(year), int(month), int(day))
    raise CellError(_("“%(value)s” is not a date we recognise. Use for example 31-12-2026.") % {"value": raw})


def _existing_date(raw: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise CellError(_("“%(value)s” is not an existing date (day-month-year).") % {"value": raw}) from None


def parse_amount(value: object) -> Decimal:
    """An amount in euros and cents, written the Dutch or the English way.

    "1.234,56", "1,234.56", "€ 1.234,56", "1234,5" and spreadsheet numbers are all read; a single
    separator followed by exactly three digits ("1.234") is a thousands separator. Accounting
    notation for negatives, "(12,50)", is refused: a minus sign is unambiguous, brackets are not.
    """
    if isinstance(value, bool):
        raise CellError(_("Not an amount."))
    if isinstance(value, int):
        return _within_limits(Decimal(value))
    if isinstance(value, float):
        return _amount_from_float(value)
    if isinstance(value, Decimal):
        return _to_cents(value, str(value))
    return _amount_from_text(str(value).strip())


def _amount_from_float(value: float) -> Decimal:
    # Spreadsheet numbers are binary floats: 0.1 + 0.2 shows as 0.30 but is 0.30000000000000004.
    exact = Decimal(repr(value))
    cents = exact.quantize(CENT)
    if abs(exact - cents) > Decimal("0.000001"):
        raise CellError(_("%(value)s has more than two decimals; amounts are in cents.") % {"value": repr(value)})
    return _within_limits(cents)


@lru_cache(maxsize=CACHE_SIZE)
def _amount_from_text(raw: str) -> Decimal:
    match = DUTCH_AMOUNT.match(raw) or ENGLISH_AMOUNT.match(raw)
    if match:
        sign, whole, cents = match.groups()
        digits = whole.replace(".", "").replace(",", "")
        return _within_limits(Decimal(f"{sign}{digits}.{(cents or '').ljust(2, '0')}"))
    if raw.startswith("(") and raw.endswith(")"):
        raise CellError(
            _("“%(value)s”: negative amounts in brackets are not accepted; use a minus sign or a credit note.")
            % {"value": raw}
        )
    body = CURRENCY_NOISE.sub("", raw)
    negative = body.startswith("-") or body.endswith("-")
    body = body.strip("+-")
    if not AMOUNT_BODY.match(body):
        raise CellError(_("“%(value)s” is not an amount.") % {"value": raw})
    amount = _to_cents(Decimal(_plain_number(body, raw)), raw)
    return -amount if negative else amount


def _plain_number(body: str, raw: str) -> str:
    """``1.234,56`` or ``1,234.56`` as ``1234.56``: the last separator is the decimal one."""
    last_dot, last_comma = body.rfind("."), body.rfind(",")
    if last_dot >= 0 and last_comma >= 0:
        decimal_mark = "." if last_dot > last_comma else ","
    elif last_dot < 0 and last_comma < 0:
        return body
    else:
        decimal_mark = "." if last_dot >= 0 else ","
        if body.count(decimal_mark) > 1 or _is_one_thousands_group(body, decimal_mark):
            return _without_thousands(body, decimal_mark, raw)
    thousands_mark = "," if decimal_mark == "." else "."
    whole, _mark, fraction = body.rpartition(decimal_mark)
    if thousands_mark in fraction or decimal_mark in whole:
        raise CellError(_("“%(value)s” is not an amount.") % {"value": raw})
    return f"{_without_thousands(whole, thousands_mark, raw)}.{fraction}"


def _is_one_thousands_group(body: str, mark: str) -> bool:
    whole, _mark, fraction = body.partition(mark)
    return len(fraction) == 3 and 1 <= len(whole) <= 3 and whole.strip("0") != ""


def _without_thousands(number: str, mark: str, raw: str) -> str:
    groups = number.split(mark)
    if len(groups) > 1 and not (1 <= len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])):
        raise CellError(_("“%(value)s” is not an amount.") % {"value": raw})
    return "".join(groups)


def _to_cents(amount: Decimal, raw: str) -> Decimal:
    try:
        cents = amount.quantize(CENT)
    except InvalidOperation:
        raise CellError(_("“%(value)s” is not an amount.") % {"value": raw}) from None
    if cents != amount:
        raise CellError(_("“%(value)s” has more than two decimals; amounts are in cents.") % {"value": raw})
    return _within_limits(cents)


def _within_limits(amount: Decimal) -> Decimal:
    if not -MAX_AMOUNT < amount < MAX_AMOUNT:
        raise CellError(_("The amount is too large."))
    return amount.quantize(CENT)


def parse_term_days(value: object) -> int:
    """A payment term in days: "30", "30 dagen", "14 days"."""
    match = TERM.match(text(value))
    if not match or int(match.group(1)) > MAX_TERM_DAYS:
        raise CellError(_("“%(value)s” is not a payment term in days, such as 30.") % {"value": text(value)})
    return int(match.group(1))


@lru_cache(maxsize=CACHE_SIZE)
def parse_emails(raw: str) -> tuple[str, ...]:
    """One or more e-mail addresses, separated by commas, semicolons or spaces."""
    addresses = tuple(part for part in EMAIL_SPLIT.split(raw) if part)
    for address in addresses:
        try:
            validate_email(address)
        except ValidationError:
            raise CellError(_("“%(value)s” is not a valid e-mail address.") % {"value": address}) from None
    return addresses


@lru_cache(maxsize=CACHE_SIZE)
def parse_phones(raw: str) -> tuple[str, ...]:
    """Phone numbers in international format (+31…); a number without a country code is Dutch."""
    numbers = []
    for part in (part.strip() for part in PHONE_SPLIT.split(raw)):
        if not part:
            continue
        try:
            numbers.append(clean_phone(part))
        except ValidationError as exc:
            raise CellError(exc.messages[0]) from None
    return tuple(numbers)


@lru_cache(maxsize=CACHE_SIZE)
def parse_kvk(raw: str) -> str:
    # A spreadsheet may have stored the number as a number and dropped its leading zero.
    raw = raw.zfill(8) if raw.isdigit() and len(raw) == 7 else raw
    return _identifier(clean_kvk, raw)


@lru_cache(maxsize=CACHE_SIZE)
def parse_vat_id(raw: str) -> str:
    return _identifier(clean_vat_id, raw)


@lru_cache(maxsize=CACHE_SIZE)
def parse_iban(raw: str) -> str:
    return _identifier(clean_iban, raw)


def _identifier(clean: object, raw: str) -> str:
    try:
        return clean(raw)  # type: ignore[operator,no-any-return]
    except ValidationError as exc:
        raise CellError(" ".join(exc.messages)) from None


def parse_kind(raw: str) -> str:
    """b2b or b2c from zakelijk/particulier, business/consumer and the like; "" when not stated."""
    if not raw:
        return ""
    try:
        return KINDS[raw.strip().lower()]
    except KeyError:
        raise CellError(
            _("“%(value)s” is not a kind of customer; use zakelijk (business) or particulier (consumer).")
            % {"value": raw}
        ) from None


def parse_language(raw: str) -> str:
    if not raw:
        return ""
    try:
        return LANGUAGES[raw.strip().lower()]
    except KeyError:
        reason = _("“%(value)s”: reminders are written in Dutch (nl) or English (en).") % {"value": raw}
        raise CellError(reason) from None


def parse_country(raw: str) -> str:
    """A two-letter country code; the common Dutch and English country names are understood too."""
    if not raw:
        return ""
    key = raw.strip().lower()
    if key in COUNTRIES:
        return COUNTRIES[key]
    if len(key) == 2 and key.isalpha() and key.isascii():
        return key.upper()
    raise CellError(_("“%(value)s” is not a country; use a two-letter code such as NL or BE.") % {"value": raw})


def parse_currency(raw: str) -> str:
    if not raw:
        return "EUR"
    code = CURRENCY_WORDS.get(raw.strip().lower(), raw.strip().upper())
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise CellError(_("“%(value)s” is not a currency; use a code such as EUR.") % {"value": raw})
    return code
