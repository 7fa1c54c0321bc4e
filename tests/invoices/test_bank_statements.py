"""Bank statements in (CAMT.053): parsing, matching, booking exactly once, and the review list."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from invoices.bank import matching, selectors
from invoices.bank.camt import CamtError, camt_parse
from invoices.bank.services import bank_line_assign, bank_statement_import
from invoices.models import BankLine, BankLineStatus, BankStatement, Invoice, InvoiceStatus, Payment, PaymentSource
from reminders.channels.letter import bundle_reference_new, creditor_reference
from reminders.models import BundleReference
from reminders.services.payment_references import bundle_reference
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The services' messages are asserted in English here (the Dutch texts are the catalogue's)."""
    with translation.override("en"):
        yield


ACCOUNT = "NL91ABNA0417164300"
DEBTOR_IBAN = "NL02RABO0123456789"


def entry(
    amount: str,
    *,
    ref: str = "",
    name: str = "",
    iban: str = "",
    text: str = "",
    structured: str = "",
    date: str = "2026-11-25",
    indicator: str = "CRDT",
    status: str = "BOOK",
    version: int = 2,
    details: str | None = None,
) -> str:
    """One <Ntry>; ``details`` replaces the generated single <TxDtls>."""
    status_xml = f"<Sts>{status}</Sts>" if version < 8 else f"<Sts><Cd>{status}</Cd></Sts>"
    if details is None:
        details = transaction(name=name, iban=iban, text=text, structured=structured, version=version)
    return (
        f'<Ntry><Amt Ccy="EUR">{amount}</Amt><CdtDbtInd>{indicator}</CdtDbtInd>{status_xml}'
        f"<BookgDt><Dt>{date}</Dt></BookgDt><ValDt><Dt>{date}</Dt></ValDt>"
        f"{f'<AcctSvcrRef>{ref}</AcctSvcrRef>' if ref else ''}"
        f"<BkTxCd/><NtryDtls>{details}</NtryDtls></Ntry>"
    )


def transaction(
    *,
    name: str = "",
    iban: str = "",
    text: str = "",
    structured: str = "",
    version: int = 2,
    amount: str = "",
    ref: str = "",
) -> str:
    name_xml = (f"<Nm>{name}</Nm>" if version < 8 else f"<Pty><Nm>{name}</Nm></Pty>") if name else ""
    parties = f"<RltdPties><Dbtr>{name_xml}</Dbtr>"
    parties += f"<DbtrAcct><Id><IBAN>{iban}</IBAN></Id></DbtrAcct>" if iban else ""
    parties += "</RltdPties>"
    remittance = f"<Ustrd>{text}</Ustrd>" if text else ""
    if structured:
        kind = "<Tp><CdOrPrtry><Cd>SCOR</Cd></CdOrPrtry></Tp>"
        remittance += f"<Strd><CdtrRefInf>{kind}<Ref>{structured}</Ref></CdtrRefInf></Strd>"
    amount_xml = f'<AmtDtls><TxAmt><Amt Ccy="EUR">{amount}</Amt></TxAmt></AmtDtls>' if amount else ""
    refs = f"<Refs><AcctSvcrRef>{ref}</AcctSvcrRef><EndToEndId>NOTPROVIDED</EndToEndId></Refs>" if ref else ""
    return f"<TxDtls>{refs}{amount_xml}{parties}<RmtInf>{remittance}</RmtInf></TxDtls>"


def camt(*entries: str, version: int = 2, account: str = ACCOUNT) -> bytes:
    namespace = f"urn:iso:std:iso:20022:tech:xsd:camt.053.001.{version:02d}"
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Document xmlns="{namespace}"><BkToCstmrStmt>'
        f"<GrpHdr><MsgId>MSG1</MsgId><CreDtTm>2026-11-26T06:00:00</CreDtTm></GrpHdr>"
        f"<Stmt><Id>STMT-1</Id><CreDtTm>2026-11-26T06:00:00</CreDtTm><Acct><Id><IBAN>{account}</IBAN></Id></Acct>"
        f"{''.join(entries)}</Stmt></BkToCstmrStmt></Document>"
    ).encode()


