"""One tenant cannot slow the others: a small organization's home page while ten clients keep loading
the home page of a 200,000-invoice organization, through gunicorn as deployed (the Procfile's two
workers) with DEBUG off.

Seeds the organizations as ``week_ahead`` does (the demo and "Bench Groot B.V."), starts gunicorn on
the bench database, logs in once (a session cookie from Django's test client, stored in the
database the server reads) and prints the small organization's median and p95, first alone, then
under the load, and how many large-tenant pages were served meanwhile.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import requests

LOADS = 30
CLIENTS = 10
WORKERS = 2
THREADS = 2  # gthread, as the Procfile: a kept-alive connection per client instead of one per request


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server(port: int) -> subprocess.Popen[bytes]:
    from django.db import connection

    settings = connection.settings_dict
    url = f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
    }
    command = [
        sys.executable, "-m", "gunicorn", "outstanding.wsgi", "--bind", f"127.0.0.1:{port}",
        "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", str(THREADS), "--timeout", "60",
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/health/", timeout=2).status_code == 200:
                return process
        except requests.RequestException:  # not listening yet, or a first answer slow on a busy machine
            time.sleep(0.3)
    process.kill()
    raise RuntimeError("gunicorn did not start")


def _session_cookie(user: Any) -> dict[str, str]:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def _timings(session: requests.Session, url: str, count: int) -> list[float]:
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        response = session.get(url, timeout=120)
        timings.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return timings


def _p95(timings: list[float]) -> float:
    return sorted(timings)[max(0, round(0.95 * len(timings)) - 1)]


def _figures(label: str, timings: list[float]) -> str:
    return f"{label}: median {statistics.median(timings) * 1000:.0f} ms, p95 {_p95(timings) * 1000:.0f} ms"


def run() -> list[str]:
    from django.urls import reverse

    from bench.week_ahead import _organizations

    small, large = _organizations()
    cookies = _session_cookie(small.memberships.get().user)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    small_url = base + reverse("organization_home", args=[small.public_id])
    large_url = base + reverse("organization_home", args=[large.public_id])
    server = _server(port)
    try:
        session = requests.Session()
        session.cookies.update(cookies)
        _timings(session, small_url, 3)  # workers warm
        alone = _timings(session, small_url, LOADS)
        stop = threading.Event()
        served = [0]

        def hammer() -> None:
            own = requests.Session()
            own.cookies.update(cookies)
            while not stop.is_set():
                own.get(large_url, timeout=120)
                served[0] += 1

        threads = [threading.Thread(target=hammer, daemon=True) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        time.sleep(1)
        started = time.perf_counter()
        loaded = _timings(session, small_url, LOADS)
        elapsed = time.perf_counter() - started
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    return [
        f"gunicorn, {WORKERS} workers × {THREADS} threads, DEBUG off",
        _figures(f"{small.name} home page alone", alone),
        _figures(f"{small.name} home page while {CLIENTS} clients load {large.name}'s", loaded),
        f"{large.name}'s home page served {served[0] / elapsed:.1f} times a second meanwhile",
    ]
