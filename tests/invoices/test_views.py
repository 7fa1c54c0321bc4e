"""Creditor pages for debtors and invoices, as the owner, member and viewer of A and the owner of B see them."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from invoices.models import Debtor, Invoice, InvoiceStatus, Payment, PaymentSource
from outstanding.money import format_money
from tests.browser import chromium
from tests.conftest import client_for
from tests.factories import PASSWORD, TODAY, DebtorFactory, InvoiceFactory, PaymentFactory

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    """Pages in English: the assertions read the English msgids, whatever Dutch catalog exists."""
    settings.LANGUAGE_CODE = "en"


def url(name: str, organization, **kwargs) -> str:
    return reverse(name, kwargs={"org_id": organization.public_id, **kwargs})


def text_of(response, testid: str) -> list[str]:
    """The text of every element with ``data-testid=testid`` (elements holding only text)."""
    return re.findall(rf'data-testid="{testid}">([^<]*)<', response.content.decode())


def euros(amount: str, language: str = "en") -> str:
    return format_money(Decimal(amount), "EUR", language)


def row_heads(response) -> list[str]:
    """The first cell (invoice number or debtor name) of every table row, in order."""
    return [
        text.strip()
        for text in re.findall(r'<th scope="row" class="rowhead">\s*<a [^>]*>([^<]+)</a>', response.content.decode())
    ]


def open_amount(invoice: Invoice) -> Decimal:
    invoice.refresh_from_db()
    return invoice.open_amount


def payments_of(invoice: Invoice) -> int:
    return Payment.objects.for_organization(invoice.organization).filter(invoice=invoice).count()


# --- totals -----------------------------------------------------------------------------------------


def test_the_home_page_totals_are_right_to_the_cent(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("organization_home", org_a.organization))
    assert text_of(response, "open-amount") == [euros("1331.25")]
    assert text_of(response, "overdue-amount") == [euros("1200.24")]


def test_a_dutch_visitor_sees_dutch_amounts(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("organization_home", org_a.organization), HTTP_ACCEPT_LANGUAGE="nl")
    assert text_of(response, "open-amount") == ["€\N{NO-BREAK SPACE}1.331,25"]
    assert text_of(response, "overdue-amount") == [euros("1200.24", "nl")]


def test_the_invoice_list_totals_are_right_to_the_cent(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization))
    assert text_of(response, "list-count") == ["7 invoices"]
    assert text_of(response, "list-open") == [euros("1331.25")]
    assert text_of(response, "list-overdue") == [euros("1200.24")]
    assert "Acme Foreign" not in response.content.decode()


def test_the_invoice_list_totals_follow_the_filters(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization), {"q": "acme", "overdue": "on"})
    assert text_of(response, "list-count") == ["1 invoice"]
    assert text_of(response, "list-open") == [euros("200.25")]


def test_the_debtor_list_shows_each_debtors_open_and_overdue_amounts(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("debtor_list", org_a.organization))
    assert row_heads(response) == ["Bakkerij De Vries", "Acme Bouw B.V."]  # most overdue first
    assert text_of(response, "debtor-open") == [euros("1010.00"), euros("321.25")]
    assert text_of(response, "debtor-overdue") == [euros("999.99"), euros("200.25")]
    assert "Acme Foreign" not in response.content.decode()


def test_the_debtor_page_shows_the_debtors_totals_and_invoices(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("debtor_detail", org_a.organization, debtor_id=ledger.acme.public_id))
    assert text_of(response, "debtor-open") == [euros("321.25")]
    assert text_of(response, "debtor-overdue") == [euros("200.25")]
    assert sorted(row_heads(response)) == ["2026-0001", "2026-0002", "2026-0005"]


def test_the_debtor_page_shows_the_debtors_facts(org_a, today, viewer_client) -> None:
    debtor = DebtorFactory(
        organization=org_a.organization,
        name="Jansen",
        contact_person="Piet Jansen",
        emails=["a@jansen.test", "b@jansen.test"],
        phones=["+31201234567"],
        kvk_number="87654321",
        vat_id="NL123456789B01",
        external_id="CRM-42",
        notes="Calls back on Fridays",
    )
    content = viewer_client.get(url("debtor_detail", org_a.organization, debtor_id=debtor.public_id)).content.decode()
    for fact in (
        "Piet Jansen",
        "a@jansen.test",
        "b@jansen.test",
        "+31201234567",
        "Damrak 1",
        "87654321",
        "NL123456789B01",
        "CRM-42",
        "Calls back on Fridays",
    ):
        assert fact in content


# --- invoice list: filters, search, sorting, paging, htmx -------------------------------------------


def test_the_invoice_list_filters_by_status(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization), {"status": "paid"})
    assert row_heads(response) == ["2026-0005"]


def test_the_invoice_list_shows_only_overdue_invoices_with_their_days_late(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization), {"overdue": "on", "sort": "number"})
    assert row_heads(response) == ["2026-0002", "2026-0003", "2026-0007"]
    content = response.content.decode()
    assert '<span class="badge overdue">5 days overdue</span>' in content
    assert '<span class="badge overdue">40 days overdue</span>' in content


def test_an_invoice_due_today_is_not_shown_as_overdue(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization), {"q": "2026-0004"})
    assert row_heads(response) == ["2026-0004"]
    assert "overdue</span>" not in response.content.decode()


def test_a_paused_invoice_says_so_in_the_list(org_a, debtor_a, today, viewer_client) -> None:
    InvoiceFactory(debtor=debtor_a, number="P-1", is_paused=True, pause_reason="Disputed")
    response = viewer_client.get(url("invoice_list", org_a.organization))
    assert '<span class="badge paused">Paused</span>' in response.content.decode()


@pytest.mark.parametrize(
    ("term", "expected"),
    [("0003", ["2026-0003"]), ("bakkerij", ["2026-0003", "2026-0004", "2026-0006", "2026-0007"]), ("zzz", [])],
)
def test_the_invoice_list_searches_by_number_and_debtor_name(
    org_a, ledger, today, viewer_client, term, expected
) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization), {"q": term, "sort": "number"})
    assert row_heads(response) == expected


def test_a_search_finding_nothing_says_so(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization), {"q": "zzz"})
    assert "No invoices match these filters." in response.content.decode()


def test_the_invoice_list_sorts_ascending_and_descending(org_a, ledger, today, viewer_client) -> None:
    ascending = viewer_client.get(url("invoice_list", org_a.organization), {"sort": "number"})
    descending = viewer_client.get(url("invoice_list", org_a.organization), {"sort": "-number"})
    assert row_heads(ascending) == sorted(row_heads(ascending))
    assert row_heads(descending) == list(reversed(row_heads(ascending)))
    assert len(row_heads(ascending)) == 7


def test_an_unknown_sort_or_status_is_ignored(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization), {"sort": "organization", "status": "x"})
    assert response.status_code == 200
    assert len(row_heads(response)) == 7


def test_the_sorted_column_says_so_and_its_link_flips_the_direction(org_a, ledger, today, viewer_client) -> None:
    list_url = url("invoice_list", org_a.organization)
    content = viewer_client.get(list_url, {"sort": "number", "status": "open", "q": "2026"}).content.decode()
    header = re.search(r'<th scope="col" aria-sort="ascending"><a href="([^"]+)"', content)
    assert header is not None
    assert header.group(1) == f"{list_url}?q=2026&amp;status=open&amp;sort=-number"
    assert content.count("aria-sort=") == 1
    # Other columns sort ascending first and keep the filters too.
    assert f'href="{list_url}?q=2026&amp;status=open&amp;sort=debtor"' in content


def test_a_descending_column_link_sorts_ascending(org_a, ledger, today, viewer_client) -> None:
    list_url = url("invoice_list", org_a.organization)
    content = viewer_client.get(list_url, {"sort": "-open_amount", "overdue": "on"}).content.decode()
    assert f'aria-sort="descending"><a href="{list_url}?overdue=on&amp;sort=open_amount"' in content


def test_the_invoice_list_pages_keep_the_filters(org_a, debtor_a, today, viewer_client) -> None:
    for n in range(55):
        InvoiceFactory(debtor=debtor_a, number=f"P-{n:03d}")
    InvoiceFactory(debtor=debtor_a, number="P-paid", status=InvoiceStatus.PAID)
    list_url = url("invoice_list", org_a.organization)
    first = viewer_client.get(list_url, {"q": "P-", "status": "open", "sort": "number"})
    assert len(row_heads(first)) == 50
    next_link = f"{list_url}?q=P-&amp;status=open&amp;sort=number&amp;page=2"
    assert f'href="{next_link}"' in first.content.decode()
    second = viewer_client.get(list_url, {"q": "P-", "status": "open", "sort": "number", "page": "2"})
    assert row_heads(second) == [f"P-{n:03d}" for n in range(50, 55)]
    assert "Page 2 of 2" in second.content.decode()


def test_a_page_number_out_of_range_shows_the_last_page(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization), {"page": "99"})
    assert len(row_heads(response)) == 7


def test_an_htmx_request_gets_only_the_results_partial(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization), {"status": "open", "sort": "number"}, **HTMX)
    content = response.content.decode()
    assert "<html" not in content
    assert "<form" not in content
    assert row_heads(response) == ["2026-0001", "2026-0002", "2026-0003", "2026-0004", "2026-0007"]
    # The live summary and the form's sort field are updated out of band.
    assert '<p id="invoice-summary" hx-swap-oob="innerHTML">' in content
    assert '<input type="hidden" name="sort" id="invoice-sort" value="number" hx-swap-oob="true">' in content
    assert "HX-Request" in response["Vary"]


def test_the_whole_page_has_the_htmx_wiring_and_a_live_region(org_a, ledger, today, viewer_client) -> None:
    content = viewer_client.get(url("invoice_list", org_a.organization)).content.decode()
    assert "<html" in content
    assert 'hx-target="#invoice-results"' in content
    assert 'hx-push-url="true"' in content
    assert 'id="invoice-summary" class="muted" role="status" aria-live="polite"' in content
    assert "style=" not in content
    assert "<script>" not in content


def test_an_htmx_history_restore_gets_the_whole_page(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(
        url("invoice_list", org_a.organization), HTTP_HX_HISTORY_RESTORE_REQUEST="true", **HTMX
    )
    assert "<html" in response.content.decode()


# --- debtor list: live search, paging, htmx ---------------------------------------------------------


def test_the_debtor_search_is_live_and_pushes_the_url(org_a, ledger, today, viewer_client) -> None:
    content = viewer_client.get(url("debtor_list", org_a.organization)).content.decode()
    assert 'hx-trigger="input changed delay:300ms, search"' in content
    assert 'hx-push-url="true"' in content
    assert 'role="status" aria-live="polite"' in content


def test_an_htmx_debtor_search_gets_only_the_matching_rows(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("debtor_list", org_a.organization), {"q": "bakker"}, **HTMX)
    content = response.content.decode()
    assert "<html" not in content
    assert row_heads(response) == ["Bakkerij De Vries"]
    assert '<p id="debtor-summary" hx-swap-oob="innerHTML">' in content


def test_a_debtor_search_finding_nothing_says_so(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("debtor_list", org_a.organization), {"q": "Acme Foreign"})
    assert row_heads(response) == []
    assert "No debtors match your search." in response.content.decode()


def test_the_debtor_list_pages_keep_the_search(org_a, today, viewer_client) -> None:
    for n in range(53):
        DebtorFactory(organization=org_a.organization, name=f"Klant {n:02d}")
    DebtorFactory(organization=org_a.organization, name="Someone else")
    list_url = url("debtor_list", org_a.organization)
    first = viewer_client.get(list_url, {"q": "klant"})
    assert len(row_heads(first)) == 50
    assert f'href="{list_url}?q=klant&amp;page=2"' in first.content.decode()
    second = viewer_client.get(list_url, {"q": "klant", "page": "2"}, **HTMX)
    assert row_heads(second) == ["Klant 50", "Klant 51", "Klant 52"]


# --- invoice detail ---------------------------------------------------------------------------------


def test_the_invoice_page_shows_amounts_dates_and_payments(org_a, ledger, today, viewer_client) -> None:
    invoice = ledger.partly_paid_overdue
    PaymentFactory(invoice=invoice, amount=Decimal("50.25"), reference="ING-77", source=PaymentSource.IMPORT)
    response = viewer_client.get(url("invoice_detail", org_a.organization, invoice_id=invoice.public_id))
    content = response.content.decode()
    assert text_of(response, "invoice-amount") == [euros("250.50")]
    assert text_of(response, "invoice-paid") == [euros("50.25")]
    assert text_of(response, "invoice-open") == [euros("200.25")]
    assert text_of(response, "days-overdue") == ["5"]
    assert "ING-77" in content
    assert url("debtor_detail", org_a.organization, debtor_id=ledger.acme.public_id) in content
    assert "pdf-link" not in content


def test_the_invoice_page_links_the_pdf_when_there_is_one(org_a, invoice_a, today, viewer_client) -> None:
    invoice_a.pdf.save("invoice.pdf", ContentFile(b"%PDF-1.4 test"))
    detail = viewer_client.get(url("invoice_detail", org_a.organization, invoice_id=invoice_a.public_id))
    pdf_url = url("invoice_pdf", org_a.organization, invoice_id=invoice_a.public_id)
    assert f'href="{pdf_url}"' in detail.content.decode()
    response = viewer_client.get(pdf_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == b"%PDF-1.4 test"


def test_an_invoice_without_a_pdf_file_answers_404(org_a, invoice_a, today, viewer_client) -> None:
    pdf_url = url("invoice_pdf", org_a.organization, invoice_id=invoice_a.public_id)
    assert viewer_client.get(pdf_url).status_code == 404
    Invoice.objects.for_organization(org_a.organization).filter(pk=invoice_a.pk).update(pdf="invoices/gone.pdf")
    assert viewer_client.get(pdf_url).status_code == 404


# --- viewers read, members write --------------------------------------------------------------------


def test_a_viewer_sees_no_write_forms(org_a, invoice_a, today, viewer_client) -> None:
    invoice_page = viewer_client.get(url("invoice_detail", org_a.organization, invoice_id=invoice_a.public_id))
    debtor_page = viewer_client.get(url("debtor_detail", org_a.organization, debtor_id=invoice_a.debtor.public_id))
    assert invoice_page.status_code == debtor_page.status_code == 200
    assert 'method="post"' not in invoice_page.content.decode().split('<main id="main">')[1]
    assert 'method="post"' not in debtor_page.content.decode().split('<main id="main">')[1]


def test_a_member_sees_the_payment_form_with_the_open_amount(org_a, invoice_a, today, member_client) -> None:
    content = member_client.get(url("invoice_detail", org_a.organization, invoice_id=invoice_a.public_id)).content
    assert b'data-testid="payment-form"' in content
    assert b'name="amount" value="121.00"' in content
    assert b'name="date" value="2026-11-26"' in content


def test_a_viewer_cannot_record_a_payment(org_a, invoice_a, today, viewer_client) -> None:
    response = viewer_client.post(
        url("payment_add", org_a.organization, invoice_id=invoice_a.public_id), {"amount": "10", "date": TODAY}
    )
    assert response.status_code == 403
    assert open_amount(invoice_a) == Decimal("121.00")
    assert payments_of(invoice_a) == 0


@pytest.mark.parametrize("name", ["debtor_pause", "debtor_resume"])
def test_a_viewer_cannot_pause_or_resume_a_debtor(org_a, debtor_a, today, viewer_client, name) -> None:
    response = viewer_client.post(url(name, org_a.organization, debtor_id=debtor_a.public_id), {"reason": "x"})
    assert response.status_code == 403
    debtor_a.refresh_from_db()
    assert not debtor_a.is_paused


# --- recording payments -----------------------------------------------------------------------------


def pay(client, invoice: Invoice, amount: str, date: dt.date = TODAY, reference: str = ""):
    return client.post(
        url("payment_add", invoice.organization, invoice_id=invoice.public_id),
        {"amount": amount, "date": date.isoformat(), "reference": reference},
    )


def test_a_member_records_a_payment_and_the_open_amount_drops(org_a, invoice_a, today, member_client) -> None:
    response = pay(member_client, invoice_a, "21.00")
    assert response.status_code == 302
    assert response["Location"] == url("invoice_detail", org_a.organization, invoice_id=invoice_a.public_id)
    assert open_amount(invoice_a) == Decimal("100.00")
    payment = Payment.objects.for_organization(org_a.organization).get(invoice=invoice_a)
    assert (payment.amount, payment.date, payment.source) == (Decimal("21.00"), TODAY, PaymentSource.MANUAL)
    page = member_client.get(response["Location"])
    assert "Payment recorded." in page.content.decode()
    assert text_of(page, "invoice-open") == [euros("100.00")]


def test_a_dutch_member_may_type_a_decimal_comma(org_a, invoice_a, today, member_client) -> None:
    invoice_page = url("invoice_detail", org_a.organization, invoice_id=invoice_a.public_id)
    assert b'name="amount" value="121,00"' in member_client.get(invoice_page, HTTP_ACCEPT_LANGUAGE="nl").content
    member_client.post(
        url("payment_add", org_a.organization, invoice_id=invoice_a.public_id),
        {"amount": "21,50", "date": TODAY.isoformat()},
        HTTP_ACCEPT_LANGUAGE="nl",
    )
    assert open_amount(invoice_a) == Decimal("99.50")


def test_paying_in_full_marks_the_invoice_paid(org_a, invoice_a, today, member_client) -> None:
    pay(member_client, invoice_a, "121.00")
    invoice_a.refresh_from_db()
    assert (invoice_a.open_amount, invoice_a.status) == (Decimal("0.00"), InvoiceStatus.PAID)


def test_an_overpayment_leaves_nothing_open(org_a, invoice_a, today, member_client) -> None:
    pay(member_client, invoice_a, "500.00")
    invoice_a.refresh_from_db()
    assert (invoice_a.open_amount, invoice_a.status) == (Decimal("0.00"), InvoiceStatus.PAID)


@pytest.mark.parametrize(
    ("amount", "error"),
    [
        ("0", "A payment must be more than zero."),
        ("0.00", "A payment must be more than zero."),
        ("-5", "A payment must be more than zero."),
        ("abc", "“abc” is not an amount."),  # the importer's reasons: the form uses its parser
        ("", "Enter the amount received."),
        ("1.0055", "“1.0055” has more than two decimals; amounts are in cents."),
        ("1" * 20, "The amount is too large."),
    ],
)
def test_an_invalid_amount_gives_a_clear_error_and_changes_nothing(
    org_a, invoice_a, today, member_client, amount, error
) -> None:
    response = pay(member_client, invoice_a, amount)
    assert response.status_code == 200
    content = response.content.decode()
    assert error in content
    assert 'aria-invalid="true"' in content
    assert open_amount(invoice_a) == Decimal("121.00")
    assert payments_of(invoice_a) == 0


def test_a_payment_dated_in_the_future_is_refused(org_a, invoice_a, today, member_client) -> None:
    response = pay(member_client, invoice_a, "10", date=TODAY + DAY)
    assert "A payment cannot be received in the future." in response.content.decode()
    assert payments_of(invoice_a) == 0


def test_a_reference_already_recorded_is_refused_with_an_explanation(org_a, invoice_a, today, member_client) -> None:
    pay(member_client, invoice_a, "10", reference="ING 2026-11-26 #4")
    other = InvoiceFactory(debtor=invoice_a.debtor)
    response = pay(member_client, other, "10", reference=" ING 2026-11-26 #4 ")
    assert "A payment with this reference was already recorded; nothing changed." in response.content.decode()
    assert open_amount(other) == other.amount
    assert open_amount(invoice_a) == Decimal("111.00")


# --- pausing debtors --------------------------------------------------------------------------------


def test_a_member_pauses_a_debtor_with_a_reason_and_end_date(org_a, debtor_a, today, member_client) -> None:
    response = member_client.post(
        url("debtor_pause", org_a.organization, debtor_id=debtor_a.public_id),
        {"reason": "Disputed by phone", "until": (TODAY + 14 * DAY).isoformat()},
    )
    assert response.status_code == 302
    debtor_a.refresh_from_db()
    assert (debtor_a.is_paused, debtor_a.pause_reason, debtor_a.paused_until) == (
        True,
        "Disputed by phone",
        TODAY + 14 * DAY,
    )
    page = member_client.get(response["Location"]).content.decode()
    assert "Disputed by phone" in page
    assert url("debtor_resume", org_a.organization, debtor_id=debtor_a.public_id) in page


def test_a_pause_needs_no_end_date(org_a, debtor_a, today, member_client) -> None:
    member_client.post(url("debtor_pause", org_a.organization, debtor_id=debtor_a.public_id), {"reason": "Bankrupt"})
    debtor_a.refresh_from_db()
    assert (debtor_a.is_paused, debtor_a.paused_until) == (True, None)


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"reason": ""}, "Give a reason for pausing."),
        ({"reason": "   "}, "Give a reason for pausing."),
        ({"reason": "Dispute", "until": TODAY.isoformat()}, "The end date must be after today."),
        ({"reason": "Dispute", "until": "tomorrow"}, "Enter a valid date."),
    ],
)
def test_an_invalid_pause_is_explained_and_changes_nothing(org_a, debtor_a, today, member_client, data, error) -> None:
    response = member_client.post(url("debtor_pause", org_a.organization, debtor_id=debtor_a.public_id), data)
    assert response.status_code == 200
    assert error in response.content.decode()
    debtor_a.refresh_from_db()
    assert not debtor_a.is_paused


def test_a_member_resumes_a_paused_debtor(org_a, today, member_client) -> None:
    debtor = DebtorFactory(organization=org_a.organization, is_paused=True, pause_reason="Dispute")
    response = member_client.post(url("debtor_resume", org_a.organization, debtor_id=debtor.public_id))
    assert response.status_code == 302
    debtor.refresh_from_db()
    assert (debtor.is_paused, debtor.pause_reason) == (False, "")


def test_resuming_twice_changes_nothing_the_second_time(org_a, debtor_a, today, member_client) -> None:
    response = member_client.post(url("debtor_resume", org_a.organization, debtor_id=debtor_a.public_id))
    assert response.status_code == 302
    debtor_a.refresh_from_db()
    assert not debtor_a.is_paused


def test_writes_need_a_post(org_a, debtor_a, invoice_a, today, member_client) -> None:
    assert member_client.get(url("debtor_pause", org_a.organization, debtor_id=debtor_a.public_id)).status_code == 405
    assert member_client.get(url("payment_add", org_a.organization, invoice_id=invoice_a.public_id)).status_code == 405


# --- tenancy: another organization's objects do not exist -------------------------------------------

ROUTES = [
    ("debtor_list", None),
    ("debtor_detail", "debtor_id"),
    ("debtor_pause", "debtor_id"),
    ("debtor_resume", "debtor_id"),
    ("invoice_list", None),
    ("invoice_detail", "invoice_id"),
    ("invoice_pdf", "invoice_id"),
    ("payment_add", "invoice_id"),
]


def route_kwargs(key: str | None, invoice: Invoice) -> dict:
    if key is None:
        return {}
    return {key: invoice.debtor.public_id if key == "debtor_id" else invoice.public_id}


def assert_untouched(invoice: Invoice) -> None:
    invoice.debtor.refresh_from_db()
    assert not invoice.debtor.is_paused
    assert payments_of(invoice) == 0


POST_DATA = {"reason": "x", "amount": "10", "date": TODAY.isoformat()}


@pytest.mark.parametrize(("name", "key"), ROUTES)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_outsider_gets_404_on_every_url_of_organization_a(
    org_a, invoice_a, today, outsider_client, name, key, method
) -> None:
    invoice_a.pdf.save("a.pdf", ContentFile(b"%PDF secret"))
    target = url(name, org_a.organization, **route_kwargs(key, invoice_a))
    response = getattr(outsider_client, method)(target, POST_DATA)
    assert response.status_code == 404
    assert_untouched(invoice_a)


@pytest.mark.parametrize(("name", "key"), [route for route in ROUTES if route[1]])
@pytest.mark.parametrize("method", ["get", "post"])
def test_organization_b_urls_with_organization_a_ids_give_404(
    org_a, org_b, invoice_a, today, outsider_client, name, key, method
) -> None:
    invoice_a.pdf.save("a.pdf", ContentFile(b"%PDF secret"))
    target = url(name, org_b.organization, **route_kwargs(key, invoice_a))
    response = getattr(outsider_client, method)(target, POST_DATA)
    assert response.status_code == 404
    assert_untouched(invoice_a)


def test_a_malformed_id_gives_404(org_a, today, owner_client) -> None:
    response = owner_client.get(f"{url('invoice_list', org_a.organization)}not-a-uuid/")
    assert response.status_code == 404


@pytest.mark.parametrize(("name", "key"), ROUTES)
def test_an_anonymous_visitor_is_sent_to_log_in(org_a, invoice_a, client, name, key) -> None:
    response = client.get(url(name, org_a.organization, **route_kwargs(key, invoice_a)))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


# --- query counts: the lists do not grow with the data ----------------------------------------------


def many_invoices(organization, count: int) -> None:
    debtors = DebtorFactory.create_batch(20, organization=organization)
    for n in range(count):
        InvoiceFactory(debtor=debtors[n % 20], due_date=TODAY - (n % 7) * DAY, issue_date=TODAY - 40 * DAY)


def queries_for(client, path: str, **extra) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(path, **extra)
    assert response.status_code == 200
    return len(context)


def test_the_invoice_list_of_60_invoices_takes_a_bounded_number_of_queries(
    org_a, today, viewer_client, django_assert_max_num_queries
) -> None:
    many_invoices(org_a.organization, 60)
    with django_assert_max_num_queries(8):
        response = viewer_client.get(url("invoice_list", org_a.organization), {"sort": "debtor"})
    assert len(row_heads(response)) == 50


def test_the_debtor_list_takes_a_bounded_number_of_queries(
    org_a, today, viewer_client, django_assert_max_num_queries
) -> None:
    many_invoices(org_a.organization, 60)
    DebtorFactory.create_batch(40, organization=org_a.organization)
    with django_assert_max_num_queries(7):
        response = viewer_client.get(url("debtor_list", org_a.organization))
    assert len(row_heads(response)) == 50


@pytest.mark.parametrize("name", ["invoice_list", "debtor_list"])
def test_the_lists_take_as_many_queries_for_60_invoices_as_for_3(org_a, org_b, today, name) -> None:
    small, large = client_for(org_b.owner), client_for(org_a.owner)  # the same role: owners also get the bulk form
    many_invoices(org_b.organization, 3)
    many_invoices(org_a.organization, 60)
    assert queries_for(small, url(name, org_b.organization)) == queries_for(large, url(name, org_a.organization))
    assert queries_for(small, url(name, org_b.organization), **HTMX) == queries_for(
        large, url(name, org_a.organization), **HTMX
    )


def test_the_debtor_page_takes_a_bounded_number_of_queries(
    org_a, today, viewer_client, django_assert_max_num_queries
) -> None:
    debtor = DebtorFactory(organization=org_a.organization)
    for _ in range(60):
        InvoiceFactory(debtor=debtor)
    with django_assert_max_num_queries(11):  # 9 + the messages timeline (2)
        viewer_client.get(url("debtor_detail", org_a.organization, debtor_id=debtor.public_id))


def test_the_invoice_page_takes_a_bounded_number_of_queries(
    org_a, invoice_a, today, viewer_client, django_assert_max_num_queries
) -> None:
    PaymentFactory.create_batch(10, invoice=invoice_a, amount=Decimal("1.00"))
    with django_assert_max_num_queries(11):  # 8 + the messages timeline (2) + the debtor conversation (1)
        viewer_client.get(url("invoice_detail", org_a.organization, invoice_id=invoice_a.public_id))


__all__ = ["Debtor"]


# --- a real browser: htmx under the strict CSP ------------------------------------------------------


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


@pytest.mark.browser
def test_live_search_sorting_and_filters_work_in_a_browser(live_server, browser, org_a, ledger, today) -> None:
    from selenium.common.exceptions import StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def rows(region: str) -> list[str]:
        try:
            return [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, f"#{region} tbody th")]
        except StaleElementReferenceException:  # swapped while being read: ask again
            return []

    def wait_for(condition) -> None:
        WebDriverWait(browser, 5).until(lambda _driver: condition())

    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "login").send_keys(org_a.member.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: "/app/" in browser.current_url)

    browser.get(live_server.url + url("debtor_list", org_a.organization))
    browser.find_element(By.ID, "debtor-search").send_keys("acme")
    wait_for(lambda: rows("debtor-results") == ["Acme Bouw B.V."])
    assert browser.current_url.endswith("/debtors/?q=acme")
    assert browser.find_element(By.ID, "debtor-summary").text.startswith("1 debtor")

    browser.get(live_server.url + url("invoice_list", org_a.organization))
    browser.find_element(By.ID, "id_q").send_keys("bakker")
    wait_for(lambda: len(rows("invoice-results")) == 4)
    browser.find_element(By.CSS_SELECTOR, "#invoice-results th a").click()  # Number, ascending
    wait_for(lambda: rows("invoice-results") == ["2026-0003", "2026-0004", "2026-0006", "2026-0007"])
    browser.find_element(By.ID, "id_overdue").click()
    wait_for(lambda: rows("invoice-results") == ["2026-0003", "2026-0007"])  # search and sort kept
    assert "sort=number" in browser.current_url
    wait_for(lambda: browser.find_element(By.ID, "invoice-summary").text.startswith("2 invoices"))
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert [entry for entry in errors if "favicon" not in entry["message"]] == []
