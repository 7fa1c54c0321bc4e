"""Where the invoice requirement checks show: the invoice's legal check, the home page's "what to fix",
the debtor page and the company settings."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoices.models import DebtorKind, InvoiceStatus
from outstanding.models import Organization
from tests.conftest import client_for
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


def url(name: str, organization: Organization, **kwargs) -> str:
    return reverse(name, kwargs={"org_id": organization.public_id, **kwargs})


def section(response, testid: str) -> str:
    """The HTML of the element marked ``data-testid=testid`` up to its closing tag (sections and divs)."""
    content = response.content.decode()
    match = re.search(rf'<(section|div|p)\b[^>]*data-testid="{testid}".*?</\1>', content, re.S)
    return match.group(0) if match else ""


def finding_codes(html: str) -> list[str]:
    return re.findall(r'class="finding" data-code="([^"]+)"', html)


def organization_update(organization: Organization, **fields: str) -> None:
    Organization.objects.filter(pk=organization.pk).update(**fields)


@pytest.fixture
def faulty_invoice(org_a):
    """Organization without an IBAN; a business debtor without a city and without a VAT id; no VAT charged."""
    organization_update(org_a.organization, iban="")
    debtor = DebtorFactory(organization=org_a.organization, kind=DebtorKind.BUSINESS, city="", kvk_number="12345678")
    return InvoiceFactory(debtor=debtor, amount=Decimal("100.00"), vat_amount=Decimal("0.00"))


# --- the invoice page -------------------------------------------------------------------------------


def test_the_invoice_page_lists_what_to_fix_with_where_to_fix_it(org_a, faulty_invoice, viewer_client) -> None:
    response = viewer_client.get(url("invoice_detail", org_a.organization, invoice_id=faulty_invoice.public_id))
    panel = section(response, "legal-check")
    assert finding_codes(panel) == [
        "organization_iban_missing",
        "debtor_address_incomplete",
        "debtor_vat_id_missing_zero_vat",
    ]
    assert f'href="{url("organization_settings", org_a.organization)}#id_iban"' in panel
    debtor_link = url("debtor_detail", org_a.organization, debtor_id=faulty_invoice.debtor.public_id)
    assert panel.count(f'href="{debtor_link}"') == 2
    assert "Customer VAT id missing for a zero-VAT business invoice." in panel
    assert "Must fix" in panel and "Check" in panel


def test_a_complete_invoice_says_there_is_nothing_to_fix(org_a, viewer_client) -> None:
    debtor = DebtorFactory(organization=org_a.organization, kvk_number="12345678")
    invoice = InvoiceFactory(debtor=debtor)
    response = viewer_client.get(url("invoice_detail", org_a.organization, invoice_id=invoice.public_id))
    assert finding_codes(section(response, "legal-check")) == []
    assert "Nothing to fix" in section(response, "legal-check-ok")


def test_the_invoice_page_with_its_legal_check_keeps_its_query_budget(
    org_a, faulty_invoice, viewer_client, django_assert_max_num_queries
) -> None:
    with django_assert_max_num_queries(9):  # + the debtor conversation (portal)
        viewer_client.get(url("invoice_detail", org_a.organization, invoice_id=faulty_invoice.public_id))


def test_an_outsider_gets_404_on_the_invoice_page(org_a, faulty_invoice, outsider_client) -> None:
    response = outsider_client.get(url("invoice_detail", org_a.organization, invoice_id=faulty_invoice.public_id))
    assert response.status_code == 404


# --- the debtor page --------------------------------------------------------------------------------


def test_the_debtor_page_shows_the_debtors_findings(org_a, faulty_invoice, viewer_client) -> None:
    response = viewer_client.get(url("debtor_detail", org_a.organization, debtor_id=faulty_invoice.debtor.public_id))
    assert finding_codes(section(response, "debtor-findings")) == ["debtor_address_incomplete"]


def test_a_complete_debtor_shows_no_findings(org_a, viewer_client) -> None:
    debtor = DebtorFactory(organization=org_a.organization, kvk_number="12345678")
    response = viewer_client.get(url("debtor_detail", org_a.organization, debtor_id=debtor.public_id))
    assert 'data-testid="debtor-findings"' not in response.content.decode()


# --- the home page ----------------------------------------------------------------------------------


def test_the_home_page_lists_organization_problems_first_then_counts(org_a, faulty_invoice, viewer_client) -> None:
    InvoiceFactory(debtor=faulty_invoice.debtor)
    InvoiceFactory(debtor=faulty_invoice.debtor, status=InvoiceStatus.PAID)  # settled: not counted
    response = viewer_client.get(url("organization_home", org_a.organization))
    panel = section(response, "what-to-fix")
    assert panel.index('data-testid="organization-findings"') < panel.index('data-testid="invoice-finding-counts"')
    assert finding_codes(panel) == [
        "organization_iban_missing",
        "debtor_address_incomplete",
        "debtor_vat_id_missing_zero_vat",
    ]
    assert "2 invoices have no complete debtor address" in panel
    assert "1 zero-VAT business invoice lacks the customer&#x27;s VAT id" in panel
    assert f'href="{url("organization_settings", org_a.organization)}#id_iban"' in panel


def test_the_home_page_shows_only_invoice_counts_when_the_organization_is_complete(org_a, viewer_client) -> None:
    InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization, kvk_number="", vat_id=""))
    panel = section(viewer_client.get(url("organization_home", org_a.organization)), "what-to-fix")
    assert 'data-testid="organization-findings"' not in panel
    assert "1 invoice is to a business without a KvK number or VAT id" in panel


def test_the_home_page_has_no_panel_when_there_is_nothing_to_fix(org_a, viewer_client) -> None:
    InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization, kvk_number="12345678"))
    response = viewer_client.get(url("organization_home", org_a.organization))
    assert 'data-testid="what-to-fix"' not in response.content.decode()


def test_the_home_page_takes_as_many_queries_for_60_invoices_as_for_3(org_a, org_b) -> None:
    def queries(tenant, count: int) -> int:
        debtors = DebtorFactory.create_batch(3, organization=tenant.organization, city="")
        for n in range(count):
            InvoiceFactory(debtor=debtors[n % 3], vat_amount=Decimal("0.00"))
        with CaptureQueriesContext(connection) as context:
            assert client_for(tenant.owner).get(url("organization_home", tenant.organization)).status_code == 200
        return len(context)

    assert queries(org_b, 3) == queries(org_a, 60)


def test_an_outsider_gets_404_on_the_home_page(org_a, outsider_client) -> None:
    assert outsider_client.get(url("organization_home", org_a.organization)).status_code == 404


# --- the company settings ---------------------------------------------------------------------------


def field_block(content: str, field: str) -> str:
    """From the field's label to the next field's label: the field, its errors and its findings."""
    start = content.index(f'<label for="id_{field}"')
    following = content.find("<label for=", start + 1)
    return content[start : following if following != -1 else None]


def test_the_settings_show_each_finding_next_to_its_field(org_a, viewer_client) -> None:
    organization_update(org_a.organization, kvk_number="1234567", legal_name="", postal_code="")
    content = viewer_client.get(url("organization_settings", org_a.organization)).content.decode()
    assert finding_codes(field_block(content, "kvk_number")) == ["organization_kvk_invalid"]
    assert finding_codes(field_block(content, "legal_name")) == ["organization_legal_name_missing"]
    assert finding_codes(field_block(content, "postal_code")) == ["organization_address_incomplete"]
    assert finding_codes(field_block(content, "iban")) == []
    assert "3 things to fix in your company data" in content


def test_complete_settings_show_no_findings(org_a, viewer_client) -> None:
    content = viewer_client.get(url("organization_settings", org_a.organization)).content.decode()
    assert finding_codes(content) == []
    assert 'data-testid="settings-findings"' not in content


def test_a_rejected_save_shows_the_findings_of_the_saved_data(org_a, owner_client) -> None:
    """Nothing is saved when any field is invalid, so the findings still describe what invoices show now
    (the valid IBAN typed here is not saved: the time zone is wrong)."""
    organization_update(org_a.organization, iban="")
    response = owner_client.post(
        url("organization_settings", org_a.organization),
        {
            "name": "Alpha",
            "iban": "NL91 ABNA 0417 1643 00",
            "country": "NL",
            "default_language": "nl",
            "time_zone": "Nowhere",
        },
    )
    assert response.status_code == 200
    assert finding_codes(field_block(response.content.decode(), "iban")) == ["organization_iban_missing"]
    assert Organization.objects.get(pk=org_a.organization.pk).iban == ""
