"""The creditor closes a debtor's portal links from the debtor page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.selectors import portal_access_for_token
from portal.services import portal_link_issue
from tests.factories import DebtorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def debtor(org_a):
    return DebtorFactory(organization=org_a.organization)


@pytest.fixture
def token(debtor) -> str:
    return portal_link_issue(organization=debtor.organization, debtor=debtor).rstrip("/").rsplit("/", 1)[1]


def revoke_url(debtor) -> str:
    return reverse("debtor_portal_revoke", args=[debtor.organization.public_id, debtor.public_id])


def test_the_debtor_page_offers_to_close_the_portal(member_client, debtor):
    html = member_client.get(reverse("debtor_detail", args=[debtor.organization.public_id, debtor.public_id]))

    assert revoke_url(debtor) in html.content.decode()


def test_a_member_closes_every_link_of_the_debtor(member_client, debtor, token):
    response = member_client.post(revoke_url(debtor))

    assert response.status_code == 302
    assert portal_access_for_token(token) is None


def test_a_viewer_may_not_close_the_portal(viewer_client, debtor, token):
    assert viewer_client.post(revoke_url(debtor)).status_code == 403
    assert portal_access_for_token(token) is not None


def test_an_outsider_gets_404_and_changes_nothing(outsider_client, debtor, token):
    assert outsider_client.post(revoke_url(debtor)).status_code == 404
    assert outsider_client.get(revoke_url(debtor)).status_code == 404
    assert portal_access_for_token(token) is not None


def test_closing_needs_a_post(member_client, debtor, token):
    assert member_client.get(revoke_url(debtor)).status_code == 405
    assert portal_access_for_token(token) is not None
