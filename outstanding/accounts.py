"""allauth, fitted to the product: account e-mails, the lockout key, the client address, staff admin.

**E-mails.** Without ``django.contrib.sites`` allauth names the site after the request's host ("Hallo
van localhost:8821!"). :class:`AccountAdapter` gives every account e-mail the product's name
(``settings.SITE_NAME``) and public address (``settings.SITE_URL``) instead; the wording itself is ours,
in ``templates/account/email/``.

**Lockout.** allauth counts failed logins per address and per "key", and checks the count *before* the
password, so with the e-mail address as the key anyone who knows an address could keep its owner out
by failing five times every five minutes. Our key is the address *and* the account: an attacker is
slowed down (5 tries per 5 minutes per account, 10 per minute in all from one address) while the real
user, elsewhere, still logs in with the right password.

**Staff admin.** ``/admin/login/`` is allauth's login (with its rate limits and two factors), and
:func:`staff_may_use_admin` lets staff in only when this session passed the second factor
(``STAFF_REQUIRE_MFA``, always on without DEBUG). Staff see every tenant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from outstanding.http import client_address


@dataclass(frozen=True)
class ProductSite:
    """What allauth's templates read from ``current_site``."""

    name: str
    domain: str
    url: str


def product_site() -> ProductSite:
    url = settings.SITE_URL
    return ProductSite(name=settings.SITE_NAME, domain=url.split("://", 1)[-1], url=url)


def login_attempts_key(*, address: str, login: str) -> str:
    """What allauth's per-key login limit counts: one account tried from one address."""
    return f"{address}:{login.strip().lower()}"


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": product_site()})

    def get_client_ip(self, request: HttpRequest) -> str:
        address = client_address(request)
        if address is None:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth's hook for the "key" of ACCOUNT_RATE_LIMITS["login_failed"]; see the module docstring.
        login = credentials.get("email", credentials.get("username", ""))
        return login_attempts_key(address=self.get_client_ip(request), login=str(login))


# --- Staff admin ----------------------------------------------------------------------------------


def staff_has_second_factor(user: Any) -> bool:
    return bool(is_mfa_enabled(user, [Authenticator.Type.TOTP]))


def session_passed_second_factor(request: HttpRequest) -> bool:
    """Whether this session's login (or a later re-authentication) used TOTP or a recovery code."""
    records = get_authentication_records(request, request.user)  # type: ignore[arg-type]
    return any(record.get("method") == "mfa" for record in records)


def staff_may_use_admin(request: HttpRequest) -> bool:
    """Active staff, and, when ``STAFF_REQUIRE_MFA``, logged in with their second factor."""
    user = request.user
    if not (user.is_active and user.is_staff):
        return False
    if not settings.STAFF_REQUIRE_MFA:
        return True
    return staff_has_second_factor(user) and session_passed_second_factor(request)
