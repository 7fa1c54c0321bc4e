"""The dashboard in a real headless Chromium, on a phone (390 px wide) and on a desk: nothing makes
the page scroll sideways, and every figure is on the screen's width and visible."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from outstanding.models import Role
from tests.browser import CHROMEDRIVER, CHROMIUM, chromium
from tests.factories import PASSWORD, MembershipFactory
from tests.invoices import receivables_reference as reference

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (CHROMIUM and CHROMEDRIVER),
        reason="no Chromium/chromedriver installed: apt-get install chromium chromium-driver (.ci/run does)",
    ),
]

FIGURES = "[data-testid$='-amount'], [data-testid$='-count'], [data-testid$='-dso'], " + ", ".join(
    f"[data-testid='{testid}']" for testid in ("dso-headline", "best-possible-dso", "payments-this-week")
)

BOX_SCRIPT = "const r = arguments[0].getBoundingClientRect(); return [r.left, r.right];"


@pytest.fixture
def browser() -> Iterator[Any]:
    with chromium("en") as driver:
        yield driver


@pytest.fixture
def membership(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr("outstanding.views.local_today", lambda time_zone: reference.TODAY)
    membership = MembershipFactory(role=Role.OWNER, user__email="owner@dashboard.test")
    reference.history_create(membership.organization, invoices=60)
    return membership


def log_in(browser: Any, live_server: Any) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{live_server.url}/accounts/login/")
    browser.find_element(By.NAME, "login").send_keys("owner@dashboard.test")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    browser.find_element(By.CSS_SELECTOR, "[data-testid=aging]")


def assert_every_figure_fits(browser: Any, width: int) -> None:
    from selenium.webdriver.common.by import By

    overflow = browser.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width} px"
    figures = browser.find_elements(By.CSS_SELECTOR, FIGURES)
    assert len(figures) >= 5 + 12 + 8 + 4
    for figure in figures:
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", figure)
        box = browser.execute_script(
            "const r = arguments[0].getBoundingClientRect(); return [r.left, r.right];", figure
        )
        testid = figure.get_attribute("data-testid")
        assert figure.is_displayed() and figure.text.strip(), testid
        assert box[0] >= 0 and box[1] <= width + 0.5, (testid, box)
    for chart in browser.find_elements(By.CSS_SELECTOR, "svg.chart"):
        assert chart.size["width"] <= width


@pytest.mark.parametrize("width", [390, 1280])
def test_every_figure_is_visible_without_sideways_scrolling(live_server, browser, membership, width: int) -> None:  # type: ignore[no-untyped-def]
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": 844 if width < 500 else 900, "deviceScaleFactor": 1, "mobile": width < 500},
    )
    log_in(browser, live_server)

    assert browser.execute_script("return window.innerWidth") == width
    assert_every_figure_fits(browser, width)
