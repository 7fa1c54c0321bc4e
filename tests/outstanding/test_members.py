"""Members, roles, invitations and the organization chooser. Personas: see tests/conftest.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable

import pytest
from django.conf import settings
from django.core import mail
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outstanding.models import INVITATION_VALIDITY, Invitation, Membership, Role, User
from outstanding.services import invitation_token_issue
from tests.conftest import Tenant, client_for
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-much-longer-passphrase-2026"


@pytest.fixture
def admin(org_a: Tenant) -> User:
    return MembershipFactory(organization=org_a.organization, role=Role.ADMIN).user


@pytest.fixture
def admin_client(admin: User) -> Client:
    return client_for(admin)


def org_url(name: str, tenant: Tenant, *args: object) -> str:
    return reverse(name, args=[tenant.organization.public_id, *args])


def membership_of(user: User, tenant: Tenant) -> Membership:
    return Membership.objects.get(user=user, organization=tenant.organization)


def invite(client: Client, tenant: Tenant, email: str, role: str, capture: Callable) -> Invitation | None:
    """Post the invite form; the e-mail goes out after commit, which ``capture`` runs."""
    with capture(execute=True):
        client.post(org_url("member_invite", tenant), {"email": email, "role": role})
    return Invitation.objects.filter(organization=tenant.organization, email=email.lower()).first()


def invitation_token(message: mail.EmailMessage) -> str:
    """The token of the e-mailed link ``{SITE_URL}/invite/#<token>``: it is in the fragment only."""
    url = re.search(r"https?://\S+/invite/#(\S+)", message.body)
    assert url, message.body
    return url.group(1)


ACCEPT = "/invite/accept/"


def open_invitation(browser: Client, token: str) -> HttpResponse:
    """What the link's page does: post the token from the fragment (static/js/invitation.js)."""
    return browser.post(reverse("invitation_open"), {"token": token})


def invited_browser(token: str, browser: Client | None = None) -> Client:
    browser = browser or Client()
    response = open_invitation(browser, token)
    assert response.status_code == 302 and response.url == ACCEPT
    return browser


def messages_of(response: HttpResponse) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- inviting ----------------------------------------------------------------------------------


