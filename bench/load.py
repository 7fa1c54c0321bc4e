"""A small HTTP load generator for the benchmarks: bounded concurrency, one event loop, raw sockets.

A thread per client with ``requests`` costs more CPU than the page it measures, and on a two-core
machine the client competes with the server for those cores. Here ``clients`` coroutines share one
thread, each sending a plain GET and reading the answer (keeping the connection when the server does;
gunicorn's sync workers close it after every answer). The generator's own CPU time is measured, so
the figures can say how much of the machine it took.
"""

from __future__ import annotations

import asyncio
import resource
import time
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class LoadResult:
    latencies: tuple[float, ...]  # seconds, of the answers with the expected status
    failures: int  # answers with another status, or broken connections
    seconds: float  # wall time of the run
    client_cpu_seconds: float  # user + system time of this process meanwhile

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    @property
    def client_cpu_share(self) -> float:
        """The share of one core the load generator used."""
        return self.client_cpu_seconds / self.seconds


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def _answer(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """(status, whether the server keeps the connection) of one answer, its body read and dropped."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
        return status, headers.get("connection", "").lower() != "close"
    await reader.read()  # no length: the body ends with the connection
    return status, False


async def _client(host: str, port: int, request: bytes, deadline: float, expect: int, result: dict[str, list]) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            assert reader is not None
            writer.write(request)
            status, keep = await _answer(reader)
        except (OSError, asyncio.IncompleteReadError, ValueError):
            result["failures"].append(1)
            if writer is not None:
                writer.close()
            reader = writer = None
            continue
        (result["latencies"] if status == expect else result["failures"]).append(time.perf_counter() - started)
        if not keep:
            writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def _run(url: str, clients: int, seconds: float, expect: int) -> LoadResult:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    request = f"GET {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: keep-alive\r\n\r\n".encode()
    result: dict[str, list] = {"latencies": [], "failures": []}
    cpu, started = _cpu_seconds(), time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(_client(host, port, request, deadline, expect, result) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    return LoadResult(
        latencies=tuple(result["latencies"]),
        failures=len(result["failures"]),
        seconds=elapsed,
        client_cpu_seconds=_cpu_seconds() - cpu,
    )


def load(url: str, *, clients: int, seconds: float, expect: int = 200) -> LoadResult:
    """``clients`` clients requesting ``url`` one after another for ``seconds``."""
    return asyncio.run(_run(url, clients, seconds, expect))
