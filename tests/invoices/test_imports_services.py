"""Upload, check, confirm and commit: one transaction, idempotent, large files through Celery."""

from __future__ import annotations

import datetime as dt
import threading
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction

from invoices.imports import services
from invoices.imports.reading import ImportFileError
from invoices.imports.selectors import import_progress
from invoices.models import Debtor, ImportJob, ImportMapping, ImportStatus, Invoice
from invoices.services import DebtorData, InvoiceData, invoices_upsert_many
from tests.factories import DebtorFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
BIG_HEADER = "Factuurnummer;Factuurdatum;Vervaldatum;Bedrag;Klantnummer;Naam;E-mail\n"


@pytest.fixture(autouse=True)
def _english(settings) -> None:  # type: ignore[no-untyped-def]
    """Messages in English: the assertions read the English msgids, whatever Dutch catalog exists."""
    settings.LANGUAGE_CODE = "en"


def upload(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    if data is None:
        data = (FIXTURES / "imports" / name).read_bytes()
    return SimpleUploadedFile(name, data)


def big_csv(rows: int, debtors: int = 50) -> bytes:
    lines = [BIG_HEADER] + [
        f"F-{n:05d};01-10-2026;31-10-2026;{n},50;K{n % debtors:03d};Klant {n % debtors};k{n % debtors}@klant.test\n"
        for n in range(1, rows + 1)
    ]
    return "".join(lines).encode()


def imported(organization) -> int:  # type: ignore[no-untyped-def]
    return Invoice.objects.for_organization(organization).count()


def test_a_dutch_excel_file_is_checked_on_upload_and_imported_on_confirm(org_a) -> None:
    organization = org_a.organization
    job = services.import_upload(organization=organization, user=org_a.member, upload=upload("dutch_windows1252.csv"))
    assert (job.status, job.total_rows, job.valid_rows, job.rejected_rows) == (ImportStatus.READY, 4, 4, 0)
    assert imported(organization) == 0  # nothing before the creditor confirms
    job = services.import_confirm(job=job)
    assert job.status == ImportStatus.DONE and job.processed_rows == 4
    assert job.result == {"created": 4, "updated": 0, "unchanged": 0, "debtors_created": 3, "debtors_updated": 0}
    invoice = Invoice.objects.for_organization(organization).select_related("debtor").get(number="2026-0104")
    assert (invoice.amount, invoice.vat_amount, invoice.open_amount) == (
        Decimal("1000.00"), Decimal("173.55"), Decimal("400.00")
    )  # fmt: skip
    assert (invoice.issue_date, invoice.due_date) == (dt.date(2026, 11, 5), dt.date(2026, 12, 5))
    cafe = invoice.debtor
    assert (cafe.name, cafe.external_id, cafe.contact_person) == ("Café De Gouden Leeuw", "K001", "José Müller")
    assert (cafe.emails, cafe.phones, cafe.kvk_number, cafe.country) == (
        ["info@goudenleeuw.test"], ["+31201234567"], "12345678", "NL"
    )  # fmt: skip
    consumer = Debtor.objects.for_organization(organization).get(external_id="K003")
    assert (consumer.kind, consumer.language) == ("b2c", "en")


def test_the_same_file_twice_changes_nothing(org_a) -> None:
    organization = org_a.organization
    first = services.import_upload(organization=organization, user=org_a.member, upload=upload("dutch_windows1252.csv"))
    services.import_confirm(job=first)
    invoices_before = list(Invoice.objects.for_organization(organization).order_by("pk").values())
    debtors_before = list(Debtor.objects.for_organization(organization).order_by("pk").values())
    again = services.import_upload(organization=organization, user=org_a.member, upload=upload("dutch_windows1252.csv"))
    again = services.import_confirm(job=again)
    assert again.result == {"created": 0, "updated": 0, "unchanged": 4, "debtors_created": 0, "debtors_updated": 0}
    assert list(Invoice.objects.for_organization(organization).order_by("pk").values()) == invoices_before
    assert list(Debtor.objects.for_organization(organization).order_by("pk").values()) == debtors_before


def test_only_the_valid_rows_are_imported(org_a) -> None:
    job = services.import_upload(organization=org_a.organization, user=org_a.member, upload=upload("with_errors.csv"))
    assert (job.valid_rows, job.rejected_rows, len(job.errors)) == (1, 12, 12)
    assert job.errors[0] == {
        "line": 3, "column": "Factuurdatum", "reason": "“31-02-2026” is not an existing date (day-month-year)."
    }  # fmt: skip
    services.import_confirm(job=job)
    assert list(Invoice.objects.for_organization(org_a.organization).values_list("number", flat=True)) == ["F-1"]


def test_known_debtors_are_updated_from_the_file(org_a) -> None:
    DebtorFactory(organization=org_a.organization, name="Bakkerij Jansen", external_id="K002", city="Utrecht")
    job = services.import_upload(
        organization=org_a.organization, user=org_a.member, upload=upload("dutch_windows1252.csv")
    )
    job = services.import_confirm(job=job)
    assert (job.result["debtors_created"], job.result["debtors_updated"]) == (2, 1)
    known = Debtor.objects.for_organization(org_a.organization).get(external_id="K002")
    assert (known.city, known.phones) == ("Rotterdam", ["+31612345678"])
    assert known.invoices.get().number == "2026-0102"


def test_a_file_without_the_required_columns_waits_for_a_mapping_and_cannot_be_confirmed(org_a) -> None:
    job = services.import_upload(
        organization=org_a.organization, user=org_a.member, upload=upload("missing_columns.csv")
    )
    assert job.status == ImportStatus.UPLOADED
    assert job.message == "Choose the column for: Invoice date, Due date, Amount incl. VAT."
    with pytest.raises(ImportFileError, match="cannot be confirmed"):
        services.import_confirm(job=job)
    assert imported(org_a.organization) == 0 and Debtor.objects.for_organization(org_a.organization).count() == 0


def test_a_changed_mapping_is_checked_again_saved_and_offered_for_the_next_file(org_a) -> None:
    data = b"Boekstuk;Relatie;Datum;Uiterlijk;Totaal\nB-1;Klant A;01-10-2026;31-10-2026;10,00\n"
    job = services.import_upload(organization=org_a.organization, user=org_a.member, upload=upload("a.csv", data))
    assert job.status == ImportStatus.UPLOADED  # "Boekstuk" and "Uiterlijk" are not guessed
    mapping = {"number": "Boekstuk", "debtor_name": "Relatie", "issue_date": "Datum", "due_date": "Uiterlijk",
               "amount": "Totaal"}  # fmt: skip
    job = services.import_mapping_set(job=job, mapping=mapping)
    assert (job.status, job.valid_rows) == (ImportStatus.READY, 1)
    assert ImportMapping.objects.for_organization(org_a.organization).get().columns == mapping
    next_job = services.import_upload(organization=org_a.organization, user=org_a.member, upload=upload("b.csv", data))
    assert next_job.mapping == mapping and next_job.status == ImportStatus.READY


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.csv", "empty"),
        ("only_headers.csv", "no invoices"),
        ("picture_renamed.csv", "not a CSV text file"),
        ("invoices.pdf", "Upload a CSV"),
    ],
)
def test_bad_files_are_refused_and_nothing_is_stored(org_a, settings, name: str, message: str) -> None:
    data = b"%PDF-1.7 ..." if name.endswith(".pdf") else None
    with pytest.raises(ImportFileError, match=message):
        services.import_upload(organization=org_a.organization, user=org_a.member, upload=upload(name, data))
    assert not ImportJob.objects.for_organization(org_a.organization).exists()
    assert not (Path(settings.MEDIA_ROOT) / "private" / "imports").exists()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(org_a, settings) -> None:
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024 * 1024
    data = big_csv(30_000)
    assert len(data) > 1024 * 1024
    with pytest.raises(ImportFileError, match="larger than 1 MB"):
        services.import_upload(organization=org_a.organization, user=org_a.member, upload=upload("big.csv", data))
    assert not ImportJob.objects.for_organization(org_a.organization).exists()


