"""The portal page from the cache: whatever changes shows on the next load, and no link sees another's page.

The cache stores only what committed transactions computed, so these tests commit (``transaction=True``).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from invoices.services import payment_record
from portal.models import PortalAccess, portal_token_hash
from portal.services import portal_access_revoke, portal_link_issue
from portal.views.form_token import portal_form_token_valid
from portal.views.page_cache import portal_page_key, portal_page_slot_key
from reminders.models import Reminder, ReminderStatus
from tests.factories import TODAY, DebtorFactory, InvoiceFactory
from tests.portal.conftest import portal_path
from tests.reminders.reminder_builders import reminder_with_invoices

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def organization(org_a, settings):
    settings.MOLLIE_API_KEY = "test_page_cache_key"  # online payments on: the page carries a form token
    organization = org_a.organization
    if hasattr(organization, "mollie_api_key"):
        organization.mollie_api_key = "test_page_cache_key"
        organization.save()
    return organization


@pytest.fixture
def debtor(organization):
    return DebtorFactory(organization=organization, name="Jansen Bouw B.V.")


@pytest.fixture
def invoice(debtor):
    return InvoiceFactory(
        debtor=debtor,
        number="F-100",
        issue_date=TODAY - dt.timedelta(days=40),
        due_date=TODAY - dt.timedelta(days=10),
        amount=Decimal("500.00"),
        open_amount=Decimal("500.00"),
    )


def issued(debtor, invoices=()) -> str:
    return portal_path(
        portal_link_issue(organization=debtor.organization, debtor=debtor, invoice_ids=[row.pk for row in invoices])
    )


@pytest.fixture
def link(debtor, invoice) -> str:
    return issued(debtor, [invoice])


def page(client: Client, link: str) -> str:
    response = client.get(link)
    assert response.status_code == 200
    return response.content.decode()


def access_of(link: str) -> PortalAccess:
    token = link.rstrip("/").rsplit("/", 1)[1]
    return PortalAccess.unscoped.select_related("organization", "debtor").get(token_hash=portal_token_hash(token))


def test_an_unchanged_page_is_served_from_the_cache_as_it_was_drawn(client, link, django_assert_max_num_queries):
    first = page(client, link)

    with django_assert_max_num_queries(2):  # the token, and whether anything changed since
        again = page(client, link)

    assert again == first


def test_a_payment_shows_at_once(client, link, invoice):
    assert "€\xa0500,00" in page(client, link)

    payment_record(organization=invoice.organization, invoice=invoice, amount=Decimal("200.00"), date=TODAY)

    html = page(client, link)
    assert "€\xa0300,00" in html


def test_a_new_message_shows_at_once_on_the_timeline(client, link, debtor, invoice):
    assert "What we sent you" not in page(client, link + "?lang=en")

    sent = reminder_with_invoices(debtor, invoices=[invoice])
    Reminder.objects.for_organization(debtor.organization).filter(pk=sent.pk).update(
        status=ReminderStatus.SENT, sent_date=TODAY
    )

    html = page(client, link + "?lang=en")
    assert "F-100" in html[html.index("What we sent you") :]


def test_a_revoked_link_answers_404_at_once_although_its_page_is_cached(client, link, debtor):
    page(client, link)

    portal_access_revoke(debtor=debtor)

    assert client.get(link).status_code == 404


def test_an_expired_link_answers_404_at_once_although_its_page_is_cached(client, link, debtor):
    page(client, link)

    PortalAccess.objects.for_organization(debtor.organization).filter(debtor=debtor).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    assert client.get(link).status_code == 404


def test_switching_the_language_shows_the_other_language_at_once_and_back(client, link):
    dutch = page(client, link)
    english = page(client, link + "?lang=en")
    again = page(client, link + "?lang=nl")

    assert "Your open invoices" in english and "Your open invoices" not in dutch
    assert again == dutch


def test_the_next_day_shows_one_more_day_overdue(client, link, monkeypatch):
    now = timezone.now()
    days = int(re.search(r"<dd>(\d+)</dd>", page(client, link)).group(1))

    monkeypatch.setattr(timezone, "now", lambda: now + dt.timedelta(days=1))

    assert int(re.search(r"<dd>(\d+)</dd>", page(client, link)).group(1)) == days + 1


def test_a_changed_organization_name_shows_at_once(client, link, organization):
    page(client, link)

    organization.name = "Beta Groothandel B.V."
    organization.save()

    assert "Beta Groothandel B.V." in page(client, link)


def test_a_link_is_never_served_another_links_page(client, debtor, invoice, organization):
    other_invoice = InvoiceFactory(debtor=debtor, number="F-OTHER")
    own, sibling = issued(debtor, [invoice]), issued(debtor, [other_invoice])
    stranger = DebtorFactory(organization=organization, name="Pietersen Installatie")
    InvoiceFactory(debtor=stranger, number="F-STRANGER")
    strangers = issued(stranger)

    pages = {path: page(client, path) for path in (own, sibling, strangers)}
    pages = {path: page(client, path) for path in (own, sibling, strangers)}  # the second time, from the cache

    for path, html in pages.items():
        token = path.rstrip("/").rsplit("/", 1)[1]
        assert re.findall(r"/p/([A-Za-z0-9_-]+)/", html) and set(re.findall(r"/p/([A-Za-z0-9_-]+)/", html)) == {token}
    assert pages[own].index("F-100") < pages[own].index("F-OTHER")  # each link's own message first
    assert pages[sibling].index("F-OTHER") < pages[sibling].index("F-100")
    assert "Pietersen Installatie" in pages[strangers] and "F-100" not in pages[strangers]


def test_another_organizations_link_never_gets_this_page(client, link, org_b):
    outsider_debtor = DebtorFactory(organization=org_b.organization, name="Buiten B.V.")
    InvoiceFactory(debtor=outsider_debtor, number="F-B")
    page(client, link)

    html = page(client, issued(outsider_debtor))

    assert "Buiten B.V." in html and "Jansen Bouw B.V." not in html and "F-100" not in html


def test_a_cached_pages_form_token_is_still_valid(client, link):
    page(client, link)
    html = page(client, link)

    token = re.search(r'name="form_token" value="([^"]+)"', html).group(1)
    assert portal_form_token_valid(access_of(link), token)


def test_a_stored_page_is_drawn_anew_every_hour_so_its_form_token_is_never_older_than_an_hour(link):
    access = access_of(link)
    at = dt.datetime(2026, 12, 7, 10, 59, tzinfo=dt.UTC)

    same_hour = portal_page_key(access=access, language="nl", page="home", now=at - dt.timedelta(minutes=58))
    next_hour = portal_page_key(access=access, language="nl", page="home", now=at + dt.timedelta(minutes=2))

    assert same_hour == portal_page_key(access=access, language="nl", page="home", now=at)
    assert next_hour != same_hour


def token_of(link: str) -> str:
    return link.rstrip("/").rsplit("/", 1)[1]


@pytest.fixture
def redis_cache(settings) -> Iterator[None]:
    """Production's cache: the stored page comes with the rate limit's round trip (portal.ratelimit)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": django_settings.REDIS_URL,
            "KEY_PREFIX": f"test-page-cache-{uuid.uuid4().hex}",  # nothing shared with another run
        }
    }
    yield
    cache.clear()


