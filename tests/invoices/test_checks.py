"""Invoice requirement checks (art. 35a Wet OB; Handelsregisterwet art. 27): every rule, both ways.

The rules are pure, so most tests build unsaved objects; the counting selector runs on the database and
is held to the same answers as the pure rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import translation

from invoices import checks, selectors
from invoices.checks import Code, Finding, Fix, Severity
from invoices.models import DebtorKind, InvoiceStatus
from tests.factories import TODAY, DebtorFactory, InvoiceFactory, OrganizationFactory


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def codes(findings: list[Finding]) -> list[str]:
    return [finding.code for finding in findings]


def only(findings: list[Finding], code: str) -> Finding:
    matching = [finding for finding in findings if finding.code == code]
    assert len(matching) == 1, codes(findings)
    return matching[0]


def complete_organization(**changes):
    return OrganizationFactory.build(**changes)


def business(**changes):
    fields = {"kind": DebtorKind.BUSINESS, "kvk_number": "87654321", "vat_id": "NL123456782B01"}
    return DebtorFactory.build(organization=complete_organization(), **{**fields, **changes})


def consumer(**changes):
    return DebtorFactory.build(organization=complete_organization(), kind=DebtorKind.CONSUMER, **changes)


def invoice_to(debtor, **changes):
    return InvoiceFactory.build(debtor=debtor, organization=debtor.organization, **changes)


# --- the organization -------------------------------------------------------------------------------


def test_complete_organization_data_has_nothing_to_fix() -> None:
    assert checks.organization_findings(complete_organization()) == []


def test_a_missing_legal_name_is_a_warning_on_the_legal_name_field() -> None:
    finding = only(
        checks.organization_findings(complete_organization(legal_name="")), Code.ORGANIZATION_LEGAL_NAME_MISSING
    )
    assert (finding.severity, finding.field, finding.fix) == (Severity.WARNING, "legal_name", Fix.ORGANIZATION)
    assert "legal name" in finding.message


def test_a_legal_name_of_only_spaces_counts_as_missing() -> None:
    assert codes(checks.organization_findings(complete_organization(legal_name="   "))) == [
        Code.ORGANIZATION_LEGAL_NAME_MISSING
    ]


def test_an_incomplete_address_names_the_missing_parts_and_points_at_the_first() -> None:
    organization = complete_organization(street="", city="")
    finding = only(checks.organization_findings(organization), Code.ORGANIZATION_ADDRESS_INCOMPLETE)
    assert (finding.severity, finding.field) == (Severity.ERROR, "street")
    assert "street and number, city" in finding.message
    assert "postal code" not in finding.message


@pytest.mark.parametrize("field", ["street", "postal_code", "city"])
def test_each_address_part_is_required(field: str) -> None:
    finding = only(
        checks.organization_findings(complete_organization(**{field: ""})), Code.ORGANIZATION_ADDRESS_INCOMPLETE
    )
    assert finding.field == field


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("vat_id", "", Code.ORGANIZATION_VAT_ID_MISSING),
        ("vat_id", "NL000099998B56", Code.ORGANIZATION_VAT_ID_INVALID),
        ("vat_id", "NL12345", Code.ORGANIZATION_VAT_ID_INVALID),
        ("kvk_number", "", Code.ORGANIZATION_KVK_MISSING),
        ("kvk_number", "1234567", Code.ORGANIZATION_KVK_INVALID),
        ("kvk_number", "1234567A", Code.ORGANIZATION_KVK_INVALID),
        ("iban", "", Code.ORGANIZATION_IBAN_MISSING),
        ("iban", "NL91ABNA0417164301", Code.ORGANIZATION_IBAN_INVALID),
    ],
)
def test_a_missing_or_invalid_identifier_is_an_error_on_its_field(field: str, value: str, code: str) -> None:
    findings = checks.organization_findings(complete_organization(**{field: value}))
    assert codes(findings) == [code]
    assert (findings[0].severity, findings[0].field, findings[0].fix) == (Severity.ERROR, field, Fix.ORGANIZATION)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("vat_id", "NL 0000.99998.B57"),  # spaced out as people type it: still valid
        ("vat_id", "NL123456782B01"),
        ("kvk_number", "1234 5678"),
        ("iban", "NL91 ABNA 0417 1643 00"),
        ("iban", "DE89370400440532013000"),
    ],
)
def test_valid_identifiers_in_any_spacing_pass(field: str, value: str) -> None:
    assert checks.organization_findings(complete_organization(**{field: value})) == []


def test_an_invalid_identifier_message_repeats_the_value_to_correct() -> None:
    finding = only(
        checks.organization_findings(complete_organization(iban="NL00BANK0000000000")), Code.ORGANIZATION_IBAN_INVALID
    )
    assert "NL00BANK0000000000" in finding.message


def test_a_creditor_outside_the_netherlands_needs_no_kvk_number() -> None:
    organization = complete_organization(country="BE", kvk_number="")
    assert Code.ORGANIZATION_KVK_MISSING not in codes(checks.organization_findings(organization))


def test_organization_findings_list_errors_before_warnings() -> None:
    findings = checks.organization_findings(complete_organization(legal_name="", iban=""))
    assert codes(findings) == [Code.ORGANIZATION_IBAN_MISSING, Code.ORGANIZATION_LEGAL_NAME_MISSING]


def test_a_finding_cannot_be_changed_after_the_fact() -> None:
    finding = checks.organization_findings(complete_organization(iban=""))[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        finding.severity = Severity.NOTE  # type: ignore[misc]


# --- the debtor -------------------------------------------------------------------------------------


def test_a_complete_business_debtor_has_nothing_to_fix() -> None:
    assert checks.debtor_findings(business()) == []


def test_a_debtor_without_a_name_is_an_error() -> None:
    finding = only(checks.debtor_findings(business(name=" ", emails=["a@debtor.test"])), Code.DEBTOR_NAME_MISSING)
    assert (finding.severity, finding.field, finding.fix) == (Severity.ERROR, "name", Fix.DEBTOR)


@pytest.mark.parametrize("field", ["street", "postal_code", "city"])
def test_a_debtor_without_a_full_address_is_an_error(field: str) -> None:
    finding = only(checks.debtor_findings(consumer(**{field: ""})), Code.DEBTOR_ADDRESS_INCOMPLETE)
    assert (finding.severity, finding.field, finding.fix) == (Severity.ERROR, field, Fix.DEBTOR)
    assert "14-day letter" in finding.message


def test_a_business_without_kvk_number_and_vat_id_is_only_a_note() -> None:
    finding = only(checks.debtor_findings(business(kvk_number="", vat_id="")), Code.DEBTOR_BUSINESS_IDS_MISSING)
    assert (finding.severity, finding.fix) == (Severity.NOTE, Fix.DEBTOR)


@pytest.mark.parametrize(("kvk_number", "vat_id"), [("87654321", ""), ("", "NL123456782B01")])
def test_a_business_with_either_id_needs_no_note(kvk_number: str, vat_id: str) -> None:
    assert checks.debtor_findings(business(kvk_number=kvk_number, vat_id=vat_id)) == []


def test_a_consumer_needs_no_kvk_number_or_vat_id() -> None:
    assert checks.debtor_findings(consumer()) == []


# --- the invoice ------------------------------------------------------------------------------------


def test_a_complete_invoice_has_nothing_to_fix() -> None:
    debtor = business()
    assert checks.invoice_findings(invoice_to(debtor), debtor.organization) == []


@pytest.mark.parametrize(
    ("changes", "code", "field"),
    [
        ({"number": " "}, Code.INVOICE_NUMBER_MISSING, "number"),
        ({"issue_date": None, "due_date": TODAY}, Code.INVOICE_DATE_MISSING, "issue_date"),
        ({"due_date": None}, Code.INVOICE_DUE_DATE_MISSING, "due_date"),
        ({"issue_date": TODAY, "due_date": TODAY - dt.timedelta(days=1)}, Code.INVOICE_DUE_BEFORE_ISSUE, "due_date"),
        ({"vat_amount": Decimal("-0.01")}, Code.INVOICE_VAT_IMPLAUSIBLE, "vat_amount"),
        ({"amount": Decimal("100.00"), "vat_amount": Decimal("100.01")}, Code.INVOICE_VAT_IMPLAUSIBLE, "vat_amount"),
    ],
)
def test_an_invoice_fault_is_an_error_fixed_at_the_invoice(changes: dict, code: str, field: str) -> None:
    debtor = business()
    findings = checks.invoice_findings(invoice_to(debtor, **changes), debtor.organization)
    assert codes(findings) == [code]
    assert (findings[0].severity, findings[0].field, findings[0].fix) == (Severity.ERROR, field, Fix.INVOICE)


@pytest.mark.parametrize(
    "changes",
    [
        {"issue_date": TODAY, "due_date": TODAY},  # due on the invoice date: allowed
        {"amount": Decimal("121.00"), "vat_amount": Decimal("121.00")},
        {"amount": Decimal("0.00"), "vat_amount": Decimal("0.00")},
    ],
)
def test_edge_values_that_are_allowed_give_no_finding(changes: dict) -> None:
    debtor = business()
    assert checks.invoice_findings(invoice_to(debtor, **changes), debtor.organization) == []


def test_the_implausible_vat_message_shows_the_amount_in_the_invoice_currency() -> None:
    debtor = business()
    invoice = invoice_to(debtor, amount=Decimal("10.00"), vat_amount=Decimal("1234.50"), currency="EUR")
    finding = only(checks.invoice_findings(invoice, debtor.organization), Code.INVOICE_VAT_IMPLAUSIBLE)
    assert "€1,234.50" in finding.message


def test_zero_vat_to_a_business_without_a_vat_id_warns_about_reverse_charge() -> None:
    debtor = business(vat_id="")
    invoice = invoice_to(debtor, amount=Decimal("100.00"), vat_amount=Decimal("0.00"))
    finding = only(checks.invoice_findings(invoice, debtor.organization), Code.DEBTOR_VAT_ID_MISSING_ZERO_VAT)
    assert (finding.severity, finding.field, finding.fix) == (Severity.WARNING, "vat_id", Fix.DEBTOR)
    assert finding.message.startswith("Customer VAT id missing for a zero-VAT business invoice.")


@pytest.mark.parametrize(
    ("debtor_changes", "amount", "vat_amount"),
    [
        ({"vat_id": "NL123456782B01"}, "100.00", "0.00"),  # reverse charge with the customer's VAT id
        ({"vat_id": ""}, "121.00", "21.00"),  # VAT charged
        ({"vat_id": ""}, "0.00", "0.00"),  # nothing charged at all
    ],
)
def test_no_reverse_charge_warning_when_the_vat_id_is_there_or_vat_is_charged(
    debtor_changes: dict, amount: str, vat_amount: str
) -> None:
    debtor = business(**debtor_changes)
    invoice = invoice_to(debtor, amount=Decimal(amount), vat_amount=Decimal(vat_amount))
    assert Code.DEBTOR_VAT_ID_MISSING_ZERO_VAT not in codes(checks.invoice_findings(invoice, debtor.organization))


def test_zero_vat_to_a_consumer_gives_no_reverse_charge_warning() -> None:
    debtor = consumer()
    invoice = invoice_to(debtor, amount=Decimal("100.00"), vat_amount=Decimal("0.00"))
    assert checks.invoice_findings(invoice, debtor.organization) == []


def test_invoice_findings_start_with_the_organization_then_errors_before_warnings_and_notes() -> None:
    organization = complete_organization(iban="")
    debtor = DebtorFactory.build(organization=organization, kind=DebtorKind.BUSINESS, kvk_number="", vat_id="", city="")
    invoice = invoice_to(debtor, amount=Decimal("50.00"), vat_amount=Decimal("0.00"), due_date=None)
    assert codes(checks.invoice_findings(invoice, organization)) == [
        Code.ORGANIZATION_IBAN_MISSING,
        Code.DEBTOR_ADDRESS_INCOMPLETE,
        Code.INVOICE_DUE_DATE_MISSING,
        Code.DEBTOR_VAT_ID_MISSING_ZERO_VAT,
        Code.DEBTOR_BUSINESS_IDS_MISSING,
    ]


@pytest.mark.django_db
def test_an_invoice_of_another_organization_is_refused(org_a, org_b) -> None:
    invoice = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization))
    with pytest.raises(ValueError, match="another organization"):
        checks.invoice_findings(invoice, org_a.organization)


# --- the home page's counts -------------------------------------------------------------------------


def test_count_messages_are_singular_and_plural() -> None:
    assert checks.count_message(Code.DEBTOR_ADDRESS_INCOMPLETE, 1) == "1 invoice has no complete debtor address"
    assert checks.count_message(Code.DEBTOR_ADDRESS_INCOMPLETE, 12) == "12 invoices have no complete debtor address"


def test_finding_summaries_leave_out_zero_counts_and_list_errors_first() -> None:
    counts = {
        Code.DEBTOR_BUSINESS_IDS_MISSING: 3,
        Code.DEBTOR_VAT_ID_MISSING_ZERO_VAT: 2,
        Code.DEBTOR_ADDRESS_INCOMPLETE: 12,
        Code.DEBTOR_NAME_MISSING: 0,
    }
    summaries = checks.finding_summaries(counts)
    assert [(summary.code, summary.severity, summary.count) for summary in summaries] == [
        (Code.DEBTOR_ADDRESS_INCOMPLETE, Severity.ERROR, 12),
        (Code.DEBTOR_VAT_ID_MISSING_ZERO_VAT, Severity.WARNING, 2),
        (Code.DEBTOR_BUSINESS_IDS_MISSING, Severity.NOTE, 3),
    ]
    assert summaries[0].message == "12 invoices have no complete debtor address"


def test_every_counted_rule_has_an_sql_twin() -> None:
    assert set(selectors.FINDING_CONDITIONS) == set(checks.COUNTED_CODES)


@pytest.fixture
def varied_invoices(org_a, org_b):
    """Open invoices of organization A with every counted fault, some twice; plus ones that must not count."""
    organization = org_a.organization
    good = DebtorFactory(organization=organization, kvk_number="87654321", vat_id="NL123456782B01")
    no_address = DebtorFactory(organization=organization, street="", city="  ", kvk_number="87654321")
    no_ids = DebtorFactory(organization=organization, kvk_number="", vat_id="")
    blank_name = DebtorFactory(organization=organization, name="  ", emails=["a@debtor.test"], kind=DebtorKind.CONSUMER)
    consumer_debtor = DebtorFactory(organization=organization, kind=DebtorKind.CONSUMER)
    invoices = [
        InvoiceFactory(debtor=good),
        InvoiceFactory(debtor=good, amount=Decimal("50.00"), vat_amount=Decimal("0.00")),  # reverse charge, VAT id
        InvoiceFactory(debtor=good, amount=Decimal("50.00"), vat_amount=Decimal("60.00")),
        InvoiceFactory(debtor=no_address),
        InvoiceFactory(debtor=no_address, amount=Decimal("80.00"), vat_amount=Decimal("0.00")),  # no VAT id either
        InvoiceFactory(debtor=no_ids),
        InvoiceFactory(debtor=no_ids, amount=Decimal("80.00"), vat_amount=Decimal("0.00")),
        InvoiceFactory(debtor=no_ids, amount=Decimal("0.00"), vat_amount=Decimal("0.00")),
        InvoiceFactory(debtor=blank_name),
        InvoiceFactory(debtor=consumer_debtor, amount=Decimal("80.00"), vat_amount=Decimal("0.00")),
        InvoiceFactory(debtor=consumer_debtor, vat_amount=Decimal("-1.00")),
    ]
    # Settled invoices and another organization's invoices are never counted.
    InvoiceFactory(debtor=no_address, status=InvoiceStatus.PAID)
    InvoiceFactory(debtor=no_ids, status=InvoiceStatus.CREDITED)
    InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization, street="", kvk_number="", vat_id=""))
    return invoices


@pytest.mark.django_db
def test_the_counts_per_rule_are_exact(org_a, varied_invoices) -> None:
    assert selectors.invoice_finding_counts(organization=org_a.organization) == {
        Code.DEBTOR_NAME_MISSING: 1,
        Code.DEBTOR_ADDRESS_INCOMPLETE: 2,
        Code.INVOICE_VAT_IMPLAUSIBLE: 2,
        Code.DEBTOR_VAT_ID_MISSING_ZERO_VAT: 2,
        Code.DEBTOR_BUSINESS_IDS_MISSING: 2,  # the invoice of 0.00 has nothing open: not counted
    }


@pytest.mark.django_db
def test_the_counts_agree_with_the_rules_applied_one_invoice_at_a_time(org_a, varied_invoices) -> None:
    expected = dict.fromkeys(checks.COUNTED_CODES, 0)
    for invoice in (invoice for invoice in varied_invoices if invoice.open_amount > 0):
        for code in set(codes(checks.invoice_findings(invoice, org_a.organization))) & set(expected):
            expected[code] += 1
    assert selectors.invoice_finding_counts(organization=org_a.organization) == expected


@pytest.mark.django_db
def test_the_counts_take_one_query_however_many_invoices(org_a, varied_invoices, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        selectors.invoice_finding_counts(organization=org_a.organization)


@pytest.mark.django_db
def test_an_organization_without_invoices_counts_zero_everywhere(org_a) -> None:
    counts = selectors.invoice_finding_counts(organization=org_a.organization)
    assert counts == dict.fromkeys(checks.COUNTED_CODES, 0)
    assert checks.finding_summaries(counts) == []
