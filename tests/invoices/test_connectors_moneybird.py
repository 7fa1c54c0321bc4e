"""The Moneybird connector against recorded API answers: what it asks, what it maps, how it fails."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import responses
from responses import matchers

from invoices.connectors.base import (
    AccountNotFoundError,
    AuthError,
    ConnectorError,
    Credentials,
    NotConfiguredError,
    RateLimitedError,
    TemporaryError,
    TokenSet,
)
from invoices.connectors.moneybird import MoneybirdConnector, contact_to_debtor, map_sales_invoices
from invoices.models import DebtorKind, InvoiceStatus, PaymentSource
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

TODAY = dt.date(2026, 11, 26)


@pytest.fixture
def mb() -> Iterator[responses.RequestsMock]:
    with responses.RequestsMock() as mock:
        yield mock


class SleepRecorder:
    """Stands in for time.sleep: remembers the waits instead of waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def connector(refresh_token: str = "", **options: Any) -> MoneybirdConnector:
    credentials = Credentials(access_token="access-1", refresh_token=refresh_token, account_id=ADMINISTRATION)
    return MoneybirdConnector(credentials=credentials, sleep=options.pop("sleep", SleepRecorder()), **options)


def by_number(rows: list) -> dict:
    return {row.number: row for row in rows}


# --- The first pull ----------------------------------------------------------------------------------


def test_a_first_pull_maps_every_sent_invoice_with_exact_amounts(mb: responses.RequestsMock) -> None:
    serve_round_1(mb)
    batch = connector().pull(cursor={}, today=TODAY)
    rows = by_number(batch.invoices)
    # The two credit invoices are applied to their originals, not imported themselves.
    numbers = ["2026-0090", "2026-0095", "2026-0098", "2026-0100", "2026-0101", "2026-0102", "2026-0103", "2026-0105"]
    assert sorted(rows) == numbers
    late = rows["2026-0101"]
    assert (late.amount, late.vat_amount, late.open_amount) == (
        Decimal("1210.00"),
        Decimal("210.00"),
        Decimal("1210.00"),
    )
    assert (late.issue_date, late.due_date, late.currency) == (dt.date(2026, 9, 1), dt.date(2026, 10, 1), "EUR")
    assert late.external_id == f"moneybird:{INVOICE_IDS['2026-0101']}"
    assert (rows["2026-0102"].amount, rows["2026-0102"].vat_amount) == (Decimal("249.99"), Decimal("43.39"))
    assert rows["2026-0103"].open_amount == Decimal("405.00")
    assert rows["2026-0090"].open_amount == Decimal("0.00")
    assert rows["2026-0095"].status == InvoiceStatus.WRITTEN_OFF
    assert rows["2026-0098"].status == InvoiceStatus.CREDITED
    assert (rows["2026-0100"].status, rows["2026-0100"].open_amount) == (None, Decimal("181.50"))
    assert all(isinstance(row.amount, Decimal) for row in batch.invoices)


def test_payments_carry_a_stable_reference_and_partial_credits_become_credit_notes(mb: responses.RequestsMock) -> None:
    serve_round_1(mb)
    batch = connector().pull(cursor={}, today=TODAY)
    payments = {(p.reference, p.source): (p.invoice_external_id, p.amount, p.date) for p in batch.payments}
    assert payments == {
        ("moneybird:433546301000000501", PaymentSource.CONNECTOR): (
            f"moneybird:{INVOICE_IDS['2026-0103']}",
            Decimal("200.00"),
            dt.date(2026, 10, 15),
        ),
        ("moneybird:433546301000000502", PaymentSource.CONNECTOR): (
            f"moneybird:{INVOICE_IDS['2026-0090']}",
            Decimal("60.50"),
            dt.date(2026, 8, 2),
        ),
        (f"moneybird:credit:{INVOICE_IDS['2026-0104']}", PaymentSource.CREDIT_NOTE): (
            f"moneybird:{INVOICE_IDS['2026-0100']}",
            Decimal("60.50"),
            dt.date(2026, 11, 2),
        ),
    }
    # Moneybird's own bookings of the credits (credit_invoice_id) are not counted a second time.
    assert "moneybird:433546301000000503" not in {p.reference for p in batch.payments}
    assert "moneybird:433546301000000504" not in {p.reference for p in batch.payments}


