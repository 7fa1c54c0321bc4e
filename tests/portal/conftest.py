"""Shared by the portal tests: a real SMTP sink and issued links."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.smtp import SmtpSink, running_smtp_sink, use_smtp


@pytest.fixture
def smtp_sink(settings) -> Iterator[SmtpSink]:
    with running_smtp_sink() as sink:
        use_smtp(settings, sink.port)
        yield sink


def portal_path(url: str) -> str:
    """The path of an absolute portal link (what a test client requests)."""
    return url.split("localhost:8000", 1)[1] if "localhost:8000" in url else url
