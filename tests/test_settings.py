"""Settings come from the environment, and every variable is documented in .env.example."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_environment_variable_the_settings_read_is_in_env_example() -> None:
    settings_source = (ROOT / "outstanding" / "settings.py").read_text()
    read = set(re.findall(r'env\.\w+\(\s*"([A-Z_]+)"', settings_source))
    documented = set(re.findall(r"^([A-Z_]+)=", (ROOT / ".env.example").read_text(), flags=re.MULTILINE))
    assert read, "no env reads found"
    assert read <= documented, f"undocumented in .env.example: {sorted(read - documented)}"


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("SECRET_KEY", "DEBUG", "TESTING")}
    env.update(DEBUG="0", TESTING="0", DJANGO_SETTINGS_MODULE="outstanding.settings")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_settings_are_secure() -> None:
    env = {key: value for key, value in os.environ.items() if key not in ("DEBUG", "TESTING")}
    env.update(DEBUG="0", TESTING="0", SECRET_KEY="x" * 50, DJANGO_SETTINGS_MODULE="outstanding.settings")
    # What production cannot start without (tests/test_production_settings.py).
    env.update(
        ALLOWED_HOSTS="outstanding.example.com",
        SITE_URL="https://outstanding.example.com",
        EMAIL_URL="smtp://mail.example.com:25",
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS > 0, s.SECURE_SSL_REDIRECT, "
        "s.CONTENT_SECURITY_POLICY_ENABLED, s.DEBUG)"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.stdout.split() == ["True", "True", "True", "True", "True", "False"], result.stderr
