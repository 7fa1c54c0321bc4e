"""The import pages as the owner, member and viewer of A and the owner of B see them."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from invoices.imports import services
from invoices.imports.progress import progress_set
from invoices.models import ImportJob, ImportMapping, ImportStatus, Invoice
from tests.browser import chromium
from tests.conftest import client_for
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"


@pytest.fixture(autouse=True)
def _english(settings) -> None:
    settings.LANGUAGE_CODE = "en"


def url(name: str, organization, **kwargs) -> str:  # type: ignore[no-untyped-def]
    return reverse(name, kwargs={"org_id": organization.public_id, **kwargs})


def job_url(name: str, job: ImportJob) -> str:
    return url(name, job.organization, import_id=job.public_id)


def fixture_upload(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (FIXTURES / name).read_bytes() if data is None else data)


def xlsx_upload() -> SimpleUploadedFile:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Invoice number", "Invoice date", "Due date", "Amount", "Customer"])
    sheet.append(["X-1", "31-10-2026", dt.date(2026, 11, 30), 1234.5, "Excel Klant B.V."])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("export.xlsx", buffer.getvalue())


def uploaded_job(org_a, name: str = "with_errors.csv") -> ImportJob:  # type: ignore[no-untyped-def]
    return services.import_upload(organization=org_a.organization, user=org_a.member, upload=fixture_upload(name))


def test_a_member_uploads_a_file_and_lands_on_its_preview(org_a, member_client) -> None:
    response = member_client.post(url("import_list", org_a.organization), {"file": fixture_upload("with_errors.csv")})
    job = ImportJob.objects.for_organization(org_a.organization).get()
    assert response.status_code == 302 and response["Location"] == job_url("import_detail", job)
    page = member_client.get(response["Location"]).content.decode()
    assert 'data-testid="mapping-form"' in page and 'data-testid="confirm-form"' in page
    assert "1 of 13 rows can be imported." in page
    assert "This invoice is already on line 2 of the file." in page


def test_an_xlsx_upload_is_previewed_with_dates_and_amounts_as_read(org_a, member_client) -> None:
    response = member_client.post(url("import_list", org_a.organization), {"file": xlsx_upload()})
    page = member_client.get(response["Location"]).content.decode()
    assert "Excel Klant B.V." in page
    assert "€1,234.50" in page  # through the one money formatter
    assert "30-11-2026" in page  # a real spreadsheet date, shown through the date format


def test_the_list_shows_past_imports_with_counts_and_who(org_a, viewer_client) -> None:
    job = uploaded_job(org_a)
    page = viewer_client.get(url("import_list", org_a.organization)).content.decode()
    assert job.filename in page and org_a.member.display_name in page
    assert re.search(r'<td class="num">13</td>\s*<td class="num">1</td>\s*<td class="num">12</td>', page)


def test_a_viewer_reads_but_cannot_upload_map_or_confirm(org_a, viewer_client) -> None:
    job = uploaded_job(org_a)
    list_page = viewer_client.get(url("import_list", org_a.organization)).content.decode()
    assert 'data-testid="upload-form"' not in list_page
    detail = viewer_client.get(job_url("import_detail", job)).content.decode()
    assert 'data-testid="mapping-form"' not in detail and 'data-testid="confirm-form"' not in detail
    assert (
        viewer_client.post(url("import_list", org_a.organization), {"file": fixture_upload("empty.csv")}).status_code
        == 403
    )
    assert viewer_client.post(job_url("import_confirm", job)).status_code == 403
    assert viewer_client.post(job_url("import_mapping", job), {"number": "Naam"}).status_code == 403
    assert not Invoice.objects.for_organization(org_a.organization).exists()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "The file is empty."),
        ("only_headers.csv", "The file has a header row but no invoices below it."),
        ("picture_renamed.csv", "This is not a CSV text file"),
        ("report.pdf", "Upload a CSV (.csv), Excel (.xlsx) or e-invoice (.xml, .zip) file."),
        ("old.xls", "Old Excel files (.xls) cannot be read."),
    ],
)
def test_bad_uploads_get_a_clear_error_and_change_nothing(org_a, member_client, name: str, message: str) -> None:
    data = b"binary" if name in ("report.pdf", "old.xls") else None
    response = member_client.post(url("import_list", org_a.organization), {"file": fixture_upload(name, data)})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ImportJob.objects.for_organization(org_a.organization).exists()


def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(org_a, member_client, settings) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 100
    response = member_client.post(url("import_list", org_a.organization), {"file": fixture_upload("with_errors.csv")})
    assert "The file is larger than 100 bytes." in response.content.decode()
    assert not ImportJob.objects.for_organization(org_a.organization).exists()


def test_a_mapping_without_required_columns_is_refused_and_changes_nothing(org_a, member_client) -> None:
    job = uploaded_job(org_a)
    response = member_client.post(job_url("import_mapping", job), {"number": "Factuurnummer", "debtor_name": "Naam"})
    assert response.status_code == 200
    assert "Choose the column for: Invoice date, Due date, Amount incl. VAT." in response.content.decode()
    job.refresh_from_db()
    assert job.mapping["amount"] == "Bedrag" and job.status == ImportStatus.READY
    assert not ImportMapping.objects.for_organization(org_a.organization).exists()


def test_a_member_fixes_the_mapping_and_confirms(org_a, member_client) -> None:
    data = b"Boekstuk;Relatie;Datum;Uiterlijk;Totaal\nB-1;Klant A;01-10-2026;31-10-2026;10,00\n"
    response = member_client.post(url("import_list", org_a.organization), {"file": fixture_upload("a.csv", data)})
    job = ImportJob.objects.for_organization(org_a.organization).get()
    page = member_client.get(response["Location"]).content.decode()
    assert "Choose the column for: Invoice number, Due date." in page
    assert 'data-testid="confirm-form"' not in page
    mapping = {"number": "Boekstuk", "debtor_name": "Relatie", "issue_date": "Datum", "due_date": "Uiterlijk",
               "amount": "Totaal"}  # fmt: skip
    assert member_client.post(job_url("import_mapping", job), mapping).status_code == 302
    response = member_client.post(job_url("import_confirm", job), follow=True)
    assert "The import is done." in response.content.decode()
    assert re.search(r'data-testid="result-created">1<', response.content.decode())
    assert Invoice.objects.for_organization(org_a.organization).get().number == "B-1"


def test_confirming_the_same_file_twice_changes_nothing(org_a, member_client) -> None:
    for _attempt in range(2):
        response = member_client.post(
            url("import_list", org_a.organization), {"file": fixture_upload("dutch_windows1252.csv")}
        )
        job = ImportJob.objects.for_organization(org_a.organization).latest("created_at")
        assert response["Location"] == job_url("import_detail", job)
        member_client.post(job_url("import_confirm", job))
    first, second = ImportJob.objects.for_organization(org_a.organization).order_by("created_at")
    assert first.result["created"] == 4
    assert second.result == {"created": 0, "updated": 0, "unchanged": 4, "debtors_created": 0, "debtors_updated": 0}
    assert Invoice.objects.for_organization(org_a.organization).count() == 4


def test_the_rejected_rows_download_as_csv_with_line_column_and_reason(org_a, viewer_client) -> None:
    job = uploaded_job(org_a)
    response = viewer_client.get(job_url("import_rejected", job))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="rejected-with_errors.csv"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(content), delimiter=";"))
    assert rows[0][:4] == ["Line", "Column", "Reason", "Factuurnummer"]
    assert len(rows) == 13
    assert rows[1][:4] == ["3", "Factuurdatum", "“31-02-2026” is not an existing date (day-month-year).", "F-2"]
    negative = next(row for row in rows if row[0] == "14")
    assert negative[6] == "'-100,00"  # a cell starting with a minus is defused against spreadsheet formulas


def test_a_large_file_shows_a_polling_progress_bar_until_it_is_done(
    org_a, member_client, django_capture_on_commit_callbacks
) -> None:
    lines = ["Factuurnummer;Factuurdatum;Vervaldatum;Bedrag;Naam"]
    lines += [f"P-{n};01-10-2026;31-10-2026;10,00;Klant {n % 7}" for n in range(2001)]
    job = services.import_upload(
        organization=org_a.organization, user=org_a.member, upload=fixture_upload("big.csv", "\n".join(lines).encode())
    )
    assert "in the background" in member_client.get(job_url("import_detail", job)).content.decode()
    ImportJob.objects.for_organization(org_a.organization).filter(pk=job.pk).update(status=ImportStatus.QUEUED)
    live_region = '<div id="import-announce" class="visually-hidden" role="status" aria-live="polite"></div>'
    assert live_region in member_client.get(job_url("import_detail", job)).content.decode()
    queued = member_client.get(job_url("import_progress", job), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in queued and 'hx-get="' + job_url("import_progress", job) + '"' in queued
    assert '<progress id="import-progress-bar" max="2001" value="0"' in queued
    ImportJob.objects.for_organization(org_a.organization).filter(pk=job.pk).update(status=ImportStatus.READY)
    with django_capture_on_commit_callbacks(execute=True):  # the task is enqueued on commit, run eagerly in tests
        member_client.post(job_url("import_confirm", job))
    done = member_client.get(job_url("import_progress", job), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in done  # polling stops
    assert re.search(r'data-testid="result-created">2001<', done)
    assert '<span id="import-status-badge" hx-swap-oob="true">' in done  # the heading's badge says Done too
    assert '<div id="import-announce" hx-swap-oob="innerHTML">Import finished: Done.</div>' in done


def test_organization_home_invites_to_import_when_nothing_is_open(org_a, member_client, viewer_client) -> None:
    home = url("organization_home", org_a.organization)
    assert 'data-testid="import-cta"' in member_client.get(home).content.decode()
    assert 'data-testid="import-cta"' not in viewer_client.get(home).content.decode()
    uploaded = services.import_confirm(job=uploaded_job(org_a))
    assert uploaded.status == ImportStatus.DONE
    assert 'data-testid="import-cta"' not in member_client.get(home).content.decode()


def test_an_outsider_gets_404_on_every_import_page(org_a, outsider_client) -> None:
    job = uploaded_job(org_a)
    for name in ("import_detail", "import_mapping", "import_confirm", "import_progress", "import_rejected"):
        assert outsider_client.get(job_url(name, job)).status_code == 404
        assert outsider_client.post(job_url(name, job)).status_code == 404
    assert outsider_client.get(url("import_list", org_a.organization)).status_code == 404


def test_another_organizations_import_is_404_in_ones_own(org_a, org_b) -> None:
    job = uploaded_job(org_a)
    client = client_for(org_b.owner)
    own = reverse("import_detail", kwargs={"org_id": org_b.organization.public_id, "import_id": job.public_id})
    assert client.get(own).status_code == 404
    confirm = reverse("import_confirm", kwargs={"org_id": org_b.organization.public_id, "import_id": job.public_id})
    assert client.post(confirm).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.READY


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium() as driver:
        yield driver


@pytest.mark.browser
def test_upload_confirm_and_live_progress_work_in_a_browser(live_server, browser, org_a) -> None:
    """The strict CSP allows what the pages need; htmx polls the progress and stops when it is done."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def wait_for(condition) -> None:  # type: ignore[no-untyped-def]
        WebDriverWait(browser, 10).until(lambda _driver: condition())

    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "login").send_keys(org_a.member.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(lambda: "/app/" in browser.current_url)

    browser.get(live_server.url + url("import_list", org_a.organization))
    browser.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(FIXTURES / "dutch_windows1252.csv"))
    browser.find_element(By.CSS_SELECTOR, "[data-testid=upload-form] button[type=submit]").click()
    wait_for(lambda: "/imports/" in browser.current_url and browser.find_elements(By.CSS_SELECTOR, ".import-preview"))
    assert "Café De Gouden Leeuw" in browser.find_element(By.CSS_SELECTOR, ".import-preview").text
    browser.find_element(By.CSS_SELECTOR, "[data-testid=confirm-form] button").click()
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "[data-testid=result-created]"))
    assert browser.find_element(By.CSS_SELECTOR, "[data-testid=result-created]").text == "4"

    running = uploaded_job(org_a)
    ImportJob.objects.for_organization(org_a.organization).filter(pk=running.pk).update(status=ImportStatus.RUNNING)
    progress_set(job_id=running.pk, processed=1)
    browser.get(live_server.url + job_url("import_detail", running))
    assert browser.find_element(By.ID, "import-progress-bar").get_attribute("value") == "1"
    ImportJob.objects.for_organization(org_a.organization).filter(pk=running.pk).update(
        status=ImportStatus.DONE, processed_rows=1, result={"created": 1}
    )
    wait_for(lambda: browser.find_elements(By.CSS_SELECTOR, "#import-progress [data-testid=result-created]"))
    assert browser.find_element(By.ID, "import-progress").get_attribute("hx-trigger") is None
    assert browser.find_element(By.ID, "import-status-badge").text == "Done"
    assert browser.find_element(By.ID, "import-announce").get_attribute("textContent") == "Import finished: Done."
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert [entry for entry in errors if "favicon" not in entry["message"]] == []