def import_file(tenant: Tenant, data: bytes, filename: str = "statement.xml") -> BankStatement:
    return bank_statement_import(organization=tenant.organization, user=tenant.member, filename=filename, data=data)


def lines(tenant: Tenant) -> list[BankLine]:
    return list(BankLine.objects.for_organization(tenant.organization).order_by("pk"))


def bank_payments(tenant: Tenant) -> list[Payment]:
    return list(Payment.objects.for_organization(tenant.organization).filter(source=PaymentSource.BANK).order_by("pk"))


def refresh(invoice: Invoice) -> Invoice:
    invoice.refresh_from_db()
    return invoice


@pytest.fixture
def acme(org_a: Tenant):  # type: ignore[no-untyped-def]
    return DebtorFactory(organization=org_a.organization, name="Acme Bouw B.V.")


# --- matching and booking ---------------------------------------------------------------------------


def test_a_payment_with_the_rf_reference_of_an_invoice_is_booked_on_it(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(debtor=acme, number="F2026001", amount=Decimal("121.00"))
    reference = creditor_reference(invoice.number)

    statement = import_file(org_a, camt(entry("121.00", ref="B1", name="Someone Else", structured=reference)))

    assert (statement.booked_count, statement.review_count) == (1, 0)
    [line] = lines(org_a)
    assert (line.status, line.reason) == (BankLineStatus.BOOKED, matching.BY_REFERENCE)
    [payment] = bank_payments(org_a)
    assert (payment.invoice_id, payment.amount, payment.reference) == (invoice.pk, Decimal("121.00"), f"{ACCOUNT}:B1")
    assert refresh(invoice).status == InvoiceStatus.PAID
    assert list(line.links.values_list("payment_id", flat=True)) == [payment.pk]


def test_an_rf_reference_typed_in_the_description_in_groups_is_recognised(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(debtor=acme, number="F2026002", amount=Decimal("50.00"))
    reference = creditor_reference(invoice.number)
    spaced = " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))

    import_file(org_a, camt(entry("20.00", ref="B2", text=f"betaling {spaced}.")))

    assert refresh(invoice).open_amount == Decimal("30.00")  # a part paid is booked as a part
    assert lines(org_a)[0].reason == matching.BY_REFERENCE


def test_an_invoice_number_in_the_description_books_the_payment(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(debtor=acme, number="2026-0042", amount=Decimal("99.95"))

    import_file(org_a, camt(entry("99.95", ref="B3", name="J. Jansen", text="Factuur 2026-0042, dank!")))

    [line] = lines(org_a)
    assert (line.status, line.reason) == (BankLineStatus.BOOKED, matching.BY_NUMBER)
    assert refresh(invoice).status == InvoiceStatus.PAID


def test_one_payment_for_two_invoice_numbers_paid_exactly_books_both(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    first = InvoiceFactory(debtor=acme, number="2026-0100", amount=Decimal("100.00"))
    second = InvoiceFactory(debtor=acme, number="2026-0101", amount=Decimal("21.00"))

    import_file(org_a, camt(entry("121.00", ref="B4", text="facturen 2026-0100 en 2026-0101")))

    assert refresh(first).status == refresh(second).status == InvoiceStatus.PAID
    assert sorted(p.reference for p in bank_payments(org_a)) == [f"{ACCOUNT}:B4#1", f"{ACCOUNT}:B4#2"]


def test_the_amount_and_the_debtors_name_book_the_one_open_invoice(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(debtor=acme, number="2026-0200", amount=Decimal("345.67"))
    InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization, name="Other"), amount=Decimal("345.67"))

    import_file(org_a, camt(entry("345.67", ref="B5", name="ACME BOUW BV", text="betaling")))

    [line] = lines(org_a)
    assert (line.status, line.reason) == (BankLineStatus.BOOKED, matching.BY_AMOUNT)
    assert refresh(invoice).status == InvoiceStatus.PAID


def test_an_iban_that_paid_a_debtor_before_identifies_it_next_time(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    earlier = InvoiceFactory(debtor=acme, number="2026-0300", amount=Decimal("10.00"))
    later = InvoiceFactory(debtor=acme, number="2026-0301", amount=Decimal("77.70"))
    import_file(org_a, camt(entry("10.00", ref="B6", name="Private account", iban=DEBTOR_IBAN)))
    [first_line] = lines(org_a)
    assert first_line.status == BankLineStatus.TO_REVIEW
    bank_line_assign(organization=org_a.organization, line=first_line, invoice=earlier, user=org_a.member)

    import_file(org_a, camt(entry("77.70", ref="B7", name="Private account", iban=DEBTOR_IBAN)))

    assert refresh(later).status == InvoiceStatus.PAID
    assert lines(org_a)[1].reason == matching.BY_AMOUNT


def test_two_invoices_with_the_same_amount_leave_the_payment_for_review(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    one = InvoiceFactory(debtor=acme, number="2026-0400", amount=Decimal("250.00"))
    two = InvoiceFactory(debtor=acme, number="2026-0401", amount=Decimal("250.00"))

    statement = import_file(org_a, camt(entry("250.00", ref="B8", name="Acme Bouw", text="betaling oktober")))

    assert (statement.booked_count, statement.review_count) == (0, 1)
    [line] = lines(org_a)
    assert (line.status, line.reason) == (BankLineStatus.TO_REVIEW, matching.AMBIGUOUS)
    assert set(line.invoices.all()) == {one, two}
    assert bank_payments(org_a) == []
    assert refresh(one).open_amount == refresh(two).open_amount == Decimal("250.00")


def test_a_payment_that_matches_nothing_waits_for_review(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    InvoiceFactory(debtor=acme, number="2026-0500", amount=Decimal("10.00"))

    import_file(org_a, camt(entry("12.34", ref="B9", name="Unknown Person", iban=DEBTOR_IBAN, text="gift")))

    [line] = lines(org_a)
    assert (line.status, line.reason, line.amount, line.name, line.iban, line.remittance) == (
        BankLineStatus.TO_REVIEW,
        matching.NO_MATCH,
        Decimal("12.34"),
        "Unknown Person",
        DEBTOR_IBAN,
        "gift",
    )
    assert bank_payments(org_a) == []


def test_more_than_is_open_on_the_invoice_named_goes_to_review(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(debtor=acme, number="2026-0600", amount=Decimal("100.00"))

    import_file(org_a, camt(entry("150.00", ref="B10", text="2026-0600")))

    [line] = lines(org_a)
    assert (line.status, line.reason) == (BankLineStatus.TO_REVIEW, matching.AMOUNT_DIFFERS)
    assert list(line.invoices.all()) == [invoice]
    assert refresh(invoice).open_amount == Decimal("100.00")


def test_a_reference_to_an_invoice_already_paid_goes_to_review(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    paid = InvoiceFactory(debtor=acme, number="F2026700", status=InvoiceStatus.PAID)

    import_file(org_a, camt(entry("121.00", ref="B11", structured=creditor_reference(paid.number))))

    [line] = lines(org_a)
    assert (line.status, line.reason) == (BankLineStatus.TO_REVIEW, matching.NOT_OPEN)


def test_the_same_file_twice_books_nothing_new(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(debtor=acme, number="2026-0800", amount=Decimal("300.00"))
    data = camt(
        entry("100.00", ref="C1", text="2026-0800 deel 1"),
        entry("5.00", ref="C2", text="onbekend"),
        entry("7.00", text="no reference at all"),
    )
    import_file(org_a, data)

    again = import_file(org_a, data, filename="again.xml")

    assert (again.line_count, again.known_count, again.booked_count, again.review_count) == (3, 3, 0, 0)
    assert len(lines(org_a)) == 3
    assert len(bank_payments(org_a)) == 1
    assert refresh(invoice).open_amount == Decimal("200.00")


def test_identical_lines_without_a_reference_are_all_kept_and_recognised_again(org_a: Tenant) -> None:
    data = camt(entry("7.00", text="koffie"), entry("7.00", text="koffie"))
    import_file(org_a, data)
    again = import_file(org_a, data)

    assert len(lines(org_a)) == 2
    assert again.known_count == 2


def test_a_line_already_booked_under_its_reference_is_not_booked_twice(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    """Even past the known-key check (a line lost, a race), payment_record's reference keeps it once."""
    invoice = InvoiceFactory(debtor=acme, number="2026-0900", amount=Decimal("100.00"))
    import_file(org_a, camt(entry("40.00", ref="D1", text="2026-0900")))
    BankLine.objects.for_organization(org_a.organization).update(entry_key="renamed")

    import_file(org_a, camt(entry("40.00", ref="D1", text="2026-0900")))

    assert len(bank_payments(org_a)) == 1
    assert refresh(invoice).open_amount == Decimal("60.00")


def test_another_organizations_invoice_is_never_matched(org_a: Tenant, org_b: Tenant) -> None:
    foreign_debtor = DebtorFactory(organization=org_b.organization, name="Acme Bouw B.V.")
    foreign = InvoiceFactory(debtor=foreign_debtor, number="F2026999", amount=Decimal("121.00"))
    data = camt(
        entry("121.00", ref="E1", structured=creditor_reference(foreign.number)),
        entry("121.00", ref="E2", text="F2026999"),
        entry("121.00", ref="E3", name="Acme Bouw B.V."),
    )

    statement = import_file(org_a, data)

    assert (statement.booked_count, statement.review_count) == (0, 3)
    assert all(not line.invoices.exists() for line in lines(org_a))
    assert refresh(foreign).open_amount == Decimal("121.00")


# --- bundle references: one RF reference for the invoices of one message ----------------------------


def bundle_of(*invoices: Invoice) -> str:
    """The reference a letter or the portal asks for these invoices (made the first time, then the same)."""
    return bundle_reference(
        organization=invoices[0].organization,
        debtor=invoices[0].debtor,
        invoice_public_ids=[invoice.public_id for invoice in invoices],
    )


def test_a_payment_of_a_bundle_reference_for_exactly_its_open_total_books_every_invoice_in_it(
    org_a: Tenant, acme
) -> None:  # type: ignore[no-untyped-def]
    first = InvoiceFactory(debtor=acme, number="2026-1300", amount=Decimal("100.00"))
    second = InvoiceFactory(debtor=acme, number="2026-1301", amount=Decimal("21.00"), open_amount=Decimal("20.50"))
    InvoiceFactory(debtor=acme, number="2026-1302", amount=Decimal("7.00"))  # open, not in the bundle
    reference = bundle_of(first, second)

    statement = import_file(org_a, camt(entry("120.50", ref="K1", name="Someone Else", structured=reference)))

    assert (statement.booked_count, statement.review_count) == (1, 0)
    [line] = lines(org_a)
    assert (line.status, line.reason) == (BankLineStatus.BOOKED, matching.BY_REFERENCE)
    assert [(p.invoice_id, p.amount) for p in bank_payments(org_a)] == [
        (first.pk, Decimal("100.00")),
        (second.pk, Decimal("20.50")),
    ]
    assert refresh(first).status == refresh(second).status == InvoiceStatus.PAID
    assert sorted(line.links.values_list("invoice_id", flat=True)) == [first.pk, second.pk]


def test_a_bundle_reference_typed_in_the_description_in_groups_is_recognised(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    first = InvoiceFactory(debtor=acme, number="2026-1310", amount=Decimal("10.00"))
    second = InvoiceFactory(debtor=acme, number="2026-1311", amount=Decimal("20.00"))
    reference = bundle_of(first, second)
    spaced = " ".join(reference[i : i + 4] for i in range(0, len(reference), 4))

    import_file(org_a, camt(entry("30.00", ref="K2", text=f"betaling {spaced}")))

    assert refresh(first).status == refresh(second).status == InvoiceStatus.PAID


def test_the_rest_of_a_bundle_of_which_one_invoice_was_paid_meanwhile_books_the_rest(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    paid = InvoiceFactory(debtor=acme, number="2026-1320", amount=Decimal("50.00"))
    one = InvoiceFactory(debtor=acme, number="2026-1321", amount=Decimal("60.00"))
    two = InvoiceFactory(debtor=acme, number="2026-1322", amount=Decimal("70.00"))
    reference = bundle_of(paid, one, two)
    import_file(org_a, camt(entry("50.00", ref="K3a", text="2026-1320")))
    assert refresh(paid).status == InvoiceStatus.PAID

    import_file(org_a, camt(entry("130.00", ref="K3b", structured=reference)))

    assert refresh(one).status == refresh(two).status == InvoiceStatus.PAID
    assert len(bank_payments(org_a)) == 3


@pytest.mark.parametrize("amount", ["100.00", "121.01"])
def test_a_bundle_paid_with_another_amount_than_its_open_total_waits_with_its_invoices_proposed(
    org_a: Tenant, acme, amount: str
) -> None:  # type: ignore[no-untyped-def]
    first = InvoiceFactory(debtor=acme, number="2026-1330", amount=Decimal("100.00"))
    second = InvoiceFactory(debtor=acme, number="2026-1331", amount=Decimal("21.00"))

    statement = import_file(org_a, camt(entry(amount, ref="K4", structured=bundle_of(first, second))))

    assert (statement.booked_count, statement.review_count) == (0, 1)
    [line] = lines(org_a)
    assert (line.status, line.reason) == (BankLineStatus.TO_REVIEW, matching.AMOUNT_DIFFERS)
    assert set(line.invoices.all()) == {first, second}
    assert bank_payments(org_a) == []
    assert (refresh(first).open_amount, refresh(second).open_amount) == (Decimal("100.00"), Decimal("21.00"))


def test_a_bundle_waiting_in_review_is_assigned_by_hand_to_one_of_its_invoices(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    first = InvoiceFactory(debtor=acme, number="2026-1340", amount=Decimal("100.00"))
    second = InvoiceFactory(debtor=acme, number="2026-1341", amount=Decimal("21.00"))
    import_file(org_a, camt(entry("60.00", ref="K5", structured=bundle_of(first, second))))
    [line] = lines(org_a)

    bank_line_assign(organization=org_a.organization, line=line, invoice=first, user=org_a.member)

    assert refresh(first).open_amount == Decimal("40.00")
    assert list(line.invoices.all()) == [first]
    assert import_file(org_a, camt(entry("60.00", ref="K5", structured=bundle_of(first, second)))).known_count == 1
    assert len(bank_payments(org_a)) == 1


def test_a_made_up_bundle_reference_matches_nothing_and_the_next_rules_still_apply(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    first = InvoiceFactory(debtor=acme, number="2026-1350", amount=Decimal("100.00"))
    second = InvoiceFactory(debtor=acme, number="2026-1351", amount=Decimal("21.00"))
    bundle_of(first, second)
    forged = bundle_reference_new()  # valid check digits, the bundle form, but never issued
    assert not BundleReference.objects.for_organization(org_a.organization).filter(reference=forged).exists()

    import_file(
        org_a,
        camt(
            entry("121.00", ref="K6", name="Stranger", structured=forged),
            entry("100.00", ref="K7", structured=forged, text="factuur 2026-1350"),
        ),
    )

    made_up, with_number = lines(org_a)
    assert (made_up.status, made_up.reason) == (BankLineStatus.TO_REVIEW, matching.NO_MATCH)
    assert not made_up.invoices.exists()
    assert (with_number.status, with_number.reason) == (BankLineStatus.BOOKED, matching.BY_NUMBER)
    assert refresh(first).status == InvoiceStatus.PAID and refresh(second).open_amount == Decimal("21.00")


def test_another_organizations_bundle_reference_never_matches_here(org_a: Tenant, org_b: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    ours = (
        InvoiceFactory(debtor=acme, number="2026-1360", amount=Decimal("100.00")),
        InvoiceFactory(debtor=acme, number="2026-1361", amount=Decimal("21.00")),
    )
    foreign_debtor = DebtorFactory(organization=org_b.organization, name="Acme Bouw B.V.")
    theirs = (
        InvoiceFactory(debtor=foreign_debtor, number="2026-1360", amount=Decimal("100.00")),
        InvoiceFactory(debtor=foreign_debtor, number="2026-1361", amount=Decimal("21.00")),
    )
    their_reference = bundle_of(*theirs)
    assert bundle_of(*ours) != their_reference

    statement = import_file(org_a, camt(entry("121.00", ref="K8", name="Nobody", structured=their_reference)))

    assert (statement.booked_count, statement.review_count) == (0, 1)
    [line] = lines(org_a)
    assert line.reason == matching.NO_MATCH and not line.invoices.exists()
    assert all(refresh(invoice).open_amount == invoice.amount for invoice in (*ours, *theirs))


def test_a_bundle_reference_is_never_mistaken_for_an_invoice_numbers_reference(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    """An invoice whose number has the bundle form gets no RF of its own (it is paid by its number)."""
    first = InvoiceFactory(debtor=acme, number="2026-1370", amount=Decimal("10.00"))
    second = InvoiceFactory(debtor=acme, number="2026-1371", amount=Decimal("20.00"))
    reference = bundle_of(first, second)
    lookalike = InvoiceFactory(debtor=acme, number=reference[4:], amount=Decimal("30.00"))
    assert creditor_reference(lookalike.number) is None

    import_file(org_a, camt(entry("30.00", ref="K9", structured=reference)))

    assert refresh(first).status == refresh(second).status == InvoiceStatus.PAID
    assert refresh(lookalike).open_amount == Decimal("30.00")


def test_bundle_references_cost_two_more_queries_however_many(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    invoices = [InvoiceFactory(debtor=acme, number=f"2026-14{n:02d}", amount=Decimal("10.00")) for n in range(20)]
    references = [bundle_of(invoices[n], invoices[n + 1]) for n in range(0, 20, 2)]

    def queries_for(data: bytes) -> int:
        parsed = camt_parse(data)
        with CaptureQueriesContext(connection) as captured:
            facts = selectors.matching_facts(organization=org_a.organization, lines=parsed.lines)
        assert all(
            len(facts.by_bundle.get(reference, [])) == 2 for reference in references if reference in data.decode()
        )
        return len(captured)

    with_bundles = camt(*(entry("20.00", ref=f"KB{n}", structured=ref) for n, ref in enumerate(references)))
    # The same lines with invoice-number references: the structured reference is read as a number too.
    without = camt(*(entry("20.00", ref=f"KB{n}", structured=creditor_reference(f"X{n}")) for n in range(10)))
    assert queries_for(with_bundles) == queries_for(without) + 2
    one_bundle = camt(entry("20.00", ref="KB0", structured=references[0]))
    assert queries_for(one_bundle) == queries_for(with_bundles)  # one bundle or ten: the same two reads


# --- reading the file -------------------------------------------------------------------------------


def test_outgoing_and_pending_entries_are_left_out(org_a: Tenant) -> None:
    data = camt(
        entry("10.00", ref="F1", indicator="DBIT"),
        entry("11.00", ref="F2", status="PDNG"),
        entry("12.00", ref="F3"),
    )
    statement = camt_parse(data)

    assert [line.amount for line in statement.lines] == [Decimal("12.00")]
    assert statement.skipped == 2


def test_a_batch_entry_gives_one_line_per_transaction() -> None:
    details = transaction(name="A", amount="3.00", ref="T1", text="one") + transaction(
        name="B", amount="4.00", text="two"
    )
    statement = camt_parse(camt(entry("7.00", ref="BATCH", details=details)))

    assert [(line.amount, line.name, line.entry_key) for line in statement.lines] == [
        (Decimal("3.00"), "A", f"{ACCOUNT}:T1"),
        (Decimal("4.00"), "B", f"{ACCOUNT}:BATCH/2"),
    ]


@pytest.mark.parametrize("version", [2, 4, 8, 10])
def test_later_versions_of_camt_053_are_read(version: int) -> None:
    data = camt(entry("1.50", ref="G1", name="Jansen", iban=DEBTOR_IBAN, text="x", version=version), version=version)
    [line] = camt_parse(data).lines
    assert (line.name, line.iban, line.amount) == ("Jansen", DEBTOR_IBAN, Decimal("1.50"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"%PDF-1.7 not a statement", "not a valid XML file"),
        (b"Datum;Bedrag\n2026-11-25;10,00\n", "not a valid XML file"),
        (
            b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">&x;</Document>',
            "DOCTYPE",
        ),
        (
            b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"><BkToCstmrDbtCdtNtfctn/></Document>',
            "camt.054",
        ),
        (b'<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"/>', "not a CAMT.053"),
        (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"></Document>', "no statement"),
        (camt(entry("12,50", ref="H1")), "not a number"),
        (camt(entry("0.00", ref="H2")), "not a valid amount"),
        (camt(entry("1.00", ref="H3", date="25-11-2026")), "booking date"),
    ],
)
def test_a_file_that_is_not_a_readable_statement_is_refused_and_nothing_stored(
    org_a: Tenant, data: bytes, message: str
) -> None:
    with pytest.raises(CamtError, match=message):
        import_file(org_a, data)
    assert not BankStatement.objects.for_organization(org_a.organization).exists()
    assert lines(org_a) == []


def test_a_file_with_more_lines_than_the_limit_is_refused(org_a: Tenant, settings) -> None:  # type: ignore[no-untyped-def]
    settings.BANK_STATEMENT_MAX_LINES = 2
    assert len(camt_parse(camt(entry("1.00", ref="L1"), entry("2.00", ref="L2"))).lines) == 2
    with pytest.raises(CamtError, match="more than 2"):
        import_file(org_a, camt(entry("1.00", ref="L1"), entry("2.00", ref="L2"), entry("3.00", ref="L3")))
    assert lines(org_a) == []


def test_matching_reads_the_same_few_queries_for_five_lines_or_fifty(org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    for n in range(50):
        InvoiceFactory(debtor=acme, number=f"2026-{n:04d}", amount=Decimal(10 + n))

    def queries_for(count: int) -> int:
        parsed = camt_parse(
            camt(
                *(
                    entry(f"{10 + n}.00", ref=f"Q{n}", name="Acme", iban=DEBTOR_IBAN, text=f"2026-{n:04d} RF00")
                    for n in range(count)
                )
            )
        )
        with CaptureQueriesContext(connection) as captured:
            selectors.matching_facts(organization=org_a.organization, lines=parsed.lines)
        return len(captured)

    assert queries_for(5) == queries_for(50) == 3


# --- pages ------------------------------------------------------------------------------------------


def upload(client, tenant: Tenant, data: bytes, name: str = "camt053.xml"):  # type: ignore[no-untyped-def]
    url = f"/app/{tenant.organization.public_id}/bank/"
    return client.post(url, {"file": SimpleUploadedFile(name, data, content_type="application/xml")})


def test_a_member_uploads_a_statement_and_lands_on_what_to_review(member_client, org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    InvoiceFactory(debtor=acme, number="2026-1000", amount=Decimal("10.00"))
    response = upload(member_client, org_a, camt(entry("10.00", ref="V1", text="2026-1000"), entry("3.00", ref="V2")))

    assert response.status_code == 302
    assert "/bank/lines/?statement=" in response["Location"]
    page = member_client.get(response["Location"])
    assert page.status_code == 200
    assert page.content.decode().count('data-testid="bank-line"') == 1


def test_an_unreadable_upload_says_why_and_stores_nothing(member_client, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    response = upload(member_client, org_a, b"<Document xmlns='urn:iso:std:iso:20022:tech:xsd:pain.001.001.03'/>")

    assert response.status_code == 200
    assert "pain.001" in response.content.decode()
    assert not BankStatement.objects.for_organization(org_a.organization).exists()


def test_an_upload_just_past_the_size_limit_is_refused_and_one_at_it_accepted(
    member_client, org_a: Tenant, settings
) -> None:  # type: ignore[no-untyped-def]
    data = camt(entry("3.00", ref="S1"))
    settings.UPLOAD_MAX_FILE_BYTES = len(data) - 1
    response = upload(member_client, org_a, data)
    assert response.status_code == 200
    assert "groter dan" in response.content.decode()
    assert not BankStatement.objects.for_organization(org_a.organization).exists()

    settings.UPLOAD_MAX_FILE_BYTES = len(data)
    assert upload(member_client, org_a, data).status_code == 302
    assert len(lines(org_a)) == 1


def test_a_viewer_reads_the_pages_but_cannot_upload_or_decide(viewer_client, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    import_file(org_a, camt(entry("3.00", ref="W1")))
    [line] = lines(org_a)
    base = f"/app/{org_a.organization.public_id}/bank/"

    assert viewer_client.get(base).status_code == 200
    assert viewer_client.get(base + "lines/").status_code == 200
    assert upload(viewer_client, org_a, camt(entry("4.00", ref="W2"))).status_code == 403
    assert viewer_client.post(f"{base}lines/{line.public_id}/dismiss/").status_code == 403
    assert viewer_client.post(f"{base}lines/{line.public_id}/assign/", {"number": "x"}).status_code == 403
    assert len(lines(org_a)) == 1 and lines(org_a)[0].status == BankLineStatus.TO_REVIEW


def test_a_member_assigns_a_line_to_an_invoice_by_number(member_client, org_a: Tenant, acme) -> None:  # type: ignore[no-untyped-def]
    invoice = InvoiceFactory(debtor=acme, number="2026-1100", amount=Decimal("80.00"))
    import_file(org_a, camt(entry("30.00", ref="X1", name="Cousin of Acme")))
    [line] = lines(org_a)

    response = member_client.post(
        f"/app/{org_a.organization.public_id}/bank/lines/{line.public_id}/assign/", {"number": "2026-1100"}
    )

    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.status, line.reason, line.decided_by) == (BankLineStatus.BOOKED, matching.BY_HAND, org_a.member)
    assert refresh(invoice).open_amount == Decimal("50.00")
    [payment] = bank_payments(org_a)
    assert payment.reference == line.entry_key
    # Assigning again (a double click) books nothing more.
    member_client.post(
        f"/app/{org_a.organization.public_id}/bank/lines/{line.public_id}/assign/", {"number": "2026-1100"}
    )
    assert len(bank_payments(org_a)) == 1


def test_an_invoice_of_another_organization_cannot_be_assigned(member_client, org_a: Tenant, org_b: Tenant) -> None:  # type: ignore[no-untyped-def]
    foreign = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization), number="2026-1200")
    import_file(org_a, camt(entry("121.00", ref="Y1")))
    [line] = lines(org_a)
    url = f"/app/{org_a.organization.public_id}/bank/lines/{line.public_id}/assign/"

    response = member_client.post(url, {"invoice": str(foreign.public_id)}, follow=True)

    assert "Die factuur bestaat niet" in response.content.decode()
    line.refresh_from_db()
    assert line.status == BankLineStatus.TO_REVIEW
    assert refresh(foreign).open_amount == Decimal("121.00")


def test_a_dismissed_line_is_kept_and_can_come_back(member_client, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    import_file(org_a, camt(entry("9.99", ref="Z1", name="Supplier refund")))
    [line] = lines(org_a)
    base = f"/app/{org_a.organization.public_id}/bank/lines/{line.public_id}/"

    assert member_client.post(base + "dismiss/").status_code == 302
    line.refresh_from_db()
    assert line.status == BankLineStatus.DISMISSED
    assert (
        "Supplier refund"
        in member_client.get(f"/app/{org_a.organization.public_id}/bank/lines/?status=dismissed").content.decode()
    )

    member_client.post(base + "restore/")
    line.refresh_from_db()
    assert line.status == BankLineStatus.TO_REVIEW
    assert member_client.get(base + "dismiss/").status_code == 405


def test_an_outsider_cannot_see_or_touch_the_lines(outsider_client, org_a: Tenant) -> None:  # type: ignore[no-untyped-def]
    import_file(org_a, camt(entry("9.99", ref="O1")))
    [line] = lines(org_a)

    assert outsider_client.get(f"/app/{org_a.organization.public_id}/bank/lines/").status_code == 404
    assert (
        outsider_client.post(f"/app/{org_a.organization.public_id}/bank/lines/{line.public_id}/dismiss/").status_code
        == 404
    )
    line.refresh_from_db()
    assert line.status == BankLineStatus.TO_REVIEW