def test_a_second_confirm_imports_nothing_twice(org_a) -> None:
    job = services.import_upload(organization=org_a.organization, user=org_a.member, upload=upload("with_errors.csv"))
    services.import_confirm(job=job)
    with pytest.raises(ImportFileError):
        services.import_confirm(job=job)
    stale_copy = ImportJob.objects.for_organization(org_a.organization).get(pk=job.pk)
    stale_copy.status = ImportStatus.READY  # as a second browser tab still believes
    assert services.import_confirm(job=stale_copy).status == ImportStatus.DONE
    assert imported(org_a.organization) == 1


def test_a_large_file_is_committed_by_the_celery_task_after_the_confirm_commits(
    org_a, django_capture_on_commit_callbacks
) -> None:
    job = services.import_upload(
        organization=org_a.organization, user=org_a.member, upload=upload("big.csv", big_csv(2001))
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.import_confirm(job=job)
    assert job.status == ImportStatus.QUEUED and imported(org_a.organization) == 0
    assert len(callbacks) == 1
    callbacks[0]()  # the commit happens: the task is enqueued (and runs eagerly in tests)
    job.refresh_from_db()
    assert (job.status, job.processed_rows, job.result["created"]) == (ImportStatus.DONE, 2001, 2001)
    assert imported(org_a.organization) == 2001
    assert Debtor.objects.for_organization(org_a.organization).count() == 50


def test_a_failing_task_leaves_nothing_behind_and_says_so(org_a, django_capture_on_commit_callbacks) -> None:
    """A database error in the second batch: the first batch is rolled back with it."""
    with connection.cursor() as cursor:
        cursor.execute("""
            CREATE FUNCTION import_test_refuse() RETURNS trigger AS $$
            BEGIN
                IF NEW.number = 'F-03000' THEN RAISE EXCEPTION 'disk full (test)'; END IF;
                RETURN NEW;
            END $$ LANGUAGE plpgsql;
            CREATE TRIGGER import_test_refuse BEFORE INSERT ON invoices_invoice
                FOR EACH ROW EXECUTE FUNCTION import_test_refuse();
        """)  # rolled back with the test's transaction
    job = services.import_upload(
        organization=org_a.organization, user=org_a.member, upload=upload("big.csv", big_csv(3000))
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.import_confirm(job=job)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert job.message.startswith("The import failed and nothing was changed.")
    assert "disk full" not in job.message
    assert job.processed_rows == 0
    assert imported(org_a.organization) == 0
    assert Debtor.objects.for_organization(org_a.organization).count() == 0


def test_a_job_whose_file_has_gone_fails_with_a_readable_message(org_a) -> None:
    job = services.import_upload(organization=org_a.organization, user=org_a.member, upload=upload("with_errors.csv"))
    job.file.delete(save=False)
    job = services.import_confirm(job=job)
    assert (job.status, job.message) == (
        ImportStatus.FAILED,
        "The uploaded file is no longer available. Upload it again.",
    )
    assert imported(org_a.organization) == 0


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_data_transaction_is_still_open(org_a) -> None:
    """The worker is held inside its transaction by a row lock of ours; progress shows, data does not.

    We insert (uncommitted) an invoice with the number that opens the second batch: the worker's
    insert of that number waits on the unique index until we roll back.
    """
    organization = org_a.organization
    job = services.import_upload(organization=organization, user=org_a.member, upload=upload("big.csv", big_csv(4000)))
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            services.import_confirm(job=ImportJob.objects.for_organization(organization).get(pk=job.pk))
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    with transaction.atomic():
        blocker = DebtorFactory(organization=organization, name="Blocker")
        Invoice.objects.create(
            organization=organization, debtor=blocker, number="F-02001", issue_date=dt.date(2026, 10, 1),
            due_date=dt.date(2026, 10, 31), amount=Decimal("1.00"), open_amount=Decimal("1.00"),
        )  # fmt: skip
        thread = threading.Thread(target=worker)
        thread.start()
        progress = _wait_for_progress(job, 2000)
        assert progress == 2000
        assert Invoice.objects.for_organization(organization).exclude(debtor=blocker).count() == 0
        transaction.set_rollback(True)
    thread.join(timeout=120)
    assert not failures and not thread.is_alive()
    job.refresh_from_db()
    assert (job.status, job.processed_rows, imported(organization)) == (ImportStatus.DONE, 4000, 4000)
    assert import_progress(job=job) == 4000


def _wait_for_progress(job: ImportJob, wanted: int) -> int:
    """Poll like the page does, until the worker reports ``wanted`` rows (or give up after a minute)."""
    deadline = time.monotonic() + 60
    progress = 0
    while time.monotonic() < deadline:
        job.refresh_from_db()
        progress = import_progress(job=job)
        if job.status == ImportStatus.RUNNING and progress >= wanted:
            return progress
        time.sleep(0.05)
    return progress


# --- UBL: handed to invoices.ubl, written in parallel -----------------------------------------------

try:
    from invoices import ubl as ubl_module
except ImportError:  # pragma: no cover
    ubl_module = None  # type: ignore[assignment]

needs_ubl = pytest.mark.skipif(ubl_module is None, reason="invoices.ubl (UBL intake) is not in this checkout yet")


def _ubl_upload(org_a, name: str, data: bytes) -> ImportJob:  # type: ignore[no-untyped-def]
    try:
        return services.import_upload(organization=org_a.organization, user=org_a.member, upload=upload(name, data))
    except NotImplementedError:
        pytest.skip("invoices.ubl.ubl_import is not implemented yet")


@needs_ubl
def test_an_e_invoice_is_handed_to_the_ubl_intake_and_recorded(org_a) -> None:
    job = _ubl_upload(org_a, "invoice.xml", (FIXTURES / "ubl" / "peppol-base-example.xml").read_bytes())
    assert (job.kind, job.status) == ("ubl", ImportStatus.DONE)
    assert job.result["created"] == 1 and imported(org_a.organization) == 1


@needs_ubl
def test_a_bad_e_invoice_is_refused_with_the_ubl_message_and_nothing_stored(org_a) -> None:
    with pytest.raises(ImportFileError):
        _ubl_upload(org_a, "invoice.xml", b"<not-an-invoice/>")
    assert not ImportJob.objects.for_organization(org_a.organization).exists()
    assert imported(org_a.organization) == 0


def test_text_with_tabs_backslashes_and_line_breaks_is_stored_exactly(org_a) -> None:
    """New invoices are written with PostgreSQL's COPY, whose text format escapes these characters."""
    awkward = "F\\1\t2\n3\r4 'quoted' \"double\" \\N"
    row = InvoiceData(
        number=awkward, external_id="ext\\N", debtor=DebtorData(name="Naam\tmet tab"), issue_date=dt.date(2026, 10, 1),
        due_date=dt.date(2026, 10, 31), amount=Decimal("12.34"), vat_amount=Decimal("2.14"),
    )  # fmt: skip
    result = invoices_upsert_many(organization=org_a.organization, rows=[row])
    invoice = (
        Invoice.objects.for_organization(org_a.organization).select_related("debtor").get(pk=result.invoice_ids[0])
    )
    assert (invoice.number, invoice.external_id, invoice.debtor.name) == (awkward, "ext\\N", "Naam\tmet tab")
    assert (invoice.amount, invoice.vat_amount, invoice.open_amount, invoice.status) == (
        Decimal("12.34"), Decimal("2.14"), Decimal("12.34"), "open"
    )  # fmt: skip
    assert invoice.public_id and invoice.created_at and invoice.updated_at and invoice.pdf.name == ""
    again = invoices_upsert_many(organization=org_a.organization, rows=[row])
    assert (again.created, again.unchanged) == (0, 1)


def test_an_import_whose_worker_died_ends_as_failed_and_can_be_tried_again(org_a) -> None:
    from django.utils import timezone

    job = services.import_upload(
        organization=org_a.organization, user=org_a.member, upload=upload("dutch_windows1252.csv")
    )
    ImportJob.objects.for_organization(org_a.organization).filter(pk=job.pk).update(status=ImportStatus.RUNNING)
    assert services.import_jobs_release_stale(now=timezone.now()) == 0  # still young: maybe still working
    assert services.import_jobs_release_stale(now=timezone.now() + dt.timedelta(hours=3)) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "nothing was changed" in job.message
    assert imported(org_a.organization) == 0
