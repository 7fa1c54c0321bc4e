"""Proposing and deciding payment arrangements: limits, holds, the real dunning engine, e-mails."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection
from django.utils import translation

from collection.models import Arrangement, ArrangementInvoice, ArrangementSource, ArrangementStatus
from collection.selectors import arrangement_list, arrangement_proposals_open_count
from collection.services import (
    arrangement_approve,
    arrangement_hold_reason,
    arrangement_propose,
    arrangement_reject,
    arrangement_withdraw,
)
from collection.tasks import arrangement_decided_notify_task, arrangement_proposed_notify_task
from invoices.models import Invoice, InvoiceStatus
from invoices.services import invoice_pause
from outstanding.models import Role
from outstanding.services import organization_defaults_install
from reminders import engine
from reminders.models import DunningSettings
from tests.collection.arrangement_builders import limits, open_invoice
from tests.factories import TODAY, DebtorFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def organization():
    organization = OrganizationFactory(name="Alpha Groothandel B.V.")
    limits(organization, max_terms=6, minimum="25.00")
    return organization


@pytest.fixture
def debtor(organization):
    return DebtorFactory(organization=organization, name="Bakkerij Jansen", emails=["boekhouding@jansen.test"])


@pytest.fixture
def invoices(debtor) -> list[Invoice]:
    return [open_invoice(debtor, "F-1", "100.00"), open_invoice(debtor, "F-2", "50.01")]


def propose(organization, debtor, invoices, term_count: int = 3, note: str = ""):  # type: ignore[no-untyped-def]
    return arrangement_propose(
        organization=organization,
        debtor=debtor,
        invoices=invoices,
        term_count=term_count,
        debtor_note=note,
        today=TODAY,
    )


def refused_message(call) -> str:  # type: ignore[no-untyped-def]
    """The refusal's text, in English (the source language: the Dutch catalog may lag behind)."""
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        call()
    return " ".join(refused.value.messages)


def fresh(invoice: Invoice) -> Invoice:
    return Invoice.objects.for_organization(invoice.organization).get(pk=invoice.pk)


def test_a_proposal_stores_the_open_total_and_terms_that_sum_to_it(organization, debtor, invoices) -> None:
    arrangement = propose(organization, debtor, invoices, term_count=3, note="Ik betaal graag in delen.")
    assert arrangement.status == ArrangementStatus.PROPOSED and arrangement.source == ArrangementSource.PORTAL
    assert arrangement.total == Decimal("150.01")
    terms = list(arrangement.terms.order_by("number").values_list("number", "due_date", "amount"))
    first = TODAY + dt.timedelta(days=14)
    assert terms == [
        (1, first, Decimal("50.00")),
        (2, dt.date(2027, 1, 10), Decimal("50.00")),
        (3, dt.date(2027, 2, 10), Decimal("50.01")),
    ]
    assert arrangement.first_due_date == first
    assert arrangement.debtor_note == "Ik betaal graag in delen."
    assert sorted(arrangement.items.values_list("invoice__number", "open_amount")) == [
        ("F-1", Decimal("100.00")), ("F-2", Decimal("50.01"))
    ]  # fmt: skip


def test_a_proposal_holds_its_invoices_at_once_with_a_reason(organization, debtor, invoices) -> None:
    propose(organization, debtor, invoices)
    for invoice in invoices:
        held = fresh(invoice)
        assert held.is_paused and held.paused_until is None
        assert held.pause_reason == arrangement_hold_reason(organization, approved=False)
    with translation.override("en"):  # stored in the organization's language, whoever's request it is
        assert arrangement_hold_reason(organization, approved=False) == "Betalingsregeling voorgesteld"


def test_one_term_more_than_the_maximum_is_refused(organization, debtor, invoices) -> None:
    message = refused_message(lambda: propose(organization, debtor, invoices, term_count=7))
    assert "Choose between 1 and 6 terms." in message
    assert not arrangement_list(organization=organization).exists()
    assert not fresh(invoices[0]).is_paused  # nothing held when refused


def test_the_maximum_itself_is_allowed(organization, debtor, invoices) -> None:
    assert propose(organization, debtor, invoices, term_count=6).terms.count() == 6


