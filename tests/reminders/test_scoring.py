"""Dynamic flows: the pure scoring table, the one-query payment histories and the nightly update."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from invoices.models import Debtor, DebtorKind, InvoiceStatus, PaymentSource
from outstanding.celery import app as celery_app
from outstanding.models import Language
from reminders import tasks
from reminders.models import FlowVariant
from reminders.scoring import PaymentHistory, flow_variant_for, flow_variant_reason_text
from reminders.selectors.flows import debtor_payment_histories
from reminders.services.flows import debtor_flow_variants_update
from tests.factories import TODAY, DebtorFactory, InvoiceFactory, PaymentFactory

STANDARD, FRIENDLY, FIRM, CAREFUL = FlowVariant.STANDARD, FlowVariant.FRIENDLY, FlowVariant.FIRM, FlowVariant.CAREFUL


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


def history(
    since: int,
    paid: int = 0,
    late: int = 0,
    average: str = "0",
    invoices: int | None = None,
    disputed: int = 0,
    at_stake: str = "0.00",
) -> PaymentHistory:
    """A customer whose first invoice was ``since`` days ago."""
    return PaymentHistory(
        invoice_count=paid if invoices is None else invoices,
        first_invoice_date=ago(since),
        paid_count=paid,
        late_count=late,
        average_days_late=Decimal(average),
        disputed_count=disputed,
        open_amount=Decimal(at_stake),
    )


# --- the pure function: every rule and its edges ----------------------------------------------------

# (history, variant, reason); TODAY is Thursday 26 November 2026.
TABLE = [
    pytest.param(PaymentHistory(), CAREFUL, "No invoices yet.", id="no invoices"),
    pytest.param(
        history(since=54, paid=0, invoices=2), CAREFUL, "New customer since 3 October: 2 invoices so far.", id="new"
    ),
    pytest.param(
        history(since=89, paid=5, late=5, average="30", invoices=6),
        CAREFUL,
        "New customer since 29 August: 6 invoices so far.",
        id="new wins over a bad start",
    ),
    pytest.param(
        history(since=89, invoices=1), CAREFUL, "New customer since 29 August: 1 invoice so far.", id="new, singular"
    ),
    pytest.param(
        history(since=400, paid=2, invoices=4),
        CAREFUL,
        "Little to go on: 2 invoices paid since 22 October 2025.",
        id="old but fewer than 3 paid",
    ),
    pytest.param(
        history(since=90, paid=3, late=2, average="10"),
        FIRM,
        "Pays on average 10 days late over 3 invoices.",
        id="90 days and 3 paid: judged; chronic at the edges",
    ),
    pytest.param(
        history(since=800, paid=23, late=20, average="12.4"),
        FIRM,
        "Pays on average 12 days late over 23 invoices.",
        id="chronic",
    ),
    pytest.param(
        history(since=800, paid=4, late=2, average="10.00"),
        FIRM,
        "Pays on average 10 days late over 4 invoices.",
        id="half late",
    ),
    pytest.param(
        history(since=800, paid=100, late=49, average="20"), STANDARD, "Paid 49 of 100 invoices late.", id="49 % late"
    ),
    pytest.param(
        history(since=800, paid=3, late=3, average="9.99"),
        STANDARD,
        "Paid 3 of 3 invoices late.",
        id="late, not 10 days",
    ),
    pytest.param(
        history(since=365, paid=10, late=1, average="1"),
        FRIENDLY,
        "Paid 9 of 10 invoices on time over 1 year.",
        id="a year and 90 % on time",
    ),
    pytest.param(
        history(since=4 * 365 + 1, paid=30, average="0.5"),
        FRIENDLY,
        "Always paid on time over 4 years.",
        id="always on time",
    ),
    pytest.param(
        history(since=364, paid=10),
        STANDARD,
        "Paid all 10 invoices on time; a customer for less than a year.",
        id="punctual, not yet a year",
    ),
    pytest.param(
        history(since=800, paid=100, late=11, average="2"), STANDARD, "Paid 11 of 100 invoices late.", id="89 % on time"
    ),
    pytest.param(
        history(since=800, paid=10, disputed=1),
        STANDARD,
        "Pays on time, but 1 invoice is disputed.",
        id="punctual but disputing",
    ),
    pytest.param(
        history(since=800, paid=10, disputed=2, at_stake="50000.00"),
        STANDARD,
        "Pays on time, but 2 invoices are disputed.",
        id="a dispute is named before the amount",
    ),
    pytest.param(
        history(since=800, paid=10, at_stake="10000.01"),
        STANDARD,
        "Pays on time, but €10,000.01 is at stake.",
        id="punctual with a lot at stake",
    ),
    pytest.param(
        history(since=800, paid=10, at_stake="10000.00"),
        FRIENDLY,
        "Always paid on time over 2 years.",
        id="exactly the limit at stake",
    ),
]


@pytest.mark.parametrize(("payment_history", "variant", "reason"), TABLE)
def test_the_flow_variant_and_its_reason(payment_history: PaymentHistory, variant: str, reason: str) -> None:
    chosen, why = flow_variant_for(payment_history, today=TODAY)
    assert (chosen, flow_variant_reason_text(why, today=TODAY)) == (variant, reason)


def test_the_reason_is_in_the_active_language() -> None:
    _variant, reason = flow_variant_for(history(since=54, invoices=2), today=TODAY)
    with translation.override("nl"):
        assert "3 oktober" in flow_variant_reason_text(reason, today=TODAY)


def test_shares_of_a_history_without_paid_invoices_are_zero() -> None:
    empty = PaymentHistory()
    assert (empty.late_share, empty.on_time_share, empty.customer_days(TODAY)) == (0, 0, 0)


# --- the selector: one query for every debtor -------------------------------------------------------


def paid_invoice(debtor: Debtor, due: dt.date, *payments: tuple[dt.date, str], source: str = PaymentSource.MANUAL):
    invoice = InvoiceFactory(
        debtor=debtor, issue_date=due - dt.timedelta(days=30), due_date=due, status=InvoiceStatus.PAID
    )
    for date, amount in payments:
        PaymentFactory(invoice=invoice, date=date, amount=Decimal(amount), source=source)
    return invoice


@pytest.fixture
def seeded(org_a, org_b) -> dict[str, Debtor]:
    """A debtor with a known history, one without invoices, and another organization's debtor."""
    organization = org_a.organization
    acme = DebtorFactory(organization=organization, name="Acme")
    due = ago(100)
    paid_invoice(acme, due, (due - dt.timedelta(days=5), "60.00"), (due + dt.timedelta(days=4), "61.00"))  # 4 late
    paid_invoice(acme, due, (due + dt.timedelta(days=10), "121.00"))  # 10 days late
    paid_invoice(acme, due, (due - dt.timedelta(days=3), "121.00"))  # early: 0, not -3
    paid_invoice(acme, due, (due + dt.timedelta(days=2), "121.00"))  # 2 days: within the grace, not late
    paid_invoice(acme, due, (due + dt.timedelta(days=50), "121.00"), source=PaymentSource.CREDIT_NOTE)  # no payment
    InvoiceFactory(debtor=acme, issue_date=ago(700), due_date=ago(670), status=InvoiceStatus.PAID)  # paid, no date
    InvoiceFactory(debtor=acme, amount=Decimal("100.00"), due_date=ago(5), issue_date=ago(35))
    InvoiceFactory(debtor=acme, amount=Decimal("200.50"), is_paused=True, pause_reason="Disputed by phone")
    InvoiceFactory(debtor=acme, amount=Decimal("10.00"), is_paused=True, pause_reason="Asked", paused_until=ago(1))
    InvoiceFactory(debtor=acme, amount=Decimal("77.00"), currency="USD")
    InvoiceFactory(debtor=acme, status=InvoiceStatus.CREDITED)
    quiet = DebtorFactory(organization=organization, name="Quiet")
    foreign = DebtorFactory(organization=org_b.organization)
    paid_invoice(foreign, ago(10), (ago(5), "121.00"))
    return {"acme": acme, "quiet": quiet, "foreign": foreign}


