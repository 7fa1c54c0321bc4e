"""allauth's e-mails speak for the product, not for the host name a request happened to come in on.

Without ``django.contrib.sites`` allauth names the site after the request's host ("Hallo van
localhost:8821!"). :class:`AccountAdapter` gives every account e-mail the product's name
(``settings.SITE_NAME``) and public address (``settings.SITE_URL``) instead; the wording itself is ours,
in ``templates/account/email/``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


@dataclass(frozen=True)
class ProductSite:
    """What allauth's templates read from ``current_site``."""

    name: str
    domain: str
    url: str


def product_site() -> ProductSite:
    url = settings.SITE_URL
    return ProductSite(name=settings.SITE_NAME, domain=url.split("://", 1)[-1], url=url)


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        super().send_mail(template_prefix, email, {**context, "current_site": product_site()})
