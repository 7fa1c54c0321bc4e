"""Disputes from the portal: the invoice is held at once (the real engine plans nothing for it), the
creditor is told and resolves it with a reply: resume (the flow continues), credit note or write off."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from invoices.models import Invoice, InvoiceStatus, PaymentSource
from outstanding.calendar import local_today
from outstanding.services import organization_defaults_install
from portal.models import Dispute, DisputeReason, DisputeResolution, DisputeStatus, ThreadEntry, ThreadEntryKind
from portal.selectors import reactions_needing_attention
from reminders import engine
from tests.conftest import Tenant, client_for
from tests.factories import DebtorFactory, InvoiceFactory
from tests.portal.reactions import creditor_url, invoice_page, link_for, react, says

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org_a: Tenant) -> Tenant:
    organization_defaults_install(org_a.organization)
    return org_a


@pytest.fixture
def today(org: Tenant) -> dt.date:
    return local_today(org.organization.time_zone)


@pytest.fixture
def debtor(org: Tenant):
    return DebtorFactory(organization=org.organization, name="Jansen Bouw", emails=["admin@jansenbouw.test"])


@pytest.fixture
def invoice(debtor, today: dt.date) -> Invoice:
    due = today - dt.timedelta(days=5)
    return InvoiceFactory(debtor=debtor, number="2026-0101", due_date=due, issue_date=due - dt.timedelta(days=30))


@pytest.fixture
def link(debtor, invoice: Invoice) -> str:
    return link_for(debtor, invoice)


def planned_invoice_ids(org: Tenant, day: dt.date) -> set[int]:
    """What the real engine would send on ``day`` (dry run: nothing written)."""
    return {pk for message in engine.plan(org.organization, day, dry_run=True).messages for pk in message.invoice_ids}


def first_planned_day(org: Tenant, invoice: Invoice, today: dt.date) -> dt.date:
    for offset in range(0, 30):
        day = today + dt.timedelta(days=offset)
        if invoice.pk in planned_invoice_ids(org, day):
            return day
    raise AssertionError("the engine never plans this invoice")


def dispute(client: Client, link: str, invoice: Invoice, capture, reason: str = DisputeReason.AMOUNT_WRONG):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return react(
            client, link, invoice, "dispute", {"reason": reason, "text": "Er staan 3 dozen op, ik kreeg er 2."}
        )


def resolve(org: Tenant, invoice: Invoice, capture, **data: str):  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return client_for(org.member).post(creditor_url("invoice_dispute_resolve", invoice), data)


def test_a_dispute_holds_the_invoice_at_once_so_the_engine_plans_nothing_for_it(
    client: Client, link: str, invoice: Invoice, org: Tenant, today: dt.date, django_capture_on_commit_callbacks
) -> None:
    day = first_planned_day(org, invoice, today)
    response = dispute(client, link, invoice, django_capture_on_commit_callbacks)
    assert response.status_code == 303 and "sent=dispute" in response["Location"]
    invoice.refresh_from_db()
    assert invoice.is_paused and invoice.paused_until is None
    assert invoice.pk not in planned_invoice_ids(org, day)
    assert invoice.pk not in planned_invoice_ids(org, day + dt.timedelta(days=60))


def test_the_hold_reason_is_in_the_organizations_language(
    client: Client, link: str, invoice: Invoice, org: Tenant, django_capture_on_commit_callbacks
) -> None:
    dispute(client, link, invoice, django_capture_on_commit_callbacks)
    invoice.refresh_from_db()
    assert says(invoice.pause_reason, "Disputed by the debtor in the portal", "Betwist door de debiteur in het portaal")
    assert says(invoice.pause_reason, "The amount is wrong", "Het bedrag klopt niet")


def test_a_dispute_tells_the_creditor_and_waits_in_the_attention_list(
    client: Client, link: str, invoice: Invoice, org: Tenant, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    dispute(client, link, invoice, django_capture_on_commit_callbacks)
    assert {address for mail in mailoutbox for address in mail.to} == {org.owner.email, org.member.email}
    assert "2026-0101" in mailoutbox[0].subject and "ik kreeg er 2" in mailoutbox[0].body
    assert reactions_needing_attention(organization=org.organization).disputes == 1
    html = client_for(org.member).get(creditor_url("invoice_detail", invoice)).content.decode()
    assert 'data-testid="thread-open-dispute"' in html and 'data-testid="dispute-resolve-form"' in html


def test_the_portal_shows_the_dispute_on_the_invoice_row_and_offers_no_second_one(
    client: Client, link: str, invoice: Invoice, django_capture_on_commit_callbacks
) -> None:
    dispute(client, link, invoice, django_capture_on_commit_callbacks)
    home = client.get(link).content.decode()
    assert says(home, "Disputed: no reminders", "Betwist: geen herinneringen")
    page = client.get(invoice_page(link, invoice)).content.decode()
    assert 'id="dispute-submit"' not in page and 'id="invoice-state"' in page


def test_a_second_dispute_while_one_is_open_is_refused_keeping_the_text(
    client: Client, link: str, invoice: Invoice, org: Tenant, django_capture_on_commit_callbacks
) -> None:
    dispute(client, link, invoice, django_capture_on_commit_callbacks)
    response = react(client, link, invoice, "dispute", {"reason": "other", "text": "Nog iets anders"})
    assert response.status_code == 400 and "Nog iets anders" in response.content.decode()
    assert Dispute.objects.for_organization(org.organization).count() == 1


def test_a_dispute_without_a_reason_is_refused_next_to_the_select(client: Client, link: str, invoice: Invoice) -> None:
    response = react(client, link, invoice, "dispute", {"reason": "", "text": "Klopt niet"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="dispute-reason-error"' in html and "Klopt niet" in html
    invoice.refresh_from_db()
    assert not invoice.is_paused


def test_resolving_with_resume_lifts_the_hold_and_the_flow_continues(
    client: Client,
    link: str,
    invoice: Invoice,
    org: Tenant,
    today: dt.date,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    day = first_planned_day(org, invoice, today)
    dispute(client, link, invoice, django_capture_on_commit_callbacks)
    mailoutbox.clear()
    response = resolve(
        org, invoice, django_capture_on_commit_callbacks, resolution="resume", text="U kreeg 3 dozen, zie de pakbon."
    )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert not invoice.is_paused and invoice.status == InvoiceStatus.OPEN
    assert invoice.pk in planned_invoice_ids(org, day)
    [record] = Dispute.objects.for_organization(org.organization).all()
    assert (record.status, record.resolution, record.resolved_by) == (DisputeStatus.RESOLVED, "resume", org.member)
    [mail] = mailoutbox
    assert mail.to == ["admin@jansenbouw.test"] and "zie de pakbon" in mail.body
    assert reactions_needing_attention(organization=org.organization).total == 0
    page = client.get(invoice_page(link, invoice)).content.decode()
    assert "zie de pakbon" in page and 'id="dispute-submit"' in page


def test_resolving_with_a_credit_note_credits_what_is_open(
    client: Client, link: str, invoice: Invoice, org: Tenant, django_capture_on_commit_callbacks
) -> None:
    dispute(client, link, invoice, django_capture_on_commit_callbacks)
    resolve(
        org,
        invoice,
        django_capture_on_commit_callbacks,
        resolution="credit_note",
        credit_note_number="CN-7",
        text="Gecrediteerd.",
    )
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.CREDITED and invoice.open_amount == 0 and not invoice.is_paused
    [payment] = invoice.payments.all()
    assert (payment.source, payment.reference) == (PaymentSource.CREDIT_NOTE, "CN-7")


def test_resolving_with_a_write_off_closes_the_invoice(
    client: Client, link: str, invoice: Invoice, org: Tenant, today: dt.date, django_capture_on_commit_callbacks
) -> None:
    dispute(client, link, invoice, django_capture_on_commit_callbacks)
    resolve(org, invoice, django_capture_on_commit_callbacks, resolution="write_off", text="We boeken het af.")
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.WRITTEN_OFF
    assert invoice.pk not in planned_invoice_ids(org, today + dt.timedelta(days=10))
    entry = ThreadEntry.objects.for_organization(org.organization).filter(kind=ThreadEntryKind.DISPUTE_RESOLVED).get()
    assert entry.dispute.resolution == DisputeResolution.WRITE_OFF


def test_a_resolution_without_a_reply_is_refused_and_the_dispute_stays_open(
    client: Client, link: str, invoice: Invoice, org: Tenant, django_capture_on_commit_callbacks
) -> None:
    dispute(client, link, invoice, django_capture_on_commit_callbacks)
    response = resolve(org, invoice, django_capture_on_commit_callbacks, resolution="write_off", text="")
    assert response.status_code == 400
    assert says(response.content.decode(), "Write the debtor a reply", "Schrijf de debiteur een antwoord")
    invoice.refresh_from_db()
    assert invoice.is_paused and invoice.status == InvoiceStatus.OPEN


def test_resolving_when_no_dispute_is_open_answers_404(org: Tenant, invoice: Invoice) -> None:
    response = client_for(org.member).post(
        creditor_url("invoice_dispute_resolve", invoice), {"resolution": "resume", "text": "x"}
    )
    assert response.status_code == 404


def test_an_outsider_cannot_resolve_a_dispute(
    client: Client, link: str, invoice: Invoice, outsider_client: Client, django_capture_on_commit_callbacks
) -> None:
    dispute(client, link, invoice, django_capture_on_commit_callbacks)
    response = outsider_client.post(
        creditor_url("invoice_dispute_resolve", invoice), {"resolution": "write_off", "text": "x"}
    )
    assert response.status_code == 404
    invoice.refresh_from_db()
    assert invoice.status == InvoiceStatus.OPEN and invoice.is_paused