def test_a_term_one_cent_below_the_minimum_is_refused(organization, debtor) -> None:
    invoice = open_invoice(debtor, "F-9", "99.96")  # 4 terms of 24.99: one cent below the minimum
    with translation.override("en"):
        message = refused_message(lambda: propose(organization, debtor, [invoice], term_count=4))
    assert "Each term must be at least €25.00; with 4 terms a term would be €24.99." in message
    exactly = open_invoice(debtor, "F-10", "100.00")
    assert propose(organization, debtor, [exactly], term_count=4).terms.count() == 4  # 25.00 each


def test_no_proposals_when_the_organization_allows_no_terms(organization, debtor, invoices) -> None:
    limits(organization, max_terms=0)
    message = refused_message(lambda: propose(organization, debtor, invoices, term_count=1))
    assert "Payment arrangements cannot be proposed here" in message


def test_another_debtors_invoice_is_refused(organization, debtor, invoices) -> None:
    other = open_invoice(DebtorFactory(organization=organization), "F-OTHER", "500.00")
    message = refused_message(lambda: propose(organization, debtor, [invoices[0], other]))
    assert "cannot be paid in terms" in message
    assert not fresh(other).is_paused and not fresh(invoices[0]).is_paused


def test_another_organizations_debtor_is_refused_outright(organization, invoices) -> None:
    stranger = DebtorFactory(organization=OrganizationFactory())
    with pytest.raises(ValueError):
        propose(organization, stranger, invoices)


def test_a_paid_invoice_is_refused(organization, debtor, invoices) -> None:
    paid = open_invoice(debtor, "F-PAID", "80.00", status=InvoiceStatus.PAID)
    assert "F-PAID has nothing left to pay" in refused_message(lambda: propose(organization, debtor, [paid]))


def test_no_invoices_is_refused(organization, debtor) -> None:
    assert "at least one invoice" in refused_message(lambda: propose(organization, debtor, []))


def test_an_invoice_in_an_open_proposal_cannot_go_into_a_second(organization, debtor, invoices) -> None:
    propose(organization, debtor, [invoices[0]], term_count=2)
    message = refused_message(lambda: propose(organization, debtor, invoices, term_count=2))
    assert "F-1 is already in a payment arrangement" in message


def test_an_invoice_in_an_approved_arrangement_cannot_go_into_a_second(organization, debtor, invoices) -> None:
    arrangement = propose(organization, debtor, invoices)
    arrangement_approve(arrangement=arrangement, user=MembershipFactory(organization=organization).user)
    assert "already in a payment arrangement" in refused_message(lambda: propose(organization, debtor, invoices))


def test_the_database_refuses_a_second_holding_row_for_one_invoice(organization, debtor, invoices) -> None:
    """The last line of defence against two proposals racing past the check."""
    propose(organization, debtor, invoices)
    second = Arrangement.objects.for_organization(organization).create(
        organization=organization, debtor=debtor, total=Decimal("1.00"), term_count=1, first_due_date=TODAY,
        source=ArrangementSource.CREDITOR,
    )  # fmt: skip
    with pytest.raises(IntegrityError, match="arrangement_invoice_held_once"):
        ArrangementInvoice.objects.create(
            organization=organization, arrangement=second, invoice=invoices[0], open_amount=Decimal("1.00")
        )


def test_a_rejected_proposals_invoices_can_be_proposed_again(organization, debtor, invoices) -> None:
    first = propose(organization, debtor, invoices)
    arrangement_reject(arrangement=first, user=MembershipFactory(organization=organization).user, note="Te lang.")
    assert propose(organization, debtor, invoices, term_count=2).status == ArrangementStatus.PROPOSED


def test_a_note_longer_than_the_limit_is_refused(organization, debtor, invoices) -> None:
    assert "1000 characters" in refused_message(lambda: propose(organization, debtor, invoices, note="x" * 1001))
    assert propose(organization, debtor, invoices, note="x" * 1000).debtor_note == "x" * 1000


# --- the dunning engine plans nothing for held invoices ---------------------------------------------------------


@pytest.fixture
def live(organization):
    organization_defaults_install(organization)
    DunningSettings.objects.for_organization(organization).update(dynamic_flows=False, backlog_start="by_age")
    return organization


def planned_debtors(organization) -> set[int]:  # type: ignore[no-untyped-def]
    return {message.debtor_id for message in engine.plan(organization, TODAY, dry_run=True).messages}


def test_the_engine_plans_nothing_for_invoices_in_a_proposal(live, debtor, invoices) -> None:
    assert debtor.pk in planned_debtors(live)  # without the proposal a reminder would go out today
    propose(live, debtor, invoices)
    assert debtor.pk not in planned_debtors(live)


