"""Model fields of our own."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"


@lru_cache(maxsize=4)
def _fernet(key: str, secret_key: str) -> Fernet:
    if key:
        return Fernet(key.encode())
    # No dedicated key: derive one from SECRET_KEY (rotating SECRET_KEY then needs a reconnect).
    derived = hashlib.sha256(f"outstanding-field-encryption:{secret_key}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(derived))


def fernet() -> Fernet:
    try:
        return _fernet(settings.FIELD_ENCRYPTION_KEY, settings.SECRET_KEY)
    except ValueError as exc:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be 32 url-safe base64-encoded bytes") from exc


class EncryptedTextField(models.TextField):
    """Text encrypted at rest (Fernet: AES with an HMAC), for secrets such as OAuth tokens.

    The code reads and writes plain strings; the column holds ``fernet:<token>``. A value without the
    prefix (stored before encryption) is read as it is and encrypted on the next save. Lookups on the
    column are meaningless: never filter on it.
    """

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if not value or not value.startswith(PREFIX):
            return value
        try:
            return fernet().decrypt(value[len(PREFIX) :].encode()).decode()
        except InvalidToken as exc:
            raise ImproperlyConfigured(
                "An encrypted value cannot be read with this FIELD_ENCRYPTION_KEY/SECRET_KEY."
            ) from exc

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if not value or str(value).startswith(PREFIX):
            return value
        return PREFIX + fernet().encrypt(str(value).encode()).decode()
