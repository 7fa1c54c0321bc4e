"""The hand-over to the bailiff: one PDF and one JSON of the same claim, only after the court fee, recorded
in the dossier's chain with both files' hashes."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from pypdf import PdfReader

from collection.models import DossierEvent, DossierEventKind, DossierOrigin, DossierStage
from collection.selectors.statements import dossier_statement_on
from collection.services import dossier_court_fee_record, dossier_open, dossier_stage_set
from collection.services.dossier_chain import dossier_chain_problems
from collection.services.dossier_export import dossier_export_create, dossier_export_current
from collection.services.dossier_letters import dossier_letters_run
from invoices.services import payment_record
from portal.models import DisputeReason
from portal.services.disputes import dispute_open
from portal.services.threads import thread_question_ask
from reminders.models import Reminder, StepKind
from tests.collection.dossier_builders import sent_step
from tests.conftest import client_for
from tests.factories import DebtorFactory, InvoiceFactory
from tests.reminders.test_letters import pdf_text

D = dt.date
OPENED = D(2026, 11, 26)
JUDICIAL = D(2026, 12, 28)
PAID = D(2026, 12, 10)


@pytest.fixture(autouse=True)
def _collector(settings):  # type: ignore[no-untyped-def]
    settings.COLLECTOR_NAME = "Incassobureau Noord B.V."
    settings.WKI_REGISTRATION_NUMBER = "WKI-0012345"


@pytest.fixture
def organization(org_a):  # type: ignore[no-untyped-def]
    organization = org_a.organization
    organization.dossier_pre_collection = False
    organization.save()
    return organization


@pytest.fixture
def dossier(organization):  # type: ignore[no-untyped-def]
    """A business dossier with two invoices (one with its PDF), a reminder, a question and a dispute in the
    portal, a part-payment, the collector's demand, and the court fee recorded."""
    debtor = DebtorFactory(organization=organization, name="Bouwbedrijf De Vries B.V.", emails=[])
    invoices = [
        InvoiceFactory(debtor=debtor, amount=Decimal(amount), vat_amount=Decimal("0"), issue_date=D(2026, 8, 1),
                       due_date=D(2026, 8, 31) + dt.timedelta(days=i))
        for i, amount in enumerate(("1500.00", "850.00"))
    ]  # fmt: skip
    invoices[0].pdf.save("invoice.pdf", ContentFile(b"%PDF-1.4 the invoice itself"), save=True)
    reminder = sent_step(organization, debtor, invoices, kind=StepKind.NOTICE_OF_DEFAULT, sent=D(2026, 10, 1))
    Reminder.objects.for_organization(organization).filter(pk=reminder.pk).update(subject="Ingebrekestelling Alpha")
    thread_question_ask(organization=organization, debtor=debtor, invoice=invoices[1], text="Welke levering is dit?")
    dispute_open(organization=organization, debtor=debtor, invoice=invoices[1], reason=DisputeReason.values[0],
                 text="De levering was onvolledig.")  # fmt: skip
    dossier = dossier_open(
        organization=organization, debtor=debtor, invoices=invoices, today=OPENED, origin=DossierOrigin.MANUAL
    )
    dossier_letters_run(organization=organization, today=OPENED)
    payment_record(organization=organization, invoice=invoices[0], amount=Decimal("500.00"), date=PAID)
    dossier_stage_set(organization=organization, dossier=dossier, stage=DossierStage.JUDICIAL, today=JUDICIAL)
    return dossier_court_fee_record(organization=organization, dossier=dossier, paid_on=JUDICIAL)


def _stored(name: str) -> bytes:
    with default_storage.open(name, "rb") as stored:
        return stored.read()


def test_the_export_json_holds_the_statements_numbers_and_the_claims_history(organization, dossier) -> None:  # type: ignore[no-untyped-def]
    export = dossier_export_create(organization=organization, dossier=dossier, today=JUDICIAL)
    claim = json.loads(_stored(export.json_name))
    statement = dossier_statement_on(organization=organization, dossier=dossier, on=JUDICIAL).statement
    totals = claim["totals"]
    assert totals["outstanding"] == f"{statement.outstanding:.2f}"
    assert totals["interest"] == f"{statement.interest_total:.2f}" and totals["costs"] == f"{statement.costs:.2f}"
    assert (totals["paid"], totals["paid_to_costs"]) == ("500.00", f"{min(statement.costs, Decimal('500')):.2f}")
    assert Decimal(totals["paid_to_costs"]) + Decimal(totals["paid_to_interest"]) + Decimal(
        totals["paid_to_principal"]
    ) == Decimal("500.00")
    for spec, line in zip(claim["invoices"], statement.invoices, strict=True):
        assert spec["number"] == line.number and spec["principal"] == f"{line.principal_original:.2f}"
        assert spec["due_date"] == line.due_date.isoformat() and spec["payment_term_days"] in (30, 31)
        assert spec["interest"]["accrued"] == f"{line.interest_accrued:.2f}"
        periods = [(p["from"], p["to"], p["rate"], p["basis"], p["amount"]) for p in spec["interest"]["periods"]]
        assert periods == [
            (p.first_day.isoformat(), p.end.isoformat(), f"{p.rate}", f"{p.basis:.2f}", f"{p.amount:.2f}")
            for p in line.periods
        ]
    [payment] = claim["payments"]
    assert payment["date"] == PAID.isoformat() and payment["to_costs"] == "352.50"  # costs first (art. 6:44 BW)
    assert claim["costs"]["vat_charged"] is False and claim["costs"]["vat"] == "0.00"
    assert claim["creditor"]["kvk_number"] == "12345678" and claim["creditor"]["vat_id"] == "NL000099998B57"
    assert claim["debtor"]["name"] == "Bouwbedrijf De Vries B.V." and claim["debtor"]["kind"] == "b2b"
    assert claim["collector"]["wki_registration_number"] == "WKI-0012345"
    assert claim["fourteen_day_letter"] is None  # a business
    [dispute] = claim["disputes"]
    assert dispute["text"] == "De levering was onvolledig." and dispute["status"] == "open"
    subjects = [message["subject"] for message in claim["messages"]]
    assert subjects[0] == "Ingebrekestelling Alpha" and subjects[1].startswith("Sommatie namens")
    assert [entry["text"] for entry in claim["portal"]][:1] == ["Welke levering is dit?"]
    assert claim["dossier"]["court_fee_paid_on"] == JUDICIAL.isoformat()


