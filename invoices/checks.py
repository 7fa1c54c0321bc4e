"""Invoice requirement checks: what our data shows of art. 35a Wet OB and Handelsregisterwet art. 27.

DOMAIN.md §7. An invoice must show the supplier's full (legal) name, address, VAT id
(btw-identificatienummer) and KvK number, the customer's full name and address, the invoice date, a
unique number, the VAT amount, and — with reverse charge (btw verlegd) — the customer's VAT id. For
a later collection case the due date and the creditor's IBAN matter most: a bailiff, a collection
agency or a judge starts from exactly these facts.

We only see our own copy of the data, not the PDF the customer received, so these checks say what
*our* data cannot show; they never claim an invoice is legally valid. Pure functions: objects in,
findings out, no database.

Severities: ``error`` — a legal requirement is missing or wrong; ``warning`` — probably wrong, check
it; ``note`` — not required, but a collection case goes smoother with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import get_language, gettext, ngettext

from invoices.models import DebtorKind
from outstanding.identifiers import clean_iban, clean_kvk, clean_vat_id
from outstanding.money import format_money

if TYPE_CHECKING:
    from invoices.models import Debtor, Invoice
    from outstanding.models import Organization


class Severity:
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"

    ORDER = (ERROR, WARNING, NOTE)


class Fix:
    """Where the creditor fixes a finding: the settings page, the debtor, or the invoice at its source."""

    ORGANIZATION = "organization"
    DEBTOR = "debtor"
    INVOICE = "invoice"


class Code:
    ORGANIZATION_LEGAL_NAME_MISSING = "organization_legal_name_missing"
    ORGANIZATION_ADDRESS_INCOMPLETE = "organization_address_incomplete"
    ORGANIZATION_VAT_ID_MISSING = "organization_vat_id_missing"
    ORGANIZATION_VAT_ID_INVALID = "organization_vat_id_invalid"
    ORGANIZATION_KVK_MISSING = "organization_kvk_missing"
    ORGANIZATION_KVK_INVALID = "organization_kvk_invalid"
    ORGANIZATION_IBAN_MISSING = "organization_iban_missing"
    ORGANIZATION_IBAN_INVALID = "organization_iban_invalid"
    DEBTOR_NAME_MISSING = "debtor_name_missing"
    DEBTOR_ADDRESS_INCOMPLETE = "debtor_address_incomplete"
    DEBTOR_BUSINESS_IDS_MISSING = "debtor_business_ids_missing"
    DEBTOR_VAT_ID_MISSING_ZERO_VAT = "debtor_vat_id_missing_zero_vat"
    INVOICE_NUMBER_MISSING = "invoice_number_missing"
    INVOICE_DATE_MISSING = "invoice_date_missing"
    INVOICE_DUE_DATE_MISSING = "invoice_due_date_missing"
    INVOICE_DUE_BEFORE_ISSUE = "invoice_due_before_issue"
    INVOICE_VAT_IMPLAUSIBLE = "invoice_vat_implausible"


@dataclass(frozen=True)
class Finding:
    """One thing to fix. ``message`` is in the active language and says what to do and why it matters."""

    code: str
    severity: str
    message: str
    field: str
    fix: str

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR


@dataclass(frozen=True)
class FindingSummary:
    """How many open invoices share one finding (the home page's "what to fix" panel)."""

    code: str
    severity: str
    count: int
    message: str


ADDRESS_FIELDS = ("street", "postal_code", "city")
KVK_COUNTRY = "NL"  # the KvK (Handelsregister) is Dutch: a foreign creditor has no KvK number
ZERO = Decimal("0")


def _blank(value: str | None) -> bool:
    return not (value or "").strip()


def _missing_address_parts(holder: Organization | Debtor) -> list[str]:
    return [field for field in ADDRESS_FIELDS if _blank(getattr(holder, field))]


def _address_part_names(fields: list[str]) -> str:
    names = {"street": gettext("street and number"), "postal_code": gettext("postal code"), "city": gettext("city")}
    return ", ".join(names[field] for field in fields)


def _invalid(clean: Callable[[str], str], value: str) -> bool:
    try:
        clean(value)
    except ValidationError:
        return True
    return False


# --- the organization (the supplier on every invoice) ------------------------------------------------


def organization_findings(organization: Organization) -> list[Finding]:
    """What the organization's own data lacks for an invoice that holds up in a collection case."""
    findings = [
        *_organization_name_findings(organization),
        *_organization_address_findings(organization),
        *_organization_vat_findings(organization),
        *_organization_kvk_findings(organization),
        *_organization_iban_findings(organization),
    ]
    return _sorted(findings)


def _organization_finding(code: str, severity: str, field: str, message: str) -> Finding:
    return Finding(code=code, severity=severity, message=message, field=field, fix=Fix.ORGANIZATION)


def _organization_name_findings(organization: Organization) -> list[Finding]:
    if not _blank(organization.legal_name):
        return []
    message = gettext(
        "Add your legal name as registered with the KvK (for example “Alpha Groothandel B.V.”). Invoices and "
        "collection letters must name the creditor exactly, or a debtor can dispute whom they owe."
    )
    return [_organization_finding(Code.ORGANIZATION_LEGAL_NAME_MISSING, Severity.WARNING, "legal_name", message)]


def _organization_address_findings(organization: Organization) -> list[Finding]:
    missing = _missing_address_parts(organization)
    if not missing:
        return []
    message = gettext(
        "Complete your address (missing: %(parts)s). The law requires the supplier's address on every invoice, "
        "and a collection letter or summons must state it."
    ) % {"parts": _address_part_names(missing)}
    return [_organization_finding(Code.ORGANIZATION_ADDRESS_INCOMPLETE, Severity.ERROR, missing[0], message)]


def _organization_vat_findings(organization: Organization) -> list[Finding]:
    if _blank(organization.vat_id):
        message = gettext(
            "Add your VAT id (btw-id). Every invoice must show it (art. 35a Wet OB); without it the invoice is "
            "incomplete and a debtor has a reason to delay payment."
        )
        return [_organization_finding(Code.ORGANIZATION_VAT_ID_MISSING, Severity.ERROR, "vat_id", message)]
    if _invalid(clean_vat_id, organization.vat_id):
        message = gettext(
            "Your VAT id “%(value)s” is not valid (a Dutch one is NL, 9 digits, B and 2 digits). Correct it: "
            "every invoice shows it."
        ) % {"value": organization.vat_id}
        return [_organization_finding(Code.ORGANIZATION_VAT_ID_INVALID, Severity.ERROR, "vat_id", message)]
    return []


def _organization_kvk_findings(organization: Organization) -> list[Finding]:
    if (organization.country or KVK_COUNTRY).upper() != KVK_COUNTRY:
        return []
    if _blank(organization.kvk_number):
        message = gettext(
            "Add your KvK number. It must be on every invoice and letter (Handelsregisterwet art. 27), and it "
            "identifies you as the claimant in a collection case."
        )
        return [_organization_finding(Code.ORGANIZATION_KVK_MISSING, Severity.ERROR, "kvk_number", message)]
    if _invalid(clean_kvk, organization.kvk_number):
        message = gettext("Your KvK number “%(value)s” is not valid: a KvK number has 8 digits.") % {
            "value": organization.kvk_number
        }
        return [_organization_finding(Code.ORGANIZATION_KVK_INVALID, Severity.ERROR, "kvk_number", message)]
    return []


def _organization_iban_findings(organization: Organization) -> list[Finding]:
    if _blank(organization.iban):
        message = gettext(
            "Add the IBAN your debtors pay to. Reminders, payment QR codes and collection letters need it; "
            "without it a debtor cannot pay and cannot be held in default."
        )
        return [_organization_finding(Code.ORGANIZATION_IBAN_MISSING, Severity.ERROR, "iban", message)]
    if _invalid(clean_iban, organization.iban):
        message = gettext(
            "Your IBAN “%(value)s” is not valid. Correct it: payments to a wrong account number go astray."
        ) % {"value": organization.iban}
        return [_organization_finding(Code.ORGANIZATION_IBAN_INVALID, Severity.ERROR, "iban", message)]
    return []


# --- the debtor (the customer on the invoice) -------------------------------------------------------


def debtor_findings(debtor: Debtor) -> list[Finding]:
    """What the debtor's data lacks: the customer's full name and address, and for businesses their ids."""
    findings: list[Finding] = []
    if _blank(debtor.name):
        message = gettext(
            "Add the debtor's full name. The law requires the customer's name on the invoice, and a claim "
            "against an unnamed party cannot be collected."
        )
        findings.append(_debtor_finding(Code.DEBTOR_NAME_MISSING, Severity.ERROR, "name", message))
    missing = _missing_address_parts(debtor)
    if missing:
        message = gettext(
            "Complete the debtor's address (missing: %(parts)s). The law requires the customer's address on the "
            "invoice, and letters, the 14-day letter and a summons are sent to it."
        ) % {"parts": _address_part_names(missing)}
        findings.append(_debtor_finding(Code.DEBTOR_ADDRESS_INCOMPLETE, Severity.ERROR, missing[0], message))
    if debtor.kind == DebtorKind.BUSINESS and _blank(debtor.kvk_number) and _blank(debtor.vat_id):
        message = gettext(
            "This business has no KvK number or VAT id. Not required on the invoice, but a collection agency "
            "or bailiff needs it to find the right company: add it when you can."
        )
        findings.append(_debtor_finding(Code.DEBTOR_BUSINESS_IDS_MISSING, Severity.NOTE, "kvk_number", message))
    return findings


def _debtor_finding(code: str, severity: str, field: str, message: str) -> Finding:
    return Finding(code=code, severity=severity, message=message, field=field, fix=Fix.DEBTOR)


# --- the invoice ------------------------------------------------------------------------------------


def invoice_findings(invoice: Invoice, organization: Organization) -> list[Finding]:
    """Everything to fix for this invoice: the organization's data first, then the debtor's, then its own.

    The organization's findings come first because they hold for every invoice and are fixed once, in
    the settings. The number's uniqueness is guaranteed by the database and not checked here.
    """
    if invoice.organization_id != organization.pk:
        raise ValueError("the invoice belongs to another organization")
    debtor = invoice.debtor
    own = [*debtor_findings(debtor), *_zero_vat_findings(invoice, debtor), *_invoice_own_findings(invoice)]
    return [*organization_findings(organization), *_sorted(own)]


def _invoice_finding(code: str, severity: str, field: str, message: str) -> Finding:
    return Finding(code=code, severity=severity, message=message, field=field, fix=Fix.INVOICE)


def _invoice_own_findings(invoice: Invoice) -> list[Finding]:
    findings: list[Finding] = []
    if _blank(invoice.number):
        message = gettext("Give the invoice its number. Every invoice needs a unique, sequential number.")
        findings.append(_invoice_finding(Code.INVOICE_NUMBER_MISSING, Severity.ERROR, "number", message))
    if invoice.issue_date is None:
        message = gettext("Add the invoice date. It is required on every invoice and starts the payment term.")
        findings.append(_invoice_finding(Code.INVOICE_DATE_MISSING, Severity.ERROR, "issue_date", message))
    findings.extend(_due_date_findings(invoice))
    findings.extend(_vat_amount_findings(invoice))
    return findings


def _due_date_findings(invoice: Invoice) -> list[Finding]:
    if invoice.due_date is None:
        message = gettext(
            "Add the due date. Without an agreed due date the debtor is only in default after a notice of "
            "default, so interest and collection costs start later."
        )
        return [_invoice_finding(Code.INVOICE_DUE_DATE_MISSING, Severity.ERROR, "due_date", message)]
    if invoice.issue_date is not None and invoice.due_date < invoice.issue_date:
        message = gettext(
            "The due date lies before the invoice date. Correct it: reminders, default and interest all count "
            "from the due date."
        )
        return [_invoice_finding(Code.INVOICE_DUE_BEFORE_ISSUE, Severity.ERROR, "due_date", message)]
    return []


def _vat_amount_findings(invoice: Invoice) -> list[Finding]:
    if invoice.vat_amount is None or invoice.amount is None:
        return []
    if ZERO <= invoice.vat_amount <= invoice.amount:
        return []
    message = gettext(
        "The VAT amount (%(vat)s) is negative or more than the invoice amount. Correct the invoice in your "
        "accounting package and import it again: a claim with wrong amounts is easy to dispute."
    ) % {"vat": format_money(invoice.vat_amount, invoice.currency, get_language() or "nl")}
    return [_invoice_finding(Code.INVOICE_VAT_IMPLAUSIBLE, Severity.ERROR, "vat_amount", message)]


def _zero_vat_findings(invoice: Invoice, debtor: Debtor) -> list[Finding]:
    """No VAT on a business invoice: probably reverse charge (btw verlegd), which needs the customer's VAT id."""
    if debtor.kind != DebtorKind.BUSINESS or not invoice.amount or invoice.amount <= 0 or invoice.vat_amount != 0:
        return []
    if not _blank(debtor.vat_id):
        return []
    message = gettext(
        "Customer VAT id missing for a zero-VAT business invoice. If the VAT is reverse-charged (btw verlegd), "
        "the invoice must show the customer's VAT id: add it to the debtor. Otherwise the invoice should show VAT."
    )
    return [_debtor_finding(Code.DEBTOR_VAT_ID_MISSING_ZERO_VAT, Severity.WARNING, "vat_id", message)]


# --- counts for the home page -----------------------------------------------------------------------

# The invoice-level findings the home page counts over all open invoices (invoices.selectors has an SQL
# condition for each). Number, invoice date, due date and due date before the invoice date are left out:
# database constraints already make them impossible for a stored invoice.
COUNTED_CODES: dict[str, str] = {
    Code.DEBTOR_NAME_MISSING: Severity.ERROR,
    Code.DEBTOR_ADDRESS_INCOMPLETE: Severity.ERROR,
    Code.INVOICE_VAT_IMPLAUSIBLE: Severity.ERROR,
    Code.DEBTOR_VAT_ID_MISSING_ZERO_VAT: Severity.WARNING,
    Code.DEBTOR_BUSINESS_IDS_MISSING: Severity.NOTE,
}


def count_message(code: str, count: int) -> str:
    """The sentence for a count ("12 invoices have no complete debtor address"), in the active language."""
    messages = {
        Code.DEBTOR_NAME_MISSING: ngettext(
            "%(count)d invoice has a debtor without a name",
            "%(count)d invoices have a debtor without a name",
            count,
        ),
        Code.DEBTOR_ADDRESS_INCOMPLETE: ngettext(
            "%(count)d invoice has no complete debtor address",
            "%(count)d invoices have no complete debtor address",
            count,
        ),
        Code.INVOICE_VAT_IMPLAUSIBLE: ngettext(
            "%(count)d invoice has a VAT amount that is negative or more than the invoice amount",
            "%(count)d invoices have a VAT amount that is negative or more than the invoice amount",
            count,
        ),
        Code.DEBTOR_VAT_ID_MISSING_ZERO_VAT: ngettext(
            "%(count)d zero-VAT business invoice lacks the customer's VAT id",
            "%(count)d zero-VAT business invoices lack the customer's VAT id",
            count,
        ),
        Code.DEBTOR_BUSINESS_IDS_MISSING: ngettext(
            "%(count)d invoice is to a business without a KvK number or VAT id",
            "%(count)d invoices are to a business without a KvK number or VAT id",
            count,
        ),
    }
    return messages[code] % {"count": count}


def finding_summaries(counts: dict[str, int]) -> list[FindingSummary]:
    """The non-zero counts as sentences, errors first."""
    summaries = [
        FindingSummary(code=code, severity=severity, count=counts[code], message=count_message(code, counts[code]))
        for code, severity in COUNTED_CODES.items()
        if counts.get(code)
    ]
    return sorted(summaries, key=lambda summary: Severity.ORDER.index(summary.severity))


def _sorted(findings: list[Finding]) -> list[Finding]:
    """Errors, then warnings, then notes; the rules' own order within a severity (a stable sort)."""
    return sorted(findings, key=lambda finding: Severity.ORDER.index(finding.severity))
