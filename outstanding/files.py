"""Where stored files live and what they are called.

Two kinds of files, kept apart on disk and in how they are reached:

- **Private** files (imports, invoice PDFs, letters, print batches, later proofs) live under
  ``MEDIA_ROOT/private/`` and are never served at a URL of their own: only views that first resolve
  the organization for the logged-in member hand them out (``outstanding.access.stored_file_or_404``).
  ``MEDIA_URL`` is served by nothing, in DEBUG neither.
- **Public** assets (organization logos, shown in e-mails to debtors) live under ``MEDIA_ROOT/public/``
  in the ``public`` storage, whose URLs are ``/public/...``; ``outstanding.asset_views`` serves them
  without a login, with long caching.

Every name gets a random component (:class:`UnguessableName`) and no organization in its path, so
neither a URL nor a directory listing tells who a file belongs to or where the next one is.
``outstanding.checks`` refuses a ``FileField`` in our apps that does not use it.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from pathlib import PurePosixPath
from typing import Any

from django.core.files.storage import Storage, storages
from django.utils.deconstruct import deconstructible

# 16 random bytes (128 bits) as 22 url-safe characters: not guessable, not enumerable.
NAME_TOKEN_BYTES = 16
LOGO_FOLDER = "public/logos"
# What e-mail clients show; Pillow validates the content on upload (ImageField).
LOGO_CONTENT_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
}
_SAFE_SUFFIX = re.compile(r"^\.[a-z0-9]{1,10}$")


@deconstructible(path="outstanding.files.UnguessableName")
class UnguessableName:
    """``upload_to`` that throws the uploaded name away: ``<folder>/[YYYY/MM/]<random>.<ext>``.

    The uploader's file name (which often names the debtor or the creditor) is kept, where it matters,
    in a model field of its own (``ImportJob.filename``), never in the path.
    """

    def __init__(self, folder: str, *, dated: bool = True) -> None:
        self.folder = folder.strip("/")
        self.dated = dated

    def __call__(self, instance: Any, filename: str) -> str:
        suffix = PurePosixPath(filename).suffix.lower()
        suffix = suffix if _SAFE_SUFFIX.match(suffix) else ""
        folder = f"{self.folder}/{dt.date.today():%Y/%m}" if self.dated else self.folder
        return f"{folder}/{secrets.token_urlsafe(NAME_TOKEN_BYTES)}{suffix}"


def public_storage() -> Storage:
    """The storage of public assets (``STORAGES["public"]``): a callable, so a migration names it
    instead of freezing its options."""
    return storages["public"]


def logo_content_type(name: str) -> str | None:
    """The content type a logo is served with; ``None`` for a kind we do not serve."""
    return LOGO_CONTENT_TYPES.get(PurePosixPath(name).suffix.lower().lstrip("."))


def logo_files_rename(apps: Any, schema_editor: Any) -> None:
    """Data migration: move logos uploaded before names were unguessable (``logos/<their name>``)
    to ``public/logos/<random>.<ext>``, where the public logo view finds them."""
    organization_model = apps.get_model("outstanding", "Organization")
    for organization in organization_model.objects.exclude(logo="").exclude(logo__startswith=f"{LOGO_FOLDER}/"):
        old = organization.logo.name
        try:
            with organization.logo.storage.open(old, "rb") as content:
                organization.logo.save(PurePosixPath(old).name, content, save=False)
        except FileNotFoundError:  # gone from disk: nothing to show anyway
            organization.logo = ""
        organization.save(update_fields=["logo"])
        organization.logo.storage.delete(old)
