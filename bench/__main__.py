"""`make bench`: run the benchmarks and print their figures.

Each benchmark module in this package exposes ``run() -> list[str]`` (lines of figures). The figures
go in the issue notes; nothing here is a test. Benchmarks run in a separate, throw-away database
(``<name>_bench`` next to the one DATABASE_URL names), created fresh and migrated on every run, so
the development data is never touched. ``python -m bench NAME ...`` runs only the named ones;
``--keep`` reuses the bench database as it is (no drop, no migrate).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from urllib.parse import urlsplit, urlunsplit

BENCHMARKS: list[str] = [
    "dunning",
    "large_org",
    "ubl",
    "letters",
    "imports",
    "week_ahead",
    "dashboard",
    "fairness",
    "portal",
    "bank",
]


def _bench_database_url(url: str) -> tuple[str, str, str]:
    """(url of the bench database, its name, url of the server's maintenance database)."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/") + "_bench"
    return urlunsplit(parts._replace(path=f"/{name}")), name, urlunsplit(parts._replace(path="/postgres"))


def _recreate_database(maintenance_url: str, name: str) -> None:
    import psycopg2

    connection = psycopg2.connect(maintenance_url)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def main(argv: list[str]) -> int:
    keep = "--keep" in argv
    names = [arg for arg in argv if not arg.startswith("--")]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "outstanding.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    # Production settings (DEBUG off), which refuse to start without real mail and a public address:
    # mail goes to files (nothing is sent), links point nowhere.
    os.environ.setdefault("EMAIL_URL", "filemail:////tmp/outstanding-bench-mail")
    os.environ.setdefault("SITE_URL", "https://bench.outstanding.invalid")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    source = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:54329/outstanding")
    bench_url, bench_name, maintenance_url = _bench_database_url(source)
    if not keep:
        _recreate_database(maintenance_url, bench_name)
    os.environ["DATABASE_URL"] = bench_url
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    import django

    django.setup()
    from django.core.management import call_command

    if not keep:
        call_command("migrate", verbosity=0)
    # As a deployment does (Dockerfile): without the manifest every {% static %} hashes its file again,
    # and page timings would measure that instead of the page.
    call_command("collectstatic", interactive=False, verbosity=0)
    unknown = set(names) - set(BENCHMARKS)
    if unknown:
        print(f"Unknown benchmarks: {', '.join(sorted(unknown))}. Known: {', '.join(BENCHMARKS)}")
        return 2
    print(f"Benchmarks in database {bench_name} on {os.cpu_count()} cores", flush=True)
    for name in [name for name in BENCHMARKS if not names or name in names]:
        started = time.perf_counter()
        module = importlib.import_module(f"bench.{name}")
        for line in module.run():
            print(f"{name}: {line}", flush=True)
        print(f"{name}: finished in {time.perf_counter() - started:.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