def test_a_first_pull_lists_every_year_without_drafts_and_stores_every_version(mb: responses.RequestsMock) -> None:
    serve_round_1(mb)
    batch = connector().pull(cursor={}, today=TODAY)
    listed = [
        call.request for call in mb.calls if call.request.method == "GET" and "sales_invoices" in call.request.url
    ]
    assert len(listed) == 1
    assert parse_qs(urlsplit(listed[0].url).query)["filter"] == [
        "period:20000101..20271231,state:scheduled|open|pending_payment|reminded|late|paid|uncollectible"
    ]
    assert batch.cursor == round_1_cursor()
    assert not batch.has_more
    assert [call.request.headers["Authorization"] for call in mb.calls] == ["Bearer access-1"] * 4


def test_contacts_become_business_or_consumer_debtors() -> None:
    contacts = {contact["id"]: contact for contact in load("contacts.json")}
    jansen = contact_to_debtor(contacts[JANSEN])
    assert (jansen.name, jansen.kind) == ("Bouwbedrijf Jansen B.V.", DebtorKind.BUSINESS)
    assert jansen.contact_person == "Pieter Jansen"
    # The invoice addresses first (Moneybird allows several), the general address after them.
    assert jansen.emails == ["facturen@jansenbouw.nl", "administratie@jansenbouw.nl", "info@jansenbouw.nl"]
    assert (jansen.kvk_number, jansen.vat_id, jansen.external_id) == (
        "30123456",
        "NL000099998B57",
        f"moneybird:{JANSEN}",
    )
    address = ("Industrieweg 12", "3542 AD", "Utrecht", "NL")
    assert (jansen.street, jansen.postal_code, jansen.city, jansen.country) == address
    anna = contact_to_debtor(contacts[DE_VRIES], language="nl")
    assert (anna.name, anna.kind, anna.contact_person, anna.language) == (
        "Anna de Vries",
        DebtorKind.CONSUMER,
        "",
        "nl",
    )
    assert (anna.emails, anna.phones) == (["anna.devries@example.nl"], ["06 12345678"])


def test_identifiers_the_database_would_refuse_are_left_out() -> None:
    contact = dict(load("contacts.json")[0], chamber_of_commerce="KvK 123", tax_number="NL123", country="Netherlands")
    contact.update(email="not-an-address", send_invoices_to_email="", phone="+31 30 123 4567 ext. 1234 or 06 1234")
    debtor = contact_to_debtor(contact)
    assert (debtor.kvk_number, debtor.vat_id, debtor.emails, debtor.country) == ("", "", [], "")
    assert len(debtor.phones[0]) == 30


def test_drafts_unnumbered_and_standalone_credit_invoices_are_skipped() -> None:
    draft = dict(invoice_record("2026-0101"), state="draft", invoice_id=None, draft_id=7)
    scheduled = dict(invoice_record("2026-0102"), state="scheduled", invoice_id=None)
    standalone_credit = dict(invoice_record("2026-0099"), original_sales_invoice_id=None)
    rows, payments, skipped = map_sales_invoices([draft, scheduled, standalone_credit])
    assert (rows, payments, skipped) == ([], [], 3)


def test_amounts_sent_as_json_numbers_are_read_as_decimals_not_floats(mb: responses.RequestsMock) -> None:
    record = invoice_record("2026-0101")
    # 0.1 + 0.2 as floats is 0.30000000000000004: a float anywhere on the way would show.
    text = json.dumps([record]).replace('"1210.0"', "0.3").replace('"1000.0"', "0.1")
    assert '"total_price_incl_tax": 0.3' in text
    serve_lists(mb, invoices=versions([record]), contacts=[])
    mb.post(INVOICES_SYNC, body=text, content_type="application/json")
    (row,) = connector().pull(cursor={}, today=TODAY).invoices
    assert (row.amount, row.vat_amount, row.open_amount) == (Decimal("0.30"), Decimal("0.20"), Decimal("0.30"))


# --- Later pulls -------------------------------------------------------------------------------------


def test_a_pull_with_nothing_changed_fetches_no_records(mb: responses.RequestsMock) -> None:
    serve_lists(
        mb, invoices=load("sales_invoices_synchronization.json"), contacts=load("contacts_synchronization.json")
    )
    batch = connector().pull(cursor=round_1_cursor(), today=TODAY)
    assert (batch.invoices, batch.payments, batch.debtors) == ([], [], [])
    assert batch.cursor == round_1_cursor()
    assert [call.request.method for call in mb.calls] == ["GET", "GET"]


def test_only_changed_records_are_fetched(mb: responses.RequestsMock) -> None:
    serve_round_2(mb)
    batch = connector().pull(cursor=round_1_cursor(), today=TODAY)
    assert sorted(row.number for row in batch.invoices) == ["2026-0101", "2026-0102"]
    assert [debtor.emails for debtor in batch.debtors] == [["anna@devries-thuis.nl"]]
    assert batch.cursor == cursor_of(
        load("sales_invoices_synchronization_2.json"), load("contacts_synchronization_2.json")
    )


