"""API keys: create, revoke, authenticate. Only a SHA-256 hash of a key is ever stored.

A key looks like ``ost_`` + 40 URL-safe characters (240 random bits). Its first 12 characters are kept
in clear as ``prefix`` so a creditor can tell keys apart in the settings page; the rest exists only
on the screen that shows it once, and in the creditor's integration.

Authentication hashes the presented key and looks the hash up: an attacker's guess is compared as a
hash in an index, so response times tell nothing about how much of a real key was right.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from outstanding.models import ApiKey, ApiKeyAccess, Organization, User

logger = logging.getLogger(__name__)

KEY_PREFIX = "ost_"
KEY_RANDOM_BYTES = 30  # token_urlsafe(30) is exactly 40 characters
PREFIX_LENGTH = 12
# A key is at most this long; anything longer is refused before hashing.
MAX_KEY_LENGTH = 100
# last_used_at is informative, not an audit trail: one write a minute per key instead of one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
NAME_MAX_LENGTH = int(ApiKey._meta.get_field("name").max_length or 0)


def api_key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def api_key_create(
    *, organization: Organization, name: str, access: str, created_by: User | None
) -> tuple[ApiKey, str]:
    """A new key for ``organization``. Returns (key, raw): show ``raw`` once, it cannot be recovered."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the key a name, e.g. the system that uses it.")})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": _("Keep the name to %(max)d characters or fewer.") % {"max": NAME_MAX_LENGTH}})
    if access not in ApiKeyAccess.values:
        raise ValidationError({"access": _("Choose read only or read and write.")})
    raw = KEY_PREFIX + secrets.token_urlsafe(KEY_RANDOM_BYTES)
    api_key = ApiKey.objects.create(
        organization=organization,
        name=name,
        access=access,
        prefix=raw[:PREFIX_LENGTH],
        hashed_key=api_key_hash(raw),
        created_by=created_by,
    )
    logger.info("api_key.created", extra={"api_key": api_key.pk, "organization": organization.pk, "access": access})
    return api_key, raw


def api_key_revoke(*, api_key: ApiKey) -> ApiKey:
    """Refuse the key from now on. Revoking twice keeps the first moment."""
    now = timezone.now()
    # Conditional update: two admins revoking at once both succeed and the first time stays.
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=now)
    api_key.refresh_from_db(fields=["revoked_at"])
    logger.info("api_key.revoked", extra={"api_key": api_key.pk, "organization": api_key.organization_id})
    return api_key


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The active key ``raw`` stands for, with its organization; None for unknown or revoked keys."""
    if not raw.startswith(KEY_PREFIX) or len(raw) > MAX_KEY_LENGTH:
        return None
    api_key = ApiKey.objects.select_related("organization").filter(hashed_key=api_key_hash(raw)).first()
    if api_key is None or not api_key.is_active:
        return None
    _touch(api_key)
    return api_key


def _touch(api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is not None and now - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    # Conditional: of many parallel requests only one writes within the minute.
    ApiKey.objects.filter(stale, pk=api_key.pk).update(last_used_at=now)
    api_key.last_used_at = now
