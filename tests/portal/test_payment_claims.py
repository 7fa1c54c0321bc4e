""" "I have paid" with proof: the upload is judged by its content and its size, the invoice is held for the
organization's number of days, the creditor checks, and the proof reaches only the creditor's members
and the debtor's own links."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from invoices.models import Invoice
from outstanding.calendar import local_today
from outstanding.services import organization_defaults_install
from portal.forms import PROOF_MAX_BYTES
from portal.models import PaymentClaim, PaymentClaimStatus, ProofOfPayment
from portal.selectors import reactions_needing_attention
from portal.services import portal_access_revoke
from reminders import engine
from tests.conftest import Tenant, client_for
from tests.factories import DebtorFactory, InvoiceFactory
from tests.portal.reactions import (
    EXE_BYTES,
    HTML_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    creditor_url,
    invoice_page,
    link_for,
    react,
    says,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def org(org_a: Tenant) -> Tenant:
    organization_defaults_install(org_a.organization)
    org_a.organization.payment_claim_hold_days = 7
    org_a.organization.save(update_fields=["payment_claim_hold_days"])
    return org_a


@pytest.fixture
def today(org: Tenant) -> dt.date:
    return local_today(org.organization.time_zone)


@pytest.fixture
def debtor(org: Tenant):
    return DebtorFactory(organization=org.organization, name="Kapsalon Smit", emails=["smit@kapsalon.test"])


@pytest.fixture
def invoice(debtor, today: dt.date) -> Invoice:
    due = today - dt.timedelta(days=5)
    return InvoiceFactory(debtor=debtor, number="2026-0300", due_date=due, issue_date=due - dt.timedelta(days=30))


@pytest.fixture
def link(debtor, invoice: Invoice) -> str:
    return link_for(debtor, invoice)


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


def report_paid(
    client: Client,
    link: str,
    invoice: Invoice,
    proof: SimpleUploadedFile,
    capture,
    text: str = "Betaald op 20 november.",
) -> object:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return react(client, link, invoice, "paid", {"text": text, "proof": proof})


def claims(org: Tenant) -> list[PaymentClaim]:
    return list(PaymentClaim.objects.for_organization(org.organization).all())


def proofs(org: Tenant) -> list[ProofOfPayment]:
    return list(ProofOfPayment.objects.for_organization(org.organization).all())


def planned_invoice_ids(org: Tenant, day: dt.date) -> set[int]:
    return {pk for message in engine.plan(org.organization, day, dry_run=True).messages for pk in message.invoice_ids}


@pytest.mark.parametrize(
    ("name", "content", "declared", "stored_type"),
    [
        ("afschrift.pdf", PDF_BYTES, "application/pdf", "application/pdf"),
        ("screenshot.png", PNG_BYTES, "image/png", "image/png"),
        ("foto.jpeg", JPEG_BYTES, "image/jpeg", "image/jpeg"),
        ("scan-zonder-extensie", PDF_BYTES, "application/octet-stream", "application/pdf"),
    ],
)
def test_a_real_pdf_png_or_jpeg_is_accepted_whatever_its_name_says(
    client: Client, link: str, invoice: Invoice, org: Tenant, name: str, content: bytes, declared: str,
    stored_type: str, django_capture_on_commit_callbacks,
) -> None:  # fmt: skip
    response = report_paid(client, link, invoice, upload(name, content, declared), django_capture_on_commit_callbacks)
    assert response.status_code == 303 and "sent=paid" in response["Location"]
    [proof] = proofs(org)
    assert proof.content_type == stored_type and proof.size == len(content)
    assert proof.file.name.startswith("private/proofs/") and name not in proof.file.name
    with proof.file.open("rb") as stored:
        assert stored.read() == content


@pytest.mark.parametrize(
    ("name", "content"),
    [("betaling.pdf", HTML_BYTES), ("betaling.pdf", EXE_BYTES), ("betaling.png", b"GIF89a\x01\x00\x01\x00")],
)
def test_a_disguised_file_is_refused_and_the_text_is_kept(
    client: Client, link: str, invoice: Invoice, org: Tenant, name: str, content: bytes
) -> None:
    response = react(client, link, invoice, "paid", {"text": "Mijn uitleg", "proof": upload(name, content)})
    html = response.content.decode()
    assert response.status_code == 400
    assert says(html, "This file is not a PDF, JPEG or PNG", "Dit bestand is geen PDF, JPEG of PNG")
    assert (
        'id="paid-proof-error"' in html and "paid-proof-error" in html.split('id="paid-proof"', 1)[1].split(">", 1)[0]
    )
    assert "Mijn uitleg" in html
    assert claims(org) == [] and proofs(org) == []
    invoice.refresh_from_db()
    assert not invoice.is_paused


def test_a_file_of_exactly_the_limit_is_accepted(
    client: Client, link: str, invoice: Invoice, org: Tenant, django_capture_on_commit_callbacks
) -> None:
    content = PDF_BYTES + b"0" * (PROOF_MAX_BYTES - len(PDF_BYTES))
    response = report_paid(client, link, invoice, upload("groot.pdf", content), django_capture_on_commit_callbacks)
    assert response.status_code == 303
    assert proofs(org)[0].size == PROOF_MAX_BYTES


@pytest.mark.parametrize("size", [PROOF_MAX_BYTES + 1, 11 * 1024 * 1024])
def test_a_file_past_the_limit_is_refused_with_a_clear_message_and_the_text_is_kept(
    client: Client, link: str, invoice: Invoice, org: Tenant, size: int
) -> None:
    content = PDF_BYTES + b"0" * (size - len(PDF_BYTES))
    response = react(client, link, invoice, "paid", {"text": "Zie bijlage", "proof": upload("groot.pdf", content)})
    html = response.content.decode()
    assert response.status_code == 400
    assert says(html, "The file is larger than 10", "Het bestand is groter dan 10")
    assert "Zie bijlage" in html and 'id="paid-submit"' in html
    assert claims(org) == [] and proofs(org) == []


def test_a_file_the_upload_handler_drops_while_streaming_gets_the_same_message(
    client: Client, link: str, invoice: Invoice, org: Tenant, settings
) -> None:
    settings.UPLOAD_MAX_FILE_BYTES = 64 * 1024  # the site-wide limit below ours: the file never arrives whole
    content = PDF_BYTES + b"0" * (128 * 1024)
    response = react(client, link, invoice, "paid", {"text": "Zie bijlage", "proof": upload("groot.pdf", content)})
    html = response.content.decode()
    assert response.status_code == 400
    assert says(html, "The file is larger than", "Het bestand is groter dan") and "Zie bijlage" in html
    assert claims(org) == []


def test_a_claim_without_a_file_asks_for_one(client: Client, link: str, invoice: Invoice, org: Tenant) -> None:
    response = react(client, link, invoice, "paid", {"text": "Al betaald"})
    assert response.status_code == 400
    assert says(response.content.decode(), "Please choose the file", "Kies alstublieft het bestand")
    assert claims(org) == []


def test_a_claim_holds_the_invoice_for_the_organizations_days_and_then_the_flow_continues(
    client: Client, link: str, invoice: Invoice, org: Tenant, today: dt.date, django_capture_on_commit_callbacks
) -> None:
    report_paid(client, link, invoice, upload("a.pdf", PDF_BYTES), django_capture_on_commit_callbacks)
    invoice.refresh_from_db()
    assert invoice.is_paused and invoice.paused_until == today + dt.timedelta(days=7)
    assert claims(org)[0].hold_until == invoice.paused_until
    held = [today + dt.timedelta(days=offset) for offset in range(0, 8)]
    assert all(invoice.pk not in planned_invoice_ids(org, day) for day in held)
    after = [today + dt.timedelta(days=offset) for offset in range(8, 20)]
    assert any(invoice.pk in planned_invoice_ids(org, day) for day in after)


def test_a_claim_tells_the_creditor_and_waits_to_be_checked(
    client: Client, link: str, invoice: Invoice, org: Tenant, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    report_paid(client, link, invoice, upload("a.pdf", PDF_BYTES), django_capture_on_commit_callbacks)
    assert {address for mail in mailoutbox for address in mail.to} == {org.owner.email, org.member.email}
    assert "2026-0300" in mailoutbox[0].subject
    assert reactions_needing_attention(organization=org.organization).payment_claims == 1
    assert says(
        client.get(link).content.decode(), "Reported paid: being checked", "Betaald gemeld: wordt gecontroleerd"
    )
    page = client_for(org.member).get(creditor_url("invoice_detail", invoice)).content.decode()
    assert 'data-testid="claim-check-form"' in page and 'data-testid="proof-link"' in page


def test_checked_not_found_lifts_the_hold_and_tells_the_debtor(
    client: Client,
    link: str,
    invoice: Invoice,
    org: Tenant,
    today: dt.date,
    mailoutbox,
    django_capture_on_commit_callbacks,
) -> None:
    report_paid(client, link, invoice, upload("a.pdf", PDF_BYTES), django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(org.member).post(
            creditor_url("invoice_payment_claim_check", invoice), {"found": "no", "text": ""}
        )
    assert response.status_code == 302
    invoice.refresh_from_db()
    assert not invoice.is_paused
    assert claims(org)[0].status == PaymentClaimStatus.NOT_FOUND
    [mail] = mailoutbox
    assert mail.to == ["smit@kapsalon.test"]
    assert says(mail.body, "We could not find your payment", "We konden uw betaling niet vinden")
    assert reactions_needing_attention(organization=org.organization).total == 0


def test_checked_found_keeps_the_hold_for_the_payment_to_be_recorded(
    client: Client, link: str, invoice: Invoice, org: Tenant, django_capture_on_commit_callbacks
) -> None:
    report_paid(client, link, invoice, upload("a.pdf", PDF_BYTES), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(org.member).post(
            creditor_url("invoice_payment_claim_check", invoice), {"found": "yes", "text": "Gevonden, dank!"}
        )
    invoice.refresh_from_db()
    assert invoice.is_paused
    assert claims(org)[0].status == PaymentClaimStatus.FOUND
    assert "Gevonden, dank!" in client.get(invoice_page(link, invoice)).content.decode()


def test_a_second_claim_while_one_is_checked_is_refused(
    client: Client, link: str, invoice: Invoice, org: Tenant, django_capture_on_commit_callbacks
) -> None:
    report_paid(client, link, invoice, upload("a.pdf", PDF_BYTES), django_capture_on_commit_callbacks)
    response = react(client, link, invoice, "paid", {"text": "Nogmaals", "proof": upload("b.pdf", PDF_BYTES)})
    assert response.status_code == 400 and "Nogmaals" in response.content.decode()
    assert len(claims(org)) == 1 and len(proofs(org)) == 1


def test_a_claim_on_a_disputed_invoice_keeps_the_disputes_open_ended_hold(
    client: Client, link: str, invoice: Invoice, org: Tenant, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        react(client, link, invoice, "dispute", {"reason": "already_paid", "text": "Al betaald"})
    report_paid(client, link, invoice, upload("a.pdf", PDF_BYTES), django_capture_on_commit_callbacks)
    invoice.refresh_from_db()
    assert invoice.is_paused and invoice.paused_until is None


# --- Serving the proof -------------------------------------------------------------------------------


@pytest.fixture
def proof(
    client: Client, link: str, invoice: Invoice, org: Tenant, django_capture_on_commit_callbacks
) -> ProofOfPayment:
    report_paid(
        client,
        link,
        invoice,
        upload('C:\\Users\\smit\\"bank" <afschrift>.pdf', PDF_BYTES),
        django_capture_on_commit_callbacks,
    )
    return proofs(org)[0]


def proof_url(invoice: Invoice, proof: ProofOfPayment) -> str:
    return creditor_url("invoice_proof", invoice, proof_id=proof.public_id)


def portal_proof_url(link: str, invoice: Invoice, proof: ProofOfPayment) -> str:
    return f"{invoice_page(link, invoice)}proofs/{proof.public_id}/"


def assert_served(response, content: bytes) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_proof_is_served_to_the_organizations_members(org: Tenant, invoice: Invoice, proof: ProofOfPayment) -> None:
    for user in (org.viewer, org.member, org.owner):
        assert_served(client_for(user).get(proof_url(invoice, proof)), PDF_BYTES)


def test_the_download_name_is_the_cleaned_original_name(org: Tenant, invoice: Invoice, proof: ProofOfPayment) -> None:
    assert proof.original_name.endswith(".pdf")
    assert not set('\\/"<>') & set(proof.original_name)
    response = client_for(org.member).get(proof_url(invoice, proof))
    assert proof.original_name in response["Content-Disposition"]


def test_the_proof_is_served_to_the_debtors_own_links(
    client: Client, debtor, link: str, invoice: Invoice, proof: ProofOfPayment
) -> None:
    assert_served(client.get(portal_proof_url(link, invoice, proof)), PDF_BYTES)
    assert_served(client.get(portal_proof_url(link_for(debtor), invoice, proof)), PDF_BYTES)
    assert f"proofs/{proof.public_id}/" in client.get(invoice_page(link, invoice)).content.decode()


def test_another_organizations_member_gets_404_for_the_proof(
    outsider_client: Client, org_b: Tenant, invoice: Invoice, proof: ProofOfPayment
) -> None:
    assert outsider_client.get(proof_url(invoice, proof)).status_code == 404
    own_org = proof_url(invoice, proof).replace(str(invoice.organization.public_id), str(org_b.organization.public_id))
    assert outsider_client.get(own_org).status_code == 404


def test_another_debtors_link_gets_404_for_the_proof(
    client: Client, org: Tenant, invoice: Invoice, proof: ProofOfPayment
) -> None:
    other = DebtorFactory(organization=org.organization)
    other_invoice = InvoiceFactory(debtor=other)
    other_link = link_for(other, other_invoice)
    assert client.get(portal_proof_url(other_link, invoice, proof)).status_code == 404
    assert client.get(portal_proof_url(other_link, other_invoice, proof)).status_code == 404


def test_the_proof_under_another_invoice_of_the_same_debtor_answers_404(
    client: Client, org: Tenant, debtor, link: str, invoice: Invoice, proof: ProofOfPayment
) -> None:
    sibling = InvoiceFactory(debtor=debtor)
    assert client.get(portal_proof_url(link, sibling, proof)).status_code == 404
    assert client_for(org.member).get(proof_url(sibling, proof)).status_code == 404


def test_a_revoked_link_gets_404_for_the_proof(
    client: Client, debtor, link: str, invoice: Invoice, proof: ProofOfPayment
) -> None:
    portal_access_revoke(debtor=debtor)
    assert client.get(portal_proof_url(link, invoice, proof)).status_code == 404


def test_the_file_form_with_a_stale_form_token_is_refused_and_keeps_the_text(
    client: Client, link: str, invoice: Invoice, org: Tenant
) -> None:
    data = {"form_token": "stale", "text": "Betaald via Tikkie", "proof": upload("a.pdf", PDF_BYTES)}
    response = client.post(f"{invoice_page(link, invoice)}paid/", data)
    html = response.content.decode()
    assert response.status_code == 400 and "Betaald via Tikkie" in html
    assert says(html, "This page was open too long", "Deze pagina stond te lang open")
    assert claims(org) == [] and proofs(org) == []