@pytest.mark.django_db
def test_the_history_is_computed_exactly(org_a, seeded) -> None:
    histories = debtor_payment_histories(organization=org_a.organization, today=TODAY)
    assert histories[seeded["acme"].pk] == PaymentHistory(
        invoice_count=11,
        first_invoice_date=ago(700),
        paid_count=4,  # the credited-only and the undated paid invoice do not count
        late_count=2,  # 4 and 10 days; 2 days is within the grace
        average_days_late=Decimal("4.00"),  # (4 + 10 + 0 + 2) / 4
        days_late_spread=Decimal("3.74"),  # sqrt(((4-4)² + (10-4)² + (0-4)² + (2-4)²) / 4) = sqrt(14)
        disputed_count=1,  # the pause that ended yesterday no longer counts
        open_amount=Decimal("310.50"),  # 100.00 + 200.50 + 10.00; dollars are not added to euros
    )


@pytest.mark.django_db
def test_debtors_without_invoices_and_other_organizations_are_absent(org_a, seeded) -> None:
    histories = debtor_payment_histories(organization=org_a.organization, today=TODAY)
    assert set(histories) == {seeded["acme"].pk}


@pytest.mark.django_db
def test_the_histories_take_one_query(org_a, seeded, django_assert_num_queries) -> None:
    for _ in range(20):
        paid_invoice(DebtorFactory(organization=org_a.organization), ago(50), (ago(40), "121.00"))
    with django_assert_num_queries(1):
        histories = debtor_payment_histories(organization=org_a.organization, today=TODAY)
    assert len(histories) == 21


# --- the service: the nightly update ----------------------------------------------------------------


