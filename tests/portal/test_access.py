"""Portal links: random, stored hashed, one debtor of one organization, a year, revocable."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.utils import timezone

from portal.models import PORTAL_ACCESS_VALIDITY, PortalAccess
from portal.selectors import portal_access_for_token
from portal.services import portal_access_revoke, portal_link_issue
from tests.factories import DebtorFactory, InvoiceFactory

pytestmark = pytest.mark.django_db

LINK = re.compile(r"^http://localhost:8000/p/(?P<token>[A-Za-z0-9_-]{32})/$")


def token_of(url: str) -> str:
    match = LINK.match(url)
    assert match, url
    return match["token"]


@pytest.fixture
def debtor(org_a):
    return DebtorFactory(organization=org_a.organization)


def test_a_link_carries_a_random_token_of_at_least_128_bits(debtor):
    first = token_of(portal_link_issue(organization=debtor.organization, debtor=debtor))
    second = token_of(portal_link_issue(organization=debtor.organization, debtor=debtor))

    assert first != second
    assert len(first) * 6 >= 128  # url-safe base64: 6 bits a character


def test_only_the_hash_of_the_token_is_stored(debtor):
    token = token_of(portal_link_issue(organization=debtor.organization, debtor=debtor))

    access = PortalAccess.objects.for_organization(debtor.organization).get()
    assert access.token_hash == hashlib.sha256(token.encode()).hexdigest()
    stored = " ".join(str(value) for value in PortalAccess.unscoped.values_list().get())
    assert token not in stored


def test_a_link_opens_its_own_debtor_of_its_own_organization(debtor):
    invoice = InvoiceFactory(debtor=debtor)
    token = token_of(portal_link_issue(organization=debtor.organization, debtor=debtor, invoice_ids=[invoice.pk]))

    access = portal_access_for_token(token)

    assert (access.organization, access.debtor, access.invoice_ids) == (debtor.organization, debtor, [invoice.pk])


def test_a_link_lasts_a_year_and_not_a_moment_longer(debtor):
    issued = timezone.now()
    token = token_of(portal_link_issue(organization=debtor.organization, debtor=debtor, now=issued))

    assert portal_access_for_token(token, now=issued + PORTAL_ACCESS_VALIDITY - dt.timedelta(seconds=1)) is not None
    assert portal_access_for_token(token, now=issued + PORTAL_ACCESS_VALIDITY) is None


def test_revoking_closes_every_link_of_that_debtor_only(debtor):
    other = DebtorFactory(organization=debtor.organization)
    tokens = [token_of(portal_link_issue(organization=debtor.organization, debtor=debtor)) for _ in range(2)]
    other_token = token_of(portal_link_issue(organization=debtor.organization, debtor=other))

    assert portal_access_revoke(debtor=debtor) == 2

    assert [portal_access_for_token(token) for token in tokens] == [None, None]
    assert portal_access_for_token(other_token).debtor == other
    assert portal_access_revoke(debtor=debtor) == 0  # revoking again changes nothing


def test_a_link_is_never_issued_for_another_organizations_debtor(debtor, org_b):
    with pytest.raises(ValueError):
        portal_link_issue(organization=org_b.organization, debtor=debtor)
    assert not PortalAccess.unscoped.exists()


@pytest.mark.parametrize("token", ["", "short", "x" * 65, "../../etc/passwd", "a" * 32 + "!"])
def test_a_malformed_token_finds_nothing(token, debtor):
    portal_link_issue(organization=debtor.organization, debtor=debtor)

    assert portal_access_for_token(token) is None


def test_the_link_brings_its_organization_and_debtor_exactly_as_the_orm_reads_them(debtor, django_assert_num_queries):
    from invoices.models import Debtor
    from outstanding.models import Organization

    Organization.objects.filter(pk=debtor.organization_id).update(mollie_api_key="test_" + "a" * 30)
    invoice = InvoiceFactory(debtor=debtor)
    token = token_of(portal_link_issue(organization=debtor.organization, debtor=debtor, invoice_ids=[invoice.pk]))

    with django_assert_num_queries(1):
        access = portal_access_for_token(token)
        assert access.debtor.organization is access.organization  # no query for either

    def values(row) -> dict[str, object]:  # type: ignore[no-untyped-def]
        return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}

    assert values(access) == values(PortalAccess.unscoped.get(pk=access.pk))
    assert values(access.organization) == values(Organization.objects.get(pk=debtor.organization_id))
    assert values(access.debtor) == values(Debtor.objects.for_organization(debtor.organization).get(pk=debtor.pk))
    assert access.organization.mollie_api_key == "test_" + "a" * 30  # decrypted, as the ORM does
    assert access.invoice_ids == [invoice.pk]
