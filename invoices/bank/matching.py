"""Which invoice an incoming payment pays: pure rules over plain values, no database, no clock.

In this order, the first rule that finds an invoice decides:

1. **Structured creditor reference** (ISO 11649, "RF…"), from ``Strd/CdtrRefInf/Ref`` or typed into
   the description: the invoice whose number makes exactly that reference, as printed on our letters
   and in the EPC QR code (``reminders.channels.letter.creditor_reference``); or, for a reference of
   the bundle form, the invoices of that bundle (``reminders.models.BundleReference``; a form no
   invoice number's reference has, so the two never meet). A bundle is booked only when the payment
   is exactly what is still open on its invoices (each is paid in full); less or more waits in review
   with the bundle's invoices proposed: which of them a part pays is the creditor's call. A bundle
   reference we do not know (mistyped, made up, another organization's) finds nothing here and the
   next rules go on.
2. **Invoice numbers in the description** (and in a structured reference that is not an RF one).
3. **Amount and debtor**: the one open invoice whose open amount equals the payment, of a debtor whose
   name matches the account holder's, or whose IBAN paid us before (a line booked to that debtor).

A match is *booked* only when it is unambiguous and the money fits: one open invoice and no more
than is open on it, or several invoices the payment pays exactly. Anything else goes to review with
the invoices found as suggestions and a reason code (:data:`REVIEW_REASONS`); nothing is lost.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum import iso11649

from invoices.bank.camt import StatementLine
from reminders.channels.letter import creditor_reference, is_bundle_reference

BY_REFERENCE, BY_NUMBER, BY_AMOUNT, BY_HAND = "reference", "invoice_number", "amount_and_name", "assigned"
NO_MATCH, AMBIGUOUS, NOT_OPEN, AMOUNT_DIFFERS, CURRENCY = (
    "no_match",
    "ambiguous",
    "not_open",
    "amount_differs",
    "currency",
)
REVIEW_REASONS = (NO_MATCH, AMBIGUOUS, NOT_OPEN, AMOUNT_DIFFERS, CURRENCY)
MAX_SUGGESTIONS = 5
MIN_NUMBER_LENGTH = 3  # "2" in "2 facturen" is not invoice 2
RF_START = re.compile(r"RF\d{2}", re.IGNORECASE)
TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z\-_/.]*[0-9A-Za-z]|[0-9A-Za-z]")
# Legal forms and filler words a bank may or may not carry in an account holder's name.
NAME_NOISE = frozenset({"bv", "nv", "vof", "cv", "ltd", "gmbh", "bvba", "de", "het", "the", "en", "fa", "firma"})


@dataclass(frozen=True)
class Candidate:
    """An invoice as the matcher sees it."""

    id: int
    number: str
    debtor_id: int
    debtor_name: str
    open_amount: Decimal
    currency: str
    is_open: bool


@dataclass(frozen=True)
class Decision:
    booked: bool
    reason: str
    allocations: tuple[tuple[int, Decimal], ...] = ()  # (invoice id, amount) when booked
    suggestions: tuple[int, ...] = ()  # invoice ids shown in review

    @property
    def invoice_ids(self) -> tuple[int, ...]:
        return tuple(invoice_id for invoice_id, _amount in self.allocations) or self.suggestions


@dataclass
class Facts:
    """Everything the rules look at, read once per statement (one query per kind of key)."""

    by_number: Mapping[str, list[Candidate]] = field(default_factory=dict)  # upper-case number -> invoices
    by_bundle: Mapping[str, list[Candidate]] = field(default_factory=dict)  # compact bundle RF -> its invoices
    by_amount: Mapping[tuple[str, Decimal], list[Candidate]] = field(default_factory=dict)  # open invoices
    debtors_by_iban: Mapping[str, set[int]] = field(default_factory=dict)


def rf_references(line: StatementLine) -> list[str]:
    """Valid ISO 11649 references in the structured reference or the description, compact, upper case."""
    found = [ref.replace(" ", "").upper() for ref in line.references]
    found += _rf_in_text(line.remittance)
    return list(dict.fromkeys(ref for ref in found if ref.startswith("RF") and iso11649.is_valid(ref)))


def _rf_in_text(text: str) -> list[str]:
    """ "RF18 5390 0754 7034" or "RF18539007547034": the longest run of groups that is a valid reference."""
    found = []
    for match in RF_START.finditer(text):
        groups = text[match.start() :].split()
        candidate, best = "", ""
        for group in groups[:7]:
            candidate += group.strip(".,;:()")
            if len(candidate) > 25 or not candidate.isalnum():
                break
            if iso11649.is_valid(candidate):
                best = candidate
        if best:
            found.append(best.upper())
    return found


def rf_body(reference: str) -> str:
    return reference[4:]


def number_tokens(line: StatementLine) -> list[str]:
    """Words of the description and the structured references that could be invoice numbers (upper case)."""
    text = " ".join([line.remittance, *line.references])
    tokens = (token.upper() for token in TOKEN.findall(text))
    return list(dict.fromkeys(token for token in tokens if len(token) >= MIN_NUMBER_LENGTH and _has_digit(token)))


def _has_digit(token: str) -> bool:
    return any(char.isdigit() for char in token)


def lookup_keys(lines: Iterable[StatementLine]) -> set[str]:
    """The upper-case invoice numbers worth looking up for these lines: RF bodies and number tokens."""
    keys: set[str] = set()
    for line in lines:
        keys.update(rf_body(ref) for ref in rf_references(line) if not is_bundle_reference(ref))
        keys.update(number_tokens(line))
    return keys


def bundle_keys(lines: Iterable[StatementLine]) -> set[str]:
    """The bundle references (compact) worth looking up for these lines."""
    return {ref for line in lines for ref in rf_references(line) if is_bundle_reference(ref)}


def normalized_name(name: str) -> str:
    """ "Acme Bouw B.V." and "ACME BOUW BV" alike: no accents, case, punctuation or legal form."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace(".", "")
    words = re.split(r"[^a-z0-9]+", plain)
    return " ".join(word for word in words if word and word not in NAME_NOISE)


