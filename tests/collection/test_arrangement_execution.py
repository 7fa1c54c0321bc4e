"""Approved arrangements run on their own: terms paid from the invoices' payments, reminders before a
term (once), breach past the grace period (the flow resumes), completion, and the daily task."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import translation

from collection.models import Arrangement, ArrangementInvoice, ArrangementStatus, ArrangementTerm
from collection.selectors.arrangements import arrangement_progress, arrangement_terms_paid
from collection.services import arrangement_approve, arrangement_hold_reason, arrangement_propose
from collection.services.arrangement_execution import (
    GRACE_DAYS,
    REMINDER_DAYS_BEFORE,
    arrangement_term_payment_start,
    arrangements_run,
)
from collection.services.arrangements import arrangement_make
from collection.tasks import arrangements_run_all, arrangements_run_organization
from invoices.models import Invoice, InvoiceStatus, PaymentSource
from invoices.services import credit_note_apply, invoice_pause, invoice_write_off, payment_record
from outstanding.celery import app
from outstanding.models import Role
from outstanding.services import organization_defaults_install
from reminders import engine
from reminders.models import DunningSettings
from tests.collection.arrangement_builders import limits, open_invoice
from tests.factories import TODAY, DebtorFactory, MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture
def organization():
    organization = OrganizationFactory(name="Alpha Groothandel B.V.")
    limits(organization, max_terms=6, minimum="25.00")
    MembershipFactory(organization=organization, role=Role.OWNER, user__email="eigenaar@alpha.test")
    return organization


@pytest.fixture
def debtor(organization):
    return DebtorFactory(organization=organization, name="Bakkerij Jansen", emails=["boekhouding@jansen.test"])


@pytest.fixture
def invoices(debtor) -> list[Invoice]:
    return [open_invoice(debtor, "F-1", "100.00"), open_invoice(debtor, "F-2", "50.01")]


@pytest.fixture
def member(organization):
    return MembershipFactory(organization=organization, role=Role.MEMBER).user


@pytest.fixture
def approved(organization, debtor, invoices, member, django_capture_on_commit_callbacks) -> Arrangement:
    """150.01 in three terms (50.00, 50.00, 50.01) from TODAY + 14 days, approved; the e-mails sent."""
    with django_capture_on_commit_callbacks(execute=True):
        arrangement = arrangement_propose(
            organization=organization, debtor=debtor, invoices=invoices, term_count=3, debtor_note="", today=TODAY
        )
        arrangement_approve(arrangement=arrangement, user=member)
    mail.outbox.clear()
    arrangement.refresh_from_db()
    return arrangement


def terms(arrangement: Arrangement) -> list[ArrangementTerm]:
    return list(ArrangementTerm.objects.for_organization(arrangement.organization).filter(arrangement=arrangement))


def run(organization, today: dt.date, capture):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return arrangements_run(organization=organization, today=today)


def fresh(row):  # type: ignore[no-untyped-def]
    return type(row).objects.for_organization(row.organization).get(pk=row.pk)


def pay(invoice: Invoice, amount: str, reference: str, source: str = PaymentSource.BANK) -> None:
    payment_record(
        organization=invoice.organization,
        invoice=fresh(invoice),
        amount=D(amount),
        date=TODAY,
        source=source,
        reference=reference,
    )


# --- the pure rule ------------------------------------------------------------------------------------------


def test_money_fills_the_oldest_unpaid_term_first() -> None:
    day1, day2 = dt.date(2026, 12, 1), dt.date(2026, 12, 20)
    amounts = [D("50.00"), D("50.00"), D("50.01")]

    assert arrangement_terms_paid(amounts, []) == [(D("0"), None)] * 3
    assert arrangement_terms_paid(amounts, [(day1, D("20.00"))]) == [(D("20.00"), None), (D("0"), None), (D("0"), None)]
    assert arrangement_terms_paid(amounts, [(day1, D("30.00")), (day2, D("45.00"))]) == [
        (D("50.00"), day2),
        (D("25.00"), None),
        (D("0"), None),
    ]
    assert arrangement_terms_paid(amounts, [(day1, D("200.00"))]) == [
        (D("50.00"), day1),
        (D("50.00"), day1),
        (D("50.01"), day1),
    ]


def test_a_refund_reopens_the_newest_paid_term() -> None:
    day1, day2 = dt.date(2026, 12, 1), dt.date(2026, 12, 20)
    paid = arrangement_terms_paid([D("50.00"), D("50.00")], [(day1, D("100.00")), (day2, D("-10.00"))])
    assert paid == [(D("50.00"), day1), (D("40.00"), None)]


# --- progress from the invoices' payments -------------------------------------------------------------------


def test_payments_from_any_source_count_toward_the_terms_and_earlier_ones_do_not(
    organization, debtor, approved, invoices
) -> None:
    other = open_invoice(debtor, "F-9", "10.00")
    pay(other, "10.00", "not-in-the-arrangement")
    pay(invoices[0], "30.00", "bank-1")
    pay(invoices[1], "25.00", "manual-1", source=PaymentSource.MANUAL)

    progress = arrangement_progress(organization=organization, arrangements=[approved])[approved.pk]

    assert [(term.paid, term.is_paid) for term in progress.terms] == [
        (D("50.00"), True),
        (D("5.00"), False),
        (D("0.00"), False),
    ]
    assert progress.paid == D("55.00") and progress.invoices_open == D("95.01")


def test_a_payment_recorded_before_the_arrangement_was_made_does_not_count(organization, debtor, member) -> None:
    invoice = open_invoice(debtor, "F-5", "100.00")
    pay(invoice, "40.00", "before")
    arrangement = arrangement_make(
        organization=organization,
        debtor=debtor,
        invoices=[fresh(invoice)],
        term_count=2,
        first_due_date=TODAY,
        user=member,
        today=TODAY,
    )
    assert arrangement.total == D("60.00")
    progress = arrangement_progress(organization=organization, arrangements=[arrangement])[arrangement.pk]
    assert progress.paid == D("0.00")


# --- reminders -----------------------------------------------------------------------------------------------


def test_a_reminder_goes_out_days_before_a_term_once_however_often_the_run_runs(
    organization, approved, django_capture_on_commit_callbacks
) -> None:
    organization.mollie_api_key = "test_fakemolliekey00000000000000000"  # online payment on: a pay link
    organization.save(update_fields=["mollie_api_key"])
    first = terms(approved)[0]
    reminder_day = first.due_date - dt.timedelta(days=REMINDER_DAYS_BEFORE)

    assert run(organization, reminder_day - dt.timedelta(days=1), django_capture_on_commit_callbacks).reminders == 0
    assert mail.outbox == []
    assert run(organization, reminder_day, django_capture_on_commit_callbacks).reminders == 1
    run(organization, reminder_day, django_capture_on_commit_callbacks)  # again: the same day, a retried beat
    run(organization, reminder_day + dt.timedelta(days=1), django_capture_on_commit_callbacks)

    [message] = mail.outbox
    assert message.to == ["boekhouding@jansen.test"]
    assert "50,00" in message.body or "50.00" in message.body
    assert re.search(rf"/p/[\w-]+/arrangement/{approved.public_id}/terms/1/", message.body)
    assert fresh(first).reminder_sent_at is not None
    assert fresh(terms(approved)[1]).reminder_sent_at is None


def test_the_reminder_task_claims_before_sending(organization, approved) -> None:
    from collection.tasks import arrangement_term_reminder_task

    first = terms(approved)[0]
    arrangement_term_reminder_task(first.pk)
    arrangement_term_reminder_task(first.pk)

    assert len(mail.outbox) == 1


def test_a_paid_term_gets_no_reminder(organization, approved, invoices, django_capture_on_commit_callbacks) -> None:
    pay(invoices[0], "50.00", "bank-1")
    first = terms(approved)[0]

    run(organization, first.due_date - dt.timedelta(days=REMINDER_DAYS_BEFORE), django_capture_on_commit_callbacks)

    assert mail.outbox == []
    assert fresh(first).paid_amount == D("50.00") and fresh(first).paid_on == TODAY


# --- breach --------------------------------------------------------------------------------------------------


@pytest.fixture
def live(organization):
    """The organization with its default flows: the engine plans the overdue invoices."""
    organization_defaults_install(organization)
    DunningSettings.objects.for_organization(organization).update(dynamic_flows=False, backlog_start="by_age")
    return organization


def planned_debtors(organization) -> set[int]:  # type: ignore[no-untyped-def]
    return {message.debtor_id for message in engine.plan(organization, TODAY, dry_run=True).messages}


def test_a_term_unpaid_past_the_grace_period_breaks_it_and_the_flow_resumes(
    live, debtor, approved, invoices, django_capture_on_commit_callbacks
) -> None:
    assert debtor.pk not in planned_debtors(live)
    due = terms(approved)[0].due_date

    run(live, due + dt.timedelta(days=GRACE_DAYS), django_capture_on_commit_callbacks)  # the last day of grace
    assert fresh(approved).status == ArrangementStatus.APPROVED
    result = run(live, due + dt.timedelta(days=GRACE_DAYS + 1), django_capture_on_commit_callbacks)

    approved.refresh_from_db()
    assert result.broken == 1
    assert approved.status == ArrangementStatus.BROKEN and approved.broken_term_number == 1
    assert approved.ended_on == due + dt.timedelta(days=GRACE_DAYS + 1)
    assert not any(fresh(invoice).is_paused for invoice in invoices)
    assert not ArrangementInvoice.objects.for_organization(live).filter(arrangement=approved, holds=True).exists()
    assert debtor.pk in planned_debtors(live)  # the engine plans them again
    recipients = sorted(address for message in mail.outbox for address in message.to)
    assert "boekhouding@jansen.test" in recipients and "eigenaar@alpha.test" in recipients
    with translation.override("en"):
        assert not approved.holds_invoices


def test_the_breach_e_mails_go_once(organization, approved, django_capture_on_commit_callbacks) -> None:
    from collection.tasks import arrangement_broken_notify_task

    late = terms(approved)[0].due_date + dt.timedelta(days=GRACE_DAYS + 1)
    run(organization, late, django_capture_on_commit_callbacks)
    sent = len(mail.outbox)
    arrangement_broken_notify_task(approved.pk)
    run(organization, late + dt.timedelta(days=1), django_capture_on_commit_callbacks)

    assert sent >= 2 and len(mail.outbox) == sent


def test_a_dispute_filed_during_the_arrangement_keeps_its_pause_after_a_breach(
    organization, approved, invoices, django_capture_on_commit_callbacks
) -> None:
    invoice_pause(invoice=fresh(invoices[0]), reason="Betwist: nooit ontvangen")

    run(
        organization,
        terms(approved)[0].due_date + dt.timedelta(days=GRACE_DAYS + 1),
        django_capture_on_commit_callbacks,
    )

    assert fresh(invoices[0]).pause_reason == "Betwist: nooit ontvangen"
    assert not fresh(invoices[1]).is_paused


def test_a_partial_payment_pays_the_first_term_partly_and_no_breach_within_grace(
    organization, approved, invoices, django_capture_on_commit_callbacks
) -> None:
    pay(invoices[0], "20.00", "bank-1")
    first = terms(approved)[0]

    run(organization, first.due_date + dt.timedelta(days=GRACE_DAYS), django_capture_on_commit_callbacks)

    assert fresh(approved).status == ArrangementStatus.APPROVED
    assert fresh(first).paid_amount == D("20.00") and fresh(first).paid_on is None
    assert all(fresh(invoice).is_paused for invoice in invoices)
    # Still short after the grace period: broken, whatever was paid.
    run(organization, first.due_date + dt.timedelta(days=GRACE_DAYS + 1), django_capture_on_commit_callbacks)
    assert fresh(approved).status == ArrangementStatus.BROKEN


def test_a_term_paid_late_but_within_grace_does_not_break_it(
    organization, approved, invoices, django_capture_on_commit_callbacks
) -> None:
    first = terms(approved)[0]
    pay(invoices[0], "50.00", "bank-1")

    run(organization, first.due_date + dt.timedelta(days=GRACE_DAYS + 1), django_capture_on_commit_callbacks)

    assert fresh(approved).status == ArrangementStatus.APPROVED


# --- completion ----------------------------------------------------------------------------------------------


def test_full_payment_completes_it_and_the_invoices_leave_the_hold(
    organization, approved, invoices, django_capture_on_commit_callbacks
) -> None:
    pay(invoices[0], "100.00", "bank-1")
    pay(invoices[1], "50.01", "bank-2")

    result = run(organization, TODAY, django_capture_on_commit_callbacks)

    approved.refresh_from_db()
    assert result.completed == 1 and approved.status == ArrangementStatus.COMPLETED and approved.ended_on == TODAY
    assert [term.paid_amount for term in terms(approved)] == [D("50.00"), D("50.00"), D("50.01")]
    assert all(term.paid_on == TODAY for term in terms(approved))
    for invoice in invoices:
        row = fresh(invoice)
        assert row.status == InvoiceStatus.PAID and not row.is_paused
    assert not ArrangementInvoice.objects.for_organization(organization).filter(holds=True).exists()
    # Ended: later runs leave it alone.
    assert run(organization, TODAY + dt.timedelta(days=200), django_capture_on_commit_callbacks).arrangements == 0


def test_nothing_left_open_on_the_invoices_completes_it(
    organization, approved, invoices, django_capture_on_commit_callbacks
) -> None:
    credit_note_apply(
        organization=organization, invoice=fresh(invoices[0]), number="C-1", amount=D("100.00"), date=TODAY
    )
    invoice_write_off(organization=organization, invoice=fresh(invoices[1]))

    run(organization, TODAY, django_capture_on_commit_callbacks)

    assert fresh(approved).status == ArrangementStatus.COMPLETED
    assert fresh(terms(approved)[2]).paid_amount == D("0.00")  # completed without the last terms paid


# --- creditor-made -------------------------------------------------------------------------------------------


def test_a_creditor_made_arrangement_is_approved_at_once_and_mails_the_schedule(
    organization, debtor, invoices, member, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        arrangement = arrangement_make(
            organization=organization,
            debtor=debtor,
            invoices=invoices,
            term_count=2,
            first_due_date=TODAY + dt.timedelta(days=3),
            user=member,
            today=TODAY,
        )

    assert arrangement.status == ArrangementStatus.APPROVED and arrangement.decided_by == member
    assert arrangement.source == "creditor" and not arrangement.decided_automatically
    assert [(term.due_date, term.amount) for term in terms(arrangement)] == [
        (TODAY + dt.timedelta(days=3), D("75.00")),
        (dt.date(2026, 12, 29), D("75.01")),
    ]
    assert {fresh(invoice).pause_reason for invoice in invoices} == {
        arrangement_hold_reason(organization, approved=True)
    }
    [message] = mail.outbox  # the schedule to the debtor; the members made it themselves
    assert message.to == ["boekhouding@jansen.test"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"term_count": 0}, "term_count"),
        ({"term_count": 37}, "term_count"),
        ({"first_due_date": TODAY - dt.timedelta(days=1)}, "first_due_date"),
        ({"term_count": 20000}, "term_count"),
    ],
)
def test_a_creditor_made_arrangement_refuses_bad_input_and_stores_nothing(
    organization, debtor, invoices, member, fields, field
) -> None:
    data = {"term_count": 2, "first_due_date": TODAY, **fields}
    with pytest.raises(ValidationError) as refused:
        arrangement_make(organization=organization, debtor=debtor, invoices=invoices, user=member, today=TODAY, **data)
    assert field in refused.value.message_dict
    assert not Arrangement.objects.for_organization(organization).exists()
    assert not any(fresh(invoice).is_paused for invoice in invoices)


def test_a_creditor_made_arrangement_refuses_invoices_already_held(
    organization, debtor, approved, invoices, member
) -> None:
    with pytest.raises(ValidationError):
        arrangement_make(
            organization=organization,
            debtor=debtor,
            invoices=invoices,
            term_count=2,
            first_due_date=TODAY,
            user=member,
            today=TODAY,
        )
    assert Arrangement.objects.for_organization(organization).count() == 1


# --- paying a term (the service; the portal pages are tests/portal/test_arrangement_pay.py) -------------------


def test_a_paid_term_cannot_be_started_again_and_nothing_reaches_mollie(organization, approved, invoices) -> None:
    pay(invoices[0], "50.00", "bank-1")
    progress = arrangement_progress(organization=organization, arrangements=[approved])[approved.pk]

    with translation.override("en"), pytest.raises(ValidationError, match="has been paid"):
        arrangement_term_payment_start(arrangement=approved, progress=progress, term_number=1, return_path="/p/x/")


# --- the daily task -------------------------------------------------------------------------------------------


def test_the_daily_task_runs_every_organization_and_is_on_the_beat_schedule(
    organization, approved, invoices, django_capture_on_commit_callbacks
) -> None:
    pay(invoices[0], "100.00", "bank-1")
    pay(invoices[1], "50.01", "bank-2")
    other = OrganizationFactory()

    with django_capture_on_commit_callbacks(execute=True):
        queued = arrangements_run_all()

    assert queued >= 2
    assert fresh(approved).status == ArrangementStatus.COMPLETED
    assert arrangements_run_organization(other.pk) == 0
    entry = app.conf.beat_schedule["arrangements-daily"]
    assert entry["task"] == "collection.tasks.arrangements_run_all"


# --- within a dossier ------------------------------------------------------------------------------------------


def test_a_broken_arrangement_in_a_dossier_hands_the_invoices_back_to_the_dossier(
    organization, debtor, invoices, member, django_capture_on_commit_callbacks
) -> None:
    from collection.models import DossierOrigin
    from collection.services import dossier_open
    from collection.services.dossiers import dossier_hold_reason

    organization.dossier_pre_collection = False
    organization.save(update_fields=["dossier_pre_collection"])
    dossier = dossier_open(
        organization=organization, debtor=debtor, invoices=invoices, today=TODAY, origin=DossierOrigin.MANUAL
    )
    arrangement = arrangement_make(
        organization=organization,
        debtor=debtor,
        invoices=[fresh(invoice) for invoice in invoices],
        term_count=2,
        first_due_date=TODAY,
        user=member,
        today=TODAY,
        dossier=dossier,
    )
    late = TODAY + dt.timedelta(days=GRACE_DAYS + 1)

    run(organization, late, django_capture_on_commit_callbacks)

    assert fresh(arrangement).status == ArrangementStatus.BROKEN
    assert {fresh(invoice).pause_reason for invoice in invoices} == {dossier_hold_reason(organization)}
    dossier.refresh_from_db()
    assert not dossier.is_paused and dossier.next_action_on == late
