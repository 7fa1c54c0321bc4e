"""Paying online through Mollie: the real client against a local fake Mollie (tests/fake_mollie.py)."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum
from django.test import Client
from django.utils import translation

from invoices.models import Invoice, InvoiceStatus, OnlinePayment, OnlinePaymentStatus, Payment, PaymentSource
from invoices.payments.allocation import allocate_oldest_first, reverse_newest_first
from invoices.payments.client import MollieUnavailable, mollie_client
from invoices.payments.mollie import (
    online_payment_create,
    online_payment_refresh,
    online_payment_webhook,
    online_payments_enabled,
)
from invoices.services import payment_record
from outstanding.calendar import local_today
from outstanding.models import Organization, Role
from outstanding.services import organization_defaults_install
from reminders import engine
from tests.factories import TODAY, DebtorFactory, InvoiceFactory, MembershipFactory, OrganizationFactory
from tests.fake_mollie import FakeMollie

WEBHOOK = "/hooks/mollie/"
OTHER_KEY = "test_betainstallaties0000000000000000"


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    """The services' messages are asserted in English here (the Dutch texts are the catalogue's)."""
    with translation.override("en"):
        yield


@pytest.fixture
def mollie(settings) -> Iterator[FakeMollie]:
    fake = FakeMollie().start()
    settings.MOLLIE_API_KEY = ""  # every organization pays into its own account
    settings.MOLLIE_PLATFORM_KEY_FALLBACK = False
    settings.MOLLIE_API_ENDPOINT = fake.url
    settings.SITE_URL = "https://app.outstanding.test"
    yield fake
    fake.stop()


def with_key(organization: Organization, key: str) -> Organization:
    organization.mollie_api_key = key
    organization.save(update_fields=["mollie_api_key"])
    return organization


@pytest.fixture
def organization(db, mollie):
    return with_key(OrganizationFactory(name="Alpha Groothandel B.V."), mollie.api_key)


@pytest.fixture
def debtor(organization):
    return DebtorFactory(organization=organization, name="Bakkerij Jansen")


def invoice(debtor, number: str, amount: str, days_old: int, open_amount: str | None = None) -> Invoice:
    issued = TODAY - dt.timedelta(days=days_old)
    return InvoiceFactory(
        debtor=debtor,
        number=number,
        amount=Decimal(amount),
        open_amount=Decimal(open_amount or amount),
        issue_date=issued,
        due_date=issued + dt.timedelta(days=14),
    )


@pytest.fixture
def three(debtor) -> list[Invoice]:
    """Created newest first on purpose: the oldest is paid first whatever the order of choosing."""
    return [
        invoice(debtor, "2026-003", "50.00", days_old=10),
        invoice(debtor, "2026-002", "200.00", days_old=40),
        invoice(debtor, "2026-001", "100.00", days_old=70),
    ]


def start(organization, debtor, invoices, amount: Decimal | None = None) -> OnlinePayment:
    return online_payment_create(
        organization=organization,
        debtor=debtor,
        invoices=invoices,
        return_path="/p/token/payments/{payment}/",
        amount=amount,
    )


def webhook(mollie_id: str) -> int:
    return Client().post(WEBHOOK, {"id": mollie_id}).status_code


def mollie_payments(organization) -> list[Payment]:
    return list(
        Payment.objects.for_organization(organization).filter(source=PaymentSource.MOLLIE).order_by("reference")
    )


def open_amounts(invoices: list[Invoice]) -> dict[str, Decimal]:
    for row in invoices:
        row.refresh_from_db()
    return {row.number: row.open_amount for row in invoices}


# --- starting a payment -------------------------------------------------------------------------------


def test_it_creates_the_payment_at_mollie_with_the_amount_as_a_string_and_the_metadata(
    mollie, organization, debtor, three
) -> None:
    payment = start(organization, debtor, three)

    (request,) = mollie.requests_to("POST", "/v2/payments")
    body = request.body
    assert body["amount"] == {"currency": "EUR", "value": "350.00"}
    assert (
        body["description"] == "Facturen 2026-001, 2026-002, 2026-003"
    )  # oldest first, in the debtor's language (Dutch)
    assert body["redirectUrl"] == f"https://app.outstanding.test/p/token/payments/{payment.public_id}/"
    assert body["webhookUrl"] == "https://app.outstanding.test/hooks/mollie/"
    assert body["locale"] == "nl_NL"
    assert body["metadata"] == {
        "organization": str(organization.public_id),
        "online_payment": str(payment.public_id),
        "invoices": [str(i.public_id) for i in reversed(three)],
    }
    assert request.headers["Authorization"] == f"Bearer {mollie.api_key}"
    assert request.headers["Idempotency-Key"] == str(payment.public_id)
    assert payment.mollie_id in mollie.payments
    assert payment.checkout_url == f"{mollie.url}/checkout/{payment.mollie_id}/"
    assert (payment.amount, payment.status, payment.booked_at) == (Decimal("350.00"), "open", None)
    assert set(payment.invoices.all()) == set(three)


def test_one_invoice_is_described_by_its_number_in_the_debtors_language(mollie, organization, debtor) -> None:
    debtor.language = "en"
    debtor.save()
    single = invoice(debtor, "2026-100", "121.05", days_old=20)

    start(organization, debtor, [single])

    (request,) = mollie.requests_to("POST", "/v2/payments")
    assert request.body["amount"]["value"] == "121.05"
    assert (request.body["description"], request.body["locale"]) == ("Invoice 2026-100", "en_US")


def test_another_debtors_invoice_cannot_be_paid_and_nothing_is_created(mollie, organization, debtor) -> None:
    mine = invoice(debtor, "2026-001", "100.00", days_old=30)
    theirs = invoice(DebtorFactory(organization=organization), "2026-002", "100.00", days_old=30)
    elsewhere = invoice(DebtorFactory(), "2026-003", "100.00", days_old=30)

    for chosen in ([mine, theirs], [elsewhere], []):
        with pytest.raises(ValidationError):
            start(organization, debtor, chosen)

    assert mollie.requests == []
    assert not OnlinePayment.objects.for_organization(organization).exists()


def test_a_paid_invoice_cannot_be_paid_again(mollie, organization, debtor) -> None:
    paid = invoice(debtor, "2026-001", "100.00", days_old=30, open_amount="0.00")
    paid.status = InvoiceStatus.PAID
    paid.save()

    with pytest.raises(ValidationError, match="2026-001"):
        start(organization, debtor, [paid])
    assert mollie.requests == []


def test_a_part_payment_needs_the_organizations_minimum(mollie, organization, debtor, three) -> None:
    with pytest.raises(ValidationError, match="full open amount"):
        start(organization, debtor, three, amount=Decimal("100.00"))

    organization.online_payment_minimum = Decimal("25.00")
    organization.save()
    with pytest.raises(ValidationError, match="at least"):
        start(organization, debtor, three, amount=Decimal("24.99"))
    with pytest.raises(ValidationError, match="at most"):
        start(organization, debtor, three, amount=Decimal("350.01"))
    assert mollie.requests == []

    payment = start(organization, debtor, three, amount=Decimal("25.00"))
    assert payment.amount == Decimal("25.00")
    assert mollie.requests_to("POST", "/v2/payments")[0].body["amount"]["value"] == "25.00"


def test_nothing_is_offered_without_a_mollie_key(mollie, settings, organization, debtor, three) -> None:
    with_key(organization, "")
    settings.MOLLIE_API_KEY = mollie.api_key  # a platform key is not used while the fallback is off

    with pytest.raises(ValidationError, match="not available"):
        start(organization, debtor, three)
    assert mollie.requests == []
    assert not online_payments_enabled(organization)


def test_the_platform_key_stands_in_only_where_the_fallback_is_on(mollie, settings, organization, debtor) -> None:
    with_key(organization, "")
    settings.MOLLIE_API_KEY = mollie.api_key
    settings.MOLLIE_PLATFORM_KEY_FALLBACK = True

    start(organization, debtor, [invoice(debtor, "2026-001", "100.00", days_old=30)])

    (request,) = mollie.requests_to("POST", "/v2/payments")
    assert request.headers["Authorization"] == f"Bearer {mollie.api_key}"


def test_the_organizations_own_key_wins_over_the_platform_key(mollie, settings, organization, debtor) -> None:
    settings.MOLLIE_API_KEY = mollie.add_account("test_platformkey000000000000000000000")
    settings.MOLLIE_PLATFORM_KEY_FALLBACK = True

    start(organization, debtor, [invoice(debtor, "2026-001", "100.00", days_old=30)])

    (request,) = mollie.requests_to("POST", "/v2/payments")
    assert request.headers["Authorization"] == f"Bearer {mollie.api_key}"


def test_when_mollie_refuses_the_payment_is_marked_failed_and_the_debtor_told(mollie, organization, debtor) -> None:
    mollie.api_key = "test_anotherkeythanours00000000000000"  # Mollie answers 401

    with pytest.raises(MollieUnavailable):
        start(organization, debtor, [invoice(debtor, "2026-001", "100.00", days_old=30)])

    (payment,) = OnlinePayment.objects.for_organization(organization)
    assert (payment.status, payment.problem, payment.mollie_id) == ("failed", "create_refused", None)


def test_when_mollie_cannot_be_reached_the_attempt_stays_as_a_failed_row_and_nothing_waits(
    mollie, settings, organization, debtor
) -> None:
    down = FakeMollie().start()
    settings.MOLLIE_API_ENDPOINT = down.url
    down.stop()  # nothing listens on its port any more
    chosen = invoice(debtor, "2026-001", "100.00", days_old=30)

    with pytest.raises(MollieUnavailable, match="not available at the moment"):
        start(organization, debtor, [chosen])

    (payment,) = OnlinePayment.objects.for_organization(organization)
    assert (payment.status, payment.problem, payment.mollie_id, payment.booked_at) == (
        "failed",
        "create_unreachable",
        None,
        None,
    )
    assert payment.is_final  # never shown as waiting, never booked; a retry starts a new one
    settings.MOLLIE_API_ENDPOINT = mollie.url
    retry = start(organization, debtor, [chosen])
    assert retry.pk != payment.pk and retry.status == "open" and retry.mollie_id


def test_an_answer_without_a_payment_id_marks_the_attempt_failed(mollie, organization, debtor, monkeypatch) -> None:
    original = FakeMollie._create

    def without_id(self, body, api_key):  # type: ignore[no-untyped-def]
        status, payment = original(self, body, api_key)
        return status, {**payment, "id": "not-a-payment"}

    monkeypatch.setattr(FakeMollie, "_create", without_id)

    with pytest.raises(MollieUnavailable):
        start(organization, debtor, [invoice(debtor, "2026-001", "100.00", days_old=30)])

    (payment,) = OnlinePayment.objects.for_organization(organization)
    assert (payment.status, payment.problem, payment.mollie_id) == ("failed", "create_no_payment_id", None)


def test_a_stored_key_the_client_refuses_marks_the_attempt_failed_without_asking_mollie(
    mollie, organization, debtor
) -> None:
    # Stored before the format was checked: Mollie's client itself refuses it.
    OrganizationFactory._meta.model.objects.filter(pk=organization.pk).update(mollie_api_key="sk_notamolliekey")
    organization.refresh_from_db()

    with pytest.raises(MollieUnavailable):
        start(organization, debtor, [invoice(debtor, "2026-001", "100.00", days_old=30)])

    assert mollie.requests == []
    (payment,) = OnlinePayment.objects.for_organization(organization)
    assert (payment.status, payment.problem) == ("failed", "create_bad_key")


# --- the webhook --------------------------------------------------------------------------------------


def test_a_paid_payment_is_booked_once_however_often_the_webhook_comes(mollie, organization, debtor, three) -> None:
    payment = start(organization, debtor, three)
    mollie.set_status(payment.mollie_id, "paid")

    assert [webhook(payment.mollie_id) for _ in range(3)] == [200, 200, 200]

    payments = mollie_payments(organization)
    assert [(p.reference, p.amount) for p in payments] == [
        (f"{payment.mollie_id}:2026-001", Decimal("100.00")),
        (f"{payment.mollie_id}:2026-002", Decimal("200.00")),
        (f"{payment.mollie_id}:2026-003", Decimal("50.00")),
    ]
    assert set(open_amounts(three).values()) == {Decimal("0.00")}
    assert {row.status for row in three} == {InvoiceStatus.PAID}
    payment.refresh_from_db()
    assert payment.status == "paid" and payment.booked_at is not None
    assert len(mollie.requests_to("GET", f"/v2/payments/{payment.mollie_id}")) == 3  # fetched every time


def test_an_open_webhook_after_paid_does_not_undo_it(mollie, organization, debtor, three) -> None:
    payment = start(organization, debtor, three)
    mollie.set_status(payment.mollie_id, "paid")
    webhook(payment.mollie_id)

    mollie.set_status(payment.mollie_id, "open")  # an answer that arrives out of order
    assert webhook(payment.mollie_id) == 200
    payment.refresh_from_db()
    assert payment.status == "paid"
    mollie.set_status(payment.mollie_id, "paid")
    webhook(payment.mollie_id)

    payment.refresh_from_db()
    assert payment.status == "paid"
    assert len(mollie_payments(organization)) == 3
    assert set(open_amounts(three).values()) == {Decimal("0.00")}


def test_pending_after_paid_and_open_after_pending_do_not_move_back(mollie, organization, debtor, three) -> None:
    payment = start(organization, debtor, three)
    mollie.set_status(payment.mollie_id, "pending")
    webhook(payment.mollie_id)
    mollie.set_status(payment.mollie_id, "open")
    webhook(payment.mollie_id)

    payment.refresh_from_db()
    assert payment.status == "pending"
    assert mollie_payments(organization) == []


def test_an_unknown_id_books_nothing_and_mollie_is_not_even_asked(mollie, organization, debtor, three) -> None:
    # A real payment at Mollie that names our organization and invoices, but that we never started.
    forged = mollie.add_payment(
        amount={"currency": "EUR", "value": "350.00"},
        metadata={"organization": str(organization.public_id), "invoices": [str(i.public_id) for i in three]},
    )
    mollie.set_status(forged["id"], "paid")

    answers = {webhook(forged["id"]), webhook("tr_doesnotexist"), webhook("not-an-id"), webhook("")}

    assert answers == {200}
    assert Client().post(WEBHOOK, {"id": forged["id"]}).content == b""  # nothing revealed
    assert mollie.requests == []
    assert mollie_payments(organization) == []
    assert open_amounts(three) == {
        "2026-001": Decimal("100.00"),
        "2026-002": Decimal("200.00"),
        "2026-003": Decimal("50.00"),
    }


def test_a_payment_of_another_organization_books_nothing_in_either(mollie, organization, debtor, three) -> None:
    ours = start(organization, debtor, three)
    other = with_key(OrganizationFactory(name="Beta Installaties B.V."), mollie.add_account(OTHER_KEY))
    other_debtor = DebtorFactory(organization=other)
    their_invoice = invoice(other_debtor, "B-001", "350.00", days_old=30)
    theirs = start(other, other_debtor, [their_invoice])
    # Mollie's payment for their row says it is ours (a copied id, a key of the wrong account).
    mollie.update(theirs.mollie_id, metadata=mollie.payments[ours.mollie_id]["metadata"])
    mollie.set_status(theirs.mollie_id, "paid")

    assert webhook(theirs.mollie_id) == 200

    theirs.refresh_from_db()
    assert (theirs.problem, theirs.booked_at) == ("metadata_mismatch", None)
    assert mollie_payments(organization) == [] and mollie_payments(other) == []
    their_invoice.refresh_from_db()
    assert their_invoice.open_amount == Decimal("350.00")


def test_metadata_naming_other_invoices_books_nothing(mollie, organization, debtor, three) -> None:
    payment = start(organization, debtor, three[:1])
    metadata = dict(mollie.payments[payment.mollie_id]["metadata"], invoices=[str(three[1].public_id)])
    mollie.update(payment.mollie_id, metadata=metadata)
    mollie.set_status(payment.mollie_id, "paid")

    webhook(payment.mollie_id)

    assert mollie_payments(organization) == []
    payment.refresh_from_db()
    assert payment.problem == "metadata_mismatch"


def test_an_amount_that_differs_from_ours_is_refused_and_logged(mollie, organization, debtor, three, caplog) -> None:
    payment = start(organization, debtor, three)
    mollie.update(payment.mollie_id, amount={"currency": "EUR", "value": "0.01"})
    mollie.set_status(payment.mollie_id, "paid")

    with caplog.at_level(logging.WARNING, logger="invoices.payments.mollie"):
        assert webhook(payment.mollie_id) == 200

    assert mollie_payments(organization) == []
    payment.refresh_from_db()
    assert (payment.status, payment.problem, payment.booked_at) == ("open", "amount_mismatch", None)
    (record,) = [r for r in caplog.records if r.getMessage() == "mollie.webhook_refused"]
    assert record.problem == "amount_mismatch"


def test_another_currency_is_refused_too(mollie, organization, debtor, three) -> None:
    payment = start(organization, debtor, three)
    mollie.update(payment.mollie_id, amount={"currency": "USD", "value": "350.00"})
    mollie.set_status(payment.mollie_id, "paid")

    webhook(payment.mollie_id)

    assert mollie_payments(organization) == []


@pytest.mark.parametrize("outcome", ["failed", "expired", "canceled"])
def test_a_payment_that_did_not_go_through_books_nothing(mollie, organization, debtor, three, outcome) -> None:
    payment = start(organization, debtor, three)
    mollie.set_status(payment.mollie_id, outcome)

    assert webhook(payment.mollie_id) == 200

    payment.refresh_from_db()
    assert (payment.status, payment.booked_at) == (outcome, None)
    assert mollie_payments(organization) == []
    assert open_amounts(three) == {
        "2026-001": Decimal("100.00"),
        "2026-002": Decimal("200.00"),
        "2026-003": Decimal("50.00"),
    }
    assert {row.status for row in three} == {InvoiceStatus.OPEN}

    mollie.set_status(payment.mollie_id, "paid")  # impossible at Mollie: a final status stays
    webhook(payment.mollie_id)
    assert mollie_payments(organization) == []


def test_a_part_payment_settles_the_oldest_invoices_first(mollie, organization, debtor, three) -> None:
    organization.online_payment_minimum = Decimal("10.00")
    organization.save()
    payment = start(organization, debtor, three, amount=Decimal("150.00"))
    mollie.set_status(payment.mollie_id, "paid")

    webhook(payment.mollie_id)

    assert open_amounts(three) == {
        "2026-001": Decimal("0.00"),
        "2026-002": Decimal("150.00"),
        "2026-003": Decimal("50.00"),
    }
    assert [(p.invoice.number, p.amount, p.date) for p in mollie_payments(organization)] == [
        ("2026-001", Decimal("100.00"), local_today()),
        ("2026-002", Decimal("50.00"), local_today()),
    ]
    assert [row.status for row in sorted(three, key=lambda row: row.number)] == ["paid", "open", "open"]


def test_money_for_an_invoice_paid_meanwhile_goes_to_the_next_and_a_surplus_stays_visible(
    mollie, organization, debtor, three
) -> None:
    payment = start(organization, debtor, three)
    oldest = three[2]
    payment_record(organization=organization, invoice=oldest, amount=Decimal("100.00"), date=TODAY, reference="bank-1")
    mollie.set_status(payment.mollie_id, "paid")

    webhook(payment.mollie_id)

    booked = {p.invoice.number: p.amount for p in mollie_payments(organization)}
    assert booked == {"2026-002": Decimal("200.00"), "2026-003": Decimal("150.00")}  # 100.00 more than was open
    assert sum(booked.values()) == payment.amount
    assert set(open_amounts(three).values()) == {Decimal("0.00")}


# --- refunds and chargebacks ----------------------------------------------------------------------------


def paid_through_webhook(mollie, organization, debtor, invoices, amount: Decimal | None = None) -> OnlinePayment:
    payment = start(organization, debtor, invoices, amount=amount)
    mollie.set_status(payment.mollie_id, "paid")
    webhook(payment.mollie_id)
    return payment


def reversals(organization) -> list[tuple[str, Decimal]]:
    rows = Payment.objects.for_organization(organization).filter(source=PaymentSource.MOLLIE, amount__lt=0)
    return sorted((row.invoice.number, row.amount) for row in rows.select_related("invoice"))


@pytest.fixture
def members(organization) -> dict[str, str]:
    """role → e-mail address, one member of each role."""
    return {
        role: MembershipFactory(organization=organization, role=role, user__email=f"{role}@alpha.test").user.email
        for role in (Role.OWNER, Role.ADMIN, Role.MEMBER, Role.VIEWER)
    }


def test_a_full_refund_reopens_every_invoice_with_its_exact_amount_and_tells_owners_and_admins(
    mollie, organization, debtor, three, members, django_capture_on_commit_callbacks
) -> None:
    payment = paid_through_webhook(mollie, organization, debtor, three)
    mollie.refund(payment.mollie_id, "350.00")

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook(payment.mollie_id) == 200

    assert open_amounts(three) == {
        "2026-001": Decimal("100.00"),
        "2026-002": Decimal("200.00"),
        "2026-003": Decimal("50.00"),
    }
    assert {row.status for row in three} == {InvoiceStatus.OPEN}
    assert reversals(organization) == [
        ("2026-001", Decimal("-100.00")),
        ("2026-002", Decimal("-200.00")),
        ("2026-003", Decimal("-50.00")),
    ]
    payment.refresh_from_db()
    assert (payment.status, payment.amount_refunded, payment.reversals_handled, payment.amount_reversed) == (
        "paid",
        Decimal("350.00"),
        Decimal("350.00"),
        Decimal("350.00"),
    )
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [members[Role.OWNER], members[Role.ADMIN]]
    )
    body = mail.outbox[0].body
    assert "Bakkerij Jansen" in body and payment.mollie_id in body
    assert "2026-001: €\xa0100,00" in body and "2026-003: €\xa050,00" in body  # the organization's language


def test_a_partial_refund_reopens_the_newest_invoices_first(mollie, organization, debtor, three) -> None:
    payment = paid_through_webhook(mollie, organization, debtor, three)
    mollie.refund(payment.mollie_id, "80.00")

    webhook(payment.mollie_id)

    assert open_amounts(three) == {
        "2026-001": Decimal("0.00"),
        "2026-002": Decimal("30.00"),
        "2026-003": Decimal("50.00"),
    }
    assert [row.status for row in sorted(three, key=lambda row: row.number)] == ["paid", "open", "open"]
    assert reversals(organization) == [("2026-002", Decimal("-30.00")), ("2026-003", Decimal("-50.00"))]


def test_a_replayed_refund_reverses_nothing_twice_and_mails_once(
    mollie, organization, debtor, three, members, django_capture_on_commit_callbacks
) -> None:
    payment = paid_through_webhook(mollie, organization, debtor, three)
    mollie.refund(payment.mollie_id, "80.00")

    with django_capture_on_commit_callbacks(execute=True):
        assert [webhook(payment.mollie_id) for _ in range(3)] == [200, 200, 200]
        online_payment_refresh(organization=organization, online_payment=payment)

    assert len(reversals(organization)) == 2
    assert open_amounts(three)["2026-002"] == Decimal("30.00")
    assert len(mail.outbox) == 2  # the owner and the administrator, once each


def test_a_second_refund_reverses_only_the_difference(mollie, organization, debtor, three) -> None:
    payment = paid_through_webhook(mollie, organization, debtor, three)
    mollie.refund(payment.mollie_id, "30.00")
    webhook(payment.mollie_id)
    mollie.refund(payment.mollie_id, "40.00")  # Mollie's total is now 70.00

    webhook(payment.mollie_id)

    assert open_amounts(three)["2026-003"] == Decimal("50.00")
    assert open_amounts(three)["2026-002"] == Decimal("20.00")
    assert sum(amount for _number, amount in reversals(organization)) == Decimal("-70.00")
    payment.refresh_from_db()
    assert (payment.reversals_handled, payment.amount_reversed) == (Decimal("70.00"), Decimal("70.00"))


def test_a_chargeback_reopens_the_amount_too(mollie, organization, debtor, three) -> None:
    payment = paid_through_webhook(mollie, organization, debtor, three)
    mollie.chargeback(payment.mollie_id, "350.00")

    webhook(payment.mollie_id)

    payment.refresh_from_db()
    assert (payment.status, payment.amount_charged_back, payment.amount_reversed) == (
        "paid",
        Decimal("350.00"),
        Decimal("350.00"),
    )
    assert open_amounts(three) == {
        "2026-001": Decimal("100.00"),
        "2026-002": Decimal("200.00"),
        "2026-003": Decimal("50.00"),
    }


def test_a_refund_of_a_payment_spread_over_two_invoices_reopens_the_newest_first(
    mollie, organization, debtor, three
) -> None:
    organization.online_payment_minimum = Decimal("10.00")
    organization.save()
    older, newer = three[2], three[1]  # 2026-001 (100.00), 2026-002 (200.00)
    payment = paid_through_webhook(mollie, organization, debtor, [older, newer], amount=Decimal("150.00"))
    assert open_amounts([older, newer]) == {"2026-001": Decimal("0.00"), "2026-002": Decimal("150.00")}
    mollie.refund(payment.mollie_id, "60.00")

    webhook(payment.mollie_id)

    # 2026-002 got 50.00 of the payment, last: it gives back those first, 2026-001 the remaining 10.00.
    assert open_amounts([older, newer]) == {"2026-001": Decimal("10.00"), "2026-002": Decimal("200.00")}
    assert reversals(organization) == [("2026-001", Decimal("-10.00")), ("2026-002", Decimal("-50.00"))]
    assert older.status == InvoiceStatus.OPEN


def test_more_refunded_and_charged_back_than_was_booked_is_capped(mollie, organization, debtor, three) -> None:
    payment = paid_through_webhook(mollie, organization, debtor, three)
    mollie.refund(payment.mollie_id, "350.00")
    mollie.chargeback(payment.mollie_id, "350.00")  # both, for the same money

    webhook(payment.mollie_id)
    mollie.refund(payment.mollie_id, "25.00")
    webhook(payment.mollie_id)

    payment.refresh_from_db()
    assert (payment.reversals_handled, payment.amount_reversed) == (Decimal("725.00"), Decimal("350.00"))
    assert sum(amount for _number, amount in reversals(organization)) == Decimal("-350.00")
    assert open_amounts(three) == {
        "2026-001": Decimal("100.00"),
        "2026-002": Decimal("200.00"),
        "2026-003": Decimal("50.00"),
    }


def test_a_refunded_surplus_opens_nothing_that_was_paid_otherwise(mollie, organization, debtor, three) -> None:
    payment = start(organization, debtor, three)
    oldest = three[2]
    payment_record(organization=organization, invoice=oldest, amount=Decimal("100.00"), date=TODAY, reference="bank-1")
    mollie.set_status(payment.mollie_id, "paid")
    webhook(payment.mollie_id)  # 2026-003 took 150.00 for its 50.00 open
    mollie.refund(payment.mollie_id, "100.00")

    webhook(payment.mollie_id)

    # The 100.00 taken back from 2026-003 was the surplus: it stays paid; the others were never touched.
    assert set(open_amounts(three).values()) == {Decimal("0.00")}
    assert reversals(organization) == [("2026-003", Decimal("-100.00"))]
    assert three[0].status == InvoiceStatus.PAID


def test_a_refund_found_before_the_booking_is_booked_and_reversed_at_once(mollie, organization, debtor, three) -> None:
    payment = start(organization, debtor, three)
    mollie.set_status(payment.mollie_id, "paid")
    mollie.refund(payment.mollie_id, "50.00")  # the "paid" webhook never came through

    webhook(payment.mollie_id)

    assert open_amounts(three)["2026-003"] == Decimal("50.00")
    assert sum(p.amount for p in mollie_payments(organization)) == Decimal("300.00")


def test_a_reopened_invoice_is_back_in_its_flow(mollie, organization, debtor, three) -> None:
    organization_defaults_install(organization)
    payment = paid_through_webhook(mollie, organization, debtor, three)
    today = local_today(organization.time_zone)
    week = [today + dt.timedelta(days=offset) for offset in range(7)]

    def planned_invoices() -> set[int]:
        return {
            invoice_id
            for day in week
            for message in engine.plan(organization, day, dry_run=True).messages
            for invoice_id in message.invoice_ids
        }

    assert planned_invoices() == set()
    mollie.refund(payment.mollie_id, "350.00")
    webhook(payment.mollie_id)

    assert {row.pk for row in three} <= planned_invoices()


def test_the_reversal_survives_an_accounting_resync(mollie, organization, debtor, three) -> None:
    """Sources that recount the payments (imports, connectors) see the money gone, not still paid."""
    payment = paid_through_webhook(mollie, organization, debtor, three)
    mollie.refund(payment.mollie_id, "350.00")
    webhook(payment.mollie_id)

    received = Payment.objects.for_organization(organization).filter(invoice=three[0]).aggregate(total=Sum("amount"))

    assert received["total"] == Decimal("0.00")


def test_the_fake_lists_refunds_and_chargebacks_as_mollie_does(mollie, organization, debtor, three) -> None:
    payment = paid_through_webhook(mollie, organization, debtor, three)
    mollie.refund(payment.mollie_id, "10.00")
    mollie.refund(payment.mollie_id, "5.50")
    mollie.chargeback(payment.mollie_id, "20.00")

    fetched = mollie_client(organization).payments.get(payment.mollie_id)

    assert fetched.status == "paid"
    assert fetched.amount_refunded == {"currency": "EUR", "value": "15.50"}
    assert fetched.amount_remaining == {"currency": "EUR", "value": "314.50"}
    assert fetched["amountChargedBack"] == {"currency": "EUR", "value": "20.00"}
    assert [refund.amount["value"] for refund in fetched.refunds.list()] == ["10.00", "5.50"]
    assert [chargeback.amount["value"] for chargeback in fetched.chargebacks.list()] == ["20.00"]


# --- whose key --------------------------------------------------------------------------------------------


def test_a_webhook_fetches_with_the_key_of_the_organization_the_payment_belongs_to(mollie, debtor, three) -> None:
    organization_a = debtor.organization
    organization_b = with_key(OrganizationFactory(name="Beta Installaties B.V."), mollie.add_account(OTHER_KEY))
    debtor_b = DebtorFactory(organization=organization_b)
    theirs = start(organization_b, debtor_b, [invoice(debtor_b, "B-001", "75.00", days_old=30)])
    ours = start(organization_a, debtor, three)
    mollie.set_status(ours.mollie_id, "paid")
    mollie.requests.clear()

    webhook(ours.mollie_id)

    keys = {request.headers["Authorization"] for request in mollie.requests}
    assert keys == {f"Bearer {mollie.api_key}"}  # A's key, and B's never
    assert len(mollie_payments(organization_a)) == 3
    mollie.set_status(theirs.mollie_id, "paid")
    mollie.requests.clear()
    webhook(theirs.mollie_id)
    assert {request.headers["Authorization"] for request in mollie.requests} == {f"Bearer {OTHER_KEY}"}
    assert len(mollie_payments(organization_b)) == 1


def test_a_payment_fetched_with_another_accounts_key_is_not_found_and_books_nothing(
    mollie, organization, debtor, three
) -> None:
    payment = start(organization, debtor, three)
    mollie.set_status(payment.mollie_id, "paid")
    with_key(organization, mollie.add_account(OTHER_KEY))  # the organization switched Mollie accounts

    assert webhook(payment.mollie_id) == 503  # Mollie answers 404 to this account: it may retry later

    assert mollie_payments(organization) == []


def test_when_mollie_cannot_be_asked_the_webhook_asks_to_be_called_again(
    mollie, settings, organization, debtor, three
) -> None:
    payment = start(organization, debtor, three)
    mollie.set_status(payment.mollie_id, "paid")
    with_key(organization, "test_notthekeymollieknows0000000000000")  # Mollie answers 401

    assert webhook(payment.mollie_id) == 503
    assert webhook("tr_unknown0000") == 200  # unknown ids still look like everything else
    assert mollie_payments(organization) == []

    with_key(organization, mollie.api_key)  # the key is put right; Mollie calls again later
    assert webhook(payment.mollie_id) == 200
    assert len(mollie_payments(organization)) == 3


def test_the_webhook_takes_only_post(mollie) -> None:
    assert Client().get(WEBHOOK, {"id": "tr_x"}).status_code == 405


def test_the_fake_checkout_pays_and_sends_the_debtor_back(mollie, organization, debtor, three) -> None:
    payment = start(organization, debtor, three)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(payment.checkout_url + "?outcome=paid")
    assert answer.value.code == 303
    assert answer.value.headers["Location"] == f"https://app.outstanding.test/p/token/payments/{payment.public_id}/"
    assert mollie.payments[payment.mollie_id]["status"] == "paid"


@pytest.mark.django_db(transaction=True)
def test_two_webhooks_at_the_same_time_book_once(mollie, settings) -> None:
    organization = with_key(OrganizationFactory(), mollie.api_key)
    debtor = DebtorFactory(organization=organization)
    invoices = [invoice(debtor, f"2026-{n}", "100.00", days_old=10 * n) for n in range(1, 4)]
    payment = start(organization, debtor, invoices)
    mollie.set_status(payment.mollie_id, "paid")
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            barrier.wait()
            online_payment_webhook(mollie_id=payment.mollie_id)
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(mollie_payments(organization)) == 3
    assert set(open_amounts(invoices).values()) == {Decimal("0.00")}


# --- the allocation rule --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "open_amounts", "shares"),
    [
        ("350.00", ["100.00", "200.00", "50.00"], ["100.00", "200.00", "50.00"]),
        ("150.00", ["100.00", "200.00", "50.00"], ["100.00", "50.00", "0.00"]),
        ("100.00", ["100.00", "200.00"], ["100.00", "0.00"]),  # exactly the oldest
        ("100.01", ["100.00", "200.00"], ["100.00", "0.01"]),  # a cent past it
        ("300.00", ["0.00", "200.00", "50.00"], ["0.00", "200.00", "100.00"]),  # surplus on the last one paid
        ("300.00", ["200.00", "50.00", "0.00"], ["200.00", "100.00", "0.00"]),
        ("80.00", ["0.00", "0.00"], ["0.00", "80.00"]),  # all paid meanwhile: kept visible on the newest
    ],
)
def test_allocation_pays_oldest_first_and_never_loses_a_cent(amount, open_amounts, shares) -> None:
    result = allocate_oldest_first(Decimal(amount), [Decimal(a) for a in open_amounts])
    assert result == [Decimal(s) for s in shares]
    assert sum(result) == Decimal(amount)


def test_allocation_refuses_nothing_to_allocate_to() -> None:
    with pytest.raises(ValueError):
        allocate_oldest_first(Decimal("1.00"), [])
    with pytest.raises(ValueError):
        allocate_oldest_first(Decimal("0.00"), [Decimal("1.00")])


def test_an_online_payment_row_needs_the_organization() -> None:
    from outstanding.tenancy import UnscopedQueryError

    with pytest.raises(UnscopedQueryError):
        list(OnlinePayment.objects.all())


def test_status_labels_cover_what_mollie_reports() -> None:
    assert set(OnlinePaymentStatus.values) == {"open", "pending", "authorized", "paid", "failed", "canceled", "expired"}


@pytest.mark.parametrize("path", ["https://evil.test/", "//evil.test/", "/\\evil.test", "p/relative/"])
def test_the_debtor_can_only_be_sent_back_to_this_site(mollie, organization, debtor, three, path) -> None:
    with pytest.raises(ValueError, match="path on this site"):
        online_payment_create(organization=organization, debtor=debtor, invoices=three, return_path=path)
    assert mollie.requests == []


@pytest.mark.parametrize(
    ("amount", "booked", "shares"),
    [
        ("60.00", ["100.00", "50.00"], ["10.00", "50.00"]),  # the newest gives back first
        ("150.00", ["100.00", "50.00"], ["100.00", "50.00"]),  # everything
        ("999.00", ["100.00", "50.00"], ["100.00", "50.00"]),  # never more than was booked
        ("30.00", ["100.00", "0.00", "20.00"], ["10.00", "0.00", "20.00"]),
        ("0.00", ["100.00"], ["0.00"]),
        ("5.00", [], []),
    ],
)
def test_reversal_takes_back_newest_first_and_never_more_than_was_booked(amount, booked, shares) -> None:
    result = reverse_newest_first(Decimal(amount), [Decimal(b) for b in booked])
    assert result == [Decimal(s) for s in shares]
    assert sum(result, Decimal("0.00")) == min(Decimal(amount), sum((Decimal(b) for b in booked), Decimal("0.00")))


def test_reversal_refuses_a_negative_amount() -> None:
    with pytest.raises(ValueError):
        reverse_newest_first(Decimal("-1.00"), [Decimal("1.00")])
