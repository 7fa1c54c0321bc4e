"""The dossier API (issue 10, point 6): open, list, read, and the statement that reconciles to the cent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from collection.models import Dossier, DossierOrigin, DossierStage
from collection.selectors.statements import dossier_statement_on
from collection.services import dossier_open
from invoices.models import DebtorKind, Invoice, PaymentSource
from invoices.services import payment_record, payment_reverse
from outstanding.calendar import local_today
from outstanding.models import ApiKeyAccess
from tests.api_clients import api_client, assert_error
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

DOSSIERS = "/api/v1/dossiers/"
PAYMENTS = "/api/v1/payments/"
D = Decimal
OPENED = dt.date(2026, 11, 26)


@pytest.fixture
def organization(org_a: Tenant):  # type: ignore[no-untyped-def]
    organization = org_a.organization
    organization.dossier_pre_collection = False
    organization.save()
    return organization


@pytest.fixture
def client(organization) -> APIClient:  # type: ignore[no-untyped-def]
    return api_client(organization)


def _invoices(debtor, *amounts: str, due: dt.date = dt.date(2026, 8, 31)) -> list[Invoice]:  # type: ignore[no-untyped-def]
    return [
        InvoiceFactory(
            debtor=debtor,
            amount=D(amount),
            vat_amount=D("0"),
            issue_date=due - dt.timedelta(days=30 - i),
            due_date=due + dt.timedelta(days=i),
        )
        for i, amount in enumerate(amounts)
    ]


def _opened(organization, *amounts: str) -> tuple[Dossier, list[Invoice]]:  # type: ignore[no-untyped-def]
    """A business dossier opened on 26 November 2026 (fixed dates, so the figures below are fixed)."""
    debtor = DebtorFactory(organization=organization)
    invoices = _invoices(debtor, *amounts)
    dossier = dossier_open(
        organization=organization, debtor=debtor, invoices=invoices, today=OPENED, origin=DossierOrigin.MANUAL
    )
    return dossier, invoices


def _statement(client: APIClient, dossier: Dossier, on: str) -> dict:  # type: ignore[type-arg]
    response = client.get(f"{DOSSIERS}{dossier.public_id}/statement/", {"on": on})
    assert response.status_code == 200, response.content
    return response.json()


def _pay(client: APIClient, invoice: Invoice, amount: str, on: dt.date) -> None:
    body = {"invoice": str(invoice.public_id), "amount": amount, "date": on.isoformat()}
    assert client.post(PAYMENTS, body, format="json").status_code == 201


def _reconciles(body: dict) -> None:  # type: ignore[type-arg]
    paid = D(body["paid"])
    assert paid == D(body["paid_to_costs"]) + D(body["paid_to_interest"]) + D(body["paid_to_principal"])
    lines = body["invoices"]
    owed = sum(D(i["principal_original"]) - D(i["credited"]) + D(i["interest_accrued"]) for i in lines)
    assert owed + D(body["costs"]) + D(body["costs_vat"]) - paid == D(body["outstanding"])


class TestOpening:
    def test_it_opens_a_dossier_for_the_debtors_invoices_and_answers_201(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        debtor = DebtorFactory(organization=organization)
        today = local_today(organization.time_zone)
        invoices = _invoices(debtor, "1500.00", "850.00", due=today - dt.timedelta(days=60))
        body = {"debtor": str(debtor.public_id), "invoices": [str(i.public_id) for i in invoices]}
        response = client.post(DOSSIERS, body, format="json")
        assert response.status_code == 201, response.content
        data = response.json()
        dossier = Dossier.objects.for_organization(organization).get()
        assert data["id"] == str(dossier.public_id)
        assert (dossier.origin, dossier.stage) == (DossierOrigin.API, DossierStage.AMICABLE)
        assert data["stage"] == "amicable" and data["debtor"] == str(debtor.public_id)
        assert data["costs"] == "352.50"  # 15 % of 2,350
        assert [item["principal"] for item in data["invoices"]] == ["1500.00", "850.00"]
        assert all(Invoice.objects.for_organization(organization).get(pk=i.pk).is_paused for i in invoices)

    def test_it_opens_in_pre_collection_when_asked(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        debtor = DebtorFactory(organization=organization)
        [invoice] = _invoices(debtor, "100.00", due=local_today(organization.time_zone) - dt.timedelta(days=30))
        body = {"debtor": str(debtor.public_id), "invoices": [str(invoice.public_id)], "stage": "pre_collection"}
        response = client.post(DOSSIERS, body, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["stage"] == "pre_collection" and response.json()["costs"] == "0.00"

    def test_it_answers_400_with_the_problems_and_opens_nothing(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        debtor = DebtorFactory(organization=organization, street="", city="")
        [invoice] = _invoices(debtor, "100.00", due=local_today(organization.time_zone) - dt.timedelta(days=30))
        response = client.post(DOSSIERS, {"debtor": str(debtor.public_id), "invoices": [str(invoice.public_id)]})
        error = assert_error(response, 400, "validation_error")
        assert "street and number" in error["details"]["problems"][0]
        assert not Dossier.objects.for_organization(organization).exists()
        assert not Invoice.objects.for_organization(organization).get(pk=invoice.pk).is_paused

    def test_a_consumer_without_a_fourteen_day_letter_is_refused(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        consumer = DebtorFactory(organization=organization, kind=DebtorKind.CONSUMER)
        [invoice] = _invoices(consumer, "100.00", due=local_today(organization.time_zone) - dt.timedelta(days=30))
        response = client.post(DOSSIERS, {"debtor": str(consumer.public_id), "invoices": [str(invoice.public_id)]})
        error = assert_error(response, 400, "validation_error")
        assert "14-day letter" in error["details"]["problems"][0]

    def test_another_organizations_debtor_or_invoice_is_unknown(self, client, organization, org_b) -> None:  # type: ignore[no-untyped-def]
        theirs = DebtorFactory(organization=org_b.organization)
        [their_invoice] = _invoices(theirs, "100.00")
        mine = DebtorFactory(organization=organization)
        response = client.post(DOSSIERS, {"debtor": str(theirs.public_id), "invoices": [str(their_invoice.public_id)]})
        assert "debtor" in assert_error(response, 400, "validation_error")["details"]
        response = client.post(DOSSIERS, {"debtor": str(mine.public_id), "invoices": [str(their_invoice.public_id)]})
        assert "invoices" in assert_error(response, 400, "validation_error")["details"]
        assert not Dossier.objects.for_organization(org_b.organization).exists()

    def test_an_invoice_of_another_debtor_is_refused(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        debtor, other = DebtorFactory(organization=organization), DebtorFactory(organization=organization)
        [invoice] = _invoices(other, "100.00")
        response = client.post(DOSSIERS, {"debtor": str(debtor.public_id), "invoices": [str(invoice.public_id)]})
        assert "invoices" in assert_error(response, 400, "validation_error")["details"]

    def test_bad_input_is_refused_with_the_field_named(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        debtor = DebtorFactory(organization=organization)
        for body, field in (
            ({"debtor": str(debtor.public_id), "invoices": []}, "invoices"),
            ({"debtor": str(debtor.public_id), "invoices": ["nope"]}, "invoices"),
            ({"debtor": str(debtor.public_id), "invoices": [], "stage": "judicial"}, "stage"),
            ({"debtor": str(debtor.public_id), "invoices": [], "organization": "x"}, "organization"),
        ):
            assert field in assert_error(client.post(DOSSIERS, body, format="json"), 400, "validation_error")["details"]

    def test_a_read_only_key_cannot_open_a_dossier(self, organization) -> None:  # type: ignore[no-untyped-def]
        response = api_client(organization, ApiKeyAccess.READ).post(DOSSIERS, {}, format="json")
        assert_error(response, 403, "read_only_key")

    def test_without_a_key_it_is_401(self) -> None:
        assert APIClient().get(DOSSIERS).status_code == 401


class TestReading:
    def test_the_list_is_paginated_and_shows_only_this_organizations_dossiers(
        self, client, organization, org_b
    ) -> None:  # type: ignore[no-untyped-def]
        mine, _ = _opened(organization, "100.00")
        _opened(org_b.organization, "200.00")
        response = client.get(DOSSIERS, {"page_size": 10})
        assert response.status_code == 200
        data = response.json()
        assert data["count"] == 1 and [d["id"] for d in data["results"]] == [str(mine.public_id)]
        assert data["results"][0]["reference"] == "D2026-00001"

    def test_the_list_filters_by_stage_and_refuses_unknown_parameters(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        _opened(organization, "100.00")
        assert client.get(DOSSIERS, {"stage": "amicable"}).json()["count"] == 1
        assert client.get(DOSSIERS, {"stage": "judicial"}).json()["count"] == 0
        assert_error(client.get(DOSSIERS, {"stag": "amicable"}), 400, "validation_error")

    def test_the_list_takes_a_fixed_number_of_queries(
        self, client, organization, django_assert_max_num_queries
    ) -> None:  # type: ignore[no-untyped-def]
        for _ in range(4):
            _opened(organization, "100.00", "200.00")
        with django_assert_max_num_queries(8):  # key, throttle bookkeeping, count, page, items
            assert len(client.get(DOSSIERS).json()["results"]) == 4

    def test_one_dossier_by_id(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        dossier, invoices = _opened(organization, "100.00")
        data = client.get(f"{DOSSIERS}{dossier.public_id}/").json()
        assert data["reference"] == dossier.reference
        assert data["invoices"][0]["invoice"] == str(invoices[0].public_id)
        assert data["invoices"][0]["interest_from"] == "2026-09-01"

    def test_another_organizations_dossier_is_404(self, client, org_b) -> None:  # type: ignore[no-untyped-def]
        theirs, _ = _opened(org_b.organization, "100.00")
        assert_error(client.get(f"{DOSSIERS}{theirs.public_id}/"), 404, "not_found")
        assert_error(client.get(f"{DOSSIERS}{theirs.public_id}/statement/"), 404, "not_found")


class TestStatement:
    def test_payments_recorded_through_the_payments_endpoint_are_imputed_costs_interest_principal(
        self, client, organization
    ) -> None:  # type: ignore[no-untyped-def]
        # F1 1,500 due 31 Aug, F2 850 due 1 Sep 2026; costs 352.50 (15 % of 2,350) due from 26 Nov; 10.40 %.
        dossier, (first, second) = _opened(organization, "1500.00", "850.00")
        _pay(client, second, "500.00", dt.date(2026, 11, 30))
        _pay(client, first, "1000.00", dt.date(2026, 12, 5))
        # 30 Nov: F1 (31 Aug, 30 Nov] 91 days: 1,500 x 0.104 x 91 / 365 = 38.8931 -> 38.89
        #         F2 (1 Sep, 30 Nov] 90 days: 850 x 0.104 x 90 / 365 = 21.7972 -> 21.80
        #   500 -> costs 352.50, interest 38.89 + 21.80, principal 86.81 off F2 (recorded on it): F2 763.19
        # 5 Dec:  F1 + 5 days: exact 41.0301 -> 41.03, owed 2.14; F2 + 5 days on 763.19: 22.8845 -> 22.88, owed 1.08
        #   1,000 -> interest 3.22, principal 996.78 off F1 (recorded on it): F1 503.22
        # 31 Dec: F1 + 26 days on 503.22: 44.7581 -> 44.76, owed 3.73
        #         F2 + 26 days on 763.19: 28.5384 -> 28.54, owed 5.66
        body = _statement(client, dossier, "2026-12-31")
        lines = {line["invoice"]: line for line in body["invoices"]}
        assert (lines[str(first.public_id)]["principal"], lines[str(first.public_id)]["interest"]) == (
            "503.22",
            "3.73",
        )
        assert (lines[str(second.public_id)]["principal"], lines[str(second.public_id)]["interest"]) == (
            "763.19",
            "5.66",
        )
        assert lines[str(first.public_id)]["interest_from"] == "2026-09-01"
        assert (body["costs"], body["paid"], body["paid_to_costs"]) == ("352.50", "1500.00", "352.50")
        assert (body["paid_to_interest"], body["paid_to_principal"]) == ("63.91", "1083.59")
        assert body["outstanding"] == "1275.80"  # 503.22 + 3.73 + 763.19 + 5.66
        assert [p["to_costs"] for p in body["payments"]] == ["352.50", "0.00"]
        assert body["settlement"] == {
            "to_creditor": "1147.50",  # 63.91 + 1,083.59
            "to_collector": "352.50",
            "to_refund": "0.00",
            "creditor_fee": "0.00",
        }
        _reconciles(body)

    def test_the_periods_carry_rate_basis_and_days(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        dossier, (invoice,) = _opened(organization, "1500.00")
        _pay(client, invoice, "500.00", dt.date(2026, 11, 30))
        [line] = _statement(client, dossier, "2026-12-31")["invoices"]
        # 500 -> costs 225.00 (15 % of 1,500), interest 38.89, principal 236.11: basis 1,263.89 from 1 Dec
        assert [(p["start"], p["end"], p["days"], p["rate"], p["basis"]) for p in line["periods"]] == [
            ("2026-09-01", "2026-11-30", 91, "10.40", "1500.00"),
            ("2026-12-01", "2026-12-31", 31, "10.40", "1263.89"),
        ]
        assert sum(D(p["amount"]) for p in line["periods"]) == D(line["interest_accrued"])

    def test_a_payment_recorded_before_the_dossier_opened_is_not_counted_twice(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        debtor = DebtorFactory(organization=organization)
        [invoice] = _invoices(debtor, "1000.00")
        payment_record(organization=organization, invoice=invoice, amount=D("400.00"), date=dt.date(2026, 10, 1))
        invoice.refresh_from_db()
        dossier = dossier_open(
            organization=organization, debtor=debtor, invoices=[invoice], today=OPENED, origin=DossierOrigin.MANUAL
        )
        body = _statement(client, dossier, "2026-11-26")
        assert body["invoices"][0]["principal_original"] == "600.00"
        assert body["paid"] == "0.00" and body["payments"] == []

    def test_a_credit_note_lowers_the_principal_and_a_charge_back_reverses_a_payment(
        self, client, organization
    ) -> None:  # type: ignore[no-untyped-def]
        dossier, (invoice,) = _opened(organization, "1000.00")
        payment_record(
            organization=organization, invoice=invoice, amount=D("100.00"), date=dt.date(2026, 11, 26),
            source=PaymentSource.CREDIT_NOTE, reference="CN-1",
        )  # fmt: skip
        payment_record(
            organization=organization, invoice=invoice, amount=D("300.00"), date=dt.date(2026, 11, 27),
            source=PaymentSource.MOLLIE, reference="tr_1",
        )  # fmt: skip
        before = _statement(client, dossier, "2026-11-27")
        # costs 150 (15 % of 1,000); credit 100 off the principal; 300 -> costs 150, interest, the rest principal
        assert before["credited"] == "100.00" and before["paid"] == "300.00" and before["paid_to_costs"] == "150.00"
        payment_reverse(
            organization=organization, invoice=invoice, amount=D("300.00"), date=dt.date(2026, 11, 28), reference="re_1"
        )
        after = _statement(client, dossier, "2026-11-28")
        assert after["paid"] == "0.00" and after["payments"][-1]["amount"] == "-300.00"
        _reconciles(before)
        _reconciles(after)

    def test_without_a_date_it_is_today_in_the_organizations_time_zone(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        dossier, _ = _opened(organization, "100.00")
        body = client.get(f"{DOSSIERS}{dossier.public_id}/statement/").json()
        assert body["on"] == local_today(organization.time_zone).isoformat()

    def test_a_bad_date_is_a_400_that_says_so(self, client, organization) -> None:  # type: ignore[no-untyped-def]
        dossier, _ = _opened(organization, "100.00")
        url = f"{DOSSIERS}{dossier.public_id}/statement/"
        for on in ("2026-13-01", "31-12-2026", "yesterday", "1999-12-31", "2100-01-01"):
            error = assert_error(client.get(url, {"on": on}), 400, "validation_error")
            assert "on" in error["details"], on
        message = assert_error(client.get(url, {"on": "nope"}), 400, "validation_error")["details"]["on"][0]
        assert message == "Give the date as YYYY-MM-DD, e.g. 2026-12-31."
        assert_error(client.get(url, {"on": ""}), 400, "validation_error")
        assert_error(client.get(url, {"date": "2026-12-31"}), 400, "validation_error")

    def test_a_statement_across_a_half_year_without_rates_says_from_when_interest_is_provisional(
        self, client, organization
    ) -> None:  # type: ignore[no-untyped-def]
        dossier, _ = _opened(organization, "100.00")
        assert _statement(client, dossier, "2026-12-31")["rates_unconfirmed_from"] is None
        assert _statement(client, dossier, "2027-02-01")["rates_unconfirmed_from"] == "2027-01-01"

    def test_the_facts_are_gathered_in_two_queries(self, organization, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
        dossier, invoices = _opened(organization, "100.00", "200.00", "300.00")
        for invoice in invoices:
            payment_record(organization=organization, invoice=invoice, amount=D("10.00"), date=dt.date(2026, 11, 27))
        with django_assert_num_queries(2):
            result = dossier_statement_on(organization=organization, dossier=dossier, on=dt.date(2026, 12, 31))
        assert len(result.statement.imputations) == 3
