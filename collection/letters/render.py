"""Writing a collector's letter from its facts: the words in the debtor's language, the amounts
formatted by the one money formatter, an A4 PDF by WeasyPrint and the text of the e-mail.

Only formatting happens here: the facts (``collection.letters.facts``) hold every amount already.
The templates are ours, not the tenant's (``templates/collection/letters/``), and receive plain strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import formats, translation

from collection.letters.facts import LetterFacts, Party
from collection.letters.texts import words_for
from outstanding.money import format_money
from reminders.channels.letter import LocalFilesOnly, letter_stylesheet

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class Row:
    label: str
    amount: str
    total: bool = False


class _Format:
    """Dates, money and rates in one language."""

    def __init__(self, language: str) -> None:
        self.language = language
        self.words = words_for(language)

    def money(self, amount: Decimal) -> str:
        return format_money(amount, "EUR", self.language)

    def date(self, day: dt.date, long: bool = True) -> str:
        with translation.override(self.language):
            return formats.date_format(day, self.words["long_date" if long else "short_date"])

    def rate(self, rate: Decimal) -> str:
        text = f"{rate.normalize():f}" if rate == rate.to_integral() else f"{rate:.2f}"
        return text.replace(".", ",") if self.language == "nl" else text


def letter_subject(facts: LetterFacts) -> str:
    fmt = _Format(facts.language)
    return fmt.words[f"subject_{facts.kind}"] % {
        "creditor": facts.creditor.name,
        "total": fmt.money(facts.total),
        "term": fmt.date(facts.term_until),
        "reference": facts.reference,
    }


def _contact(collector: Party) -> str:
    return ", ".join(part for part in (collector.phone, collector.email) if part)


def _interest_kind(facts: LetterFacts, fmt: _Format) -> str:
    return fmt.words["interest_business" if facts.commercial else "interest_consumer"]


def _paragraphs(facts: LetterFacts, fmt: _Format) -> tuple[list[str], list[str]]:
    """The words before the statement and after it."""
    words = fmt.words
    values = {
        "creditor": facts.creditor.name,
        "total": fmt.money(facts.total),
        "term": fmt.date(facts.term_until),
        "first": fmt.date(facts.first_demand_on) if facts.first_demand_on else "",
        "contact": _contact(facts.collector),
        "interest_kind": _interest_kind(facts, fmt),
        "interest": fmt.money(facts.interest),
        "costs": fmt.money(facts.announced_costs),
        "costs_vat": (
            words["costs_vat_clause"] % {"vat": fmt.money(facts.announced_costs_vat)}
            if facts.announced_costs_vat > ZERO
            else ""
        ),
    }
    before = [words["intro"] % values, words["origin"] % values]
    if facts.kind == "pre_collection":
        before.append(words["pre_collection"] % values)
        after = [words["pre_collection_consequence"] % values]
    else:
        before.append(words[facts.kind] % values)
        after = [words["demand_consequence"] % values]
    after.append(words["arrangement"] % values)
    return before, after


def _invoice_rows(facts: LetterFacts, fmt: _Format) -> list[dict[str, str]]:
    return [
        {
            "number": line.number,
            "issue_date": fmt.date(line.issue_date, long=False),
            "due_date": fmt.date(line.due_date, long=False),
            "payment_term": fmt.words["term_days"] % {"days": line.payment_term_days},
            "principal": fmt.money(line.principal_original),
            "interest": fmt.money(line.interest),
        }
        for line in facts.invoices
    ]


def _interest_rows(facts: LetterFacts, fmt: _Format) -> list[Row]:
    return [
        Row(
            label=fmt.words["interest_line"]
            % {
                "invoice": line.invoice_number,
                "rate": fmt.rate(line.rate),
                "basis": fmt.money(line.basis),
                "first": fmt.date(line.first_day, long=False),
                "end": fmt.date(line.end, long=False),
                "days": line.days,
            },
            amount=fmt.money(line.amount),
        )
        for line in facts.interest_lines
    ]


def _total_rows(facts: LetterFacts, fmt: _Format) -> list[Row]:
    """The sum the letter asks for, line by line; the lines add up to the total."""
    words = fmt.words
    rows = [Row(words["total_principal"], fmt.money(facts.principal))]
    if facts.credited:
        rows.append(Row(words["credited"], fmt.money(-facts.credited)))
    if facts.reopened:
        rows.append(Row(words["reopened"], fmt.money(facts.reopened)))
    if facts.is_free_of_charge:
        if facts.paid_to_principal:
            rows.append(Row(words["paid_on_principal"], fmt.money(-facts.paid_to_principal)))
        rows.append(Row(words["costs_none"], fmt.money(ZERO)))
    else:
        rows.append(
            Row(words["interest_total"] % {"date": fmt.date(facts.date, long=False)}, fmt.money(facts.interest_accrued))
        )
        rows.append(Row(words["costs"], fmt.money(facts.costs)))
        if facts.costs_vat_charged:
            rows.append(Row(words["costs_vat"], fmt.money(facts.costs_vat)))
        if facts.paid:
            rows.append(Row(words["paid"], fmt.money(-facts.paid)))
    rows.append(Row(words["total"], fmt.money(facts.total), total=True))
    return rows


def letter_context(facts: LetterFacts) -> dict[str, Any]:
    """Every string the letter and the e-mail print, in the debtor's language."""
    fmt = _Format(facts.language)
    before, after = _paragraphs(facts, fmt)
    words = fmt.words
    pay = ""
    if facts.iban:
        pay = words["pay"] % {
            "total": fmt.money(facts.total),
            "iban": facts.iban,
            "beneficiary": facts.beneficiary,
            "reference": facts.payment_reference or facts.reference,
        }
    return {
        "language": facts.language,
        "words": words,
        "date": fmt.date(facts.date),
        "subject": letter_subject(facts),
        "reference": facts.reference,
        "collector": facts.collector,
        "creditor": facts.creditor,
        "debtor": facts.debtor,
        "wki_registration": facts.wki_registration,
        "before": before,
        "after": after,
        "invoices": _invoice_rows(facts, fmt),
        "interest_heading": words["interest_heading"] % {"interest_kind": _interest_kind(facts, fmt)},
        "interest_rows": _interest_rows(facts, fmt),
        "totals": (rows := _total_rows(facts, fmt))[:-1],
        "total_row": rows[-1],
        "costs_no_vat": "" if facts.costs_vat_charged or facts.is_free_of_charge else words["costs_no_vat"],
        "pay": pay,
        "portal": words["portal"] % {"url": facts.portal_url} if facts.portal_url else "",
        "on_behalf": words["on_behalf"] % {"creditor": facts.creditor.name},
    }


def letter_html(facts: LetterFacts) -> str:
    return render_to_string("collection/letters/dossier_letter.html", letter_context(facts))


def letter_pdf(facts: LetterFacts) -> bytes:
    """The letter as an A4 PDF for a window envelope (the dunning's letter stylesheet, our own body)."""
    document = weasyprint.HTML(
        string=letter_html(facts), base_url=str(settings.MEDIA_ROOT), url_fetcher=LocalFilesOnly()
    )
    return document.write_pdf(stylesheets=[letter_stylesheet()])


def letter_email_text(facts: LetterFacts) -> str:
    """The e-mail's text: the same statement as the letter (attached as PDF)."""
    return render_to_string("emails/dossier_letter.txt", letter_context(facts))
