"""Writes on organizations, memberships and invitations."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from outstanding.models import (
    Invitation,
    Membership,
    Organization,
    Role,
    User,
    invitation_token_generate,
    invitation_token_hash,
)

logger = logging.getLogger(__name__)

# Issued tokens are 43 characters; anything much longer is not worth hashing.
INVITATION_TOKEN_MAX_LENGTH = 128

ORGANIZATION_FIELDS = {
    "legal_name",
    "street",
    "postal_code",
    "city",
    "country",
    "kvk_number",
    "vat_id",
    "iban",
    "email",
    "phone",
    "time_zone",
    "default_language",
}


@transaction.atomic
def organization_create(*, name: str, owner: User, **fields: Any) -> Organization:
    """A new tenant with ``owner`` as its first member."""
    unknown = set(fields) - ORGANIZATION_FIELDS
    if unknown:
        raise TypeError(f"unknown organization fields: {sorted(unknown)}")
    organization = Organization(name=name.strip(), **fields)
    organization.full_clean()
    organization.save()
    Membership.objects.create(user=owner, organization=organization, role=Role.OWNER)
    organization_defaults_install(organization)
    logger.info("organization.created", extra={"organization": str(organization.public_id)})
    return organization


def organization_defaults_install(organization: Organization) -> None:
    """Give a new organization its defaults: each app's ``organization_created`` hook (the reminders
    app adds dunning settings, flows and templates). Safe to call again."""
    from django.apps import apps

    for config in apps.get_app_configs():
        hook = getattr(config, "organization_created", None)
        if hook is not None:
            hook(organization)


def user_get_or_create(*, email: str, password: str | None = None) -> tuple[User, bool]:
    """The user with this e-mail (case-insensitive), created with a verified address when new."""
    from allauth.account.models import EmailAddress

    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if user is None:
        user = User.objects.create_user(email=email, password=password)
    elif password:
        user.set_password(password)
        user.save(update_fields=["password"])
    EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
    return user, created


def _lock_owners(organization: Organization) -> int:
    """Lock the organization's owner rows and count them.

    Two owners demoting or removing each other at the same moment must not leave the organization
    without an owner, so every change that can lose an owner takes these locks first.
    """
    return len(Membership.objects.select_for_update().filter(organization=organization, role=Role.OWNER))


def membership_may_manage(*, actor: Membership, role: str) -> bool:
    """Admins manage members up to admin; only owners touch owners (or make someone one)."""
    return actor.can_manage and Role.rank(role) <= Role.rank(actor.role)


def _check_may_manage(actor: Membership, role: str) -> None:
    if not membership_may_manage(actor=actor, role=role):
        raise PermissionDenied


@transaction.atomic
def invitation_create(*, actor: Membership, email: str, role: str) -> Invitation:
    """Invite ``email`` with ``role``; a new invitation replaces an open one for the same address."""
    _check_may_manage(actor, role)
    organization = actor.organization
    email = email.strip().lower()
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    Invitation.objects.filter(organization=organization, email__iexact=email, accepted_at__isnull=True).delete()
    invitation = Invitation.objects.create(organization=organization, email=email, role=role, invited_by=actor.user)
    from outstanding.tasks import invitation_send

    transaction.on_commit(lambda: invitation_send.delay(invitation.pk))
    logger.info("invitation.created", extra={"invitation": str(invitation.public_id), "role": role})
    return invitation


def invitation_token_issue(*, invitation: Invitation) -> str:
    """A new token for ``invitation`` (any earlier one stops working); the caller e-mails it.

    The plain token exists only here and in the e-mail; the row keeps its hash.
    """
    token = invitation_token_generate()
    invitation.token_hash = invitation_token_hash(token)
    invitation.save(update_fields=["token_hash"])
    return token


def invitation_by_token(*, token: str) -> Invitation | None:
    """The open invitation this token opens: None when unknown, used, withdrawn or expired."""
    token = token.strip()
    if not token or len(token) > INVITATION_TOKEN_MAX_LENGTH:
        return None
    invitation = (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(token_hash=invitation_token_hash(token))
        .first()
    )
    return invitation if invitation is not None and invitation.is_open else None


def invitation_revoke(*, actor: Membership, invitation: Invitation) -> None:
    """Withdraw an invitation that was not accepted yet; its link stops working at once."""
    _check_may_manage(actor, invitation.role)
    invitation.delete()
    logger.info("invitation.revoked", extra={"invitation": str(invitation.public_id)})


@transaction.atomic
def invitation_accept(*, invitation: Invitation, user: User) -> Membership:
    if not invitation.is_open:
        raise ValidationError(_("This invitation has expired or was already used."))
    if user.email.lower() != invitation.email.lower():
        raise ValidationError(_("This invitation was sent to another e-mail address."))
    membership, _created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    logger.info("invitation.accepted", extra={"invitation": str(invitation.public_id)})
    return membership


@transaction.atomic
def membership_change_role(*, actor: Membership, membership: Membership, role: str) -> Membership:
    _check_may_manage(actor, max(role, membership.role, key=Role.rank))
    if membership.role == Role.OWNER and role != Role.OWNER and _lock_owners(membership.organization) == 1:
        raise ValidationError(_("An organization needs at least one owner."))
    membership.role = role
    membership.save(update_fields=["role"])
    logger.info("membership.role_changed", extra={"membership": str(membership.public_id), "role": role})
    return membership


@transaction.atomic
def membership_remove(*, actor: Membership, membership: Membership) -> None:
    """An admin removes someone (up to their own role); anyone may remove themselves (leave)."""
    if membership.pk != actor.pk:
        _check_may_manage(actor, membership.role)
    if membership.role == Role.OWNER and _lock_owners(membership.organization) == 1:
        raise ValidationError(_("An organization needs at least one owner."))
    membership.delete()
    logger.info("membership.removed", extra={"membership": str(membership.public_id)})
