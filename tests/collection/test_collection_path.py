"""The whole path with a fixed clock: invoice → flow → 14-day letter → dossier → arrangement → broken
arrangement → court fee → bailiff export, each day run as beat runs it (dunning, letters posted,
arrangements, dossiers), and the dossier's record intact at the end."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.core.files.storage import default_storage
from django.core.management import call_command

from collection.models import (
    Arrangement,
    ArrangementStatus,
    Dossier,
    DossierEvent,
    DossierEventKind,
    DossierOrigin,
    DossierStage,
)
from collection.selectors.statements import dossier_statement_on
from collection.services import dossier_court_fee_record, dossier_stage_set
from collection.services.arrangement_execution import arrangements_run
from collection.services.arrangements import arrangement_make
from collection.services.dossier_daily import dossiers_daily_run
from collection.services.dossier_export import dossier_export_create
from collection.services.dossier_letters import DEMAND, PRE_COLLECTION_LETTER
from invoices.models import DebtorKind, Invoice
from invoices.services import payment_record
from outstanding.services import organization_defaults_install
from reminders.models import Reminder, ReminderStatus, StepKind
from reminders.services.activation import reminders_activate
from reminders.services.dunning import dunning_run
from reminders.services.letters import letter_batch_create, letter_batch_posted
from tests.factories import DebtorFactory, InvoiceFactory

D = dt.date
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@contextmanager
def _clock(day: dt.date) -> Iterator[None]:
    with time_machine.travel(dt.datetime.combine(day, dt.time(9, 0), tzinfo=AMSTERDAM), tick=False):
        yield


def _run_day(organization, day: dt.date, capture) -> None:  # type: ignore[no-untyped-def]
    """One morning as beat runs it, with everything sent after commit sent before the next day."""
    with _clock(day), capture(execute=True):
        arrangements_run(organization=organization, today=day)
        dunning_run(organization=organization, today=day, send_now=True)
        batch = letter_batch_create(organization=organization, date=day)
        if batch is not None:
            letter_batch_posted(batch=batch, user=None, posted_date=day, today=day)
        dossiers_daily_run(organization=organization, today=day)


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


@pytest.fixture
def organization(org_a):  # type: ignore[no-untyped-def]
    organization = org_a.organization
    organization.dossier_auto_open = True
    organization.dossier_pre_collection = True
    organization.pre_collection_days = 14
    organization.save()
    organization_defaults_install(organization)
    with _clock(D(2026, 1, 5)):
        reminders_activate(organization=organization, user=org_a.owner, today=D(2026, 1, 5))
    return organization


def test_from_invoice_to_the_bailiff(organization, org_a, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    consumer = DebtorFactory(
        organization=organization, kind=DebtorKind.CONSUMER, name="J. de Vries", emails=["j.devries@example.test"]
    )
    invoice = InvoiceFactory(
        debtor=consumer, number="2026-0042", amount=Decimal("600.00"), vat_amount=Decimal("104.13"),
        issue_date=D(2026, 1, 5), due_date=D(2026, 2, 4),
    )  # fmt: skip

    # 1. The flow runs until its hand-over step; the dossier opens by itself the same morning.
    for day in _days(D(2026, 2, 1), D(2026, 4, 30)):
        _run_day(organization, day, django_capture_on_commit_callbacks)
        if Dossier.objects.for_organization(organization).exists():
            break
    dossier = Dossier.objects.for_organization(organization).get()
    sent = Reminder.objects.for_organization(organization).filter(debtor=consumer, status=ReminderStatus.SENT)
    letter = sent.get(kind=StepKind.FOURTEEN_DAY_LETTER, channel="letter")
    hand_over = sent.get(kind=StepKind.HAND_OVER)
    assert dossier.origin == DossierOrigin.HAND_OVER and dossier.opened_on == hand_over.sent_date == day
    assert dossier.stage == DossierStage.PRE_COLLECTION
    # the later of the letter's and its e-mail copy's terms, and both had passed before the hand-over
    assert dossier.fourteen_day_term_ends_on >= letter.term_end_date
    assert dossier.fourteen_day_term_ends_on < dossier.opened_on
    assert Invoice.objects.for_organization(organization).get(pk=invoice.pk).is_paused

    # 2. The free pre-collection letter goes out at once; after its term the costs are added.
    for day in _days(dossier.opened_on + dt.timedelta(days=1), dossier.opened_on + dt.timedelta(days=16)):
        _run_day(organization, day, django_capture_on_commit_callbacks)
    dossier.refresh_from_db()
    assert dossier.stage == DossierStage.AMICABLE
    # € 600: 15 % = € 90, never more than the 14-day letter stated; the creditor deducts VAT: none on costs
    assert dossier.costs == Decimal("90.00") == min(letter.collection_costs, Decimal("90.00"))
    assert dossier.costs_vat == Decimal("0.00")
    kinds = list(
        DossierEvent.objects.for_organization(organization).filter(dossier=dossier).values_list("kind", "data")
    )
    steps = [data.get("step") for kind, data in kinds if kind == DossierEventKind.MESSAGE_SENT]
    assert steps[0] == PRE_COLLECTION_LETTER and DEMAND in steps
    assert any("j.devries@example.test" in message.to for message in mail.outbox)

    # 3. An arrangement within the dossier: three terms over the whole claim; the first is paid.
    made_on = day + dt.timedelta(days=1)
    with _clock(made_on), django_capture_on_commit_callbacks(execute=True):
        arrangement = arrangement_make(
            organization=organization, debtor=consumer, invoices=[invoice], term_count=3,
            first_due_date=made_on + dt.timedelta(days=14), user=org_a.owner, today=made_on, dossier=dossier,
        )  # fmt: skip
    claim = dossier_statement_on(organization=organization, dossier=dossier, on=made_on).statement.outstanding
    terms = list(arrangement.terms.order_by("number"))
    assert arrangement.total == claim == sum(term.amount for term in terms)
    dossier.refresh_from_db()
    assert dossier.is_paused  # no letters while the arrangement runs
    with _clock(terms[0].due_date):
        payment_record(
            organization=organization, invoice=invoice, amount=terms[0].amount, date=terms[0].due_date,
            reference="term-1",
        )  # fmt: skip

    # 4. The second term is not paid: 7 days after its due date the arrangement breaks, the dossier resumes.
    dossier.refresh_from_db()
    events_before = dossier.event_count
    for day in _days(made_on + dt.timedelta(days=1), terms[1].due_date + dt.timedelta(days=8)):
        _run_day(organization, day, django_capture_on_commit_callbacks)
    arrangement = Arrangement.objects.for_organization(organization).get(pk=arrangement.pk)
    assert arrangement.status == ArrangementStatus.BROKEN and arrangement.broken_term_number == 2
    assert arrangement.ended_on == terms[1].due_date + dt.timedelta(days=8)
    dossier.refresh_from_db()
    assert not dossier.is_paused and dossier.is_open
    events = list(DossierEvent.objects.for_organization(organization).filter(dossier=dossier).order_by("sequence"))
    assert [e.kind for e in events].count(DossierEventKind.ARRANGEMENT) == 2  # made, broken
    # the payment of the first term is in the record, imputed costs first (art. 6:44 BW)
    [paid] = [e for e in events if e.kind == DossierEventKind.PAYMENT]
    assert paid.data["to_costs"] == "90.00" and Decimal(paid.data["amount"]) == terms[0].amount
    # while the arrangement ran nothing was sent in the dossier's name
    assert all(
        e.occurred_at.astimezone(AMSTERDAM).date() >= arrangement.ended_on
        for e in events[events_before:] if e.kind == DossierEventKind.MESSAGE_SENT
    )  # fmt: skip

    # 5. To court: the court fee asked and paid, then the export for the bailiff.
    court_day = arrangement.ended_on + dt.timedelta(days=3)
    with _clock(court_day):
        dossier = dossier_stage_set(
            organization=organization, dossier=dossier, stage=DossierStage.JUDICIAL, today=court_day, user=org_a.owner
        )
        assert dossier.court_fee is not None and dossier.court_fee > 0
        dossier = dossier_court_fee_record(organization=organization, dossier=dossier, paid_on=court_day)
        export = dossier_export_create(organization=organization, dossier=dossier, today=court_day, user=org_a.owner)
    with default_storage.open(export.json_name) as file:
        spec = json.load(file)
    statement = dossier_statement_on(organization=organization, dossier=dossier, on=court_day).statement
    text = json.dumps(spec)
    for needle in ("2026-0042", "J. de Vries", str(dossier.fourteen_day_term_ends_on), f"{statement.outstanding:.2f}"):
        assert needle in text, needle
    assert "term-1" in text or f"{terms[0].amount:.2f}" in text

    out = StringIO()
    call_command("dossiers_verify", "--org", str(organization.public_id), stdout=out)
    assert out.getvalue().strip().splitlines()[-1] == "dossiers checked: 1; broken: 0"