def match_line(line: StatementLine, facts: Facts) -> Decision:
    """The decision for one line: the first rule that finds an invoice decides (module docstring)."""
    in_bundle = _by_bundle(line, facts)
    if in_bundle:
        return _decide_bundle(line, in_bundle)
    by_reference = _by_reference(line, facts)
    if by_reference:
        return _decide(line, by_reference, BY_REFERENCE)
    by_number = _by_number(line, facts)
    if by_number:
        return _decide(line, by_number, BY_NUMBER)
    return _by_amount(line, facts)


def _by_bundle(line: StatementLine, facts: Facts) -> list[Candidate]:
    found: dict[int, Candidate] = {}
    for reference in rf_references(line):
        for candidate in facts.by_bundle.get(reference, []):
            found[candidate.id] = candidate
    return list(found.values())


def _decide_bundle(line: StatementLine, found: list[Candidate]) -> Decision:
    """Exactly what is open on the bundle's invoices books them all; anything else waits (docstring).

    Invoices of the bundle paid or closed since it was sent are left out: the debtor who pays the rest
    pays exactly what is still open. One open invoice left is that invoice, as by its own reference.
    """
    if any(c.currency != line.currency for c in found):
        return _review(CURRENCY, found)
    open_ones = [c for c in found if c.is_open and c.open_amount > 0]
    if not open_ones:
        return _review(NOT_OPEN, found)
    if len(open_ones) == 1 and line.amount <= open_ones[0].open_amount:
        return _booked(BY_REFERENCE, [(open_ones[0].id, line.amount)])
    if sum(c.open_amount for c in open_ones) == line.amount:
        return _booked(BY_REFERENCE, [(c.id, c.open_amount) for c in sorted(open_ones, key=lambda c: c.id)])
    return _review(AMOUNT_DIFFERS, open_ones, limit=len(open_ones))


def _by_reference(line: StatementLine, facts: Facts) -> list[Candidate]:
    found: dict[int, Candidate] = {}
    for reference in rf_references(line):
        for candidate in facts.by_number.get(rf_body(reference), []):
            if creditor_reference(candidate.number) == reference:
                found[candidate.id] = candidate
    return list(found.values())


def _by_number(line: StatementLine, facts: Facts) -> list[Candidate]:
    found: dict[int, Candidate] = {}
    for token in number_tokens(line):
        for candidate in facts.by_number.get(token, []):
            found[candidate.id] = candidate
    return list(found.values())


def _by_amount(line: StatementLine, facts: Facts) -> Decision:
    same_amount = [c for c in facts.by_amount.get((line.currency, line.amount), []) if c.is_open]
    name = normalized_name(line.name)
    iban_debtors = facts.debtors_by_iban.get(line.iban, set()) if line.iban else set()
    debtor_matches = [
        c for c in same_amount if (name and normalized_name(c.debtor_name) == name) or c.debtor_id in iban_debtors
    ]
    if len(debtor_matches) == 1:
        return _booked(BY_AMOUNT, [(debtor_matches[0].id, line.amount)])
    if debtor_matches:
        return _review(AMBIGUOUS, debtor_matches)
    return _review(NO_MATCH, same_amount)


def _decide(line: StatementLine, found: list[Candidate], reason: str) -> Decision:
    """Invoices found by reference or number: book when the money fits, else review with them."""
    if any(c.currency != line.currency for c in found):
        return _review(CURRENCY, found)
    open_ones = [c for c in found if c.is_open and c.open_amount > 0]
    if len(open_ones) < len(found):
        return _review(NOT_OPEN, found)
    if len(open_ones) == 1 and line.amount <= open_ones[0].open_amount:
        return _booked(reason, [(open_ones[0].id, line.amount)])
    if len(open_ones) > 1 and sum(c.open_amount for c in open_ones) == line.amount:
        return _booked(reason, [(c.id, c.open_amount) for c in sorted(open_ones, key=lambda c: c.id)])
    if len(open_ones) > 1 and len({c.debtor_id for c in open_ones}) > 1 and reason == BY_NUMBER:
        return _review(AMBIGUOUS, found)
    return _review(AMOUNT_DIFFERS, found)


def _booked(reason: str, allocations: list[tuple[int, Decimal]]) -> Decision:
    return Decision(booked=True, reason=reason, allocations=tuple(allocations))


def _review(reason: str, suggestions: list[Candidate], limit: int = MAX_SUGGESTIONS) -> Decision:
    """``limit``: a bundle proposes every open invoice of it, however many (the set the debtor was asked)."""
    ids = tuple(c.id for c in sorted(suggestions, key=lambda c: c.id)[:limit])
    return Decision(booked=False, reason=reason, suggestions=ids)
