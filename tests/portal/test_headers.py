"""The portal's own security headers: what the pages allow the browser to do."""

from __future__ import annotations

import pytest

from portal.services import portal_link_issue
from tests.factories import DebtorFactory, InvoiceFactory
from tests.portal.conftest import portal_path

pytestmark = pytest.mark.django_db


@pytest.fixture
def link() -> str:
    invoice = InvoiceFactory(debtor=DebtorFactory())
    return portal_path(portal_link_issue(organization=invoice.organization, debtor=invoice.debtor))


def test_the_pay_form_may_go_to_mollies_checkout_and_nowhere_else(client, settings, link) -> None:
    settings.MOLLIE_CHECKOUT_ORIGIN = "https://checkout.example.test"

    policy = client.get(link)["Content-Security-Policy"]

    assert "form-action 'self' https://checkout.example.test;" in policy
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy


def test_other_pages_keep_forms_to_the_site_itself(client, settings) -> None:
    settings.MOLLIE_CHECKOUT_ORIGIN = "https://checkout.example.test"

    assert "checkout.example.test" not in client.get("/accounts/login/")["Content-Security-Policy"]
