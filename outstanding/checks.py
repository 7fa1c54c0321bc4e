"""Production fails loudly: the settings rules and the Django system checks of the core.

Two moments, one purpose (a deployment that looks fine but sends mail to the console, links to
localhost or serves files to strangers must not start):

- :func:`production_settings_problems` is called by ``outstanding.settings`` at import when DEBUG is
  off: missing mail, a missing or plain-http public URL and no host names stop every process (web,
  worker, beat, ``manage.py``) with ``ImproperlyConfigured``, like a missing ``SECRET_KEY``.
- The system checks run with ``manage.py check`` (registered in ``OutstandingConfig.ready``, not
  here: the settings import this module): every ``FileField`` of our apps must store files under
  unguessable names (``outstanding.files``), and ``check --deploy`` warns about what is allowed but
  probably wrong in production.

The messages are for the operator reading a log, so they are English and say what to set.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from django.apps import AppConfig
from django.apps import apps as installed_apps
from django.conf import settings
from django.core import checks
from django.db import models
from django.http.request import validate_host

# E-mail backends that accept a message and deliver it to nobody.
NON_SENDING_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend": "consolemail:// prints mail to the console",
    "django.core.mail.backends.dummy.EmailBackend": "dummymail:// throws mail away",
    "django.core.mail.backends.locmem.EmailBackend": "memorymail:// keeps mail in memory",
}
FILE_EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
# A plain-http SITE_URL is accepted only on the machine itself (docker compose without TLS).
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
EXAMPLE_EMAIL_URL = "smtp+tls://user:password@smtp.example.com:587"


def production_settings_problems(
    *, email_url: str, email_config: dict[str, Any], site_url: str, allowed_hosts: Sequence[str]
) -> list[str]:
    """Everything that stops a start with DEBUG off, each with what to set; empty when all is well."""
    return [
        *email_problems(email_url=email_url, email_config=email_config),
        *site_url_problems(site_url),
        *([] if allowed_hosts else [allowed_hosts_problem()]),
    ]


def email_problems(*, email_url: str, email_config: dict[str, Any]) -> list[str]:
    if not email_url:
        return [
            "EMAIL_URL is not set, so mail (password resets, invitations, reminders) would only be printed "
            f"to the console. Set the SMTP server, e.g. EMAIL_URL={EXAMPLE_EMAIL_URL}."
        ]
    backend = email_config.get("EMAIL_BACKEND", "")
    if backend in NON_SENDING_EMAIL_BACKENDS:
        return [
            f"EMAIL_URL sends no mail ({NON_SENDING_EMAIL_BACKENDS[backend]}), yet reminders would count as "
            f"sent. Set the SMTP server, e.g. EMAIL_URL={EXAMPLE_EMAIL_URL}."
        ]
    folder = email_config.get("EMAIL_FILE_PATH", "")
    if backend == FILE_EMAIL_BACKEND and not Path(folder or "").is_absolute():
        return [
            f"EMAIL_URL writes mail to the relative folder {folder!r}: filemail:// needs an absolute path, "
            "written with four slashes, e.g. EMAIL_URL=filemail:////var/mail/outstanding."
        ]
    return []


def site_url_problems(site_url: str) -> list[str]:
    if not site_url:
        return [
            "SITE_URL is not set: links in e-mails (password resets, invitations, reminders) need the "
            "public address of this site, e.g. SITE_URL=https://outstanding.example.com."
        ]
    parts = urlsplit(site_url)
    if not parts.hostname or parts.path not in ("", "/") or parts.query or parts.fragment:
        return [f"SITE_URL={site_url} is not a scheme and host name, e.g. https://outstanding.example.com."]
    if parts.scheme == "https" or (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
        return []
    return [
        f"SITE_URL={site_url} must start with https://: links in e-mails would go over plain http "
        "(plain http is accepted only for localhost)."
    ]


def allowed_hosts_problem() -> str:
    return (
        "ALLOWED_HOSTS is not set, so every request would be refused. List the host names this site "
        "answers to, comma separated, e.g. ALLOWED_HOSTS=outstanding.example.com."
    )


# --- System checks ----------------------------------------------------------------------------------


def project_apps() -> Iterable[AppConfig]:
    """Our own apps (their code lives in the project), not Django's or a library's."""
    base = Path(settings.BASE_DIR).resolve()
    for app_config in installed_apps.get_app_configs():
        path = Path(app_config.path).resolve()
        if path.is_relative_to(base) and ".venv" not in path.relative_to(base).parts:
            yield app_config


def guessable_file_fields(app_configs: Iterable[AppConfig]) -> Iterable[models.FileField]:
    from outstanding.files import UnguessableName

    for app_config in app_configs:
        for model in app_config.get_models():
            for field in model._meta.local_fields:
                if isinstance(field, models.FileField) and not isinstance(field.upload_to, UnguessableName):
                    yield field


def check_file_names_unguessable(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[Any]:
    """A stored file's name must not be guessable: it is the last line of defence when a file ever
    becomes reachable at a URL, and it must not name the organization or the uploader's file."""
    return [
        checks.Error(
            f"{field.model._meta.label}.{field.name} stores files under guessable names.",
            hint='Use upload_to=UnguessableName("private/<kind>") from outstanding.files.',
            obj=field,
            id="outstanding.E001",
        )
        for field in guessable_file_fields(app_configs or project_apps())
    ]


def check_public_address(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[Any]:
    """What the settings allow but production should not have: links to a host this site refuses,
    links over plain http, mail from a development address."""
    found: list[Any] = []
    host = urlsplit(settings.SITE_URL).hostname or ""
    if host and not validate_host(host, settings.ALLOWED_HOSTS):
        found.append(
            checks.Warning(
                f"The host of SITE_URL ({host}) is not in ALLOWED_HOSTS: every link in an e-mail would be refused.",
                hint="Add it to ALLOWED_HOSTS.",
                id="outstanding.W001",
            )
        )
    if urlsplit(settings.SITE_URL).scheme != "https":
        found.append(
            checks.Warning(
                f"SITE_URL ({settings.SITE_URL}) is not https: links in e-mails work only on this machine.",
                id="outstanding.W002",
            )
        )
    if settings.DEFAULT_FROM_EMAIL.rstrip(">").endswith(".localhost"):
        found.append(
            checks.Warning(
                f"DEFAULT_FROM_EMAIL ({settings.DEFAULT_FROM_EMAIL}) is the development address; mail "
                "from it is refused or marked as spam.",
                hint="Set DEFAULT_FROM_EMAIL to an address of your own domain.",
                id="outstanding.W003",
            )
        )
    return found
