"""The invoice list in a real headless Chromium, on a phone (390 px wide) and on a desk (1280 px).

On the phone the navigation folds behind a button that works from the keyboard, the table becomes one
card per invoice and nothing runs off the screen: the page is no wider than the viewport and every
amount lies inside it. On the desk the table stays a table, and ticking rows and holding them works
under the strict CSP (our own scripts only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from invoices.models import Invoice
from tests.browser import chromium
from tests.factories import PASSWORD, TODAY, DebtorFactory, InvoiceFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE_WIDTH = 390
DESK_WIDTH = 1280


@pytest.fixture
def invoices(org_a, today) -> list[Invoice]:
    """Long names and seven-figure amounts: what pushes a table off a phone's screen."""
    long_name = DebtorFactory(
        organization=org_a.organization, name="Installatiebedrijf Van der Heijden-Oosterbroek en Zonen B.V."
    )
    other = DebtorFactory(organization=org_a.organization, name="Bakkerij De Vries")
    made = []
    for n, (debtor, amount, days_late) in enumerate(
        [(long_name, "1234567.89", 75), (other, "98765.43", 12), (long_name, "250.00", -5), (other, "1000000.00", 3)]
    ):
        due = TODAY - dt.timedelta(days=days_late)
        made.append(
            InvoiceFactory(
                debtor=debtor,
                number=f"2026-VERYLONGNUMBER-{n:04d}",
                amount=Decimal(amount),
                issue_date=due - dt.timedelta(days=30),
                due_date=due,
            )
        )
    return made


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium("en") as driver:
        yield driver


def log_in(browser, live_server, user) -> None:  # type: ignore[no-untyped-def]
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "login").send_keys(user.email)
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(browser, 10).until(lambda driver: "/app/" in driver.current_url)


def as_phone(browser) -> None:  # type: ignore[no-untyped-def]
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": 844, "deviceScaleFactor": 3, "mobile": True},
    )


def page_width(browser) -> int:  # type: ignore[no-untyped-def]
    return int(browser.execute_script("return document.documentElement.scrollWidth"))


def amounts_outside(browser, width: int) -> list[str]:  # type: ignore[no-untyped-def]
    """The amounts not wholly on screen (or not shown at all), as 'text left..right'."""
    return list(
        browser.execute_script(
            """
            var limit = arguments[0];
            return Array.from(document.querySelectorAll('#invoice-results td.amount')).map(function (cell) {
                var box = cell.getBoundingClientRect();
                var shown = box.width > 0 && box.height > 0 && getComputedStyle(cell).visibility !== 'hidden';
                return (shown && box.left >= 0 && box.right <= limit) ? null
                    : cell.textContent.trim() + ' ' + box.left + '..' + box.right;
            }).filter(function (problem) { return problem !== null; });
            """,
            width,
        )
    )


def severe_console_errors(browser) -> list[dict]:  # type: ignore[no-untyped-def]
    return [
        entry for entry in browser.get_log("browser")
        if entry["level"] == "SEVERE" and "favicon" not in entry["message"]
    ]  # fmt: skip