def test_an_admin_invites_someone_by_email_and_role(
    admin_client: Client, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    email = "New.Colleague@Example.test"
    invitation = invite(admin_client, org_a, email, Role.MEMBER, django_capture_on_commit_callbacks)

    assert invitation is not None
    assert invitation.role == Role.MEMBER
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["new.colleague@example.test"]
    assert org_a.organization.name in message.subject
    assert f"{settings.SITE_URL}/invite/#" in message.body
    invitation.refresh_from_db()
    assert invitation.token_hash == hashlib.sha256(invitation_token(message).encode()).hexdigest()


def test_a_new_person_sets_a_password_and_becomes_a_member_with_the_invited_role(
    admin_client: Client, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    invite(admin_client, org_a, "newbie@example.test", Role.VIEWER, django_capture_on_commit_callbacks)
    browser = invited_browser(invitation_token(mail.outbox[0]))

    assert browser.get(ACCEPT).status_code == 200
    response = browser.post(
        ACCEPT, {"first_name": "Noor", "last_name": "Jansen", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert response.url == org_url("organization_home", org_a)
    user = User.objects.get(email="newbie@example.test")
    assert user.check_password(NEW_PASSWORD)
    assert user.get_full_name() == "Noor Jansen"
    assert user.emailaddress_set.get().verified  # the link proved the address
    assert membership_of(user, org_a).role == Role.VIEWER
    assert Invitation.objects.get(email="newbie@example.test").accepted_at is not None
    assert browser.session["_auth_user_id"] == str(user.pk)


def test_the_new_person_can_log_in_later_with_the_chosen_password(
    admin_client: Client, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    invite(admin_client, org_a, "newbie@example.test", Role.MEMBER, django_capture_on_commit_callbacks)
    invited_browser(invitation_token(mail.outbox[0])).post(
        ACCEPT, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    browser = Client()

    browser.post(reverse("account_login"), {"login": "newbie@example.test", "password": NEW_PASSWORD})

    assert "_auth_user_id" in browser.session


def test_an_invitation_link_refuses_a_weak_or_mistyped_password(
    admin_client: Client, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    invite(admin_client, org_a, "newbie@example.test", Role.MEMBER, django_capture_on_commit_callbacks)
    token = invitation_token(mail.outbox[0])

    weak = invited_browser(token).post(ACCEPT, {"password1": "newbie1234", "password2": "newbie1234"})
    mistyped = invited_browser(token).post(ACCEPT, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"})

    assert weak.status_code == mistyped.status_code == 200
    assert weak.context["form"].errors and mistyped.context["form"].errors
    assert not User.objects.filter(email="newbie@example.test").exists()


def test_an_existing_user_logs_in_and_accepts_the_invitation(
    admin_client: Client, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    existing = UserFactory(email="known@example.test")
    invite(admin_client, org_a, existing.email, Role.MEMBER, django_capture_on_commit_callbacks)
    browser = invited_browser(invitation_token(mail.outbox[0]))

    response = browser.get(ACCEPT)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
    response = browser.post(response.url, {"login": existing.email, "password": PASSWORD})
    assert response.url == ACCEPT  # the session kept the invitation across the login
    assert browser.get(ACCEPT).status_code == 200  # the join button
    response = browser.post(ACCEPT)

    assert response.url == org_url("organization_home", org_a)
    assert membership_of(existing, org_a).role == Role.MEMBER


def test_an_invitation_cannot_be_accepted_by_someone_logged_in_with_another_address(
    admin_client: Client, org_a: Tenant, outsider: User, django_capture_on_commit_callbacks
) -> None:
    invite(admin_client, org_a, "intended@example.test", Role.ADMIN, django_capture_on_commit_callbacks)
    browser = invited_browser(invitation_token(mail.outbox[0]), client_for(outsider))

    assert browser.get(ACCEPT).context["email_matches"] is False
    browser.post(ACCEPT)

    assert not Membership.objects.filter(user=outsider, organization=org_a.organization).exists()
    assert Invitation.objects.get(email="intended@example.test").accepted_at is None


def test_an_invitation_link_works_once(admin_client: Client, org_a: Tenant, django_capture_on_commit_callbacks) -> None:
    invite(admin_client, org_a, "newbie@example.test", Role.MEMBER, django_capture_on_commit_callbacks)
    token = invitation_token(mail.outbox[0])
    invited_browser(token).post(ACCEPT, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert open_invitation(Client(), token).status_code == 404


def test_an_expired_invitation_link_answers_404(org_a: Tenant) -> None:
    invitation = Invitation.objects.create(organization=org_a.organization, email="late@example.test")
    token = invitation_token_issue(invitation=invitation)
    Invitation.objects.filter(pk=invitation.pk).update(
        created_at=timezone.now() - INVITATION_VALIDITY - dt.timedelta(minutes=1)
    )

    assert open_invitation(Client(), token).status_code == 404


def test_an_unknown_invitation_token_answers_404(client: Client) -> None:
    assert open_invitation(client, "not-a-token").status_code == 404


def test_inviting_again_replaces_the_open_invitation(
    admin_client: Client, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    first = invite(admin_client, org_a, "twice@example.test", Role.MEMBER, django_capture_on_commit_callbacks)
    second = invite(admin_client, org_a, "twice@example.test", Role.VIEWER, django_capture_on_commit_callbacks)

    assert first is not None and second is not None
    assert list(Invitation.objects.filter(email="twice@example.test")) == [second]
    assert open_invitation(Client(), invitation_token(mail.outbox[0])).status_code == 404
    assert open_invitation(Client(), invitation_token(mail.outbox[1])).status_code == 302


def test_an_existing_member_cannot_be_invited(admin_client: Client, org_a: Tenant) -> None:
    response = admin_client.post(
        org_url("member_invite", org_a), {"email": org_a.member.email, "role": Role.ADMIN}, follow=True
    )

    assert not Invitation.objects.filter(email=org_a.member.email).exists()
    assert messages_of(response)


@pytest.mark.parametrize("persona", ["member", "viewer"])
def test_only_administrators_may_invite(org_a: Tenant, persona: str) -> None:
    client = client_for(getattr(org_a, persona))

    response = client.post(org_url("member_invite", org_a), {"email": "friend@example.test", "role": Role.VIEWER})

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_an_admin_cannot_invite_an_owner(admin_client: Client, org_a: Tenant) -> None:
    admin_client.post(org_url("member_invite", org_a), {"email": "boss@example.test", "role": Role.OWNER})

    assert not Invitation.objects.exists()


def test_an_owner_can_invite_another_owner(
    owner_client: Client, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    invitation = invite(owner_client, org_a, "partner@example.test", Role.OWNER, django_capture_on_commit_callbacks)

    assert invitation is not None and invitation.role == Role.OWNER


def test_an_admin_withdraws_an_invitation_and_its_link_stops_working(
    admin_client: Client, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    invitation = invite(admin_client, org_a, "oops@example.test", Role.MEMBER, django_capture_on_commit_callbacks)
    assert invitation is not None

    response = admin_client.post(org_url("invitation_revoke", org_a, invitation.public_id))

    assert response.status_code == 302
    assert not Invitation.objects.exists()
    assert open_invitation(Client(), invitation_token(mail.outbox[0])).status_code == 404


def test_a_member_cannot_withdraw_an_invitation(member_client: Client, org_a: Tenant) -> None:
    invitation = Invitation.objects.create(organization=org_a.organization, email="x@example.test")

    response = member_client.post(org_url("invitation_revoke", org_a, invitation.public_id))

    assert response.status_code == 403
    assert Invitation.objects.filter(pk=invitation.pk).exists()


# --- roles -------------------------------------------------------------------------------------


def test_an_admin_changes_a_members_role(admin_client: Client, org_a: Tenant) -> None:
    membership = membership_of(org_a.member, org_a)

    response = admin_client.post(org_url("member_role", org_a, membership.public_id), {"role": Role.VIEWER})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_an_admin_cannot_promote_anyone_to_owner(admin_client: Client, org_a: Tenant) -> None:
    membership = membership_of(org_a.member, org_a)

    response = admin_client.post(org_url("member_role", org_a, membership.public_id), {"role": Role.OWNER})

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


def test_an_admin_cannot_demote_an_owner(admin_client: Client, org_a: Tenant) -> None:
    membership = membership_of(org_a.owner, org_a)

    response = admin_client.post(org_url("member_role", org_a, membership.public_id), {"role": Role.MEMBER})

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_a_member_cannot_change_roles(member_client: Client, org_a: Tenant) -> None:
    membership = membership_of(org_a.viewer, org_a)

    response = member_client.post(org_url("member_role", org_a, membership.public_id), {"role": Role.ADMIN})

    assert response.status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER


def test_the_last_owner_cannot_be_demoted(owner_client: Client, org_a: Tenant) -> None:
    membership = membership_of(org_a.owner, org_a)

    response = owner_client.post(org_url("member_role", org_a, membership.public_id), {"role": Role.ADMIN}, follow=True)

    membership.refresh_from_db()
    assert membership.role == Role.OWNER
    assert messages_of(response)


def test_an_owner_can_step_down_when_another_owner_remains(owner_client: Client, org_a: Tenant) -> None:
    MembershipFactory(organization=org_a.organization, role=Role.OWNER)
    membership = membership_of(org_a.owner, org_a)

    owner_client.post(org_url("member_role", org_a, membership.public_id), {"role": Role.ADMIN})

    membership.refresh_from_db()
    assert membership.role == Role.ADMIN


def test_an_owner_makes_an_admin_owner(owner_client: Client, org_a: Tenant, admin: User) -> None:
    membership = membership_of(admin, org_a)

    owner_client.post(org_url("member_role", org_a, membership.public_id), {"role": Role.OWNER})

    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_an_unknown_role_changes_nothing(owner_client: Client, org_a: Tenant) -> None:
    membership = membership_of(org_a.member, org_a)

    owner_client.post(org_url("member_role", org_a, membership.public_id), {"role": "emperor"})

    membership.refresh_from_db()
    assert membership.role == Role.MEMBER


# --- removing and leaving ----------------------------------------------------------------------


def test_an_admin_removes_a_member_and_gets_the_invite_form_filled_in_to_undo_it(
    admin_client: Client, org_a: Tenant
) -> None:
    membership = membership_of(org_a.member, org_a)

    response = admin_client.post(org_url("member_remove", org_a, membership.public_id))

    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert response.status_code == 302
    page = admin_client.get(response.url)
    assert page.context["invite_form"].initial == {"email": org_a.member.email, "role": Role.MEMBER}


def test_an_admin_cannot_remove_an_owner(admin_client: Client, org_a: Tenant) -> None:
    membership = membership_of(org_a.owner, org_a)

    response = admin_client.post(org_url("member_remove", org_a, membership.public_id))

    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_a_member_cannot_remove_someone_else(member_client: Client, org_a: Tenant) -> None:
    membership = membership_of(org_a.viewer, org_a)

    response = member_client.post(org_url("member_remove", org_a, membership.public_id))

    assert response.status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_the_last_owner_cannot_be_removed_or_leave(owner_client: Client, org_a: Tenant) -> None:
    membership = membership_of(org_a.owner, org_a)

    response = owner_client.post(org_url("member_remove", org_a, membership.public_id), follow=True)

    assert Membership.objects.filter(pk=membership.pk).exists()
    assert messages_of(response)
    assert response.context["can_leave"] is False


def test_an_owner_removes_another_owner(owner_client: Client, org_a: Tenant) -> None:
    other = MembershipFactory(organization=org_a.organization, role=Role.OWNER)

    owner_client.post(org_url("member_remove", org_a, other.public_id))

    assert not Membership.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("persona", ["member", "viewer"])
def test_anyone_may_leave(org_a: Tenant, persona: str) -> None:
    user = getattr(org_a, persona)
    client = client_for(user)

    response = client.post(org_url("member_remove", org_a, membership_of(user, org_a).public_id))

    assert response.url == reverse("app_home")
    assert not Membership.objects.filter(user=user, organization=org_a.organization).exists()
    assert client.get(org_url("organization_settings", org_a)).status_code == 404


# --- the member list ---------------------------------------------------------------------------


def test_the_member_list_shows_everyone_to_every_member(viewer_client: Client, org_a: Tenant) -> None:
    response = viewer_client.get(org_url("member_list", org_a))

    assert response.status_code == 200
    shown = {row.membership.user for row in response.context["rows"]}
    assert shown == {org_a.owner, org_a.member, org_a.viewer}


def test_only_administrators_see_invitations_and_the_invite_form(
    owner_client: Client, member_client: Client, org_a: Tenant
) -> None:
    Invitation.objects.create(organization=org_a.organization, email="pending@example.test")

    as_owner = owner_client.get(org_url("member_list", org_a))
    as_member = member_client.get(org_url("member_list", org_a))

    assert "pending@example.test" in as_owner.content.decode()
    assert "invite_form" in as_owner.context
    assert "pending@example.test" not in as_member.content.decode()
    assert "invite_form" not in as_member.context
    assert not any(row.manageable for row in as_member.context["rows"])


def test_an_admin_may_manage_members_but_not_owners(admin_client: Client, org_a: Tenant, admin: User) -> None:
    response = admin_client.get(org_url("member_list", org_a))

    manageable = {row.membership.user for row in response.context["rows"] if row.manageable}
    assert manageable == {org_a.member, org_a.viewer}
    assert Role.OWNER not in dict(response.context["assignable_roles"])


def test_another_organizations_member_or_invitation_answers_404(
    owner_client: Client, org_a: Tenant, org_b: Tenant
) -> None:
    foreign_membership = membership_of(org_b.owner, org_b)
    foreign_invitation = Invitation.objects.create(organization=org_b.organization, email="b@example.test")

    assert (
        owner_client.post(
            org_url("member_role", org_a, foreign_membership.public_id), {"role": Role.VIEWER}
        ).status_code
        == 404
    )
    assert owner_client.post(org_url("member_remove", org_a, foreign_membership.public_id)).status_code == 404
    assert owner_client.post(org_url("invitation_revoke", org_a, foreign_invitation.public_id)).status_code == 404
    assert Membership.objects.filter(pk=foreign_membership.pk, role=Role.OWNER).exists()
    assert Invitation.objects.filter(pk=foreign_invitation.pk).exists()


# --- outsiders ---------------------------------------------------------------------------------


def organization_a_urls(tenant: Tenant) -> list[str]:
    membership = membership_of(tenant.member, tenant)
    invitation = Invitation.objects.create(organization=tenant.organization, email="pending@example.test")
    return [
        org_url("member_list", tenant),
        org_url("member_invite", tenant),
        org_url("member_role", tenant, membership.public_id),
        org_url("member_remove", tenant, membership.public_id),
        org_url("invitation_revoke", tenant, invitation.public_id),
        org_url("organization_settings", tenant),
    ]


def test_an_outsider_gets_404_on_every_member_and_settings_url(outsider_client: Client, org_a: Tenant) -> None:
    for url in organization_a_urls(org_a):
        assert outsider_client.get(url).status_code == 404, url
        assert outsider_client.post(url, {"role": Role.OWNER, "email": "me@example.test"}).status_code == 404, url
    assert Membership.objects.filter(organization=org_a.organization).count() == 3
    assert Invitation.objects.filter(organization=org_a.organization).count() == 1


def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, org_a: Tenant) -> None:
    response = client.get(org_url("member_list", org_a))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- choosing an organization ------------------------------------------------------------------


def test_a_user_in_two_organizations_sees_the_chooser_and_can_switch(org_a: Tenant, org_b: Tenant) -> None:
    MembershipFactory(user=org_a.member, organization=org_b.organization, role=Role.VIEWER)
    client = client_for(org_a.member)

    chooser = client.get(reverse("app_home"))

    assert chooser.status_code == 200
    html = chooser.content.decode()
    for tenant in (org_a, org_b):
        assert tenant.organization.name in html
        assert org_url("organization_home", tenant) in html
    for tenant in (org_a, org_b):
        page = client.get(org_url("member_list", tenant))
        assert page.status_code == 200
        assert page.context["organization"] == tenant.organization
        assert org_url("organization_home", org_a) in page.content.decode()  # the switcher
        assert org_url("organization_home", org_b) in page.content.decode()


def test_a_user_in_one_organization_goes_straight_to_it(owner_client: Client, org_a: Tenant) -> None:
    response = owner_client.get(reverse("app_home"))

    assert response.url == org_url("organization_home", org_a)


def test_a_user_without_an_organization_is_asked_to_start_one(client: Client) -> None:
    client.force_login(UserFactory())

    response = client.get(reverse("app_home"))

    assert response.url == reverse("organization_new")


def test_a_user_starts_a_new_organization_and_owns_it(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)

    assert client.get(reverse("organization_new")).status_code == 200
    response = client.post(
        reverse("organization_new"), {"name": "Delta Bouw B.V.", "kvk_number": "1234 5678", "default_language": "en"}
    )

    membership = Membership.objects.select_related("organization").get(user=user)
    assert membership.role == Role.OWNER
    assert membership.organization.name == "Delta Bouw B.V."
    assert membership.organization.kvk_number == "12345678"
    assert response.url == reverse("organization_home", args=[membership.organization.public_id])
