"""The sync service and its tasks, against recorded Moneybird answers and a real database.

The story of the fixtures: a first sync imports an administration; a few days later one invoice is
partly paid, one paid in full and a debtor has a new e-mail address (tests/fixtures/moneybird/stub.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
import responses

from invoices.connector_tasks import connection_sync_task, connectors_sync_all
from invoices.connectors.base import AuthError, RateLimitedError, StorageError, TemporaryError
from invoices.connectors.sync import SyncResult, connection_sync
from invoices.models import (
    AccountingConnection,
    ConnectionStatus,
    Debtor,
    DebtorKind,
    Invoice,
    InvoiceStatus,
    Payment,
    PaymentSource,
)
from outstanding.models import Organization
from tests.conftest import Tenant
from tests.factories import InvoiceFactory, OrganizationFactory
from tests.fixtures.moneybird.stub import (
    ADMINISTRATION,
    CONTACTS_SYNC,
    DE_VRIES,
    DRUKKERIJ,
    INVOICE_IDS,
    INVOICES_SYNC,
    JANSEN,
    TOKEN_URL,
    cursor_of,
    invoice_record,
    load,
    round_1_cursor,
    serve_lists,
    serve_records,
    serve_round_1,
    serve_round_2,
    versions,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 11, 26, 9, 0, tzinfo=dt.UTC)
LATER = NOW + dt.timedelta(hours=1)


@pytest.fixture
def mb() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


class SleepRecorder:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def connection_for(organization: Organization, **fields: Any) -> AccountingConnection:
    values = {"access_token": "access-1", "account_id": ADMINISTRATION, **fields}
    return AccountingConnection.objects.create(organization=organization, provider="moneybird", **values)


@pytest.fixture
def connection(org_a: Tenant) -> AccountingConnection:
    return connection_for(org_a.organization)


def sync(connection: AccountingConnection, now: dt.datetime = NOW, sleep: SleepRecorder | None = None) -> SyncResult:
    return connection_sync(connection=connection, now=now, sleep=sleep or SleepRecorder())


def invoices_of(organization: Organization) -> dict[str, Invoice]:
    return {
        invoice.number: invoice for invoice in Invoice.objects.for_organization(organization).select_related("debtor")
    }


def ledger_of(organization: Organization) -> dict[str, tuple[Decimal, Decimal, str]]:
    return {number: (i.amount, i.open_amount, i.status) for number, i in invoices_of(organization).items()}


def payments_of(organization: Organization) -> set[tuple[str, str, Decimal, str]]:
    return {
        (payment.reference, payment.source, payment.amount, payment.invoice.number)
        for payment in Payment.objects.for_organization(organization).select_related("invoice")
    }


def stored(connection: AccountingConnection) -> AccountingConnection:
    return AccountingConnection.objects.for_organization(connection.organization).get(pk=connection.pk)


def snapshot(organization: Organization) -> dict[str, Any]:
    """Everything a sync may write, to compare before and after."""
    return {
        "invoices": {
            n: (i.amount, i.open_amount, i.status, i.updated_at) for n, i in invoices_of(organization).items()
        },
        "payments": payments_of(organization),
        "debtors": sorted(Debtor.objects.for_organization(organization).values_list("name", "emails", "updated_at")),
    }


ROUND_1_LEDGER = {
    "2026-0101": (Decimal("1210.00"), Decimal("1210.00"), InvoiceStatus.OPEN),
    "2026-0102": (Decimal("249.99"), Decimal("249.99"), InvoiceStatus.OPEN),
    "2026-0103": (Decimal("605.00"), Decimal("405.00"), InvoiceStatus.OPEN),
    "2026-0090": (Decimal("60.50"), Decimal("0.00"), InvoiceStatus.PAID),
    "2026-0095": (Decimal("363.00"), Decimal("363.00"), InvoiceStatus.WRITTEN_OFF),
    "2026-0098": (Decimal("121.00"), Decimal("0.00"), InvoiceStatus.CREDITED),
    "2026-0100": (Decimal("242.00"), Decimal("181.50"), InvoiceStatus.OPEN),
    "2026-0105": (Decimal("96.80"), Decimal("96.80"), InvoiceStatus.OPEN),
}
ROUND_1_PAYMENTS = {
    ("moneybird:433546301000000501", PaymentSource.CONNECTOR, Decimal("200.00"), "2026-0103"),
    ("moneybird:433546301000000502", PaymentSource.CONNECTOR, Decimal("60.50"), "2026-0090"),
    (f"moneybird:credit:{INVOICE_IDS['2026-0104']}", PaymentSource.CREDIT_NOTE, Decimal("60.50"), "2026-0100"),
}


@pytest.fixture
def synced_once(mb: responses.RequestsMock, connection: AccountingConnection) -> AccountingConnection:
    """Organization A after a successful first sync; the mock is emptied for what comes next."""
    serve_round_1(mb)
    assert sync(connection).ok
    mb.reset()
    return stored(connection)


# --- A first sync, a quiet one, a busy one -----------------------------------------------------------


def test_the_first_sync_imports_contacts_and_invoices_with_exact_amounts(
    mb: responses.RequestsMock, connection: AccountingConnection, org_a: Tenant
) -> None:
    serve_round_1(mb)
    result = sync(connection)
    assert (result.ok, result.created, result.debtors_created, result.payments_recorded) == (True, 8, 2, 3)
    organization = org_a.organization
    assert ledger_of(organization) == ROUND_1_LEDGER
    assert payments_of(organization) == ROUND_1_PAYMENTS
    assert invoices_of(organization)["2026-0102"].vat_amount == Decimal("43.39")
    debtors = {d.external_id: d for d in Debtor.objects.for_organization(organization)}
    assert set(debtors) == {f"moneybird:{JANSEN}", f"moneybird:{DE_VRIES}"}  # the printer is a supplier
    jansen = debtors[f"moneybird:{JANSEN}"]
    assert (jansen.name, jansen.kind, jansen.kvk_number, jansen.city) == (
        "Bouwbedrijf Jansen B.V.",
        DebtorKind.BUSINESS,
        "30123456",
        "Utrecht",
    )
    assert debtors[f"moneybird:{DE_VRIES}"].kind == DebtorKind.CONSUMER
    assert invoices_of(organization)["2026-0101"].debtor == jansen
    after = stored(connection)
    assert (after.cursor, after.last_sync_at, after.last_error) == (round_1_cursor(), NOW, "")


def test_a_second_sync_with_no_changes_changes_nothing(
    mb: responses.RequestsMock, synced_once: AccountingConnection, org_a: Tenant
) -> None:
    before = snapshot(org_a.organization)
    serve_lists(
        mb, invoices=load("sales_invoices_synchronization.json"), contacts=load("contacts_synchronization.json")
    )
    result = sync(synced_once, now=LATER)
    assert (result.ok, result.created, result.updated, result.payments_recorded) == (True, 0, 0, 0)
    assert snapshot(org_a.organization) == before
    assert [call.request.method for call in mb.calls] == ["GET", "GET"]
    after = stored(synced_once)
    assert (after.cursor, after.last_sync_at) == (round_1_cursor(), LATER)


def test_a_partly_paid_invoice_gets_the_open_amount_moneybird_reports(
    mb: responses.RequestsMock, synced_once: AccountingConnection, org_a: Tenant
) -> None:
    serve_round_2(mb)
    result = sync(synced_once, now=LATER)
    assert (result.ok, result.updated, result.payments_recorded) == (True, 2, 2)
    ledger = ledger_of(org_a.organization)
    assert ledger["2026-0101"] == (Decimal("1210.00"), Decimal("710.00"), InvoiceStatus.OPEN)
    assert ("moneybird:433546301000000505", PaymentSource.CONNECTOR, Decimal("500.00"), "2026-0101") in payments_of(
        org_a.organization
    )


def test_a_paid_invoice_becomes_paid_and_the_debtor_gets_the_new_address(
    mb: responses.RequestsMock, synced_once: AccountingConnection, org_a: Tenant
) -> None:
    serve_round_2(mb)
    sync(synced_once, now=LATER)
    invoice = invoices_of(org_a.organization)["2026-0102"]
    assert (invoice.open_amount, invoice.status) == (Decimal("0.00"), InvoiceStatus.PAID)
    assert invoice.payments.get().amount == Decimal("249.99")
    assert invoice.debtor.emails == ["anna@devries-thuis.nl"]
    changed = ("2026-0101", "2026-0102")
    untouched = {number: row for number, row in ledger_of(org_a.organization).items() if number not in changed}
    assert untouched == {number: row for number, row in ROUND_1_LEDGER.items() if number not in changed}
    listed = load("sales_invoices_synchronization_2.json"), load("contacts_synchronization_2.json")
    assert stored(synced_once).cursor == cursor_of(*listed)


def test_a_changed_contact_updates_a_known_debtor_but_never_makes_a_supplier_a_debtor(
    mb: responses.RequestsMock, synced_once: AccountingConnection, org_a: Tenant
) -> None:
    contacts = {contact["id"]: contact for contact in load("contacts.json")}
    moved = dict(contacts[JANSEN], address1="Havenweg 1", zipcode="3542 AB", version=contacts[JANSEN]["version"] + 5)
    printer = dict(contacts[DRUKKERIJ], city="Leiden", version=contacts[DRUKKERIJ]["version"] + 5)
    serve_lists(
        mb,
        invoices=load("sales_invoices_synchronization.json"),
        contacts=versions([moved, contacts[DE_VRIES], printer]),
    )
    serve_records(mb, CONTACTS_SYNC, [moved, printer], ids=sorted([JANSEN, DRUKKERIJ]))
    result = sync(synced_once, now=LATER)
    assert (result.ok, result.debtors_refreshed) == (True, 1)
    jansen = Debtor.objects.for_organization(org_a.organization).get(external_id=f"moneybird:{JANSEN}")
    assert (jansen.street, jansen.postal_code) == ("Havenweg 1", "3542 AB")
    assert not Debtor.objects.for_organization(org_a.organization).filter(external_id=f"moneybird:{DRUKKERIJ}").exists()


def test_the_open_amount_moneybird_reports_wins_even_when_its_payments_do_not_add_up(
    mb: responses.RequestsMock, connection: AccountingConnection, org_a: Tenant
) -> None:
    record = invoice_record("2026-0103")  # 605.00 with a payment of 200.00
    # More open than amount minus payments (a payment reversed upstream): recording alone would miss it.
    record.update(total_unpaid="500.0", total_unpaid_base="500.0")
    serve_lists(mb, invoices=versions([record]), contacts=[])
    serve_records(mb, INVOICES_SYNC, [record], ids=[record["id"]])
    assert sync(connection).ok
    assert ledger_of(org_a.organization)["2026-0103"] == (Decimal("605.00"), Decimal("500.00"), InvoiceStatus.OPEN)
    assert [p[2] for p in payments_of(org_a.organization)] == [Decimal("200.00")]


# --- Failures never lose the cursor ------------------------------------------------------------------


def test_a_revoked_token_sets_the_status_to_error_and_keeps_the_cursor(
    mb: responses.RequestsMock, synced_once: AccountingConnection, org_a: Tenant
) -> None:
    before = snapshot(org_a.organization)
    mb.get(CONTACTS_SYNC, status=401, json=load("unauthorized.json"))
    result = sync(synced_once, now=LATER)
    assert (result.ok, result.error) == (False, AuthError.message)
    after = stored(synced_once)
    assert (after.status, after.last_error, after.last_error_at) == (ConnectionStatus.ERROR, AuthError.message, LATER)
    assert (after.cursor, after.last_sync_at) == (round_1_cursor(), NOW)
    assert snapshot(org_a.organization) == before


def test_a_server_error_half_way_writes_nothing_and_the_next_run_picks_everything_up(
    mb: responses.RequestsMock, synced_once: AccountingConnection, org_a: Tenant
) -> None:
    before = snapshot(org_a.organization)
    serve_lists(
        mb, invoices=load("sales_invoices_synchronization_2.json"), contacts=load("contacts_synchronization_2.json")
    )
    serve_records(
        mb, INVOICES_SYNC, load("sales_invoices_2.json"), ids=[INVOICE_IDS["2026-0101"], INVOICE_IDS["2026-0102"]]
    )
    mb.post(CONTACTS_SYNC, status=500, body="Internal Server Error")
    result = sync(synced_once, now=LATER)
    assert (result.ok, result.error) == (False, TemporaryError.message)
    assert snapshot(org_a.organization) == before
    after = stored(synced_once)
    assert (after.status, after.cursor, after.last_error) == (
        ConnectionStatus.ACTIVE,
        round_1_cursor(),
        TemporaryError.message,
    )

    mb.reset()
    serve_round_2(mb)
    assert sync(after, now=LATER + dt.timedelta(hours=1)).ok
    ledger = ledger_of(org_a.organization)
    assert ledger["2026-0101"][1:] == (Decimal("710.00"), InvoiceStatus.OPEN)
    assert ledger["2026-0102"][1:] == (Decimal("0.00"), InvoiceStatus.PAID)
    assert stored(after).last_error == ""


def test_a_first_sync_that_fails_half_way_leaves_the_organization_empty(
    mb: responses.RequestsMock, connection: AccountingConnection, org_a: Tenant
) -> None:
    serve_lists(
        mb, invoices=load("sales_invoices_synchronization.json"), contacts=load("contacts_synchronization.json")
    )
    invoices = load("sales_invoices.json")
    serve_records(mb, INVOICES_SYNC, invoices, ids=sorted(record["id"] for record in invoices))
    mb.post(CONTACTS_SYNC, status=502, body="Bad Gateway")
    assert not sync(connection).ok
    assert (invoices_of(org_a.organization), payments_of(org_a.organization)) == ({}, set())
    assert not Debtor.objects.for_organization(org_a.organization).exists()
    assert stored(connection).cursor == {}


def test_a_failure_while_writing_rolls_back_everything_and_keeps_the_cursor(
    mb: responses.RequestsMock, synced_once: AccountingConnection, org_a: Tenant
) -> None:
    """Two Moneybird invoices claim one number: the database refuses the second, half way through the write."""
    before = snapshot(org_a.organization)
    paid_in_part = invoice_record("2026-0101", round_=2)
    newcomer = invoice_record("2026-0102")
    newcomer.update(id="433546240000000111", invoice_id="2026-0106", version=1764100000)
    newcomer["contact"] = dict(newcomer["contact"], id="433546158283065130", company_name="Nieuwbouw Noord B.V.")
    twin = dict(newcomer, id="433546240000000112", version=1764100001)
    listed = [*load("sales_invoices_synchronization.json"), *versions([newcomer, twin])]
    listed = [
        dict(item, version=paid_in_part["version"]) if item["id"] == paid_in_part["id"] else item for item in listed
    ]
    serve_lists(mb, invoices=listed, contacts=load("contacts_synchronization.json"))
    ids = sorted([paid_in_part["id"], newcomer["id"], twin["id"]])
    serve_records(mb, INVOICES_SYNC, [paid_in_part, newcomer, twin], ids=ids)

    result = sync(synced_once, now=LATER)
    assert (result.ok, result.error) == (False, StorageError.message)
    assert snapshot(org_a.organization) == before  # not the payment, not the new debtor
    after = stored(synced_once)
    assert (after.cursor, after.last_error, after.status) == (
        round_1_cursor(),
        StorageError.message,
        ConnectionStatus.ACTIVE,
    )

    # Fixed in Moneybird: the twin gets its own number and a new version.
    mb.reset()
    twin.update(invoice_id="2026-0107", version=1764100002)
    listed = [dict(item, version=twin["version"]) if item["id"] == twin["id"] else item for item in listed]
    serve_lists(mb, invoices=listed, contacts=load("contacts_synchronization.json"))
    serve_records(mb, INVOICES_SYNC, [paid_in_part, newcomer, twin], ids=ids)
    result = sync(after, now=LATER + dt.timedelta(hours=1))
    assert (result.ok, result.created) == (True, 2)
    ledger = ledger_of(org_a.organization)
    assert ledger["2026-0101"][1] == Decimal("710.00")
    assert {"2026-0106", "2026-0107"} <= set(ledger)
    assert Debtor.objects.for_organization(org_a.organization).filter(name="Nieuwbouw Noord B.V.").count() == 1


def test_a_rate_limit_within_bounds_is_waited_out(
    mb: responses.RequestsMock, connection: AccountingConnection, org_a: Tenant
) -> None:
    mb.get(CONTACTS_SYNC, status=429, headers={"Retry-After": "30"}, json=load("too_many_requests.json"))
    serve_round_1(mb)
    sleep = SleepRecorder()
    assert sync(connection, sleep=sleep).ok
    assert sleep.waits == [30.0]
    assert len(invoices_of(org_a.organization)) == 8


def test_a_rate_limit_beyond_bounds_ends_the_run_and_keeps_the_cursor(
    mb: responses.RequestsMock, synced_once: AccountingConnection
) -> None:
    serve_lists(
        mb, invoices=load("sales_invoices_synchronization_2.json"), contacts=load("contacts_synchronization_2.json")
    )
    mb.post(INVOICES_SYNC, status=429, headers={"Retry-After": "3600"}, json=load("too_many_requests.json"))
    result = sync(synced_once, now=LATER)
    assert (result.ok, result.error) == (False, RateLimitedError.message)
    after = stored(synced_once)
    assert (after.status, after.cursor) == (ConnectionStatus.ACTIVE, round_1_cursor())


def test_refreshed_tokens_are_kept_even_when_the_sync_then_fails(
    mb: responses.RequestsMock, org_a: Tenant, settings
) -> None:
    settings.MONEYBIRD_CLIENT_ID, settings.MONEYBIRD_CLIENT_SECRET = "client-id", "client-secret"
    connection = connection_for(org_a.organization, refresh_token="refresh-1")
    mb.get(CONTACTS_SYNC, status=401, json=load("unauthorized.json"))
    mb.post(TOKEN_URL, json=load("token_refreshed.json"))
    mb.get(CONTACTS_SYNC, json=load("contacts_synchronization.json"))
    mb.get(INVOICES_SYNC, status=503, body="Service Unavailable")
    assert not sync(connection).ok
    refreshed, after = load("token_refreshed.json"), stored(connection)
    assert (after.access_token, after.refresh_token) == (refreshed["access_token"], refreshed["refresh_token"])
    assert (after.cursor, after.status) == ({}, ConnectionStatus.ACTIVE)


# --- Tenancy and overlapping runs --------------------------------------------------------------------


def test_a_connection_only_writes_into_its_own_organization(
    mb: responses.RequestsMock, connection: AccountingConnection, org_a: Tenant, org_b: Tenant
) -> None:
    own_invoice_of_b = InvoiceFactory(debtor__organization=org_b.organization, number="2026-0101", amount=Decimal("50"))
    serve_round_1(mb)
    sync(connection)
    assert len(invoices_of(org_a.organization)) == 8
    assert invoices_of(org_b.organization) == {"2026-0101": own_invoice_of_b}
    assert invoices_of(org_b.organization)["2026-0101"].open_amount == Decimal("50.00")
    assert Invoice.unscoped.filter(organization=org_b.organization).count() == 1

    # B connects the same administration: it gets its own copies; A's rows are not touched.
    before_a = snapshot(org_a.organization)
    assert sync(connection_for(org_b.organization)).ok
    assert snapshot(org_a.organization) == before_a
    ledger_b = ledger_of(org_b.organization)
    assert ledger_b["2026-0103"] == ROUND_1_LEDGER["2026-0103"]
    assert payments_of(org_b.organization) == ROUND_1_PAYMENTS
    assert set(Debtor.objects.for_organization(org_b.organization).values_list("external_id", flat=True)) >= {
        f"moneybird:{JANSEN}"
    }


def test_a_run_that_another_run_overtook_stands_down_without_writing(
    mb: responses.RequestsMock, connection: AccountingConnection, org_a: Tenant
) -> None:
    serve_round_1(mb)
    overtaken = {"v": 1, "sales_invoices": {}, "contacts": {JANSEN: 1}}
    AccountingConnection.objects.for_organization(org_a.organization).filter(pk=connection.pk).update(cursor=overtaken)
    result = sync(connection)  # still holds the cursor it started from
    assert (result.ok, result.superseded) == (True, True)
    assert invoices_of(org_a.organization) == {}
    assert stored(connection).cursor == overtaken


def test_a_connection_disconnected_during_the_pull_is_not_written(
    mb: responses.RequestsMock, connection: AccountingConnection, org_a: Tenant
) -> None:
    serve_round_1(mb)
    AccountingConnection.objects.for_organization(org_a.organization).filter(pk=connection.pk).update(
        status=ConnectionStatus.DISCONNECTED
    )
    assert sync(connection).superseded
    assert invoices_of(org_a.organization) == {}


# --- Tasks -------------------------------------------------------------------------------------------


def test_the_hourly_job_syncs_every_active_connection_and_one_failure_does_not_stop_the_others(
    mb: responses.RequestsMock, org_a: Tenant, org_b: Tenant
) -> None:
    revoked = connection_for(org_a.organization, account_id="301923587011000001")
    healthy = connection_for(org_b.organization)
    other = OrganizationFactory()
    disconnected = connection_for(other, status=ConnectionStatus.DISCONNECTED)
    mb.get("https://moneybird.com/api/v2/301923587011000001/contacts/synchronization.json", status=401, json={})
    serve_round_1(mb)
    assert connectors_sync_all() == 2
    assert stored(revoked).status == ConnectionStatus.ERROR
    assert stored(healthy).cursor == round_1_cursor()
    assert len(invoices_of(org_b.organization)) == 8
    assert stored(disconnected).cursor == {}


def test_the_sync_task_skips_a_connection_that_cannot_sync(org_a: Tenant) -> None:
    unfinished = connection_for(org_a.organization, account_id="")
    assert connection_sync_task(unfinished.pk) == "skipped"
    assert connection_sync_task(10**9) == "skipped"


def test_beat_runs_the_connectors_every_hour_and_celery_finds_the_task() -> None:
    from outstanding.celery import app

    entry = app.conf.beat_schedule["connectors-sync-hourly"]
    assert entry["task"] == "invoices.connector_tasks.connectors_sync_all"
    assert entry["schedule"].minute == {17} and len(entry["schedule"].hour) == 24
    app.loader.import_default_modules()
    assert {"invoices.connector_tasks.connectors_sync_all", "invoices.connector_tasks.connection_sync_task"} <= set(
        app.tasks
    )
