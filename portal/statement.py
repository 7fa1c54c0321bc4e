"""The statement of account (rekeningoverzicht) as a PDF: what is open on a day, and the total."""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import weasyprint
from django.conf import settings
from django.template.loader import render_to_string

from portal.selectors import PortalOverview
from reminders.channels.letter import LocalFilesOnly


@lru_cache(maxsize=1)
def statement_stylesheet() -> weasyprint.CSS:
    """Parsed once per process (parsing is a good part of rendering a short document)."""
    return weasyprint.CSS(string=render_to_string("portal/statement.css"))


def statement_pdf(*, overview: PortalOverview, address_lines: list[str], today: dt.date, language: str) -> bytes:
    """Our own template with plain values; loads nothing from the network (``LocalFilesOnly``)."""
    html = render_to_string(
        "portal/statement.html",
        {"overview": overview, "address_lines": address_lines, "today": today, "language": language},
    )
    document = weasyprint.HTML(string=html, base_url=str(settings.MEDIA_ROOT), url_fetcher=LocalFilesOnly())
    return document.write_pdf(stylesheets=[statement_stylesheet()])
