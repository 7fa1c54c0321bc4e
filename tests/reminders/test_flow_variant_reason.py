"""The reason for a debtor's flow variant is stored without a language and shown in the viewer's language."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from invoices.models import Debtor, DebtorKind, InvoiceStatus
from outstanding.models import Language
from outstanding.services import organization_defaults_install
from reminders.models import FlowVariant
from reminders.scoring import PaymentHistory, flow_variant_for, flow_variant_reason_text
from reminders.services.flows import debtor_flow_variants_update
from tests.conftest import Tenant
from tests.factories import TODAY, DebtorFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


@pytest.fixture
def late_payer(org_a: Tenant) -> Debtor:
    """A business that paid 4 invoices, each 20 days late: a chronic late payer."""
    organization_defaults_install(org_a.organization)
    debtor = DebtorFactory(organization=org_a.organization, kind=DebtorKind.BUSINESS)
    for months in range(4):
        due = ago(400 - 30 * months)
        invoice = InvoiceFactory(
            debtor=debtor, issue_date=due - dt.timedelta(days=30), due_date=due, status=InvoiceStatus.PAID
        )
        PaymentFactory(invoice=invoice, date=due + dt.timedelta(days=20), amount=invoice.amount)
    return debtor


def reason_on_page(client: Client, debtor: Debtor, language: str) -> str:
    url = reverse("debtor_detail", args=[debtor.organization.public_id, debtor.public_id])
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    match = re.search(r'data-testid="flow-reason"[^>]*>(.*?)</', response.content.decode(), re.S)
    assert match
    return " ".join(match.group(1).split())


def test_the_same_debtors_reason_reads_in_dutch_and_in_english(
    org_a: Tenant, late_payer: Debtor, viewer_client
) -> None:
    org_a.organization.default_language = Language.DUTCH
    debtor_flow_variants_update(organization=org_a.organization, today=TODAY)
    late_payer.refresh_from_db()
    assert late_payer.flow_variant == FlowVariant.FIRM
    assert (
        reason_on_page(viewer_client, late_payer, "nl")
        == "Betaalt gemiddeld 20 dagen te laat, gemeten over 4 facturen."
    )
    assert reason_on_page(viewer_client, late_payer, "en") == "Pays on average 20 days late over 4 invoices."


def test_the_stored_reason_is_a_code_with_its_numbers(org_a: Tenant, late_payer: Debtor) -> None:
    with translation.override("nl"):
        debtor_flow_variants_update(organization=org_a.organization, today=TODAY)
    late_payer.refresh_from_db()
    assert late_payer.flow_variant_reason == {"code": "average_late", "days": 20, "count": 4}


@pytest.mark.parametrize(
    ("history", "dutch", "english"),
    [
        (PaymentHistory(), "Nog geen facturen.", "No invoices yet."),
        (
            PaymentHistory(invoice_count=2, first_invoice_date=dt.date(2026, 10, 3)),
            "Nieuwe klant sinds 3 oktober: tot nu toe 2 facturen.",
            "New customer since 3 October: 2 invoices so far.",
        ),
        (
            PaymentHistory(
                invoice_count=12,
                first_invoice_date=dt.date(2024, 10, 3),
                paid_count=10,
                open_amount=Decimal("12500.50"),
            ),
            "Betaalt op tijd, maar er staat €\N{NO-BREAK SPACE}12.500,50 op het spel.",
            "Pays on time, but €12,500.50 is at stake.",
        ),
    ],
)
def test_each_reason_reads_in_both_languages(history: PaymentHistory, dutch: str, english: str) -> None:
    _variant, reason = flow_variant_for(history, today=TODAY)
    with translation.override("nl"):
        assert flow_variant_reason_text(reason, today=TODAY) == dutch
    with translation.override("en"):
        assert flow_variant_reason_text(reason, today=TODAY) == english


def test_a_date_in_another_year_than_the_viewers_today_carries_its_year() -> None:
    _variant, reason = flow_variant_for(
        PaymentHistory(invoice_count=2, first_invoice_date=dt.date(2026, 10, 3)), today=TODAY
    )
    with translation.override("en"):
        assert flow_variant_reason_text(reason, today=dt.date(2027, 1, 5)) == (
            "New customer since 3 October 2026: 2 invoices so far."
        )


def test_a_reason_stored_before_the_change_is_shown_as_it_was_written() -> None:
    with translation.override("en"):
        assert flow_variant_reason_text({"text": "Altijd op tijd betaald."}, today=TODAY) == "Altijd op tijd betaald."
        assert flow_variant_reason_text({}, today=TODAY) == ""
        assert flow_variant_reason_text({"code": "from a newer version"}, today=TODAY) == ""
