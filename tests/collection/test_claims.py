"""Submitting a claim the system does not know yet: one form, one submit, a dossier — or nothing at all."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from collection.models import Dossier, DossierEvent, DossierEventKind, DossierInvoice, DossierOrigin, DossierStage
from invoices.models import Debtor, DebtorKind, Invoice
from outstanding.calendar import local_today
from tests.conftest import Tenant
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML_AS_PDF = b"<!DOCTYPE html><html><script>alert(1)</script></html>"


@pytest.fixture
def org(org_a: Tenant) -> Tenant:
    org_a.organization.dossier_pre_collection = False
    org_a.organization.save()
    return org_a


@pytest.fixture
def today(org: Tenant) -> dt.date:
    return local_today(org.organization.time_zone)


def claim_url(tenant: Tenant) -> str:
    return reverse("dossier_claim", kwargs={"org_id": tenant.organization.public_id})


def pdf(content: bytes = PDF, name: str = "factuur.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def business_claim(today: dt.date, **changes: Any) -> dict[str, Any]:
    return {
        "debtor_kind": DebtorKind.BUSINESS, "debtor_name": "Bakkerij Jansen B.V.", "street": "Dorpsstraat 12",
        "postal_code": "1234 AB", "city": "Utrecht", "country": "NL", "email": "admin@jansen.test",
        "kvk_number": "8765 4321", "number": "F-2026-0042", "issue_date": (today - dt.timedelta(days=90)).isoformat(),
        "due_date": (today - dt.timedelta(days=60)).isoformat(), "amount": "1.210,00", "vat_amount": "210,00",
        "pdf": pdf(), **changes,
    }  # fmt: skip


def consumer_claim(today: dt.date, **changes: Any) -> dict[str, Any]:
    return business_claim(
        today, debtor_kind=DebtorKind.CONSUMER, debtor_name="Piet de Vries", kvk_number="", number="F-2026-0043",
        letter_channel="post", **changes,
    )  # fmt: skip


def post(client: Client, tenant: Tenant, data: dict[str, Any]) -> Any:
    return client.post(claim_url(tenant), data, HTTP_ACCEPT_LANGUAGE="en")


def nothing_created(tenant: Tenant) -> bool:
    organization = tenant.organization
    return not (
        Dossier.objects.for_organization(organization).exists()
        or Invoice.objects.for_organization(organization).exists()
        or Debtor.objects.for_organization(organization).exists()
    )


def test_a_business_claim_opens_a_dossier_in_one_submit(member_client: Client, org: Tenant, today: dt.date) -> None:
    response = post(member_client, org, business_claim(today))
    assert response.status_code == 302
    organization = org.organization
    dossier = Dossier.objects.for_organization(organization).get()
    assert (dossier.origin, dossier.stage, dossier.debtor_kind) == (
        DossierOrigin.CLAIM,
        DossierStage.AMICABLE,
        DebtorKind.BUSINESS,
    )
    assert dossier.opened_by == org.member
    debtor = dossier.debtor
    assert (debtor.name, debtor.street, debtor.postal_code, debtor.city, debtor.kvk_number, debtor.emails) == (
        "Bakkerij Jansen B.V.", "Dorpsstraat 12", "1234 AB", "Utrecht", "87654321", ["admin@jansen.test"],
    )  # fmt: skip
    invoice = Invoice.objects.for_organization(organization).get()
    assert (invoice.number, invoice.amount, invoice.vat_amount) == (
        "F-2026-0042",
        Decimal("1210.00"),
        Decimal("210.00"),
    )
    assert invoice.is_paused  # held: no more reminders, it is in collection
    with invoice.pdf.open("rb") as stored:
        assert stored.read() == PDF
    assert "factuur" not in invoice.pdf.name and invoice.pdf.name.startswith("private/")
    item = DossierInvoice.objects.for_organization(organization).get()
    assert (item.invoice, item.principal) == (invoice, Decimal("1210.00"))
    assert dossier.costs == Decimal("181.50")  # WIK: 15 % of 1,210.00
    kinds = DossierEvent.objects.for_organization(organization).order_by("sequence").values_list("kind", flat=True)
    assert list(kinds) == [DossierEventKind.OPENED, DossierEventKind.COSTS_SET]


def test_a_claim_for_a_known_debtor_reuses_it_and_keeps_its_other_addresses(
    member_client: Client, org: Tenant, today: dt.date
) -> None:
    known = DebtorFactory(
        organization=org.organization, name="bakkerij jansen b.v.", emails=["boekhouding@jansen.test"]
    )
    assert post(member_client, org, business_claim(today)).status_code == 302
    assert Debtor.objects.for_organization(org.organization).count() == 1
    known.refresh_from_db()
    assert known.emails == ["boekhouding@jansen.test", "admin@jansen.test"]
    assert Dossier.objects.for_organization(org.organization).get().debtor == known


def test_a_consumer_claim_with_a_passed_fourteen_day_term_opens_with_the_letters_dates(
    member_client: Client, org: Tenant, today: dt.date
) -> None:
    sent = today - dt.timedelta(days=40)
    response = post(member_client, org, consumer_claim(today, letter_sent_on=sent.isoformat()))
    assert response.status_code == 302
    dossier = Dossier.objects.for_organization(org.organization).get()
    assert dossier.debtor_kind == DebtorKind.CONSUMER
    assert dossier.fourteen_day_letter_sent_on == sent
    assert dossier.fourteen_day_term_ends_on is not None and dossier.fourteen_day_term_ends_on < today


def test_a_consumer_claim_without_the_fourteen_day_date_creates_nothing_and_keeps_the_input(
    member_client: Client, org: Tenant, today: dt.date
) -> None:
    response = post(member_client, org, consumer_claim(today))
    assert response.status_code == 400
    assert nothing_created(org)
    html = response.content.decode()
    assert "14-day letter" in response.context["form"].errors["letter_sent_on"][0]
    assert 'value="Piet de Vries"' in html and 'value="F-2026-0043"' in html and 'value="Dorpsstraat 12"' in html


def test_a_consumer_claim_whose_term_has_not_passed_creates_nothing_and_shows_the_problem(
    member_client: Client, org: Tenant, today: dt.date, settings: Any
) -> None:
    sent = today - dt.timedelta(days=3)
    response = post(member_client, org, consumer_claim(today, letter_sent_on=sent.isoformat()))
    assert response.status_code == 400
    assert nothing_created(org)
    problems = " ".join(response.context["form"].non_field_errors())
    assert "The 14-day term for invoice F-2026-0043 runs until" in problems
    html = response.content.decode()
    assert 'value="Piet de Vries"' in html and f'value="{sent.isoformat()}"' in html and 'value="1.210,00"' in html
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))  # no file left behind


def test_a_disguised_pdf_is_refused(member_client: Client, org: Tenant, today: dt.date) -> None:
    response = post(member_client, org, business_claim(today, pdf=pdf(HTML_AS_PDF, "factuur.pdf")))
    assert response.status_code == 400
    assert nothing_created(org)
    assert "not a PDF" in response.context["form"].errors["pdf"][0]


def test_a_duplicate_invoice_number_is_a_clear_error_and_changes_nothing(
    member_client: Client, org: Tenant, today: dt.date
) -> None:
    existing = InvoiceFactory(debtor=DebtorFactory(organization=org.organization), number="F-2026-0042")
    response = post(member_client, org, business_claim(today))
    assert response.status_code == 400
    assert "already exists" in response.context["form"].errors["number"][0]
    assert not Dossier.objects.for_organization(org.organization).exists()
    assert Invoice.objects.for_organization(org.organization).get() == existing
    assert not Debtor.objects.for_organization(org.organization).filter(name="Bakkerij Jansen B.V.").exists()


def test_an_invoice_not_yet_due_cannot_be_claimed(member_client: Client, org: Tenant, today: dt.date) -> None:
    later = (today + dt.timedelta(days=5)).isoformat()
    response = post(member_client, org, business_claim(today, due_date=later))
    assert response.status_code == 400
    assert nothing_created(org)
    assert "not overdue" in response.context["form"].errors["due_date"][0]


def test_an_incomplete_address_is_refused_by_the_form(member_client: Client, org: Tenant, today: dt.date) -> None:
    response = post(member_client, org, business_claim(today, street=""))
    assert response.status_code == 400
    assert nothing_created(org)


def test_a_member_sees_the_form(member_client: Client, org: Tenant) -> None:
    response = member_client.get(claim_url(org))
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content


def test_a_viewer_cannot_submit_a_claim(viewer_client: Client, org: Tenant, today: dt.date) -> None:
    assert viewer_client.get(claim_url(org)).status_code == 403
    assert post(viewer_client, org, business_claim(today)).status_code == 403
    assert nothing_created(org)


def test_an_outsider_gets_404(outsider_client: Client, org: Tenant, today: dt.date) -> None:
    assert outsider_client.get(claim_url(org)).status_code == 404
    assert post(outsider_client, org, business_claim(today)).status_code == 404
    assert nothing_created(org)
