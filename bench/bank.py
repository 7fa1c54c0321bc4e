"""Bank statements in: a 10,000-line CAMT.053 file against one organization with 200,000 open invoices.

Loads the invoices with COPY (``bench.dunning``'s loader), builds a statement in memory whose lines
pay by RF reference, by invoice number in the description, by amount and debtor name, and some that
match nothing, then reports lines per second for reading the file, for matching alone (the facts in
a few set-based queries, then pure Python), for the whole import (matching, storing and booking each
payment through ``payment_record``), and for the same file a second time (nothing new is booked).
Target (issue 9): matching under 10 s.

Environment: BENCH_BANK_INVOICES and BENCH_BANK_LINES override the sizes.
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from decimal import Decimal

from django.db import connection

from bench.dunning import _load, _organizations, _query_counter

INVOICES = int(os.environ.get("BENCH_BANK_INVOICES", "200000"))
LINES = int(os.environ.get("BENCH_BANK_LINES", "10000"))
NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"


def _entry(n: int, amount: Decimal, name: str = "", text: str = "", structured: str = "") -> str:
    strd = f"<Strd><CdtrRefInf><Ref>{structured}</Ref></CdtrRefInf></Strd>" if structured else ""
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>BOOK</Sts>'
        f"<BookgDt><Dt>2026-04-15</Dt></BookgDt><AcctSvcrRef>BENCH{n:07d}</AcctSvcrRef><NtryDtls><TxDtls>"
        f"<RltdPties><Dbtr><Nm>{name}</Nm></Dbtr><DbtrAcct><Id><IBAN>NL02RABO{n:010d}</IBAN></Id></DbtrAcct>"
        f"</RltdPties><RmtInf><Ustrd>{text}</Ustrd>{strd}</RmtInf></TxDtls></NtryDtls></Ntry>"
    )


def _statement(organization_id: int) -> bytes:
    """A quarter each: RF reference, invoice number, amount and name, nothing that matches."""
    from invoices.models import Invoice
    from reminders.channels.letter import creditor_reference

    rng = random.Random(7)
    rows = list(
        Invoice.unscoped.filter(organization_id=organization_id)  # the bench's own organization
        .order_by("?")
        .values_list("number", "open_amount", "debtor__name")[: LINES * 3 // 4]
    )
    quarter = LINES // 4
    entries = []
    for n, (number, amount, name) in enumerate(rows):
        if n < quarter:
            entries.append(_entry(n, amount, structured=creditor_reference(number.replace("-", "")) or ""))
        elif n < 2 * quarter:
            entries.append(_entry(n, amount, name="Someone", text=f"Factuur {number} dank u"))
        else:
            entries.append(_entry(n, amount, name=name.upper(), text="betaling"))
    for n in range(len(rows), LINES):
        entries.append(_entry(n, Decimal(rng.randint(1, 99)) + Decimal("0.01"), name=f"Stranger {n}", text="gift"))
    body = "".join(entries)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{NAMESPACE}"><BkToCstmrStmt><Stmt><Id>B</Id>'
        f"<Acct><Id><IBAN>NL91ABNA0417164300</IBAN></Id></Acct>{body}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def _rf_numbers(organization_id: int) -> None:
    """Invoice numbers without the dash, so their RF reference is the one on our letters."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE invoices_invoice SET number = replace(number, '-', '') WHERE organization_id = %s",
            [organization_id],
        )
        cursor.execute("ANALYZE invoices_invoice")


def run() -> Iterator[str]:
    from invoices.bank import selectors
    from invoices.bank.camt import camt_parse
    from invoices.bank.matching import match_line
    from invoices.bank.services import bank_statement_import
    from outstanding.models import Organization

    started = time.perf_counter()
    [organization_id] = _organizations(count=1, prefix="Bank")
    _load([organization_id], invoices_per_org=INVOICES, debtors_per_org=max(1, INVOICES // 10))
    _rf_numbers(organization_id)
    organization = Organization.objects.get(pk=organization_id)
    data = _statement(organization_id)
    size, load_time = len(data) / 1e6, time.perf_counter() - started
    yield f"loaded {INVOICES:,} open invoices, built a {LINES:,}-line statement ({size:.1f} MB) in {load_time:.1f} s"

    parse_started = time.perf_counter()
    parsed = camt_parse(data)
    parse = time.perf_counter() - parse_started
    yield f"reading the file: {parse:.2f} s, {len(parsed.lines) / parse:,.0f} lines/s"

    with _query_counter() as queries:
        match_started = time.perf_counter()
        facts = selectors.matching_facts(organization=organization, lines=parsed.lines)
        decisions = [match_line(line, facts) for line in parsed.lines]
        matching = time.perf_counter() - match_started
    booked = sum(decision.booked for decision in decisions)
    yield (
        f"matching {len(parsed.lines):,} lines against {INVOICES:,} open invoices: {matching:.2f} s "
        f"({len(parsed.lines) / matching:,.0f} lines/s), {queries[0]} queries, {booked:,} confident "
        f"(target: under 10 s)"
    )

    with _query_counter() as queries:
        import_started = time.perf_counter()
        statement = bank_statement_import(organization=organization, user=None, filename="bench.xml", data=data)
        whole = time.perf_counter() - import_started
    yield (
        f"whole import (read, match, store, book {statement.booked_count:,} payments through payment_record, "
        f"{statement.review_count:,} to review): {whole:.1f} s, {statement.line_count / whole:,.0f} lines/s, "
        f"{queries[0]:,} queries"
    )

    again_started = time.perf_counter()
    again = bank_statement_import(organization=organization, user=None, filename="bench.xml", data=data)
    repeat = time.perf_counter() - again_started
    yield (
        f"the same file again: {repeat:.1f} s ({again.line_count / repeat:,.0f} lines/s), "
        f"{again.known_count:,} already imported, {again.booked_count} booked"
    )