def test_after_a_rejection_the_engine_plans_again(live, debtor, invoices) -> None:
    arrangement = propose(live, debtor, invoices)
    arrangement_reject(arrangement=arrangement, user=MembershipFactory(organization=live).user, note="Nee.")
    assert debtor.pk in planned_debtors(live)
    assert not any(fresh(invoice).is_paused for invoice in invoices)


def test_after_approval_the_invoices_stay_held_as_an_arrangement(live, debtor, invoices) -> None:
    arrangement = propose(live, debtor, invoices)
    arrangement_approve(arrangement=arrangement, user=MembershipFactory(organization=live).user)
    assert debtor.pk not in planned_debtors(live)
    assert {fresh(invoice).pause_reason for invoice in invoices} == {arrangement_hold_reason(live, approved=True)}


def test_a_proposal_is_recorded_in_the_plan_change_log(organization, debtor, invoices) -> None:
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM reminders_planchange WHERE organization_id = %s", [organization.pk])
        propose(organization, debtor, invoices)
        cursor.execute("SELECT count(*) FROM reminders_planchange WHERE organization_id = %s", [organization.pk])
        assert cursor.fetchone()[0] == 1  # one row per transaction


# --- deciding --------------------------------------------------------------------------------------------------


def test_auto_approve_approves_a_proposal_within_the_limits(organization, debtor, invoices) -> None:
    limits(organization, max_terms=6, minimum="25.00", auto=True)
    arrangement = propose(organization, debtor, invoices)
    assert arrangement.status == ArrangementStatus.APPROVED
    assert arrangement.decided_automatically and arrangement.decided_by is None and arrangement.decided_at
    assert fresh(invoices[0]).pause_reason == arrangement_hold_reason(organization, approved=True)
    assert arrangement_proposals_open_count(organization=organization) == 0


def test_auto_approve_still_refuses_a_proposal_outside_the_limits(organization, debtor, invoices) -> None:
    limits(organization, max_terms=2, minimum="25.00", auto=True)
    refused_message(lambda: propose(organization, debtor, invoices, term_count=3))
    assert not arrangement_list(organization=organization).exists()


def test_reject_needs_a_note(organization, debtor, invoices) -> None:
    arrangement = propose(organization, debtor, invoices)
    user = MembershipFactory(organization=organization).user
    assert "note" in refused_message(lambda: arrangement_reject(arrangement=arrangement, user=user, note="  "))
    assert fresh(invoices[0]).is_paused  # still held


def test_reject_resumes_the_invoices_and_keeps_the_note_and_who(organization, debtor, invoices) -> None:
    arrangement = propose(organization, debtor, invoices)
    user = MembershipFactory(organization=organization).user
    arrangement_reject(arrangement=arrangement, user=user, note="Graag in twee termijnen.")
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.REJECTED and arrangement.decided_by == user
    assert arrangement.decision_note == "Graag in twee termijnen."
    assert not any(fresh(invoice).is_paused for invoice in invoices)


def test_a_pause_for_another_reason_since_the_proposal_is_left_alone(organization, debtor, invoices) -> None:
    arrangement = propose(organization, debtor, invoices)
    invoice_pause(invoice=fresh(invoices[0]), reason="Betwist: nooit ontvangen")
    arrangement_withdraw(arrangement=arrangement)
    assert fresh(invoices[0]).pause_reason == "Betwist: nooit ontvangen"
    assert not fresh(invoices[1]).is_paused


def test_a_decided_proposal_cannot_be_decided_again(organization, debtor, invoices) -> None:
    arrangement = propose(organization, debtor, invoices)
    user = MembershipFactory(organization=organization).user
    arrangement_approve(arrangement=arrangement, user=user)
    again = refused_message(lambda: arrangement_reject(arrangement=arrangement, user=user, note="x"))
    assert "already decided" in again
    assert "already decided" in refused_message(lambda: arrangement_withdraw(arrangement=arrangement))


def test_withdrawing_resumes_the_invoices(organization, debtor, invoices) -> None:
    arrangement = propose(organization, debtor, invoices)
    arrangement_withdraw(arrangement=arrangement)
    arrangement.refresh_from_db()
    assert arrangement.status == ArrangementStatus.WITHDRAWN
    assert not any(fresh(invoice).is_paused for invoice in invoices)


