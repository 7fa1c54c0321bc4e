"""Stored files: what an organization keeps (its quota) and the files no row points to (the sweep).

Files are found through the models, not through a list kept here: every ``FileField`` of a tenant
model (imports, invoice PDFs, letters, print batches) counts towards its organization's quota, and
the directories those fields upload to are the private directories the sweep cleans. A new kind of
stored file is covered the day its model gets the field.

There is no size column, so the usage is the files' sizes on disk, summed over the organization's
rows (one query per file field) and cached for a few minutes; an upload adds its own size to the
cached figure, so two uploads in a row cannot both squeeze under the quota.

The sweep is cross-tenant on purpose (a beat task): a file that no row of any model points to and
that is older than ``STORAGE_ORPHAN_MIN_AGE_SECONDS`` is the leftover of an upload that was refused
or killed halfway (the row is written after the file), so it is deleted. The age keeps it away from a
file whose row is being written right now. Django's temporary upload files (``tmp*.upload*``) left by
a killed request are removed from the upload temp directory the same way.
"""

from __future__ import annotations

import datetime as dt
import logging
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import Storage
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from outstanding.models import Organization
from outstanding.tenancy import TenantModel

logger = logging.getLogger(__name__)

DEFAULT_QUOTA_BYTES = 1024 * 1024 * 1024
DEFAULT_ORPHAN_MIN_AGE_SECONDS = 60 * 60
USAGE_CACHE_SECONDS = 5 * 60
TEMPORARY_UPLOAD_PATTERN = "tmp*.upload*"  # django.core.files.uploadedfile.TemporaryUploadedFile


class StorageQuotaExceeded(ValueError):
    """The organization's stored files plus this one would pass its quota; the message says what to do."""


FileFieldOf = tuple[type[models.Model], models.FileField]


def tenant_file_fields() -> list[FileFieldOf]:
    """Every file field of a tenant model: the files an organization keeps."""
    return [(model, field) for model, field in _file_fields() if issubclass(model, TenantModel)]


def _file_fields() -> list[FileFieldOf]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]


# --- Quota ----------------------------------------------------------------------------------------


def quota_bytes() -> int:
    return int(getattr(settings, "ORGANIZATION_STORAGE_QUOTA_BYTES", DEFAULT_QUOTA_BYTES))


def organization_storage_used(*, organization: Organization) -> int:
    """Bytes the organization's stored files take, from the cache when it was summed in the last minutes."""
    key = _usage_key(organization)
    cached = _cache_get(key)
    if cached is not None:
        return cached
    used = sum(_organization_file_sizes(organization))
    _cache_set(key, used)
    return used


def storage_quota_check(*, organization: Organization, incoming_bytes: int) -> None:
    """Raise StorageQuotaExceeded when ``incoming_bytes`` more would pass the organization's quota."""
    quota, used = quota_bytes(), organization_storage_used(organization=organization)
    if used + incoming_bytes > quota:
        raise StorageQuotaExceeded(
            _(
                "This file (%(size)s) does not fit in your organization's storage: %(used)s of %(quota)s is in "
                "use. Contact support to raise the limit."
            )
            % {"size": filesizeformat(incoming_bytes), "used": filesizeformat(used), "quota": filesizeformat(quota)}
        )


def storage_usage_add(*, organization: Organization, added_bytes: int) -> None:
    """Count a file just stored in the cached usage (until the next full sum)."""
    key = _usage_key(organization)
    cached = _cache_get(key)
    if cached is not None:
        _cache_set(key, cached + added_bytes)


def _organization_file_sizes(organization: Organization) -> Iterator[int]:
    for model, field in tenant_file_fields():
        names = (
            model.objects.for_organization(organization)  # type: ignore[attr-defined]
            .exclude(**{field.name: ""})
            .values_list(field.name, flat=True)
        )
        for name in names.iterator(chunk_size=2000):
            yield _size(field.storage, name)


def _usage_key(organization: Organization) -> str:
    return f"storage:used:{organization.pk}"


def _cache_get(key: str) -> int | None:
    try:
        value = cache.get(key)
    except Exception:  # a cache hiccup means summing again, not refusing the upload
        logger.warning("storage.cache_unavailable")
        return None
    return None if value is None else int(value)


