"""Opening dossiers and moving them through their stages: the checks, the holds, the legal amounts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from collection.legal import collection_costs, collection_costs_for_consumer_letter, court_fee
from collection.models import Dossier, DossierClosure, DossierEvent, DossierEventKind, DossierOrigin, DossierStage
from collection.selectors import dossier_counts_by_stage, hand_over_candidates
from collection.selectors.statements import dossier_statement_on
from collection.services import (
    dossier_close,
    dossier_court_fee_record,
    dossier_hand_overs_open,
    dossier_open,
    dossier_pause,
    dossier_pre_collections_end,
    dossier_resume,
    dossier_stage_set,
)
from collection.services.dossiers import dossier_claim_amount
from invoices.models import DebtorKind, Invoice, InvoiceStatus
from tests.collection.dossier_builders import fourteen_day_letter, hand_over
from tests.factories import DebtorFactory, InvoiceFactory

D = dt.date
TODAY = D(2026, 11, 26)


@pytest.fixture
def organization(org_a):  # type: ignore[no-untyped-def]
    organization = org_a.organization
    organization.dossier_pre_collection = False
    organization.save()
    return organization


def _invoices(organization, debtor, *amounts: str) -> list[Invoice]:  # type: ignore[no-untyped-def]
    return [
        InvoiceFactory(
            debtor=debtor,
            amount=Decimal(a),
            vat_amount=Decimal("0"),
            issue_date=D(2026, 8, 1) + dt.timedelta(days=i),
            due_date=D(2026, 8, 31) + dt.timedelta(days=i),
        )
        for i, a in enumerate(amounts)
    ]


def _events(organization, dossier) -> list[str]:  # type: ignore[no-untyped-def]
    return list(
        DossierEvent.objects.for_organization(organization).filter(dossier=dossier).order_by("sequence")
        .values_list("kind", flat=True)
    )  # fmt: skip


def test_opening_a_business_dossier_holds_the_invoices_and_sets_the_statutory_costs(organization) -> None:  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization)
    invoices = _invoices(organization, debtor, "1500.00", "850.00")
    dossier = dossier_open(
        organization=organization, debtor=debtor, invoices=invoices, today=TODAY, origin=DossierOrigin.MANUAL
    )
    assert dossier.stage == DossierStage.AMICABLE
    assert dossier.reference == "D2026-00001"
    assert (
        dossier.costs == collection_costs(Decimal("2350.00"), on=TODAY) == Decimal("352.50")
    )  # 15 % of the first € 2,500
    # the organization has a VAT id: it deducts the VAT, so the debtor pays none on the costs
    assert dossier.costs_vat == Decimal("0.00") and not dossier.costs_vat_charged
    items = list(dossier.items.order_by("due_date"))
    assert [item.principal for item in items] == [Decimal("1500.00"), Decimal("850.00")]
    assert [item.interest_from for item in items] == [D(2026, 9, 1), D(2026, 9, 2)]
    for invoice in Invoice.objects.for_organization(organization).filter(pk__in=[i.pk for i in invoices]):
        assert invoice.is_paused and invoice.paused_until is None
    assert _events(organization, dossier) == [DossierEventKind.OPENED, DossierEventKind.COSTS_SET]
    second = dossier_open(
        organization=organization, debtor=debtor, invoices=_invoices(organization, debtor, "10.00"), today=TODAY,
        origin=DossierOrigin.MANUAL,
    )  # fmt: skip
    assert second.reference == "D2026-00002"


def test_a_creditor_without_vat_id_charges_vat_on_the_costs(organization) -> None:  # type: ignore[no-untyped-def]
    organization.vat_id = ""
    organization.save()
    debtor = DebtorFactory(organization=organization)
    dossier = dossier_open(
        organization=organization, debtor=debtor, invoices=_invoices(organization, debtor, "1000.00"), today=TODAY,
        origin=DossierOrigin.MANUAL,
    )  # fmt: skip
    assert dossier.costs == Decimal("150.00")
    assert dossier.costs_vat_charged and dossier.costs_vat == Decimal("31.50")


def test_an_incomplete_address_opens_nothing_and_says_what_is_missing(organization) -> None:  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization, street="", city=" ")
    invoices = _invoices(organization, debtor, "500.00")
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        dossier_open(organization=organization, debtor=debtor, invoices=invoices, today=TODAY, origin="manual")
    assert "street and number, city" in raised.value.messages[0]
    assert not Dossier.objects.for_organization(organization).exists()
    assert not Invoice.objects.for_organization(organization).get(pk=invoices[0].pk).is_paused


def test_a_consumer_needs_a_fourteen_day_letter_whose_term_has_passed(organization) -> None:  # type: ignore[no-untyped-def]
    consumer = DebtorFactory(organization=organization, kind=DebtorKind.CONSUMER)
    [invoice] = _invoices(organization, consumer, "300.00")
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        dossier_open(organization=organization, debtor=consumer, invoices=[invoice], today=TODAY, origin="manual")
    assert raised.value.messages == [
        f"No 14-day letter was sent for invoice {invoice.number}: a consumer must get one first."
    ]
    # sent by e-mail on Thursday 12 November: received that day, the term ends Thursday 26 November
    letter = fourteen_day_letter(organization, consumer, [invoice], D(2026, 11, 12))
    assert letter.term_end_date == D(2026, 11, 26)
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        dossier_open(organization=organization, debtor=consumer, invoices=[invoice], today=TODAY, origin="manual")
    assert "runs until 26-11-2026" in raised.value.messages[0]
    assert not Dossier.objects.for_organization(organization).exists()
    day_after = D(2026, 11, 27)
    dossier = dossier_open(
        organization=organization, debtor=consumer, invoices=[invoice], today=day_after, origin="manual"
    )
    assert dossier.fourteen_day_letter_sent_on == D(2026, 11, 12)
    assert dossier.fourteen_day_term_ends_on == D(2026, 11, 26)
    stated = letter.collection_costs
    assert dossier.costs == min(collection_costs_for_consumer_letter([Decimal("300.00")], on=day_after), stated)
    assert dossier.costs == Decimal("45.00")


def test_an_invoice_is_in_one_open_dossier_at_most(organization) -> None:  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization)
    invoices = _invoices(organization, debtor, "100.00")
    dossier = dossier_open(organization=organization, debtor=debtor, invoices=invoices, today=TODAY, origin="manual")
    # held by the dossier: resume it by hand and try again, the dossier still has it
    Invoice.objects.for_organization(organization).filter(pk=invoices[0].pk).update(is_paused=False)
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        dossier_open(organization=organization, debtor=debtor, invoices=invoices, today=TODAY, origin="manual")
    assert raised.value.messages == [f"Invoice {invoices[0].number} is already in dossier {dossier.reference}."]


def test_paid_foreign_or_other_debtors_invoices_are_refused(organization) -> None:  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization)
    other = DebtorFactory(organization=organization)
    paid = InvoiceFactory(debtor=debtor, status=InvoiceStatus.PAID)
    dollars = InvoiceFactory(debtor=debtor, currency="USD")
    theirs = InvoiceFactory(debtor=other)
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        dossier_open(
            organization=organization, debtor=debtor, invoices=[paid, dollars, theirs], today=TODAY, origin="manual"
        )
    assert sorted(raised.value.messages) == sorted([
        f"Invoice {paid.number} has nothing left to pay.",
        f"Invoice {dollars.number} is not in euros.",
        f"Invoice {theirs.number} is not this debtor's.",
    ])  # fmt: skip
    with pytest.raises(ValidationError):
        dossier_open(organization=organization, debtor=debtor, invoices=[], today=TODAY, origin="manual")


def test_pre_collection_moves_to_amicable_once_its_term_has_passed(organization) -> None:  # type: ignore[no-untyped-def]
    organization.dossier_pre_collection = True
    organization.pre_collection_days = 14
    organization.save()
    debtor = DebtorFactory(organization=organization)
    dossier = dossier_open(
        organization=organization, debtor=debtor, invoices=_invoices(organization, debtor, "400.00"), today=TODAY,
        origin=DossierOrigin.MANUAL,
    )  # fmt: skip
    assert dossier.stage == DossierStage.PRE_COLLECTION and dossier.costs == Decimal("0.00")
    assert dossier.pre_collection_until == D(2026, 12, 10)
    assert dossier_pre_collections_end(organization=organization, today=D(2026, 12, 10)) == []
    [moved] = dossier_pre_collections_end(organization=organization, today=D(2026, 12, 11))
    assert (
        moved.stage == DossierStage.AMICABLE and moved.costs == Decimal("60.00") and moved.costs_on == D(2026, 12, 11)
    )
    assert _events(organization, dossier)[-2:] == [DossierEventKind.STAGE_CHANGED, DossierEventKind.COSTS_SET]
    assert dossier_counts_by_stage(organization=organization)[DossierStage.AMICABLE] == 1


def test_stages_only_move_forward_and_the_bailiff_waits_for_the_court_fee(organization) -> None:  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization)
    dossier = dossier_open(
        organization=organization, debtor=debtor, invoices=_invoices(organization, debtor, "2000.00"), today=TODAY,
        origin="manual",
    )  # fmt: skip
    with translation.override("en"), pytest.raises(ValidationError, match="only moves forward"):
        dossier_stage_set(organization=organization, dossier=dossier, stage=DossierStage.PRE_COLLECTION, today=TODAY)
    dossier = dossier_stage_set(organization=organization, dossier=dossier, stage=DossierStage.JUDICIAL, today=TODAY)
    # the claim is principal + costs + the interest that ran since 1 September (art. 6:119a BW)
    claim = dossier_claim_amount(organization=organization, dossier=dossier, today=TODAY)
    assert Decimal("2000.00") + dossier.costs < claim < Decimal("2000.00") + dossier.costs + Decimal("60.00")
    assert dossier.court_fee == court_fee(claim, year=2026, claimant_is_natural_person=False)
    with translation.override("en"), pytest.raises(ValidationError, match="Record the court fee"):
        dossier_stage_set(organization=organization, dossier=dossier, stage=DossierStage.SUMMONS, today=TODAY)
    dossier = dossier_court_fee_record(organization=organization, dossier=dossier, paid_on=TODAY)
    dossier = dossier_court_fee_record(organization=organization, dossier=dossier, paid_on=D(2026, 12, 1))
    assert dossier.court_fee_paid_on == TODAY  # recorded once
    dossier = dossier_stage_set(organization=organization, dossier=dossier, stage=DossierStage.SUMMONS, today=TODAY)
    assert dossier.stage == DossierStage.SUMMONS
    assert _events(organization, dossier).count(DossierEventKind.COURT_FEE_PAID) == 1


def test_pause_and_resume_need_a_reason_and_are_recorded(organization) -> None:  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization)
    dossier = dossier_open(
        organization=organization, debtor=debtor, invoices=_invoices(organization, debtor, "80.00"), today=TODAY,
        origin="manual",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        dossier_pause(organization=organization, dossier=dossier, reason="  ")
    dossier = dossier_pause(organization=organization, dossier=dossier, reason="Debtor calls back Friday")
    assert dossier.is_paused
    dossier = dossier_resume(organization=organization, dossier=dossier, reason="No call", today=D(2026, 11, 30))
    assert not dossier.is_paused and dossier.next_action_on == D(2026, 11, 30)
    assert _events(organization, dossier)[-2:] == [DossierEventKind.PAUSED, DossierEventKind.RESUMED]


def test_closing_uncollectable_writes_off_and_withdrawn_gives_the_invoices_back(organization) -> None:  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization)
    lost = _invoices(organization, debtor, "90.00")
    kept = _invoices(organization, debtor, "70.00")
    first = dossier_open(organization=organization, debtor=debtor, invoices=lost, today=TODAY, origin="manual")
    second = dossier_open(organization=organization, debtor=debtor, invoices=kept, today=TODAY, origin="manual")
    first = dossier_close(organization=organization, dossier=first, closure=DossierClosure.UNCOLLECTABLE, today=TODAY)
    second = dossier_close(organization=organization, dossier=second, closure=DossierClosure.WITHDRAWN, today=TODAY)
    assert first.stage == second.stage == DossierStage.CLOSED
    lost_invoice = Invoice.objects.for_organization(organization).get(pk=lost[0].pk)
    kept_invoice = Invoice.objects.for_organization(organization).get(pk=kept[0].pk)
    assert lost_invoice.status == InvoiceStatus.WRITTEN_OFF
    assert kept_invoice.status == InvoiceStatus.OPEN and not kept_invoice.is_paused
    assert not first.items.filter(active=True).exists()
    # closed: the invoice may go into a new dossier
    again = dossier_open(organization=organization, debtor=debtor, invoices=kept, today=TODAY, origin="manual")
    assert again.reference == "D2026-00003"


def test_the_hand_over_step_opens_a_dossier_per_debtor_when_the_organization_chose_so(organization) -> None:  # type: ignore[no-untyped-def]
    business = DebtorFactory(organization=organization)
    consumer = DebtorFactory(organization=organization, kind=DebtorKind.CONSUMER)
    b_invoices = _invoices(organization, business, "500.00", "250.00")
    c_invoices = _invoices(organization, consumer, "120.00")
    hand_over(organization, business, b_invoices, D(2026, 11, 20))
    hand_over(organization, consumer, c_invoices, D(2026, 11, 20))
    # not chosen: nothing opens, both wait for the creditor's approval; the consumer with what is missing
    assert dossier_hand_overs_open(organization=organization, today=TODAY) == ([], 0)
    candidates = {c.debtor.pk: c for c in hand_over_candidates(organization=organization, today=TODAY)}
    assert [i.pk for i in candidates[business.pk].invoices] == [i.pk for i in b_invoices]
    assert candidates[business.pk].problems == [] and len(candidates[consumer.pk].problems) == 1
    organization.dossier_auto_open = True
    organization.save()
    opened, waiting = dossier_hand_overs_open(organization=organization, today=TODAY)
    assert [d.debtor_id for d in opened] == [business.pk] and waiting == 1
    assert opened[0].origin == DossierOrigin.HAND_OVER and opened[0].items.count() == 2
    # the next morning nothing opens twice
    assert dossier_hand_overs_open(organization=organization, today=TODAY + dt.timedelta(days=1)) == ([], 1)


def test_the_daily_pass_records_payments_with_their_imputation_and_closes_a_paid_dossier(organization) -> None:  # type: ignore[no-untyped-def]
    from collection.services import dossiers_settle
    from invoices.services import payment_record

    debtor = DebtorFactory(organization=organization)
    [invoice] = _invoices(organization, debtor, "1000.00")
    dossier = dossier_open(organization=organization, debtor=debtor, invoices=[invoice], today=TODAY, origin="manual")
    payment_record(organization=organization, invoice=invoice, amount=Decimal("200.00"), date=D(2026, 11, 30))
    assert dossiers_settle(organization=organization, today=D(2026, 12, 1)) == []
    assert dossiers_settle(organization=organization, today=D(2026, 12, 2)) == []  # recorded once
    [payment] = DossierEvent.objects.for_organization(organization).filter(dossier=dossier, kind="payment")
    # costs first (€ 150), then the interest: 1 September to 30 November, 91 days at 10.40 % on € 1,000
    # = 1000 × 0.104 × 91 / 365 = 25.93; the rest, 24.07, to principal
    assert payment.data["to_costs"] == "150.00" and payment.data["to_interest"] == "25.93"
    assert payment.data["to_principal"] == "24.07" and payment.data["amount"] == "200.00"
    statement = dossier_statement_on(organization=organization, dossier=dossier, on=D(2026, 12, 3)).statement
    payment_record(
        organization=organization, invoice=invoice, amount=statement.outstanding, date=D(2026, 12, 3), reference="rest"
    )
    [closed] = dossiers_settle(organization=organization, today=D(2026, 12, 3))
    assert closed.stage == DossierStage.CLOSED and closed.closure == DossierClosure.PAID
    assert _events(organization, closed)[-3:] == [
        DossierEventKind.PAYMENT, DossierEventKind.PAYMENT, DossierEventKind.CLOSED
    ]  # fmt: skip
