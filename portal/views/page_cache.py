"""The portal page, kept rendered per link and language while nothing it shows has changed.

Drawing the page costs a few queries and most of its time in the template; a debtor reloads it, and a
letter's QR code brings the same link in again and again. The rendered page is stored with the
database snapshot it was computed in (as ``reminders.selectors.changes.cached_while_unchanged`` does):
the change log the triggers keep on invoices (their open amounts: a payment shows at once), debtors,
reminders and their items (a new message shows at once), tells when it is stale.

Where a page is stored (its *slot*) is known from the request alone: the token (hashed) and the
language asked in ``?lang``. So the request's one round trip to Redis, the rate limit's
(``portal.ratelimit``), also fetches it, before the database is asked anything. What the change log does
not watch is in the page's *stamp*, stored with it and compared with the stamp of the request (see
:func:`portal_page_key`); a stored page is served only when both match and nothing changed since:

* the link itself (its id: one link's page is never served for another), and the link's, its
  debtor's and its organization's row as they are now (branding, IBAN, online payments, limits:
  a changed setting is another stamp);
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
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Model
from django.http import HttpResponse
from django.utils import timezone

from outstanding.calendar import local_today
from portal.models import PortalAccess, portal_token_hash
from reminders.selectors.changes import changed_since, snapshot

PAGE_CACHE_VERSION = "v2"  # raise when the stored value changes shape
# A stored page's stamp changes every hour (see the module docstring): kept no longer than that.
STORE_SECONDS = 60 * 60


@dataclass(frozen=True)
class PageSlot:
    """Where a page of one link in the asked language is stored, and what was there when the request came."""

    key: str
    stored: Any
    same_page_keys: tuple[str, ...] = ()  # other slots the same page is stored in (``?lang=`` or not)


def portal_page_slot_key(*, token: str, asked_language: str, page: str) -> str:
    """The slot of ``page`` for ``token`` and ``?lang=asked_language`` ("" when none was asked).

    The token's hash, never the token; which link and language the page was drawn for is checked
    against the stored stamp, so a slot tells nothing it is not compared with first."""
    token_key = hashlib.sha256(portal_token_hash(token).encode()).hexdigest()[:40]
    return f"portal:page:{PAGE_CACHE_VERSION}:{page}:{token_key}:{asked_language or '-'}"


def _row_fingerprint(*rows: Model) -> str:
    """A digest of the rows' column values: any edit of them makes another digest."""
    values = [[(field.attname, getattr(row, field.attname)) for field in row._meta.concrete_fields] for row in rows]
    return hashlib.sha256(repr(values).encode()).hexdigest()[:32]


def portal_page_key(*, access: PortalAccess, language: str, page: str, now: dt.datetime) -> str:
    """The stamp of ``page`` of ``access`` in ``language``: a stored page with another stamp is not served
    (see the module docstring for each part)."""
    today = local_today(access.organization.time_zone, now)
    hour = now.astimezone(dt.UTC).strftime("%Y%m%d%H")
    rows = _row_fingerprint(access, access.debtor, access.organization)
    return f"portal:page:{PAGE_CACHE_VERSION}:{page}:{access.pk}:{language}:{today.isoformat()}:{hour}:{rows}"


def portal_page_cached(
    *, access: PortalAccess, language: str, page: str, slot: PageSlot, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """The page ``render()`` draws, from ``slot`` while its stamp is the request's and its data is unchanged.

    ``render`` must read only what the change log watches or the stamp holds (see the module docstring).
    """
    stamp = portal_page_key(access=access, language=language, page=page, now=timezone.now())
    stored = slot.stored
    if (
        isinstance(stored, tuple)
        and len(stored) == 3
        and stored[0] == stamp
        and not changed_since(access.organization, stored[1])
    ):
        return HttpResponse(stored[2])
    taken = snapshot()  # before drawing: a change committed meanwhile makes the stored page stale
    content = render().content
    if taken is not None:
        value = (stamp, taken, content)
        cache.set_many({key: value for key in (slot.key, *slot.same_page_keys)}, STORE_SECONDS)
    return HttpResponse(content)