def _cache_set(key: str, value: int) -> None:
    try:
        cache.set(key, value, USAGE_CACHE_SECONDS)
    except Exception:  # see _cache_get
        logger.warning("storage.cache_unavailable")


def _size(storage: Storage, name: str) -> int:
    try:
        return storage.size(name)
    except (OSError, ValueError):  # a file missing from disk takes no room
        return 0


# --- Orphans --------------------------------------------------------------------------------------


@dataclass
class SweepResult:
    files: int = 0
    bytes: int = 0

    def add(self, size: int) -> None:
        self.files, self.bytes = self.files + 1, self.bytes + size


def orphan_min_age() -> dt.timedelta:
    seconds = getattr(settings, "STORAGE_ORPHAN_MIN_AGE_SECONDS", DEFAULT_ORPHAN_MIN_AGE_SECONDS)
    return dt.timedelta(seconds=int(seconds))


def orphan_files_sweep(*, now: dt.datetime | None = None) -> SweepResult:
    """Delete private stored files no row points to and stale temporary uploads, older than the minimum age."""
    cutoff = (now or timezone.now()) - orphan_min_age()
    result = SweepResult()
    for storage, directory in _private_directories():
        referenced = _referenced_names(storage)
        for name in _walk(storage, directory):
            if name not in referenced and _modified_before(storage, name, cutoff):
                size = _size(storage, name)
                storage.delete(name)
                result.add(size)
    _temporary_uploads_sweep(cutoff, result)
    logger.info("storage.orphans_swept", extra={"files": result.files, "bytes": result.bytes})
    return result


def _private_directories() -> list[tuple[Storage, str]]:
    """The folder each tenant file field uploads to: ``UnguessableName("private/imports")`` -> "private/imports",
    "imports/%Y/%m/" -> "imports"."""
    directories: dict[tuple[int, str], tuple[Storage, str]] = {}
    for _model, field in tenant_file_fields():
        directory = _upload_folder(field.upload_to)
        if directory:  # never the root of the storage, nor a folder we cannot tell
            directories.setdefault((id(field.storage), directory), (field.storage, directory))
    return list(directories.values())


def _upload_folder(upload_to: object) -> str:
    folder = getattr(upload_to, "folder", None)  # outstanding.files.UnguessableName
    if isinstance(folder, str):
        return folder.strip("/")
    if isinstance(upload_to, str):
        return upload_to.split("%", 1)[0].rsplit("/", 1)[0].strip("/")
    return ""


def _referenced_names(storage: Storage) -> set[str]:
    """Every name any row of any model points to in ``storage`` (cross-tenant on purpose)."""
    names: set[str] = set()
    for model, field in _file_fields():
        if field.storage is not storage:
            continue
        rows = model._default_manager.exclude(**{field.name: ""}).values_list(field.name, flat=True)
        names.update(rows.iterator(chunk_size=5000))
    return names


def _walk(storage: Storage, directory: str) -> Iterator[str]:
    try:
        subdirectories, files = storage.listdir(directory)
    except (FileNotFoundError, NotADirectoryError):
        return
    for name in files:
        yield f"{directory}/{name}"
    for subdirectory in subdirectories:
        yield from _walk(storage, f"{directory}/{subdirectory}")


def _modified_before(storage: Storage, name: str, cutoff: dt.datetime) -> bool:
    try:
        return storage.get_modified_time(name) < cutoff
    except (OSError, NotImplementedError):
        return False


def _temporary_uploads_sweep(cutoff: dt.datetime, result: SweepResult) -> None:
    """Django's temporary upload files left by a killed request (Django deletes them on every normal end)."""
    directory = Path(getattr(settings, "FILE_UPLOAD_TEMP_DIR", None) or tempfile.gettempdir())
    for path in directory.glob(TEMPORARY_UPLOAD_PATTERN):
        try:
            stat = path.stat()
            if path.is_file() and dt.datetime.fromtimestamp(stat.st_mtime, tz=dt.UTC) < cutoff:
                path.unlink()
                result.add(stat.st_size)
        except OSError:  # gone already, or not ours to delete
            continue
