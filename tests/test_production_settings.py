"""Production fails loudly: a start with DEBUG off and no real mail, public address or host names stops
with a message; a complete configuration passes ``check --deploy`` without a warning; /health/ answers
load balancers over plain http."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import environ
import pytest
from django.test import Client

from outstanding.checks import check_public_address, production_settings_problems

ROOT = Path(__file__).resolve().parent.parent
# A complete production configuration (DATABASE_URL and REDIS_URL come from the test's environment).
PRODUCTION = {
    "DEBUG": "0",
    "TESTING": "0",
    "SECRET_KEY": "k3Q9-production-like-secret-key-for-tests-0123456789abcdefghijkl",
    "ALLOWED_HOSTS": "outstanding.example.com",
    "SITE_URL": "https://outstanding.example.com",
    "EMAIL_URL": "smtp+tls://user:password@smtp.example.com:587",
    "DEFAULT_FROM_EMAIL": "Outstanding <no-reply@outstanding.example.com>",
    "DJANGO_SETTINGS_MODULE": "outstanding.settings",
}
SETUP = [sys.executable, "-c", "import django; django.setup()"]
email_config = environ.Env.email_url_config


def run(command: list[str], **overrides: str | None) -> subprocess.CompletedProcess[str]:
    """``command`` in a fresh process with the production configuration; ``None`` unsets a variable."""
    env = {key: value for key, value in os.environ.items() if key not in PRODUCTION}
    env.update(PRODUCTION)
    for key, value in overrides.items():
        env.pop(key, None)
        if value is not None:
            env[key] = value
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


# --- Refusing to start ------------------------------------------------------------------------------


def test_a_complete_production_configuration_starts() -> None:
    result = run(SETUP)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"EMAIL_URL": None}, "EMAIL_URL is not set"),
        ({"EMAIL_URL": ""}, "EMAIL_URL is not set"),
        ({"EMAIL_URL": "consolemail://"}, "consolemail:// prints mail to the console"),
        ({"EMAIL_URL": "dummymail://"}, "dummymail:// throws mail away"),
        ({"EMAIL_URL": "memorymail://"}, "memorymail:// keeps mail in memory"),
        ({"EMAIL_URL": "filemail:///var/mail/outstanding"}, "relative folder 'var/mail/outstanding'"),
        ({"SITE_URL": None}, "SITE_URL is not set"),
        ({"SITE_URL": "http://outstanding.example.com"}, "must start with https://"),
        ({"SITE_URL": "https://"}, "is not a scheme and host name"),
        ({"SITE_URL": "https://outstanding.example.com/app"}, "is not a scheme and host name"),
        ({"ALLOWED_HOSTS": None}, "ALLOWED_HOSTS is not set"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS is not set"),
    ],
)
def test_production_refuses_to_start_with_a_clear_message(overrides: dict[str, str | None], message: str) -> None:
    result = run(SETUP, **overrides)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_every_problem_is_named_at_once() -> None:
    result = run(SETUP, EMAIL_URL=None, SITE_URL=None, ALLOWED_HOSTS=None)
    assert result.returncode != 0
    for message in ("EMAIL_URL is not set", "SITE_URL is not set", "ALLOWED_HOSTS is not set"):
        assert message in result.stderr


def test_manage_py_refuses_too() -> None:
    result = run([sys.executable, "manage.py", "check"], EMAIL_URL="consolemail://")
    assert result.returncode != 0
    assert "EMAIL_URL sends no mail" in result.stderr


def test_with_debug_on_the_development_defaults_still_start() -> None:
    result = run(SETUP, DEBUG="1", EMAIL_URL=None, SITE_URL=None, ALLOWED_HOSTS=None, SECRET_KEY=None)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    "email_url",
    ["smtp://mail.example.com:25", "smtp+ssl://user:password@mail.example.com:465", "filemail:////var/mail/x"],
)
def test_real_mail_is_accepted(email_url: str) -> None:
    problems = production_settings_problems(
        email_url=email_url,
        email_config=email_config(email_url),
        site_url="https://outstanding.example.com",
        allowed_hosts=["outstanding.example.com"],
    )
    assert problems == []


@pytest.mark.parametrize(
    ("site_url", "accepted"),
    [
        ("https://outstanding.example.com", True),
        ("https://outstanding.example.com/", True),
        ("https://outstanding.example.com:8443", True),
        # On the machine itself (docker compose without TLS) plain http is accepted...
        ("http://localhost:8000", True),
        ("http://127.0.0.1:8000", True),
        ("http://[::1]:8000", True),
        # ...but not one step beyond it.
        ("http://localhost.example.com", False),
        ("http://10.0.0.5:8000", False),
        ("ftp://outstanding.example.com", False),
        ("outstanding.example.com", False),
        ("https://outstanding.example.com?next=/", False),
    ],
)
def test_site_url_must_be_https(site_url: str, accepted: bool) -> None:
    problems = production_settings_problems(
        email_url="smtp://mail.example.com:25",
        email_config={"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
        site_url=site_url,
        allowed_hosts=["outstanding.example.com"],
    )
    assert (problems == []) is accepted, problems


def test_filemail_with_four_slashes_is_an_absolute_folder() -> None:
    """The rule .env.example explains: filemail:///x is the relative folder x, filemail:////x is /x."""
    assert email_config("filemail:////var/mail/outstanding")["EMAIL_FILE_PATH"] == "/var/mail/outstanding"
    assert email_config("filemail:///var/mail/outstanding")["EMAIL_FILE_PATH"] == "var/mail/outstanding"


