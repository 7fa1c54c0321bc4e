"""A real headless Chromium logs in and sees the organization's amounts.

Uses Debian's chromium and chromium-driver (.ci/run installs them). Skips, saying why, only when no
Chromium is installed.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from outstanding.models import Role
from tests.browser import CHROMEDRIVER, CHROMIUM, chromium
from tests.factories import PASSWORD, TODAY, DebtorFactory, InvoiceFactory, MembershipFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="no Chromium/chromedriver installed: apt-get install chromium chromium-driver (.ci/run does)",
    ),
]


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium("nl") as driver:
        yield driver


def test_a_creditor_logs_in_and_sees_open_and_overdue_amounts(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By

    membership = MembershipFactory(role=Role.OWNER, user__email="owner@alpha.test")
    debtor = DebtorFactory(organization=membership.organization)
    InvoiceFactory(debtor=debtor, amount=Decimal("1234.56"), due_date=TODAY.replace(year=2099))
    InvoiceFactory(debtor=debtor, amount=Decimal("100.00"))  # overdue (due 15 days ago in factory terms)

    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "login").send_keys("owner@alpha.test")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()

    open_amount = browser.find_element(By.CSS_SELECTOR, "[data-testid=open-amount]").text
    overdue_amount = browser.find_element(By.CSS_SELECTOR, "[data-testid=overdue-amount]").text
    assert browser.current_url.endswith(f"/app/{membership.organization.public_id}/")
    assert open_amount.replace("\N{NO-BREAK SPACE}", " ") == "€ 1.334,56"
    assert overdue_amount.replace("\N{NO-BREAK SPACE}", " ") == "€ 100,00"
    assert membership.organization.name in browser.page_source