def test_on_a_phone_the_menu_folds_and_invoices_become_cards_with_every_amount_on_screen(
    live_server, browser, org_a, invoices
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    as_phone(browser)
    log_in(browser, live_server, org_a.member)
    browser.get(live_server.url + reverse("invoice_list", kwargs={"org_id": org_a.organization.public_id}))
    assert browser.execute_script("return window.innerWidth") == PHONE_WIDTH

    assert page_width(browser) <= PHONE_WIDTH
    cells = browser.find_elements(By.CSS_SELECTOR, "#invoice-results td.amount")
    assert len(cells) == 2 * len(invoices)  # amount and open amount of every invoice, none hidden
    assert amounts_outside(browser, PHONE_WIDTH) == []
    assert "€1,234,567.89" in browser.find_element(By.ID, "invoice-results").text
    row = browser.find_element(By.CSS_SELECTOR, "#invoice-results tbody tr")
    assert row.value_of_css_property("display") == "block"  # a card, not a table row

    # The menu: folded behind a button, opened and closed from the keyboard.
    toggle = browser.find_element(By.ID, "menu-toggle")
    navigation = browser.find_element(By.ID, "mainnav")
    assert toggle.is_displayed() and not navigation.is_displayed()
    assert toggle.get_attribute("aria-expanded") == "false"
    browser.execute_script("arguments[0].focus()", toggle)
    toggle.send_keys(Keys.ENTER)
    assert toggle.get_attribute("aria-expanded") == "true"
    assert navigation.is_displayed()
    assert browser.find_element(By.LINK_TEXT, "Debtors").is_displayed()
    assert page_width(browser) <= PHONE_WIDTH  # the open menu fits too
    toggle.send_keys(Keys.ESCAPE)
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not navigation.is_displayed()
    assert browser.switch_to.active_element == toggle
    toggle.send_keys(" ")  # a button opens with the space bar as well
    assert navigation.is_displayed()

    # The debtor list is cards too, every amount on screen.
    browser.get(live_server.url + reverse("debtor_list", kwargs={"org_id": org_a.organization.public_id}))
    assert page_width(browser) <= PHONE_WIDTH
    problems = browser.execute_script(
        """
        var limit = arguments[0];
        return Array.from(document.querySelectorAll('#debtor-results td.amount')).filter(function (cell) {
            var box = cell.getBoundingClientRect();
            return !(box.width > 0 && box.left >= 0 && box.right <= limit);
        }).length;
        """,
        PHONE_WIDTH,
    )
    assert problems == 0
    assert severe_console_errors(browser) == []


def test_on_a_desk_the_list_is_a_table_and_ticked_invoices_are_held(live_server, browser, org_a, invoices) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.set_window_size(DESK_WIDTH, 900)
    log_in(browser, live_server, org_a.member)
    list_url = live_server.url + reverse("invoice_list", kwargs={"org_id": org_a.organization.public_id})
    browser.get(list_url)
    width = browser.execute_script("return window.innerWidth")
    assert page_width(browser) <= width
    assert amounts_outside(browser, width) == []
    assert not browser.find_element(By.ID, "menu-toggle").is_displayed()
    assert browser.find_element(By.ID, "mainnav").is_displayed()
    row = browser.find_element(By.CSS_SELECTOR, "#invoice-results tbody tr")
    assert row.value_of_css_property("display") == "table-row"

    # Most days overdue first; the page's "tick all" box ticks every row (nav.js).
    numbers = [cell.text for cell in browser.find_elements(By.CSS_SELECTOR, "#invoice-results tbody th")]
    assert numbers == [invoice.number for invoice in (invoices[0], invoices[1], invoices[3], invoices[2])]
    browser.find_element(By.CSS_SELECTOR, "input[data-select-all='invoice-bulk']").click()
    boxes = browser.find_elements(By.CSS_SELECTOR, "#invoice-results input[name='selected']")
    assert all(box.is_selected() for box in boxes)
    browser.find_element(By.CSS_SELECTOR, "input[data-select-all='invoice-bulk']").click()
    boxes[0].click()
    boxes[1].click()
    browser.find_element(By.CSS_SELECTOR, "#invoice-bulk-panel summary").click()  # folded until asked for
    browser.find_element(By.ID, "invoice-bulk-reason").send_keys("Disputed by phone")
    browser.find_element(By.ID, "invoice-bulk-submit").click()
    WebDriverWait(browser, 10).until(lambda driver: "2 invoices held." in driver.page_source)
    held = Invoice.objects.for_organization(org_a.organization).filter(is_paused=True)
    assert set(held.values_list("pk", flat=True)) == {invoices[0].pk, invoices[1].pk}

    # Undo is one click away.
    browser.find_element(By.ID, "invoice-bulk-undo").click()
    WebDriverWait(browser, 10).until(lambda driver: "Hold undone: 2 invoices resumed." in driver.page_source)
    assert not Invoice.objects.for_organization(org_a.organization).filter(is_paused=True).exists()
    assert severe_console_errors(browser) == []
