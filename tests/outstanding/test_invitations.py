"""Invitation tokens: stored hashed, e-mailed in the link's fragment, received only in a POST body,
single use, refused when expired or withdrawn."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

import pytest
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outstanding.models import INVITATION_VALIDITY, Invitation, Membership, Role
from outstanding.services import invitation_by_token, invitation_create, invitation_token_issue
from tests.conftest import Tenant

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-passphrase-2026"
ACCEPT = "/invite/accept/"
OPEN = "/invite/"


@pytest.fixture
def invitation(org_a: Tenant) -> Invitation:
    return Invitation.objects.create(organization=org_a.organization, email="nieuw@example.test", role=Role.MEMBER)


@pytest.fixture
def token(invitation: Invitation) -> str:
    return invitation_token_issue(invitation=invitation)


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def post_token(browser: Client, token: str):  # type: ignore[no-untyped-def]
    return browser.post(OPEN, {"token": token})


def join(browser: Client):  # type: ignore[no-untyped-def]
    return browser.post(ACCEPT, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})


# --- Stored hashed, never in a URL ----------------------------------------------------------------


def test_only_the_hash_of_the_token_is_stored(invitation: Invitation, token: str) -> None:
    invitation.refresh_from_db()

    assert invitation.token_hash == sha256(token)
    stored = [str(value) for value in Invitation.objects.filter(pk=invitation.pk).values().get().values()]
    assert token not in stored


def test_the_emailed_link_carries_the_token_in_the_fragment_only(
    org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    actor = Membership.objects.get(user=org_a.owner, organization=org_a.organization)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(actor=actor, email="nieuw@example.test", role=Role.MEMBER)

    link = re.search(r"https?://\S+", mail.outbox[0].body)
    assert link is not None
    path, _hash, token = link.group(0).partition("#")
    assert path.endswith(OPEN) and token
    invitation.refresh_from_db()
    assert invitation.token_hash == sha256(token)
    assert token not in path


def test_the_link_page_posts_the_token_with_a_script_from_our_own_origin(client: Client) -> None:
    response = client.get(OPEN)

    html = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'<script src="/static/js/invitation\.js" defer></script>', html)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "no inline scripts under the CSP"
    assert 'id="invitation-token-form"' in html and 'method="post"' in html


def test_the_script_reads_the_fragment_and_posts_the_form() -> None:
    from django.contrib.staticfiles import finders

    script = Path(finders.find("js/invitation.js")).read_text()

    assert "location.hash" in script and "form.submit()" in script and "replaceState" in script


def test_a_token_in_the_url_is_not_accepted(client: Client, token: str) -> None:
    assert client.get(f"/invite/{token}/").status_code == 404
    assert client.get(OPEN, {"token": token}).status_code == 200  # the page, not the invitation
    assert client.get(ACCEPT).status_code == 404
    assert "outstanding_invitation" not in client.session


# --- Accepting --------------------------------------------------------------------------------------


def test_a_posted_token_opens_the_invitation_and_a_new_person_joins(
    client: Client, invitation: Invitation, token: str, org_a: Tenant
) -> None:
    response = post_token(client, token)
    assert response.status_code == 302 and response.url == ACCEPT

    response = join(client)

    assert response.status_code == 302
    assert Membership.objects.get(user__email="nieuw@example.test", organization=org_a.organization).role == Role.MEMBER
    invitation.refresh_from_db()
    assert invitation.accepted_at is not None
    assert "outstanding_invitation" not in client.session


def test_a_token_works_once(client: Client, token: str) -> None:
    post_token(client, token)
    join(client)

    again = post_token(Client(), token)

    assert again.status_code == 404
    assert "expired, was already used or was withdrawn" in again.content.decode() or again.context["refused"]


def test_the_opened_invitation_cannot_be_used_twice_from_the_same_session(client: Client, token: str) -> None:
    post_token(client, token)
    other = Client()
    post_token(other, token)
    join(client)

    assert join(other).status_code == 404
    assert Membership.objects.filter(user__email="nieuw@example.test").count() == 1


def test_a_withdrawn_invitation_is_refused_even_after_its_token_was_posted(
    client: Client, invitation: Invitation, token: str
) -> None:
    post_token(client, token)
    invitation.delete()

    assert client.get(ACCEPT).status_code == 404
    assert join(client).status_code == 404
    assert not Membership.objects.filter(user__email="nieuw@example.test").exists()


def test_an_expired_invitation_is_refused(client: Client, invitation: Invitation, token: str) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - INVITATION_VALIDITY - dt.timedelta(seconds=1)
    )

    assert post_token(client, token).status_code == 404


def test_an_invitation_just_before_it_expires_still_opens(client: Client, invitation: Invitation, token: str) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - INVITATION_VALIDITY + dt.timedelta(minutes=1)
    )

    assert post_token(client, token).status_code == 302


def test_an_invitation_that_expires_after_opening_is_refused_when_joining(
    client: Client, invitation: Invitation, token: str
) -> None:
    post_token(client, token)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - INVITATION_VALIDITY - dt.timedelta(seconds=1)
    )

    assert join(client).status_code == 404
    assert not Membership.objects.filter(user__email="nieuw@example.test").exists()


def test_sending_again_issues_a_new_token_and_the_old_one_stops_working(
    client: Client, invitation: Invitation, token: str
) -> None:
    new_token = invitation_token_issue(invitation=invitation)

    assert post_token(Client(), token).status_code == 404
    assert post_token(client, new_token).status_code == 302


@pytest.mark.parametrize("bad", ["", "   ", "x" * 129, "x" * 5000, "not-a-token"])
def test_a_bad_token_gets_a_clear_refusal_and_changes_nothing(client: Client, invitation: Invitation, bad: str) -> None:
    response = post_token(client, bad)

    assert response.status_code == 404
    assert response.context["refused"] is True
    assert "outstanding_invitation" not in client.session
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None


def test_a_token_with_surrounding_spaces_pasted_by_hand_still_opens(client: Client, token: str) -> None:
    assert post_token(client, f"  {token}\n").status_code == 302


def test_invitation_by_token_ignores_a_stored_hash_posted_as_the_token(invitation: Invitation, token: str) -> None:
    invitation.refresh_from_db()

    assert invitation_by_token(token=invitation.token_hash) is None
    assert invitation_by_token(token=token) == invitation


def test_the_open_page_is_csrf_protected(token: str) -> None:
    browser = Client(enforce_csrf_checks=True)

    assert browser.post(OPEN, {"token": token}).status_code == 403


def test_the_accept_page_without_an_opened_invitation_says_what_to_do(client: Client) -> None:
    response = client.get(ACCEPT)

    assert response.status_code == 404
    assert response.context["refused"] is True
    assert reverse("invitation_open") in response.content.decode()


# --- The data migration ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_the_migration_hashes_the_plain_tokens_of_existing_invitations(org_a: Tenant) -> None:
    before, after = [("outstanding", "0002_apikey")], [("outstanding", "0003_invitation_token_hash")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        OldInvitation = old_apps.get_model("outstanding", "Invitation")
        plain = "plain-token-from-before-the-upgrade"
        OldInvitation.objects.create(organization_id=org_a.organization.pk, email="oud@example.test", token=plain)
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(after)
        # Back to every app's latest state, whatever else the tests run after this one need.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    migrated = Invitation.objects.get(email="oud@example.test")
    assert migrated.token_hash == sha256(plain)
    assert invitation_by_token(token=plain) == migrated
    assert "token" not in {field.name for field in Invitation._meta.get_fields()}
