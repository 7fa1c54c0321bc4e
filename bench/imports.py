"""Benchmark: a 100,000-row CSV (about 5,000 debtors) through the import service path into PostgreSQL.

Not a test. Run with ``python -m bench imports`` against a PostgreSQL database that has been
migrated. It measures, on a fresh organization each time:

1. upload and check (read, detect, validate every row) and the commit (``import_confirm``, which
   for a file this size runs the Celery task; here eagerly, in this process), timed without
   tracemalloc since tracing slows Python code down;
2. the same file again into the same organization: it must change nothing;
3. the first import once more into another fresh organization under tracemalloc, for peak memory.

The organizations made here are removed at the end.
"""

from __future__ import annotations

import datetime as dt
import random
import resource
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from typing import Any

ROWS = 100_000
DEBTORS = 5_000
TARGET_SECONDS = 30.0
CITIES = ["Amsterdam", "Rotterdam", "Utrecht", "Den Haag", "Eindhoven", "Groningen", "Zwolle", "Tilburg", "Almere"]
STREETS = ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat", "Julianastraat", "Markt"]
HEADER = (
    "Factuurnummer;Factuurdatum;Vervaldatum;Bedrag;BTW;Openstaand;Klantnummer;Naam;Contactpersoon;"
    "E-mail;Telefoon;Adres;Postcode;Plaats;Land;KvK;Soort\r\n"
)


def run() -> list[str]:
    from django.test.utils import override_settings

    from outstanding.celery import app

    data = csv_file()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True  # the task runs here: the same code path without a worker
    try:
        with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
            return _measure(data)
    finally:
        app.conf.task_always_eager = eager


def _measure(data: bytes) -> list[str]:
    lines = [f"file: {ROWS:,} rows, {DEBTORS:,} debtors, {len(data) / 1e6:.1f} MB"]
    organizations = []
    try:
        organization = _organization()
        organizations.append(organization)
        job, upload_seconds, commit_seconds = _import(organization, data)
        total = upload_seconds + commit_seconds
        lines += [
            f"upload + check: {upload_seconds:.1f} s ({ROWS / upload_seconds:,.0f} rows/s)",
            f"commit (one transaction, {job.result['created']:,} created, {job.result['debtors_created']:,} debtors): "
            f"{commit_seconds:.1f} s ({ROWS / commit_seconds:,.0f} rows/s)",
            f"total: {total:.1f} s ({ROWS / total:,.0f} rows/s); target < {TARGET_SECONDS:.0f} s: "
            f"{'met' if total < TARGET_SECONDS else 'NOT met'}",
        ]
        again, upload_seconds, commit_seconds = _import(organization, data)
        total = upload_seconds + commit_seconds
        lines.append(
            f"same file again: {total:.1f} s ({ROWS / total:,.0f} rows/s); "
            f"created {again.result['created']}, updated {again.result['updated']}, "
            f"unchanged {again.result['unchanged']:,}, debtors updated {again.result['debtors_updated']}"
        )
        organization = _organization()
        organizations.append(organization)
        tracemalloc.start()
        _job, upload_seconds, commit_seconds = _import(organization, data)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        lines += [
            f"peak memory (tracemalloc, Python allocations during one import): {peak / 1e6:.0f} MB "
            f"(that run took {upload_seconds + commit_seconds:.1f} s under tracing)",
            f"peak RSS of this process (ru_maxrss, all runs and the generated file): {_max_rss_mb():.0f} MB",
        ]
    finally:
        for organization in organizations:
            _remove(organization)
    return lines


def _import(organization: Any, data: bytes) -> tuple[Any, float, float]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from invoices.imports import services

    upload = SimpleUploadedFile("bench.csv", data, content_type="text/csv")
    job, upload_seconds = _timed(lambda: services.import_upload(organization=organization, user=None, upload=upload))
    job, commit_seconds = _timed(lambda: services.import_confirm(job=job))
    job.refresh_from_db()
    if job.status != "done" or job.valid_rows != ROWS:
        raise RuntimeError(f"import ended as {job.status} with {job.valid_rows} valid rows: {job.message}")
    return job, upload_seconds, commit_seconds


def _timed(work: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    result = work()
    return result, time.perf_counter() - start


def _max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def csv_file(rows: int = ROWS, debtors: int = DEBTORS, seed: int = 2026) -> bytes:
    """A Dutch Excel style CSV: semicolons, Dutch dates and amounts, each debtor described the same way."""
    rng = random.Random(seed)
    customers = [_customer(number, rng) for number in range(1, debtors + 1)]
    start = dt.date(2026, 1, 1)
    lines = [HEADER]
    for number in range(1, rows + 1):
        issued = start + dt.timedelta(days=rng.randrange(300))
        due = issued + dt.timedelta(days=rng.choice((14, 30, 30, 60)))
        cents = rng.randrange(1_000, 2_500_000)
        vat = cents * 21 // 121
        open_cents = cents if rng.random() < 0.8 else rng.randrange(0, cents)
        lines.append(
            f"2026-{number:06d};{issued:%d-%m-%Y};{due:%d-%m-%Y};{_dutch(cents)};{_dutch(vat)};{_dutch(open_cents)};"
            f"{rng.choice(customers)}\r\n"
        )
    return "".join(lines).encode("utf-8")


def _customer(number: int, rng: random.Random) -> str:
    business = rng.random() < 0.7
    name = f"Klant {number} B.V." if business else f"Particulier {number}"
    phone = f"06{rng.randrange(10_000_000, 59_999_999)}"  # 061 to 065: ranges in use for mobiles
    postcode = f"{rng.randrange(1000, 9999)} {rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}{rng.choice('ABCDEFGHJKLMNPRSTVWXZ')}"
    kvk = f"{rng.randrange(10_000_000, 99_999_999)}" if business else ""
    return (
        f"D{number:05d};{name};Contact {number};factuur{number}@klant.test;{phone};"
        f"{rng.choice(STREETS)} {rng.randrange(1, 200)};{postcode};{rng.choice(CITIES)};NL;{kvk};"
        f"{'zakelijk' if business else 'particulier'}"
    )


def _dutch(cents: int) -> str:
    """1.234,56 — with a thousands separator, as Dutch Excel writes it."""
    euros = f"{cents // 100:,}".replace(",", ".")
    return f"{euros},{cents % 100:02d}"


def _organization() -> Any:
    from outstanding.models import Organization

    return Organization.objects.create(name=f"Bench import {uuid.uuid4().hex[:8]}")


def _remove(organization: Any) -> None:
    """Delete in bulk: the ORM's cascade would load every one of the 100,000 invoices first."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        for table in ("invoices_invoice", "invoices_debtor", "invoices_importjob", "invoices_importmapping"):
            cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.pk])
        organization.delete()