def test_a_record_deleted_in_moneybird_leaves_the_cursor(mb: responses.RequestsMock) -> None:
    listed = [item for item in load("sales_invoices_synchronization.json") if item["id"] != INVOICE_IDS["2026-0105"]]
    serve_lists(mb, invoices=listed, contacts=load("contacts_synchronization.json"))
    batch = connector().pull(cursor=round_1_cursor(), today=TODAY)
    assert INVOICE_IDS["2026-0105"] not in batch.cursor["sales_invoices"]
    assert len(batch.cursor["sales_invoices"]) == 9


def test_a_changed_credit_invoice_brings_its_original_along(mb: responses.RequestsMock) -> None:
    credit, original = invoice_record("2026-0099"), invoice_record("2026-0098")
    credit["version"] += 60
    listed = [
        dict(item, version=credit["version"]) if item["id"] == credit["id"] else item
        for item in load("sales_invoices_synchronization.json")
    ]
    serve_lists(mb, invoices=listed, contacts=load("contacts_synchronization.json"))
    serve_records(mb, INVOICES_SYNC, [credit], ids=[credit["id"]])
    serve_records(mb, INVOICES_SYNC, [original], ids=[original["id"]])
    batch = connector().pull(cursor=round_1_cursor(), today=TODAY)
    assert [(row.number, row.status) for row in batch.invoices] == [("2026-0098", InvoiceStatus.CREDITED)]
    assert batch.cursor["sales_invoices"][credit["id"]] == credit["version"]


def test_lists_follow_the_next_link_to_the_last_page(mb: responses.RequestsMock) -> None:
    contacts = load("contacts_synchronization.json")
    mb.get(INVOICES_SYNC, json=load("sales_invoices_synchronization.json"))
    mb.get(CONTACTS_SYNC, json=contacts[2:], match=[matchers.query_param_matcher({"page": "2"})])
    mb.get(
        CONTACTS_SYNC,
        json=contacts[:2],
        headers={"Link": f'<{CONTACTS_SYNC}?page=2>; rel="next"'},
        match=[matchers.query_param_matcher({})],
    )
    batch = connector().pull(cursor=round_1_cursor(), today=TODAY)
    assert batch.cursor["contacts"] == round_1_cursor()["contacts"]
    assert DRUKKERIJ in batch.cursor["contacts"]


def test_a_run_stops_at_its_request_budget_and_the_next_run_continues(mb: responses.RequestsMock) -> None:
    template = invoice_record("2026-0101")
    records = [dict(template, id=str(500000000000000000 + n), invoice_id=f"2025-{n:04d}") for n in range(250)]
    serve_lists(mb, invoices=versions(records), contacts=load("contacts_synchronization.json"))
    ids = sorted(record["id"] for record in records)
    for start in range(0, 250, 100):
        chunk = ids[start : start + 100]
        serve_records(mb, INVOICES_SYNC, [r for r in records if r["id"] in chunk], ids=chunk)
    serve_records(mb, CONTACTS_SYNC, load("contacts.json"), ids=sorted([JANSEN, DE_VRIES, DRUKKERIJ]))

    first = connector(request_budget=3).pull(cursor={}, today=TODAY)
    assert (len(first.invoices), first.has_more, len(first.cursor["sales_invoices"])) == (100, True, 100)
    assert first.cursor["contacts"] == {}
    second = connector(request_budget=4).pull(cursor=first.cursor, today=TODAY)
    assert (len(second.invoices), second.has_more, len(second.cursor["sales_invoices"])) == (150, True, 250)
    third = connector(request_budget=3).pull(cursor=second.cursor, today=TODAY)
    assert (third.invoices, len(third.debtors), third.has_more) == ([], 3, False)


# --- Failures ----------------------------------------------------------------------------------------


def test_a_429_is_waited_out_as_long_as_retry_after_says(mb: responses.RequestsMock) -> None:
    mb.get(INVOICES_SYNC, status=429, headers={"Retry-After": "7"}, json=load("too_many_requests.json"))
    serve_round_1(mb)
    sleep = SleepRecorder()
    batch = connector(sleep=sleep).pull(cursor={}, today=TODAY)
    assert sleep.waits == [7.0]
    assert len(batch.invoices) == 8