def test_the_export_pdf_lists_every_invoice_and_message_and_the_chain_records_both_hashes(  # type: ignore[no-untyped-def]
    organization, dossier
) -> None:
    export = dossier_export_create(organization=organization, dossier=dossier, today=JUDICIAL)
    pdf, claim = _stored(export.pdf_name), _stored(export.json_name)
    text = " ".join(pdf_text(pdf).split())
    for item in dossier.items.all():
        assert item.invoice.number in text
    assert "Ingebrekestelling Alpha" in text and "Sommatie namens" in text
    assert "De levering was onvolledig." in text and "Welke levering is dit?" in text
    statement = dossier_statement_on(organization=organization, dossier=dossier, on=JUDICIAL).statement
    assert f"{statement.outstanding:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") in text
    attachments = PdfReader(io.BytesIO(pdf)).attachments  # the invoice's own PDF, attached
    [invoice_pdf] = attachments.values()
    assert invoice_pdf == [b"%PDF-1.4 the invoice itself"]
    event = DossierEvent.objects.for_organization(organization).get(dossier=dossier, kind=DossierEventKind.EXPORTED)
    assert event.data["pdf"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert event.data["json"]["sha256"] == hashlib.sha256(claim).hexdigest()
    dossier.refresh_from_db()
    assert dossier_chain_problems(organization=organization, dossier=dossier) == []


def test_the_export_is_refused_before_the_court_fee_is_recorded(organization) -> None:  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization)
    invoice = InvoiceFactory(debtor=debtor, issue_date=D(2026, 8, 1), due_date=D(2026, 8, 31))
    dossier = dossier_open(organization=organization, debtor=debtor, invoices=[invoice], today=OPENED, origin="manual")
    with pytest.raises(ValidationError):
        dossier_export_create(organization=organization, dossier=dossier, today=OPENED)
    dossier_stage_set(organization=organization, dossier=dossier, stage=DossierStage.JUDICIAL, today=JUDICIAL)
    with pytest.raises(ValidationError):
        dossier_export_current(organization=organization, dossier=dossier, today=JUDICIAL)
    assert not DossierEvent.objects.for_organization(organization).filter(kind=DossierEventKind.EXPORTED).exists()


def _url(name: str, organization, dossier) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, kwargs={"org_id": organization.public_id, "dossier_id": dossier.public_id})


def test_a_member_downloads_the_pdf_and_the_json_of_one_export(org_a, organization, dossier, settings) -> None:  # type: ignore[no-untyped-def]
    settings.TIME_ZONE = "UTC"
    client = client_for(org_a.member)
    claim = client.get(_url("dossier_export_json", organization, dossier))
    assert claim.status_code == 200 and claim["Content-Type"] == "application/json"
    pdf = client.get(_url("dossier_export_pdf", organization, dossier))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = b"".join(claim.streaming_content)
    assert json.loads(body)["dossier"]["reference"] == dossier.reference
    exports = DossierEvent.objects.for_organization(organization).filter(
        dossier=dossier, kind=DossierEventKind.EXPORTED
    )
    [event] = exports  # the second download served the same export
    assert event.data["json"]["sha256"] == hashlib.sha256(body).hexdigest()
    assert event.data["pdf"]["sha256"] == hashlib.sha256(b"".join(pdf.streaming_content)).hexdigest()


def test_another_organizations_export_is_a_404_and_a_viewer_cannot_make_one(  # type: ignore[no-untyped-def]
    org_a, organization, dossier, outsider_client
) -> None:
    for name in ("dossier_export_pdf", "dossier_export_json"):
        assert outsider_client.get(_url(name, organization, dossier)).status_code == 404
        assert client_for(org_a.viewer).get(_url(name, organization, dossier)).status_code == 403
    assert not DossierEvent.objects.for_organization(organization).filter(kind=DossierEventKind.EXPORTED).exists()


def test_the_download_says_why_before_the_court_fee(org_a, organization) -> None:  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization)
    invoice = InvoiceFactory(debtor=debtor, issue_date=D(2026, 8, 1), due_date=D(2026, 8, 31))
    dossier = dossier_open(organization=organization, debtor=debtor, invoices=[invoice], today=OPENED, origin="manual")
    response = client_for(org_a.member).get(
        _url("dossier_export_json", organization, dossier), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