# --- check --deploy ---------------------------------------------------------------------------------


def test_a_complete_production_configuration_passes_check_deploy_without_a_warning() -> None:
    result = run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"])
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_check_deploy_warns_about_a_site_url_this_site_refuses(settings) -> None:
    settings.SITE_URL = "https://outstanding.example.com"
    settings.ALLOWED_HOSTS = ["app.example.com"]
    settings.DEFAULT_FROM_EMAIL = "Outstanding <no-reply@outstanding.example.com>"
    assert [warning.id for warning in check_public_address()] == ["outstanding.W001"]


def test_check_deploy_warns_about_plain_http_and_the_development_sender(settings) -> None:
    settings.SITE_URL = "http://localhost:8000"
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.DEFAULT_FROM_EMAIL = "Outstanding <no-reply@outstanding.localhost>"
    assert [warning.id for warning in check_public_address()] == ["outstanding.W002", "outstanding.W003"]


def test_check_deploy_is_quiet_for_a_complete_configuration(settings) -> None:
    settings.SITE_URL = "https://outstanding.example.com"
    settings.ALLOWED_HOSTS = [".example.com"]
    settings.DEFAULT_FROM_EMAIL = "no-reply@outstanding.example.com"
    assert check_public_address() == []


# --- /health/ ---------------------------------------------------------------------------------------


@pytest.fixture
def ssl_redirect(settings) -> None:
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["outstanding.example.com"]


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "head"])
def test_health_answers_200_over_plain_http(ssl_redirect, method: str) -> None:
    response = getattr(Client(), method)("/health/", HTTP_HOST="outstanding.example.com")
    assert response.status_code == 200
    if method == "get":
        assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_health_answers_a_load_balancer_that_calls_the_instance_by_its_address(ssl_redirect) -> None:
    assert Client().get("/health/", HTTP_HOST="10.0.0.7:8000").status_code == 200


@pytest.mark.django_db
def test_every_other_page_still_redirects_to_https_and_checks_the_host(ssl_redirect) -> None:
    client = Client()
    redirected = client.get("/accounts/login/", HTTP_HOST="outstanding.example.com")
    assert redirected.status_code == 301
    assert redirected["Location"] == "https://outstanding.example.com/accounts/login/"
    assert client.get("/accounts/login/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    assert client.get("/health/x", HTTP_HOST="outstanding.example.com").status_code == 301
