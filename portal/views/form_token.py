"""The portal's stand-in for Django's CSRF token: a signed, dated value in each form it renders.

Django's CSRF check needs a cookie and the portal sets none (no account, no session). The token in the
URL is already a secret a forging site cannot know, so a forged POST is not possible without the link
itself; the form token adds that a POST comes from a form we rendered recently *for this link* (a
stale tab after the link was replaced, a replayed form of another link, a blind POST all fail). It is
bound to the link's token hash, signed with SECRET_KEY and dated, so nothing is stored.
"""

from __future__ import annotations

from django.core import signing

from portal.models import PortalAccess

FORM_TOKEN_SALT = "portal.form"  # noqa: S105 (a signing namespace, not a secret)
FORM_TOKEN_MAX_AGE_SECONDS = 24 * 3600  # a page left open for a day asks to try again


def portal_form_token(access: PortalAccess) -> str:
    return signing.TimestampSigner(salt=FORM_TOKEN_SALT).sign(access.token_hash)


def portal_form_token_valid(access: PortalAccess, value: str) -> bool:
    try:
        signed = signing.TimestampSigner(salt=FORM_TOKEN_SALT).unsign(value, max_age=FORM_TOKEN_MAX_AGE_SECONDS)
    except signing.BadSignature:  # SignatureExpired is one too
        return False
    return signed == access.token_hash