def test_a_429_without_retry_after_backs_off_exponentially(mb: responses.RequestsMock) -> None:
    for _ in range(3):
        mb.get(CONTACTS_SYNC, status=429, json=load("too_many_requests.json"))
    serve_round_1(mb)
    sleep = SleepRecorder()
    connector(sleep=sleep).pull(cursor={}, today=TODAY)
    assert sleep.waits == [5.0, 10.0, 20.0]


def test_a_429_asking_for_more_than_a_run_may_wait_gives_up_without_waiting(mb: responses.RequestsMock) -> None:
    mb.get(CONTACTS_SYNC, status=429, headers={"Retry-After": "300"}, json=load("too_many_requests.json"))
    sleep = SleepRecorder()
    with pytest.raises(RateLimitedError):
        connector(sleep=sleep).pull(cursor={}, today=TODAY)
    assert sleep.waits == []


def test_a_401_refreshes_the_token_once_and_hands_the_new_tokens_over(mb: responses.RequestsMock, settings) -> None:
    settings.MONEYBIRD_CLIENT_ID, settings.MONEYBIRD_CLIENT_SECRET = "client-id", "client-secret"
    mb.get(CONTACTS_SYNC, status=401, json=load("unauthorized.json"))
    mb.post(
        TOKEN_URL,
        json=load("token_refreshed.json"),
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "grant_type": "refresh_token",
                    "refresh_token": "refresh-1",
                    "client_id": "client-id",
                    "client_secret": "client-secret",
                }
            )
        ],
    )
    serve_round_1(mb)
    received: list[TokenSet] = []
    connector(refresh_token="refresh-1", tokens_changed=received.append).pull(cursor={}, today=TODAY)
    refreshed = load("token_refreshed.json")
    assert received == [TokenSet(refreshed["access_token"], refreshed["refresh_token"])]
    assert mb.calls[-1].request.headers["Authorization"] == f"Bearer {refreshed['access_token']}"
    assert "refresh-1" not in repr(received) and refreshed["access_token"] not in repr(received)


def test_a_401_without_a_way_to_refresh_is_an_auth_error(mb: responses.RequestsMock) -> None:
    mb.get(CONTACTS_SYNC, status=401, json=load("unauthorized.json"))
    with pytest.raises(AuthError) as raised:
        connector().pull(cursor={}, today=TODAY)
    assert raised.value.needs_reconnect
    assert "access-1" not in str(raised.value) + raised.value.detail


def test_a_refused_refresh_is_an_auth_error(mb: responses.RequestsMock, settings) -> None:
    settings.MONEYBIRD_CLIENT_ID, settings.MONEYBIRD_CLIENT_SECRET = "client-id", "client-secret"
    mb.get(CONTACTS_SYNC, status=401, json=load("unauthorized.json"))
    mb.post(TOKEN_URL, status=400, json=load("token_invalid_grant.json"))
    received: list[TokenSet] = []
    with pytest.raises(AuthError):
        connector(refresh_token="refresh-1", tokens_changed=received.append).pull(cursor={}, today=TODAY)
    assert received == []


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"status": 500, "body": "Internal Server Error"}, TemporaryError),
        ({"status": 503, "body": "Service Unavailable"}, TemporaryError),
        ({"body": requests.ConnectionError("connection reset")}, TemporaryError),
        ({"status": 404, "json": {"error": "record not found"}}, AccountNotFoundError),
        ({"status": 403, "json": {"error": "No access to administration"}}, AuthError),
    ],
)
def test_failures_map_onto_what_the_creditor_can_do_about_them(
    mb: responses.RequestsMock, answer: dict[str, Any], error: type[Exception]
) -> None:
    serve_lists(
        mb, invoices=load("sales_invoices_synchronization.json"), contacts=load("contacts_synchronization.json")
    )
    mb.post(INVOICES_SYNC, **answer)
    with pytest.raises(error):
        connector().pull(cursor={}, today=TODAY)


def test_a_record_without_the_fields_we_rely_on_is_an_unexpected_answer(mb: responses.RequestsMock) -> None:
    broken = invoice_record("2026-0101")
    del broken["version"]
    serve_lists(mb, invoices=versions([invoice_record("2026-0101")]), contacts=[])
    mb.post(INVOICES_SYNC, json=[dict(broken, invoice_date="1 September 2026")])
    with pytest.raises(ConnectorError) as raised:
        connector().pull(cursor={}, today=TODAY)
    assert type(raised.value) is ConnectorError


def test_a_pull_without_an_administration_is_refused_before_any_request(mb: responses.RequestsMock) -> None:
    unfinished = MoneybirdConnector(credentials=Credentials(access_token="access-1"))
    with pytest.raises(NotConfiguredError):
        unfinished.pull(cursor={}, today=TODAY)
    assert len(mb.calls) == 0
