"""Reading a CAMT.053 bank statement (ISO 20022 ``BankToCustomerStatement``), versions 001.02 and later.

Only incoming payments are kept (``CdtDbtInd`` = ``CRDT``, status booked): money a debtor may have
sent. An entry with several transactions (a batch booking, ``NtryDtls/TxDtls``) gives one line per
transaction. Each line carries the bank's reference (the transaction's or entry's ``AcctSvcrRef``,
else ``NtryRef``), prefixed with the account so two banks' references cannot collide; without one,
a key is built from what the line says and where it stands among identical lines in the file, so the
same file read twice gives the same keys.

The XML is parsed with defusedxml and any DTD is refused: a bank statement never has one, and a
DOCTYPE is how XXE and entity expansion get in. Anything we cannot read raises :class:`CamtError`
with a message for the creditor; nothing is stored before the whole file has been read.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.conf import settings
from django.utils.translation import gettext as _

CAMT_053 = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.(\d{2})$")
OTHER_ISO_20022 = re.compile(r"^urn:iso:std:iso:20022:tech:xsd:([a-z]{4}\.\d{3})\.\d{3}\.\d{2}$")
# The import books in the request: 10,000 lines take about 45 s on a busy 2-core machine
# (bench/bank.py), inside gunicorn's 60 s. Larger files are split by the creditor.
DEFAULT_MAX_LINES = 10_000
MAX_KEY_LENGTH = 90  # Payment.reference holds 100; a line booked to several invoices adds "#n"
MAX_REMITTANCE = 1_000
MAX_AMOUNT = Decimal("999999999999.99")


class CamtError(ValueError):
    """The file is not a CAMT.053 statement we can read; the message says why, for the creditor."""


@dataclass(frozen=True)
class StatementLine:
    entry_key: str
    amount: Decimal
    currency: str
    date: dt.date
    name: str = ""
    iban: str = ""
    remittance: str = ""  # the unstructured remittance text (Ustrd), lines joined by spaces
    references: tuple[str, ...] = ()  # structured remittance: Strd/CdtrRefInf/Ref


@dataclass(frozen=True)
class Statement:
    version: str  # "02", "08", ...
    account: str
    lines: tuple[StatementLine, ...]
    skipped: int  # outgoing or not (yet) booked entries


def max_lines() -> int:
    return int(getattr(settings, "BANK_STATEMENT_MAX_LINES", DEFAULT_MAX_LINES))


def camt_parse(data: bytes) -> Statement:
    """The incoming payments of a CAMT.053 file; :class:`CamtError` for anything else."""
    root = _xml_root(data)
    version, namespace = _version(root)
    ns = {"c": namespace}
    statements = root.findall("c:BkToCstmrStmt/c:Stmt", ns)
    if not statements:
        raise CamtError(_("The file holds no statement (BkToCstmrStmt/Stmt)."))
    reader = _Reader(ns)
    for statement in statements:
        reader.statement(statement)
    return Statement(version=version, account=reader.first_account, lines=tuple(reader.lines), skipped=reader.skipped)


def _xml_root(data: bytes) -> Element:
    try:
        # No DTD at all: that also rules out entities (billion laughs) and external references (XXE).
        return fromstring(data.lstrip(), forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise CamtError(
            _("The file contains a document type declaration (DOCTYPE); bank statements never do, so it was refused.")
        ) from None
    except ParseError as exc:
        line, column = exc.position
        raise CamtError(
            _("This is not a valid XML file (line %(line)d, column %(column)d). Upload the CAMT.053 file of your bank.")
            % {"line": line, "column": column}
        ) from None


def _version(root: Element) -> tuple[str, str]:
    namespace, _brace, local_name = root.tag[1:].partition("}") if root.tag.startswith("{") else ("", "", root.tag)
    match = CAMT_053.match(namespace)
    if match and local_name == "Document" and int(match.group(1)) >= 2:
        return match.group(1), namespace
    other = OTHER_ISO_20022.match(namespace)
    if other:
        raise CamtError(
            _("This is an ISO 20022 %(kind)s file, not a CAMT.053 bank statement.") % {"kind": other.group(1)}
        )
    raise CamtError(
        _("This XML file is not a CAMT.053 bank statement (it starts with <%(tag)s>).") % {"tag": local_name}
    )


class _Reader:
    """Collects the lines of every statement in the file, counting identical lines for their keys."""

    def __init__(self, ns: dict[str, str]) -> None:
        self.ns = ns
        self.lines: list[StatementLine] = []
        self.skipped = 0
        self.first_account = ""
        self.account = ""
        self._seen: Counter[str] = Counter()

    def statement(self, statement: Element) -> None:
        self.account = _clean(
            _text(statement, "c:Acct/c:Id/c:IBAN", self.ns) or _text(statement, "c:Acct/c:Id/c:Othr/c:Id", self.ns)
        )
        self.first_account = self.first_account or self.account
        for entry in statement.findall("c:Ntry", self.ns):
            if not self._is_incoming(entry):
                self.skipped += 1
                continue
            self._entry(entry)

    def _is_incoming(self, entry: Element) -> bool:
        # Version 02 to 07: <Sts>BOOK</Sts>; from 08 on: <Sts><Cd>BOOK</Cd></Sts>.
        status = _text(entry, "c:Sts", self.ns).strip() or _text(entry, "c:Sts/c:Cd", self.ns).strip()
        return _text(entry, "c:CdtDbtInd", self.ns).strip() == "CRDT" and status.upper() in ("", "BOOK")

    def _entry(self, entry: Element) -> None:
        details = entry.findall("c:NtryDtls/c:TxDtls", self.ns)
        entry_ref = _clean(_text(entry, "c:AcctSvcrRef", self.ns) or _text(entry, "c:NtryRef", self.ns))
        date = _date(entry, self.ns)
        if len(details) <= 1:
            amount, currency = _amount(entry.find("c:Amt", self.ns))
            self._add(details[0] if details else None, entry, entry_ref, amount, currency, date)
            return
        for number, transaction in enumerate(details, start=1):
            amount, currency = _transaction_amount(transaction, self.ns)
            reference = _clean(_text(transaction, "c:Refs/c:AcctSvcrRef", self.ns))
            reference = reference or (f"{entry_ref}/{number}" if entry_ref else "")
            self._add(transaction, entry, reference, amount, currency, date)

    def _add(
        self,
        transaction: Element | None,
        entry: Element,
        reference: str,
        amount: Decimal,
        currency: str,
        date: dt.date,
    ) -> None:
        if len(self.lines) >= max_lines():
            raise CamtError(
                _("The file has more than %(limit)d incoming payments. Split it into smaller files.")
                % {"limit": max_lines()}
            )
        source = transaction if transaction is not None else entry
        remittance = " ".join(_clean(node.text) for node in source.findall("c:RmtInf/c:Ustrd", self.ns))
        if not remittance:
            remittance = _clean(_text(entry, "c:AddtlNtryInf", self.ns))
        references = tuple(
            _clean(node.text) for node in source.findall("c:RmtInf/c:Strd/c:CdtrRefInf/c:Ref", self.ns) if node.text
        )
        line = StatementLine(
            entry_key="",
            amount=amount,
            currency=currency,
            date=date,
            name=_debtor_name(source, self.ns)[:140],
            iban=_clean(_text(source, "c:RltdPties/c:DbtrAcct/c:Id/c:IBAN", self.ns)).replace(" ", "").upper()[:34],
            remittance=remittance[:MAX_REMITTANCE],
            references=references,
        )
        end_to_end = _text(source, "c:Refs/c:EndToEndId", self.ns)
        key = _entry_key(self.account, _clean(reference)) if reference else self._built_key(line, end_to_end)
        self.lines.append(replace(line, entry_key=key))

    def _built_key(self, line: StatementLine, end_to_end: str) -> str:
        """No bank reference: the line's contents, and the how-manieth identical line of the file it is."""
        parts = [self.account, line.date.isoformat(), str(line.amount), line.currency, line.iban, line.name]
        content = "|".join([*parts, line.remittance, " ".join(line.references), end_to_end])
        self._seen[content] += 1
        digest = hashlib.sha256(f"{content}|{self._seen[content]}".encode()).hexdigest()
        return f"h:{digest[:40]}"


