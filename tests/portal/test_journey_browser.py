"""The debtor's whole journey in a real headless Chromium.

The dunning run sends a real reminder e-mail (Django's SMTP backend to a local SMTP server); the debtor
opens the link in it, asks a question, disputes one invoice, pays the other through Mollie's checkout
(the real ``mollie-api-python`` client against tests/fake_mollie.py, whose webhook comes back to the
live server) and lands on the thank-you page. The creditor then sees the payment, the question and the
dispute.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from invoices.models import Invoice, InvoiceStatus
from outstanding.models import Organization, Role
from outstanding.services import organization_defaults_install
from reminders.services import activation
from reminders.services import dunning as dunning_services
from tests.browser import CHROMEDRIVER, CHROMIUM, chromium
from tests.factories import DebtorFactory, InvoiceFactory, MembershipFactory, OrganizationFactory
from tests.fake_mollie import FakeMollie
from tests.smtp import SmtpSink

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="no Chromium/chromedriver installed: apt-get install chromium chromium-driver (.ci/run does)",
    ),
]

MONDAY = dt.date(2026, 11, 23)
PORTAL_LINK = re.compile(r"(http://[^/\s]+/p/[A-Za-z0-9_-]{32}/)")


@pytest.fixture
def mollie(settings) -> Iterator[FakeMollie]:
    fake = FakeMollie().start()
    fake.call_webhooks = True
    settings.MOLLIE_API_KEY = fake.api_key
    settings.MOLLIE_API_ENDPOINT = fake.url
    settings.MOLLIE_CHECKOUT_ORIGIN = fake.url
    yield fake
    fake.stop()


@pytest.fixture
def organization(mollie: FakeMollie) -> Organization:
    organization = OrganizationFactory(name="Alpha Groothandel B.V.", reminders_active=False)
    organization_defaults_install(organization)
    Organization.objects.filter(pk=organization.pk).update(mollie_api_key=mollie.api_key)
    organization.refresh_from_db()
    activation.reminders_activate(organization=organization, user=None, today=MONDAY)
    return organization


@pytest.fixture
def invoices(organization: Organization) -> tuple[Invoice, Invoice]:
    """(to dispute, to pay): both five days overdue on Monday, so the first reminder is due."""
    debtor = DebtorFactory(organization=organization, name="Bakkerij Jansen", emails=["administratie@jansen.test"])
    due = MONDAY - dt.timedelta(days=5)
    disputed = InvoiceFactory(
        debtor=debtor, number="2026-0101", amount=Decimal("250.00"), due_date=due, issue_date=due - dt.timedelta(30)
    )
    paid = InvoiceFactory(
        debtor=debtor, number="2026-0102", amount=Decimal("121.00"), due_date=due, issue_date=due - dt.timedelta(30)
    )
    return disputed, paid


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium("nl") as driver:
        yield driver


def reminder_email_link(smtp_sink: SmtpSink, organization: Organization) -> str:
    """Run the dunning for Monday and take the portal link out of the one e-mail it sent."""
    result = dunning_services.dunning_run(organization=organization, today=MONDAY, send_now=True)
    assert len(result.created_reminder_ids) == 1
    [mail] = smtp_sink.received
    assert mail.rcpt_tos == ["administratie@jansen.test"]
    [link] = set(PORTAL_LINK.findall(mail.text))
    assert f'href="{link}"' in mail.html
    return link


def test_a_debtor_goes_from_the_reminder_email_to_paid(
    live_server, settings, smtp_sink, mollie, organization, invoices, browser
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import Select, WebDriverWait

    settings.SITE_URL = live_server.url  # the link in the e-mail, Mollie's redirect and webhook
    disputed, paid = invoices
    link = reminder_email_link(smtp_sink, organization)
    assert link.startswith(live_server.url)

    browser.get(link)
    assert "Bakkerij Jansen" in browser.page_source
    assert "2026-0101" in browser.page_source and "2026-0102" in browser.page_source

    # A question about the first invoice, then a dispute of it: the invoice is held at once.
    browser.find_element(By.ID, f"invoice-{disputed.public_id}-react").click()
    browser.find_element(By.ID, "ask-text").send_keys("Is de korting al verwerkt?")
    browser.find_element(By.ID, "ask-submit").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("sent=question"))
    assert "Is de korting al verwerkt?" in browser.page_source
    Select(browser.find_element(By.ID, "dispute-reason")).select_by_value("amount_wrong")
    browser.find_element(By.ID, "dispute-text").send_keys("Er staan 5 dozen te veel op.")
    browser.find_element(By.ID, "dispute-submit").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("sent=dispute"))
    assert "Er staan 5 dozen te veel op." in browser.page_source
    disputed.refresh_from_db()
    assert disputed.is_paused and disputed.paused_until is None

    # Pay the second invoice only: untick the first, then iDEAL through the fake checkout.
    browser.get(link)
    box = browser.find_element(By.CSS_SELECTOR, f'input[name=invoice][value="{disputed.public_id}"]')
    if box.is_selected():
        box.click()
    browser.find_element(By.ID, "pay-submit").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains(mollie.url))
    assert "Fake Mollie checkout" in browser.page_source
    browser.find_element(By.LINK_TEXT, "paid").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains(live_server.url))
    assert "Betaald, dank u" in browser.page_source

    paid.refresh_from_db()
    disputed.refresh_from_db()
    assert (paid.status, paid.open_amount) == (InvoiceStatus.PAID, Decimal("0.00"))
    assert (disputed.status, disputed.open_amount) == (InvoiceStatus.OPEN, Decimal("250.00"))

    # The creditor sees the payment on the invoice page.
    member = MembershipFactory(organization=organization, role=Role.MEMBER)
    creditor = Client()
    creditor.force_login(member.user)
    page = creditor.get(f"/app/{organization.public_id}/invoices/{paid.public_id}/").content.decode()
    [mollie_id] = mollie.payments
    assert f"{mollie_id}:2026-0102" in page  # the payment's reference: Mollie's id and the invoice
    disputed_page = creditor.get(f"/app/{organization.public_id}/invoices/{disputed.public_id}/").content.decode()
    assert "Is de korting al verwerkt?" in disputed_page and "Er staan 5 dozen te veel op." in disputed_page
    reactions = creditor.get(f"/app/{organization.public_id}/reactions/").content.decode()
    assert "2026-0101" in reactions and "2026-0102" not in reactions