def variant_of(debtor: Debtor) -> tuple[str, str]:
    debtor.refresh_from_db()
    return debtor.flow_variant, flow_variant_reason_text(debtor.flow_variant_reason, today=TODAY)


def updates_in(context: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in context.captured_queries if query["sql"].startswith("UPDATE")]


@pytest.mark.django_db
def test_the_update_stores_each_debtors_variant_and_reason(org_a, seeded) -> None:
    org_a.organization.default_language = Language.ENGLISH
    assert debtor_flow_variants_update(organization=org_a.organization, today=TODAY) == 2
    assert variant_of(seeded["acme"]) == (STANDARD, "Paid 2 of 4 invoices late.")
    assert variant_of(seeded["quiet"]) == (CAREFUL, "No invoices yet.")
    assert variant_of(seeded["foreign"]) == (STANDARD, "")  # another organization: untouched


@pytest.mark.django_db
def test_the_reason_is_stored_without_a_language_and_read_in_the_readers(org_a) -> None:
    org_a.organization.default_language = Language.DUTCH
    debtor = DebtorFactory(organization=org_a.organization)
    InvoiceFactory(debtor=debtor, issue_date=dt.date(2026, 10, 3), due_date=dt.date(2026, 11, 2))
    debtor_flow_variants_update(organization=org_a.organization, today=TODAY)
    assert variant_of(debtor)[1] == "New customer since 3 October: 1 invoice so far."
    with translation.override("nl"):
        assert "3 oktober" in flow_variant_reason_text(debtor.flow_variant_reason, today=TODAY)


@pytest.mark.django_db
def test_a_second_run_changes_nothing_and_writes_nothing(org_a, seeded) -> None:
    debtor_flow_variants_update(organization=org_a.organization, today=TODAY)
    with CaptureQueriesContext(connection) as context:
        assert debtor_flow_variants_update(organization=org_a.organization, today=TODAY) == 0
    assert updates_in(context) == []


@pytest.mark.django_db
def test_only_the_debtors_whose_history_changed_are_written(org_a, seeded) -> None:
    organization = org_a.organization
    organization.default_language = Language.ENGLISH
    debtor_flow_variants_update(organization=organization, today=TODAY)
    for _ in range(3):  # three very late payments: Acme becomes a chronic late payer
        paid_invoice(seeded["acme"], ago(90), (ago(30), "121.00"))
    with CaptureQueriesContext(connection) as context:
        assert debtor_flow_variants_update(organization=organization, today=TODAY) == 1
    [update] = updates_in(context)
    assert update.endswith(f'AND "invoices_debtor"."id" IN ({seeded["acme"].pk}))')
    assert variant_of(seeded["acme"]) == (FIRM, "Pays on average 28 days late over 7 invoices.")
    assert variant_of(seeded["quiet"]) == (CAREFUL, "No invoices yet.")


@pytest.mark.django_db
def test_the_update_takes_as_many_queries_for_60_debtors_as_for_3(org_a, org_b) -> None:
    def queries(organization, debtors: int) -> int:
        for _ in range(debtors):
            debtor = DebtorFactory(organization=organization, kind=DebtorKind.CONSUMER)
            paid_invoice(debtor, ago(50), (ago(40), "121.00"))
        with CaptureQueriesContext(connection) as context:
            assert debtor_flow_variants_update(organization=organization, today=TODAY) == debtors
        return len(context)

    small, large = queries(org_b.organization, 3), queries(org_a.organization, 60)
    assert small == large
    assert large <= 5  # histories, debtors, one UPDATE, and the transaction's savepoint


@pytest.mark.django_db
def test_an_organization_without_debtors_updates_nothing(org_a) -> None:
    assert debtor_flow_variants_update(organization=org_a.organization, today=TODAY) == 0


# --- the nightly task -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_task_scores_one_organizations_debtors(org_a) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    assert tasks.flow_variants_update_organization(org_a.organization.pk) == 1
    assert variant_of(debtor)[0] == CAREFUL


@pytest.mark.django_db
def test_the_nightly_task_scores_every_organization(org_a, org_b) -> None:
    debtors = [DebtorFactory(organization=org_a.organization), DebtorFactory(organization=org_b.organization)]
    assert tasks.flow_variants_update_all() == 2  # one task per organization (eager in tests)
    assert [variant_of(debtor)[0] for debtor in debtors] == [CAREFUL, CAREFUL]


def test_the_scoring_runs_every_night_before_the_dunning_run() -> None:
    schedule = celery_app.conf.beat_schedule
    scoring, dunning = schedule["flow-variants-daily"], schedule["dunning-daily"]
    assert scoring["task"] == "reminders.tasks.flow_variants_update_all"
    assert (min(scoring["schedule"].hour), min(scoring["schedule"].minute)) == (5, 30)
    assert min(scoring["schedule"].hour) < min(dunning["schedule"].hour)
