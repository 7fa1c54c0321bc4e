"""The portal page, kept rendered per link and language while nothing it shows has changed.

Drawing the page costs a few queries and most of its time in the template; a debtor reloads it, and a
letter's QR code brings the same link in again and again. The rendered page is stored with the
database snapshot it was computed in (``reminders.selectors.changes.cached_while_unchanged``): the
change log the triggers keep on invoices (their open amounts: a payment shows at once), debtors,
reminders and their items (a new message shows at once), tells when it is stale. What that log does
not watch is in the key:

* the link itself (its id: one link's page is never served for another), and the link's, its
  debtor's and its organization's row as they are now (branding, IBAN, online payments, limits:
  a changed setting is another key);
* the language, the organization's local date (days overdue) and the hour: the page carries a signed
  form token valid for a day (``portal.views.form_token``), so a stored page is at most an hour old
  and its token has at least 23 hours left; an hour also bounds how long a new release serves pages
  drawn by the old one.

The token lookup is never cached (``portal.views.guard``): a revoked or expired link answers 404 at
once, whatever is stored for it. Only the plain page is stored; a page with a form error is not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from django.db.models import Model
from django.http import HttpResponse
from django.utils import timezone

from outstanding.calendar import local_today
from portal.models import PortalAccess
from reminders.selectors.changes import cached_while_unchanged

PAGE_CACHE_VERSION = "v1"  # raise when the stored value changes shape


def _row_fingerprint(*rows: Model) -> str:
    """A digest of the rows' column values: any edit of them makes another digest."""
    values = [[(field.attname, getattr(row, field.attname)) for field in row._meta.concrete_fields] for row in rows]
    return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


def portal_page_key(*, access: PortalAccess, language: str, page: str, now: dt.datetime) -> str:
    """Where ``page`` of ``access`` in ``language`` is stored (see the module docstring for each part)."""
    today = local_today(access.organization.time_zone, now)
    hour = now.astimezone(dt.UTC).strftime("%Y%m%d%H")
    rows = _row_fingerprint(access, access.debtor, access.organization)
    return f"portal:page:{PAGE_CACHE_VERSION}:{page}:{access.pk}:{language}:{today.isoformat()}:{hour}:{rows}"


def portal_page_cached(
    *, access: PortalAccess, language: str, page: str, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """The page ``render()`` draws, from the cache while its data is unchanged.

    ``render`` must read only what the change log watches or the key holds (see the module docstring).
    """
    key = portal_page_key(access=access, language=language, page=page, now=timezone.now())
    content: bytes = cached_while_unchanged(access.organization, key, lambda: render().content)
    return HttpResponse(content)
