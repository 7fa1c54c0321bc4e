"""The invoice and debtor lists: filters in the URL, sorting on every column, exports and bulk actions."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from collection.models import Dossier, DossierStage
from collection.services import dossier_open, dossier_stage_set
from invoices import exports, selectors
from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus
from invoices.views import lists as list_views
from reminders.models import Flow, ReminderStatus, StepKind
from tests.conftest import client_for
from tests.factories import TODAY, DebtorFactory, InvoiceFactory
from tests.reminders.reminder_builders import reminder_with_invoices

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


def url(name: str, organization, **kwargs) -> str:
    return reverse(name, kwargs={"org_id": organization.public_id, **kwargs})


def row_heads(response) -> list[str]:
    return [
        text.strip()
        for text in re.findall(r'<th scope="row" class="rowhead">\s*<a [^>]*>([^<]+)</a>', response.content.decode())
    ]


def invoices_list(client, organization, **params) -> list[str]:
    return row_heads(client.get(url("invoice_list", organization), params))


def page_messages(response) -> list[str]:
    return [
        re.sub(r"\s+", " ", text).strip()
        for text in re.findall(r'<li class="message[^"]*">(.*?)</li>', response.content.decode(), re.S)
    ]


def csv_rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 with a byte order mark, for Excel
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";"))


def paused(invoice: Invoice) -> bool:
    invoice.refresh_from_db()
    return invoice.is_paused


# --- filters ----------------------------------------------------------------------------------------


def test_the_default_order_is_most_days_overdue_first(org_a, ledger, today, viewer_client) -> None:
    # 40, 5 and 3 days overdue, due today, due in 10 days; then what is settled, newest first
    expected = ["2026-0003", "2026-0002", "2026-0007", "2026-0004", "2026-0001", "2026-0006", "2026-0005"]
    assert invoices_list(viewer_client, org_a.organization) == expected


def test_the_days_overdue_column_shows_the_days_of_overdue_invoices_only(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization))
    assert re.findall(r'data-testid="days-overdue">([^<]*)<', response.content.decode()) == [
        "40", "5", "3", "–", "–", "–", "–",
    ]  # fmt: skip


def test_the_list_filters_by_open_amount_written_the_dutch_way(org_a, ledger, today, viewer_client) -> None:
    found = invoices_list(viewer_client, org_a.organization, open_min="77,00", open_max="200,25", sort="number")
    assert found == ["2026-0001", "2026-0002", "2026-0007"]
    assert invoices_list(viewer_client, org_a.organization, open_min="1.000", sort="number") == []
    assert invoices_list(viewer_client, org_a.organization, open_min="999.99", sort="number") == ["2026-0003"]


def test_the_list_filters_by_due_date_range(org_a, ledger, today, viewer_client) -> None:
    found = invoices_list(
        viewer_client, org_a.organization, due_from=(TODAY - 5 * DAY).isoformat(), due_to=TODAY.isoformat(),
        sort="number",
    )  # fmt: skip
    assert found == ["2026-0002", "2026-0004", "2026-0007"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"overdue_min": "1"}, ["2026-0002", "2026-0003", "2026-0007"]),
        ({"overdue_min": "30"}, ["2026-0003"]),
        ({"overdue_min": "4", "overdue_max": "10"}, ["2026-0002"]),
        # 5 days or fewer: open invoices only, not yet due ones count as 0 days
        ({"overdue_max": "5"}, ["2026-0001", "2026-0002", "2026-0004", "2026-0007"]),
        ({"overdue_min": "0", "overdue_max": "0"}, ["2026-0001", "2026-0004"]),
    ],
)
def test_the_list_filters_by_days_overdue(org_a, ledger, today, viewer_client, params, expected) -> None:
    assert invoices_list(viewer_client, org_a.organization, sort="number", **params) == expected


def test_days_overdue_agree_with_the_model_whatever_the_bounds(org_a, ledger) -> None:
    for low in range(0, 45, 4):
        for high in (None, low, low + 6, 60):
            filters = selectors.InvoiceListFilters(overdue_min=low, overdue_max=high)
            listed = set(selectors.invoice_list(organization=org_a.organization, today=TODAY, filters=filters))
            every = selectors.invoice_list(organization=org_a.organization, today=TODAY)
            expected = {
                invoice for invoice in every
                if invoice.status == InvoiceStatus.OPEN and invoice.open_amount > 0
                and low <= invoice.days_overdue(TODAY) and (high is None or invoice.days_overdue(TODAY) <= high)
            }  # fmt: skip
            assert listed == expected, (low, high)


def test_a_bad_filter_value_is_reported_and_that_filter_left_out(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization), {"open_min": "lots", "status": "open"})
    assert response.status_code == 200
    content = response.content.decode()
    assert 'role="alert"' in content
    assert re.search(r"<li>Open from: [^<]*lots[^<]*</li>", content)  # the amount parser's own reason
    assert sorted(row_heads(response)) == ["2026-0001", "2026-0002", "2026-0003", "2026-0004", "2026-0007"]


def test_a_reversed_range_is_reported_and_left_out(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(
        url("invoice_list", org_a.organization),
        {"due_from": TODAY.isoformat(), "due_to": (TODAY - 9 * DAY).isoformat()},
    )
    assert "“Due from” is more than “Due up to”; this filter was left out." in response.content.decode()
    assert len(row_heads(response)) == 7


def test_bad_dates_and_days_are_reported(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(
        url("invoice_list", org_a.organization), {"due_to": "31-02-2026", "overdue_min": "-3", "step": "x"}
    )
    content = response.content.decode()
    assert "Due up to: Enter a valid date." in content
    assert "Days overdue from: Enter 0 days or more." in content
    assert "Flow step: Select a valid choice." in content
    assert len(row_heads(response)) == 7


def test_the_filters_stay_in_the_sort_links_the_pages_and_the_export_links(
    org_a, debtor_a, today, viewer_client
) -> None:
    for n in range(55):
        InvoiceFactory(debtor=debtor_a, number=f"P-{n:03d}", amount=Decimal("100.00"), due_date=TODAY - 3 * DAY)
    list_url = url("invoice_list", org_a.organization)
    params = {"q": "P-", "open_min": "50", "overdue_min": "2", "step": "none", "sort": "number"}
    content = viewer_client.get(list_url, params).content.decode()
    query = "q=P-&amp;open_min=50&amp;overdue_min=2&amp;step=none"
    assert f'href="{list_url}?{query}&amp;sort=-number"' in content  # the sorted column flips
    assert f'href="{list_url}?{query}&amp;sort=amount"' in content
    assert f'href="{list_url}?{query}&amp;sort=number&amp;page=2"' in content
    assert f'href="{url("invoice_export_csv", org_a.organization)}?{query}&amp;sort=number"' in content


def test_an_htmx_filter_request_gets_the_partial_with_the_errors(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_list", org_a.organization), {"open_max": "abc"}, **HTMX)
    content = response.content.decode()
    assert "<html" not in content
    assert re.search(r"<li>Open up to: [^<]*abc[^<]*</li>", content)


def test_the_list_filters_by_flow_step(org_a, ledger, today, viewer_client) -> None:
    reminder_with_invoices(ledger.acme, invoices=[ledger.partly_paid_overdue], planned_date=TODAY - 20 * DAY)
    reminder_with_invoices(ledger.bakker, invoices=[ledger.long_overdue], planned_date=TODAY - 30 * DAY)
    reminder_with_invoices(
        ledger.bakker, invoices=[ledger.long_overdue], kind=StepKind.NOTICE_OF_DEFAULT, planned_date=TODAY - 10 * DAY
    )
    # a cancelled message still counts, as for the engine: that step is not planned for the invoice again
    cancelled = reminder_with_invoices(ledger.bakker, invoices=[ledger.dollars], planned_date=TODAY - 2 * DAY)
    cancelled.status = ReminderStatus.CANCELLED
    cancelled.save()
    reminder_with_invoices(ledger.acme, invoices=[ledger.paid], planned_date=TODAY - 30 * DAY)  # paid: not listed
    organization = org_a.organization
    assert invoices_list(viewer_client, organization, step=StepKind.REMINDER, sort="number") == [
        "2026-0002",
        "2026-0007",
    ]
    assert invoices_list(viewer_client, organization, step=StepKind.NOTICE_OF_DEFAULT) == ["2026-0003"]
    assert invoices_list(viewer_client, organization, step=StepKind.HAND_OVER) == []
    # no step yet: open invoices without any message
    assert invoices_list(viewer_client, organization, step="none", sort="number") == ["2026-0001", "2026-0004"]


def test_the_list_filters_by_dossier_stage(org_a, ledger, today, viewer_client) -> None:
    organization = org_a.organization
    organization.dossier_pre_collection = False
    organization.save()
    dossier = dossier_open(
        organization=organization, debtor=ledger.bakker, invoices=[ledger.long_overdue], today=TODAY, origin="manual"
    )
    assert invoices_list(viewer_client, organization, stage=DossierStage.AMICABLE) == ["2026-0003"]
    assert invoices_list(viewer_client, organization, stage=DossierStage.JUDICIAL) == []
    dossier_stage_set(organization=organization, dossier=dossier, stage=DossierStage.JUDICIAL, today=TODAY)
    assert invoices_list(viewer_client, organization, stage=DossierStage.JUDICIAL) == ["2026-0003"]


# --- sorting on every column ------------------------------------------------------------------------


def _key(invoice: Invoice, column: str):  # type: ignore[no-untyped-def]
    return {
        "number": invoice.number,
        "debtor": invoice.debtor.name,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "status": invoice.status,
        "amount": invoice.amount,
        "open_amount": invoice.open_amount,
        "days_overdue": invoice.days_overdue(TODAY) if invoice.is_overdue(TODAY) else 0,
    }[column]


@pytest.mark.parametrize("column", list_views.INVOICE_COLUMNS)
def test_the_invoice_list_sorts_on_every_column_both_ways(org_a, ledger, column) -> None:
    InvoiceFactory(debtor=ledger.acme, number="2026-0008", issue_date=TODAY - 70 * DAY, due_date=TODAY - 12 * DAY)
    for sort, reverse_order in ((column, False), (f"-{column}", True)):
        listed = list(selectors.invoice_list(organization=org_a.organization, today=TODAY, sort=sort))
        keys = [_key(invoice, column) for invoice in listed]
        if column == "days_overdue":
            keys = [-key for key in keys]  # "days_overdue" ascending is the fewest days first
            reverse_order = not reverse_order
        assert keys == sorted(keys, reverse=reverse_order), sort


@pytest.mark.parametrize("column", list_views.INVOICE_COLUMNS)
def test_every_invoice_column_header_is_a_sort_link(org_a, ledger, today, viewer_client, column) -> None:
    list_url = url("invoice_list", org_a.organization)
    content = viewer_client.get(list_url, {"sort": column}).content.decode()
    assert f'aria-sort="ascending"><a href="{list_url}?sort=-{column}"' in content


def test_the_default_order_reads_the_index_without_sorting(org_a, ledger) -> None:
    """The page of the default list comes straight off ``invoice_list_overdue_order`` (invoices 0013)."""
    invoices = selectors.invoice_list(organization=org_a.organization, today=TODAY)[:50]
    sql, params = invoices.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "invoice_list_overdue_order" in plan
    assert "Sort" not in plan


# --- export -----------------------------------------------------------------------------------------


def test_the_csv_export_is_the_whole_filtered_selection_in_order(org_a, debtor_a, today, viewer_client) -> None:
    for n in range(60):  # more than one page
        InvoiceFactory(
            debtor=debtor_a, number=f"E-{n:03d}", amount=Decimal("1234.50"), issue_date=TODAY - 90 * DAY,
            due_date=TODAY - n * DAY,
        )  # fmt: skip
    InvoiceFactory(debtor=debtor_a, number="E-paid", status=InvoiceStatus.PAID)
    response = viewer_client.get(url("invoice_export_csv", org_a.organization), {"q": "E-", "status": "open"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="invoices-{TODAY.isoformat()}.csv"'
    header, *rows = csv_rows(response)
    assert header[:5] == ["Number", "Debtor", "Invoice date", "Due date", "Days overdue"]
    assert [row[0] for row in rows] == [f"E-{n:03d}" for n in range(59, -1, -1)]  # most days overdue first
    first = rows[0]
    assert first[3] == (TODAY - 59 * DAY).isoformat()
    assert first[4] == "59"
    assert first[6:9] == ["EUR", "1234,50", "1234,50"]  # Dutch decimal comma, no thousands separator


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil")', "+31 20 123", "-2+3", "@SUM(A1)", "\tTab"])
def test_the_export_neutralises_formulas(org_a, today, viewer_client, name) -> None:
    debtor = DebtorFactory(organization=org_a.organization, name=name)
    InvoiceFactory(debtor=debtor, number="=1+1")
    _header, row = csv_rows(viewer_client.get(url("invoice_export_csv", org_a.organization)))
    assert row[0] == "'=1+1"
    assert row[1] == f"'{name}"
    workbook = load_workbook(io.BytesIO(viewer_client.get(url("invoice_export_xlsx", org_a.organization)).getvalue()))
    sheet = workbook.active
    assert sheet["A2"].value == "'=1+1" and sheet["A2"].data_type == "s"
    assert sheet["B2"].value == f"'{name}" and sheet["B2"].data_type == "s"


def test_the_xlsx_export_has_numbers_and_dates(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("invoice_export_xlsx", org_a.organization), {"sort": "number"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Number", "Debtor", "Invoice date", "Due date")
    assert [row[0] for row in rows[1:]] == [f"2026-000{n}" for n in range(1, 8)]
    partly_paid = rows[2]
    assert partly_paid[3].date() == TODAY - 5 * DAY
    assert partly_paid[4] == 5
    assert partly_paid[7:9] == (250.5, 200.25)
    assert sheet["H3"].number_format == "#,##0.00"


def test_an_export_just_past_the_limit_is_refused_with_a_message(
    org_a, ledger, today, viewer_client, monkeypatch
) -> None:
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 7)
    assert viewer_client.get(url("invoice_export_csv", org_a.organization)).status_code == 200  # 7: at the limit
    InvoiceFactory(debtor=ledger.acme, number="2026-0008")
    for name in ("invoice_export_csv", "invoice_export_xlsx"):
        response = viewer_client.get(url(name, org_a.organization), {"status": ""}, follow=True)
        assert response.redirect_chain[0][0] == url("invoice_list", org_a.organization)
        assert "This selection holds 8 rows; an export holds at most 7." in " ".join(page_messages(response))


def test_a_narrowed_selection_under_the_limit_exports(org_a, ledger, today, viewer_client, monkeypatch) -> None:
    monkeypatch.setattr(exports, "EXPORT_MAX_ROWS", 3)
    response = viewer_client.get(url("invoice_export_csv", org_a.organization), {"overdue": "on"})
    assert len(csv_rows(response)) == 4  # header + the 3 overdue invoices


def test_another_organizations_export_is_404(org_a, ledger, today, outsider_client) -> None:
    for name in ("invoice_export_csv", "invoice_export_xlsx", "debtor_export_csv", "debtor_export_xlsx"):
        assert outsider_client.get(url(name, org_a.organization)).status_code == 404


# --- bulk actions -----------------------------------------------------------------------------------


def bulk(client, organization, action: str, invoices=(), follow=True, **data):  # type: ignore[no-untyped-def]
    payload = {"action": action, "selected": [str(invoice.public_id) for invoice in invoices], **data}
    return client.post(url("invoice_bulk", organization), payload, follow=follow)


def test_a_viewer_sees_no_bulk_actions_and_cannot_post_them(org_a, ledger, today, viewer_client) -> None:
    content = viewer_client.get(url("invoice_list", org_a.organization)).content.decode()
    assert 'id="invoice-bulk"' not in content
    assert 'name="selected"' not in content
    response = bulk(viewer_client, org_a.organization, "hold", [ledger.long_overdue], reason="x", follow=False)
    assert response.status_code == 403
    assert not paused(ledger.long_overdue)


def test_a_member_sees_the_bulk_form_with_a_checkbox_per_row(org_a, ledger, today, member_client) -> None:
    content = member_client.get(url("invoice_list", org_a.organization)).content.decode()
    assert 'id="invoice-bulk"' in content and "csrfmiddlewaretoken" in content
    assert content.count('name="selected"') == 7
    assert "all 7 invoices matching these filters" in content


def test_the_bulk_form_requires_the_csrf_token(org_a, ledger, today) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(org_a.member)
    response = client.post(
        url("invoice_bulk", org_a.organization),
        {"action": "hold", "selected": [str(ledger.long_overdue.public_id)], "reason": "x"},
    )
    assert response.status_code == 403
    assert not paused(ledger.long_overdue)


def test_a_get_of_the_bulk_url_is_not_allowed(org_a, today, member_client) -> None:
    assert member_client.get(url("invoice_bulk", org_a.organization)).status_code == 405


def test_holding_the_ticked_invoices_says_how_many_and_offers_undo(org_a, ledger, today, member_client) -> None:
    chosen = [ledger.long_overdue, ledger.partly_paid_overdue]
    response = bulk(member_client, org_a.organization, "hold", chosen, reason="Disputed by phone", filters="overdue=on")
    assert response.redirect_chain[0][0] == url("invoice_list", org_a.organization) + "?overdue=on"
    assert "2 invoices held." in page_messages(response)
    for invoice in chosen:
        invoice.refresh_from_db()
        assert invoice.is_paused and invoice.pause_reason == "Disputed by phone"
    assert not paused(ledger.dollars)
    assert "Undo the hold of 2 invoices" in response.content.decode()

    undone = bulk(member_client, org_a.organization, "undo")
    assert "Hold undone: 2 invoices resumed." in page_messages(undone)
    assert not any(paused(invoice) for invoice in chosen)
    assert "Undo the hold" not in undone.content.decode()


def test_undo_leaves_invoices_that_were_paused_before_alone(org_a, ledger, today, member_client) -> None:
    Invoice.objects.for_organization(org_a.organization).filter(pk=ledger.dollars.pk).update(
        is_paused=True, pause_reason="Arrangement"
    )
    response = bulk(member_client, org_a.organization, "hold", [ledger.dollars, ledger.long_overdue], reason="Check")
    assert page_messages(response) == [
        "1 invoice held.", "1 invoice was paused already and keeps its reason.",
    ]  # fmt: skip
    bulk(member_client, org_a.organization, "undo")
    ledger.dollars.refresh_from_db()
    assert ledger.dollars.is_paused and ledger.dollars.pause_reason == "Arrangement"
    assert not paused(ledger.long_overdue)


def test_holding_everything_matching_the_filters(org_a, ledger, today, member_client) -> None:
    response = bulk(
        member_client, org_a.organization, "hold", scope="all", filters="overdue=on&q=bakker", reason="Bankrupt?",
        until=(TODAY + 30 * DAY).isoformat(),
    )  # fmt: skip
    assert "2 invoices held." in page_messages(response)
    held = Invoice.objects.for_organization(org_a.organization).filter(is_paused=True)
    assert sorted(held.values_list("number", flat=True)) == ["2026-0003", "2026-0007"]
    assert set(held.values_list("paused_until", flat=True)) == {TODAY + 30 * DAY}


def test_a_hold_without_a_reason_is_refused_and_changes_nothing(org_a, ledger, today, member_client) -> None:
    response = bulk(member_client, org_a.organization, "hold", [ledger.long_overdue], reason="  ")
    assert "Reason: Give a reason for holding." in page_messages(response)
    assert not paused(ledger.long_overdue)


def test_a_hold_ending_in_the_past_is_refused(org_a, ledger, today, member_client) -> None:
    response = bulk(
        member_client, org_a.organization, "hold", [ledger.long_overdue], reason="x", until=TODAY.isoformat()
    )
    assert "Until (optional): The end date must be after today." in page_messages(response)
    assert not paused(ledger.long_overdue)


def test_nothing_ticked_is_refused(org_a, ledger, today, member_client) -> None:
    response = bulk(member_client, org_a.organization, "resume", [])
    assert "Tick at least one row, or choose everything matching the filters." in page_messages(response)


def test_another_organizations_invoices_are_not_touched(org_a, org_b, ledger, today, member_client) -> None:
    response = bulk(member_client, org_a.organization, "hold", [ledger.foreign], reason="x")
    assert "0 invoices held." in page_messages(response)
    assert not paused(ledger.foreign)


def test_an_outsider_gets_404_for_the_bulk_actions(org_a, ledger, today, outsider_client) -> None:
    response = bulk(outsider_client, org_a.organization, "hold", [ledger.long_overdue], reason="x", follow=False)
    assert response.status_code == 404
    assert outsider_client.post(url("debtor_bulk", org_a.organization), {"action": "hold"}).status_code == 404


def test_a_selection_over_the_bulk_limit_is_refused(org_a, ledger, today, member_client, monkeypatch) -> None:
    monkeypatch.setattr(list_views, "BULK_MAX", 2)
    response = bulk(member_client, org_a.organization, "hold", scope="all", filters="overdue=on", reason="x")
    assert "This selection holds 3 invoices; one action changes at most 2. Narrow the filters." in page_messages(
        response
    )
    assert not Invoice.objects.for_organization(org_a.organization).filter(is_paused=True).exists()


def test_resuming_skips_invoices_held_by_a_dossier(org_a, ledger, today, member_client) -> None:
    organization = org_a.organization
    dossier_open(
        organization=organization, debtor=ledger.bakker, invoices=[ledger.long_overdue], today=TODAY, origin="manual"
    )
    Invoice.objects.for_organization(organization).filter(pk=ledger.dollars.pk).update(is_paused=True, pause_reason="x")
    response = bulk(member_client, organization, "resume", [ledger.long_overdue, ledger.dollars, ledger.not_yet_due])
    assert page_messages(response) == ["1 invoice resumed.", "1 invoice is in a collection dossier and stays held."]
    assert paused(ledger.long_overdue)
    assert not paused(ledger.dollars)


def _flow(organization, kind: str, name: str) -> Flow:
    return Flow.objects.for_organization(organization).create(
        organization=organization, name=name, debtor_kind=kind, variant="firm"
    )


def test_moving_invoices_to_a_flow_chooses_it_for_their_debtors(org_a, ledger, today, member_client) -> None:
    organization = org_a.organization
    firm = _flow(organization, DebtorKind.BUSINESS, "Firm businesses")
    consumer = DebtorFactory(organization=organization, kind=DebtorKind.CONSUMER, name="Jan Jansen")
    consumer_invoice = InvoiceFactory(debtor=consumer)
    chosen = [ledger.long_overdue, ledger.dollars, ledger.partly_paid_overdue, consumer_invoice]
    response = bulk(member_client, organization, "flow", chosen, flow=str(firm.public_id))
    found = page_messages(response)
    assert "2 debtors moved to Firm businesses." in found
    assert "Not moved: Jan Jansen. Choose a flow for this kind of debtor." in found
    assert set(Debtor.objects.for_organization(organization).filter(flow=firm)) == {ledger.acme, ledger.bakker}
    consumer.refresh_from_db()
    assert consumer.flow is None

    back = bulk(member_client, organization, "flow", [ledger.long_overdue], flow="automatic")
    assert "1 debtor moved to the automatic choice." in page_messages(back)
    ledger.bakker.refresh_from_db()
    assert ledger.bakker.flow is None


def test_moving_to_a_flow_needs_a_flow(org_a, ledger, today, member_client) -> None:
    response = bulk(member_client, org_a.organization, "flow", [ledger.long_overdue], flow=str(ledger.acme.public_id))
    assert any(message.startswith("Flow: Select a valid choice.") for message in page_messages(response))


def test_opening_dossiers_opens_one_per_debtor_and_shows_what_stops_one(org_a, ledger, today, member_client) -> None:
    organization = org_a.organization
    organization.dossier_pre_collection = False
    organization.save()
    consumer = DebtorFactory(organization=organization, kind=DebtorKind.CONSUMER, name="Jan Jansen")
    consumer_invoice = InvoiceFactory(debtor=consumer, due_date=TODAY - 40 * DAY)
    chosen = [ledger.long_overdue, ledger.partly_paid_overdue, consumer_invoice]
    response = bulk(member_client, organization, "dossier", chosen)
    found = page_messages(response)
    assert "2 dossiers opened (2 invoices)." in found
    assert any(message.startswith("No dossier for Jan Jansen: ") for message in found)
    dossiers = Dossier.objects.for_organization(organization)
    assert {dossier.debtor for dossier in dossiers} == {ledger.acme, ledger.bakker}
    assert paused(ledger.long_overdue) and not paused(consumer_invoice)
    listed = invoices_list(member_client, organization, stage=dossiers.first().stage, sort="number")
    assert listed == ["2026-0002", "2026-0003"]


# --- the debtor list --------------------------------------------------------------------------------


def debtors_list(client, organization, **params) -> list[str]:
    return row_heads(client.get(url("debtor_list", organization), params))


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("", ["Bakkerij De Vries", "Acme Bouw B.V.", "Zonder Schuld"]),  # the most overdue first
        ("name", ["Acme Bouw B.V.", "Bakkerij De Vries", "Zonder Schuld"]),
        ("-name", ["Zonder Schuld", "Bakkerij De Vries", "Acme Bouw B.V."]),
        ("city", ["Zonder Schuld", "Acme Bouw B.V.", "Bakkerij De Vries"]),  # Amsterdam, Utrecht, Zwolle
        ("open_count", ["Zonder Schuld", "Acme Bouw B.V.", "Bakkerij De Vries"]),
        ("-open_amount", ["Bakkerij De Vries", "Acme Bouw B.V.", "Zonder Schuld"]),
        ("overdue_amount", ["Zonder Schuld", "Acme Bouw B.V.", "Bakkerij De Vries"]),
        ("last_invoice", ["Zonder Schuld", "Acme Bouw B.V.", "Bakkerij De Vries"]),
        ("-last_invoice", ["Bakkerij De Vries", "Acme Bouw B.V.", "Zonder Schuld"]),
    ],
)
def test_the_debtor_list_sorts_on_every_column(org_a, ledger, today, viewer_client, sort, expected) -> None:
    DebtorFactory(organization=org_a.organization, name="Zonder Schuld", city="Amsterdam")
    InvoiceFactory(debtor=ledger.bakker, number="late", issue_date=TODAY - DAY, due_date=TODAY + 20 * DAY)
    assert debtors_list(viewer_client, org_a.organization, sort=sort) == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "overdue"}, ["Bakkerij De Vries", "Acme Bouw B.V."]),
        ({"status": "paused"}, ["Acme Bouw B.V."]),
        ({"status": "active"}, ["Bakkerij De Vries"]),
        ({"open_min": "400"}, ["Bakkerij De Vries"]),
        ({"open_max": "321,25"}, ["Acme Bouw B.V."]),
        ({"overdue_min": "30"}, ["Bakkerij De Vries"]),
        ({"overdue_min": "5"}, ["Bakkerij De Vries", "Acme Bouw B.V."]),
    ],
)
def test_the_debtor_list_filters(org_a, ledger, today, viewer_client, params, expected) -> None:
    Debtor.objects.for_organization(org_a.organization).filter(pk=ledger.acme.pk).update(
        is_paused=True, pause_reason="x"
    )
    assert debtors_list(viewer_client, org_a.organization, **params) == expected


def test_a_bad_debtor_filter_is_reported(org_a, ledger, today, viewer_client) -> None:
    response = viewer_client.get(url("debtor_list", org_a.organization), {"open_min": "500", "open_max": "100"})
    assert "“Open from” is more than “Open up to”; this filter was left out." in response.content.decode()
    assert len(row_heads(response)) == 2


def test_the_debtor_export_follows_the_filters(org_a, ledger, today, viewer_client) -> None:
    header, *rows = csv_rows(viewer_client.get(url("debtor_export_csv", org_a.organization), {"sort": "name"}))
    assert header[:5] == ["Name", "City", "Open invoices", "Open", "Overdue"]
    assert rows[0][:5] == ["Acme Bouw B.V.", "Utrecht", "2", "321,25", "200,25"]
    sheet = load_workbook(
        io.BytesIO(viewer_client.get(url("debtor_export_xlsx", org_a.organization), {"open_min": "400"}).getvalue())
    ).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["Bakkerij De Vries"]


def test_holding_and_resuming_debtors_in_bulk(org_a, ledger, today, member_client, viewer_client) -> None:
    organization = org_a.organization
    data = {"action": "hold", "scope": "all", "filters": "status=overdue", "reason": "Year end"}
    response = member_client.post(url("debtor_bulk", organization), data, follow=True)
    assert "Reminders to 2 debtors held." in page_messages(response)
    assert Debtor.objects.for_organization(organization).filter(is_paused=True, pause_reason="Year end").count() == 2
    selected = {"action": "resume", "selected": [str(ledger.acme.public_id)]}
    response = member_client.post(url("debtor_bulk", organization), selected, follow=True)
    assert "Reminders to 1 debtor resumed." in page_messages(response)
    ledger.acme.refresh_from_db()
    assert not ledger.acme.is_paused
    assert viewer_client.post(url("debtor_bulk", organization), selected).status_code == 403


def test_moving_debtors_to_a_flow(org_a, ledger, today, member_client) -> None:
    firm = _flow(org_a.organization, DebtorKind.BUSINESS, "Firm")
    data = {"action": "flow", "selected": [str(ledger.acme.public_id)], "flow": str(firm.public_id)}
    response = member_client.post(url("debtor_bulk", org_a.organization), data, follow=True)
    assert "1 debtor moved to Firm." in page_messages(response)
    ledger.acme.refresh_from_db()
    assert ledger.acme.flow == firm


def test_the_debtor_search_keeps_the_other_filters(org_a, ledger, today, viewer_client) -> None:
    content = viewer_client.get(url("debtor_list", org_a.organization)).content.decode()
    assert 'hx-include="#debtor-filters"' in content
    assert debtors_list(viewer_client, org_a.organization, q="a", status="paused") == []


def test_the_lists_phone_layout_labels_every_cell(org_a, ledger, today, member_client) -> None:
    for name in ("invoice_list", "debtor_list"):
        content = member_client.get(url(name, org_a.organization)).content.decode()
        cells = re.findall(r"<td(?: [^>]*)?>", content.split("<tbody>")[1].split("</tbody>")[0])
        unlabelled = [cell for cell in cells if "data-label=" not in cell and 'class="select"' not in cell]
        assert cells and unlabelled == [], name
        assert 'class="table-wrap cards-sm"' in content
        assert 'id="menu-toggle"' in content and 'aria-expanded="false"' in content


def test_a_client_for_the_owner_sees_the_same_as_the_member(org_a, ledger, today) -> None:
    content = client_for(org_a.owner).get(url("invoice_list", org_a.organization)).content.decode()
    assert 'id="invoice-bulk"' in content


@pytest.mark.parametrize("name", ["invoice_list", "debtor_list"])
def test_the_more_filters_are_folded_until_one_is_used(org_a, ledger, today, viewer_client, name) -> None:
    folded = viewer_client.get(url(name, org_a.organization)).content.decode()
    assert '<details class="more-filters">' in folded
    used = viewer_client.get(url(name, org_a.organization), {"open_min": "10"}).content.decode()
    assert '<details class="more-filters" open>' in used
