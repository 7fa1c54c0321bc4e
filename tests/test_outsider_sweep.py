"""Walk every creditor URL as someone who has no business there and expect 404.

New URL patterns are picked up automatically. A pattern with a URL argument this file does not
know fails the test: add the argument to ``object_ids`` with an object of organization A.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from invoices.models import AccountingConnection, ImportJob
from outstanding.api_keys import api_key_create
from outstanding.models import Invitation, Membership
from tests.conftest import Tenant, client_for
from tests.factories import DebtorFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db

APP_PREFIX = "app/<uuid:org_id>/"


def creditor_patterns() -> Iterator[tuple[str, Any]]:
    """(route, view) for every pattern below /app/<org_id>/."""

    def walk(patterns: list, prefix: str) -> Iterator[tuple[str, Any]]:
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and route.startswith(APP_PREFIX):
                yield route, pattern.callback

    return list(walk(get_resolver().url_patterns, ""))


def fill(route: str, values: dict[str, str]) -> str:
    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in values:
            raise AssertionError(f"{route}: unknown URL argument <{name}>; add it to object_ids in this test")
        return values[name]

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", replace, route)


@pytest.fixture
def object_ids(org_a: Tenant) -> dict[str, str]:
    """One object of organization A for every URL argument a creditor page takes."""
    organization = org_a.organization
    invoice = InvoiceFactory(debtor=DebtorFactory(organization=organization))
    PaymentFactory(invoice=invoice)
    invitation = Invitation.objects.create(organization=organization, email="new@example.test")
    import_job = ImportJob.objects.create(organization=organization, kind="csv", file="imports/x.csv", filename="x.csv")
    api_key, _raw_key = api_key_create(organization=organization, name="sync", access="read", created_by=None)
    connection = AccountingConnection.objects.create(organization=organization, provider="moneybird", access_token="t")
    return {
        "org_id": str(organization.public_id),
        "debtor_id": str(invoice.debtor.public_id),
        "invoice_id": str(invoice.public_id),
        "membership_id": str(Membership.objects.get(organization=organization, user=org_a.member).public_id),
        "invitation_id": str(invitation.public_id),
        "import_id": str(import_job.public_id),
        "api_key_id": str(api_key.public_id),
        "connection_id": str(connection.public_id),
        **_reminder_ids(organization, invoice),
        "batch_id": _letter_batch_id(organization),
        "line_id": _bank_line_id(organization),
        "arrangement_id": _arrangement_id(organization, invoice),
        "proof_id": _proof_id(organization, invoice),
        "dossier_id": _dossier_id(organization),
    }


def _letter_batch_id(organization) -> str:  # type: ignore[no-untyped-def]
    """A print batch of organization A (with no file: the sweep must get 404 before that matters)."""
    import datetime as dt

    from reminders.models import LetterBatch

    return str(LetterBatch.objects.create(organization=organization, date=dt.date(2026, 11, 26)).public_id)


def _bank_line_id(organization) -> str:  # type: ignore[no-untyped-def]
    """A bank statement line of organization A, waiting for review."""
    import datetime as dt

    from invoices.models import BankLine, BankStatement

    statement = BankStatement.objects.create(organization=organization, filename="camt.xml")
    line = BankLine.objects.create(
        organization=organization, statement=statement, entry_key="sweep", amount="1.00", date=dt.date(2026, 11, 26)
    )
    return str(line.public_id)


def _arrangement_id(organization, invoice) -> str:  # type: ignore[no-untyped-def]
    """A payment arrangement of organization A, proposed from the portal."""
    from collection.services import arrangement_propose
    from tests.factories import TODAY

    arrangement = arrangement_propose(
        organization=organization, debtor=invoice.debtor, invoices=[invoice], term_count=2, debtor_note="", today=TODAY
    )
    return str(arrangement.public_id)


def _dossier_id(organization) -> str:  # type: ignore[no-untyped-def]
    """A collection dossier of organization A, opened by hand for an invoice of its own."""
    from collection.services import dossier_open
    from tests.factories import TODAY

    invoice = InvoiceFactory(debtor=DebtorFactory(organization=organization))
    dossier = dossier_open(
        organization=organization, debtor=invoice.debtor, invoices=[invoice], today=TODAY, origin="manual"
    )
    return str(dossier.public_id)


def _proof_id(organization, invoice) -> str:  # type: ignore[no-untyped-def]
    """A debtor's proof of payment on the invoice (with no file: the sweep must get 404 before that matters)."""
    from portal.models import ProofOfPayment, ThreadEntry

    entry = ThreadEntry.objects.create(
        organization=organization, invoice=invoice, debtor=invoice.debtor, author="debtor", kind="payment_claim"
    )
    proof = ProofOfPayment.objects.create(
        organization=organization, entry=entry, file="private/proofs/sweep.pdf", content_type="application/pdf",
        size=1, original_name="sweep.pdf",
    )  # fmt: skip
    return str(proof.public_id)


def _reminder_ids(organization, invoice) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """A flow, a step and a reminder of organization A."""
    from outstanding.services import organization_defaults_install
    from reminders.models import Flow, Reminder

    organization_defaults_install(organization)
    flow = Flow.objects.for_organization(organization).first()
    reminder = Reminder.objects.create(
        organization=organization,
        debtor=invoice.debtor,
        channel="letter",
        kind="reminder",
        planned_date=invoice.due_date,
    )
    return {
        "flow_id": str(flow.public_id),
        "step_id": str(flow.steps.first().public_id),
        "reminder_id": str(reminder.public_id),
    }


def test_there_are_creditor_pages_to_sweep() -> None:
    assert len(creditor_patterns()) >= 10


def test_every_creditor_view_goes_through_the_access_helper() -> None:
    for route, view in creditor_patterns():
        assert getattr(view, "organization_view", False), f"{route} is not decorated with organization_view"


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_404_on_every_creditor_url(object_ids: dict[str, str], org_b: Tenant, method: str) -> None:
    client = client_for(org_b.owner)
    for route, _view in creditor_patterns():
        url = fill(route, object_ids)
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{method.upper()} {url} gave {response.status_code}"


@pytest.mark.parametrize("method", ["get", "post"])
def test_objects_of_another_organization_answer_404_in_ones_own(
    object_ids: dict[str, str], org_b: Tenant, method: str
) -> None:
    """Organization B's owner, on B's own pages, asking for A's debtors, invoices, members."""
    client = client_for(org_b.owner)
    own = dict(object_ids, org_id=str(org_b.organization.public_id))
    for route, _view in creditor_patterns():
        if route.count("<") < 2:
            continue  # no object in the URL besides the organization
        url = fill(route, own)
        response = getattr(client, method)(url)
        assert response.status_code == 404, f"{method.upper()} {url} gave {response.status_code}"


def test_an_anonymous_visitor_is_sent_to_the_login_page(object_ids: dict[str, str], client) -> None:  # type: ignore[no-untyped-def]
    for route, _view in creditor_patterns():
        response = client.get(fill(route, object_ids))
        assert response.status_code in (302, 405), route
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/"), route


def test_a_malformed_organization_id_answers_404(org_a: Tenant) -> None:
    response = client_for(org_a.owner).get("/app/not-a-uuid/")
    assert response.status_code == 404
