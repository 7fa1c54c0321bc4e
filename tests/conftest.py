"""Personas: owner, member and viewer of organization A; an outsider who owns organization B."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from outstanding.models import Membership, Organization, Role, User
from tests.factories import DebtorFactory, InvoiceFactory, MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # allauth keeps its rate limits in the cache and every test client has the same address.
    from django.core.cache import cache

    cache.clear()


@dataclass
class Tenant:
    organization: Organization
    owner: User
    member: User
    viewer: User


@pytest.fixture
def org_a(db) -> Tenant:
    organization = OrganizationFactory(name="Alpha Groothandel B.V.")
    users = {
        role: MembershipFactory(organization=organization, role=role).user
        for role in (Role.OWNER, Role.MEMBER, Role.VIEWER)
    }
    return Tenant(organization, users[Role.OWNER], users[Role.MEMBER], users[Role.VIEWER])


@pytest.fixture
def org_b(db) -> Tenant:
    organization = OrganizationFactory(name="Beta Installaties B.V.")
    owner = MembershipFactory(organization=organization, role=Role.OWNER).user
    return Tenant(organization, owner, owner, owner)


@pytest.fixture
def outsider(org_b: Tenant) -> User:
    """Owns organization B; has nothing to do with organization A."""
    return org_b.owner


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(org_a: Tenant) -> Client:
    return client_for(org_a.owner)


@pytest.fixture
def member_client(org_a: Tenant) -> Client:
    return client_for(org_a.member)


@pytest.fixture
def viewer_client(org_a: Tenant) -> Client:
    return client_for(org_a.viewer)


@pytest.fixture
def outsider_client(outsider: User) -> Client:
    return client_for(outsider)


@pytest.fixture
def debtor_a(org_a: Tenant):
    return DebtorFactory(organization=org_a.organization)


@pytest.fixture
def invoice_a(debtor_a):
    return InvoiceFactory(debtor=debtor_a)


__all__ = ["Membership", "UserFactory"]