def _entry_key(account: str, reference: str) -> str:
    key = f"{account}:{reference}" if account else reference
    if len(key) > MAX_KEY_LENGTH:
        key = "h:" + hashlib.sha256(key.encode()).hexdigest()[:40]
    return key


def _debtor_name(source: Element, ns: dict[str, str]) -> str:
    # Up to version 07 the name sits in Dbtr/Nm; from 08 on in Dbtr/Pty/Nm.
    return _clean(_text(source, "c:RltdPties/c:Dbtr/c:Nm", ns) or _text(source, "c:RltdPties/c:Dbtr/c:Pty/c:Nm", ns))


def _transaction_amount(transaction: Element, ns: dict[str, str]) -> tuple[Decimal, str]:
    node = transaction.find("c:Amt", ns)  # version 04 and later
    if node is None:
        node = transaction.find("c:AmtDtls/c:TxAmt/c:Amt", ns)
    return _amount(node)


def _amount(node: Element | None) -> tuple[Decimal, str]:
    if node is None or not (node.text or "").strip():
        raise CamtError(_("An entry of the statement has no amount."))
    text = node.text.strip()  # type: ignore[union-attr]
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise CamtError(_("The amount %(amount)s in the statement is not a number.") % {"amount": text[:30]}) from None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        raise CamtError(_("The amount %(amount)s in the statement is not a valid amount.") % {"amount": text[:30]})
    currency = (node.get("Ccy") or "").strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", currency):
        raise CamtError(_("An amount in the statement has no valid currency."))
    return amount.quantize(Decimal("0.01")), currency


def _date(entry: Element, ns: dict[str, str]) -> dt.date:
    text = _text(entry, "c:BookgDt/c:Dt", ns) or _text(entry, "c:BookgDt/c:DtTm", ns)
    text = text or _text(entry, "c:ValDt/c:Dt", ns) or _text(entry, "c:ValDt/c:DtTm", ns)
    try:
        return dt.date.fromisoformat(text.strip()[:10])
    except ValueError:
        raise CamtError(
            _("An entry of the statement has no valid booking date (%(date)s).") % {"date": text[:30] or "–"}
        ) from None


def _text(element: Element, path: str, ns: dict[str, str]) -> str:
    node = element.find(path, ns)
    return (node.text or "") if node is not None else ""


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())