def test_open_proposals_are_counted_and_listed_first(organization, debtor, invoices) -> None:
    user = MembershipFactory(organization=organization).user
    decided = propose(organization, debtor, [invoices[0]], term_count=2)
    arrangement_reject(arrangement=decided, user=user, note="Nee.")
    waiting = propose(organization, debtor, [invoices[1]], term_count=1)
    later = propose(organization, debtor, [invoices[0]], term_count=2)
    arrangement_approve(arrangement=later, user=user)
    assert arrangement_proposals_open_count(organization=organization) == 1
    assert arrangement_list(organization=organization).first() == waiting
    other = OrganizationFactory()
    assert arrangement_proposals_open_count(organization=other) == 0


# --- e-mails ---------------------------------------------------------------------------------------------------


def test_members_who_can_decide_get_an_email_after_commit(
    organization, debtor, invoices, django_capture_on_commit_callbacks
) -> None:
    owner = MembershipFactory(organization=organization, role=Role.OWNER).user
    member = MembershipFactory(organization=organization, role=Role.MEMBER).user
    viewer = MembershipFactory(organization=organization, role=Role.VIEWER).user
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        arrangement = propose(organization, debtor, invoices, note="Graag in drie delen.")
    assert mail.outbox == []  # nothing before commit
    for callback in callbacks:
        callback()
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert recipients == sorted([owner.email, member.email]) and viewer.email not in recipients
    message = mail.outbox[0]
    assert "Bakkerij Jansen" in message.subject
    assert "Graag in drie delen." in message.body
    assert f"/arrangements/{arrangement.public_id}/" in message.body


def test_the_debtor_gets_the_decision_with_a_working_portal_link(
    client, organization, debtor, invoices, django_capture_on_commit_callbacks
) -> None:
    arrangement = propose(organization, debtor, invoices)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        arrangement_reject(
            arrangement=arrangement, user=MembershipFactory(organization=organization).user, note="Liever 2 termijnen."
        )
    [message] = mail.outbox
    assert message.to == ["boekhouding@jansen.test"]
    assert "Liever 2 termijnen." in message.body
    assert "Alpha Groothandel B.V." in message.from_email
    link = next(word for word in message.body.split() if "/p/" in word)
    response = client.get(link.split("localhost:8000", 1)[1])
    assert response.status_code == 200
    assert "Liever 2 termijnen." in response.content.decode()


def test_an_approved_schedule_is_in_the_debtors_email(
    organization, debtor, invoices, django_capture_on_commit_callbacks
) -> None:
    limits(organization, auto=True)
    debtor.language = "en"
    debtor.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        propose(organization, debtor, invoices, term_count=3)
    [to_debtor] = [message for message in mail.outbox if message.to == ["boekhouding@jansen.test"]]
    assert "has been approved" in to_debtor.subject  # in the debtor's language
    assert "Term 3: €50.01 before 10 February 2027" in to_debtor.body


def test_a_debtor_without_an_email_address_gets_no_email(
    organization, invoices, debtor, django_capture_on_commit_callbacks
) -> None:
    debtor.emails = []
    debtor.save(update_fields=["emails"])
    arrangement = propose(organization, debtor, invoices)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        arrangement_approve(arrangement=arrangement, user=MembershipFactory(organization=organization).user)
    assert mail.outbox == []


def test_withdrawing_sends_the_debtor_nothing(
    organization, debtor, invoices, django_capture_on_commit_callbacks
) -> None:
    arrangement = propose(organization, debtor, invoices)
    with django_capture_on_commit_callbacks(execute=True):
        arrangement_withdraw(arrangement=arrangement)
    assert mail.outbox == []


def test_a_repeated_email_task_sends_nothing_twice(organization, debtor, invoices) -> None:
    MembershipFactory(organization=organization)
    limits(organization, auto=True)
    arrangement = propose(organization, debtor, invoices)
    for _attempt in range(2):
        arrangement_proposed_notify_task(arrangement.pk)
        arrangement_decided_notify_task(arrangement.pk)
    assert len(mail.outbox) == 2  # one to the member, one to the debtor


def test_an_inactive_member_gets_no_email(organization, debtor, invoices) -> None:
    inactive = MembershipFactory(organization=organization).user
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    arrangement_proposed_notify_task(propose(organization, debtor, invoices).pk)
    assert mail.outbox == []