def test_with_redis_the_page_comes_with_the_rate_limits_read_and_changes_show_at_once(
    redis_cache, client, link, invoice, django_assert_max_num_queries
):
    first = page(client, link)
    assert cache.get(portal_page_slot_key(token=token_of(link), asked_language="", page="home")) is not None

    with django_assert_max_num_queries(2):  # the token, and whether anything changed since
        assert page(client, link) == first

    payment_record(organization=invoice.organization, invoice=invoice, amount=Decimal("200.00"), date=TODAY)
    assert "€\xa0300,00" in page(client, link)


def test_a_page_stored_in_a_links_slot_for_another_link_is_never_served(client, debtor, invoice, organization, org_b):
    """The slot comes from the request; only the stored stamp says whose page it is."""
    own = issued(debtor, [invoice])
    outsider = DebtorFactory(organization=org_b.organization, name="Buiten B.V.")
    InvoiceFactory(debtor=outsider, number="F-B")
    strangers = issued(outsider)
    page(client, strangers)
    own_slot = portal_page_slot_key(token=token_of(own), asked_language="", page="home")
    strangers_slot = portal_page_slot_key(token=token_of(strangers), asked_language="", page="home")
    cache.set(own_slot, cache.get(strangers_slot))  # as if two slots collided

    html = page(client, own)

    assert "Jansen Bouw B.V." in html and "Buiten B.V." not in html and "F-B" not in html


def test_the_asked_language_has_its_own_slot(client, link):
    page(client, link)
    page(client, link + "?lang=en")

    slots = {
        language: cache.get(portal_page_slot_key(token=token_of(link), asked_language=language, page="home"))
        for language in ("", "en")
    }
    assert slots[""] is not None and slots["en"] is not None and slots[""][2] != slots["en"][2]
