"""Progress of a running import, readable while its data transaction is still open.

Rows written inside an open transaction are invisible to every other connection, and so would be
a progress counter stored in the same transaction. The counter therefore lives in the cache
(Redis, shared by web and worker processes) under the job's id; the final count is stored on the
ImportJob together with the data.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

PROGRESS_TIMEOUT = 24 * 60 * 60


def _key(job_id: int) -> str:
    return f"imports:progress:{job_id}"


def progress_set(*, job_id: int, processed: int) -> None:
    try:
        cache.set(_key(job_id), processed, PROGRESS_TIMEOUT)
    except Exception:  # the progress bar is a courtesy: a cache hiccup must not fail the import
        logger.warning("import.progress_unavailable", extra={"import_job": job_id})


def progress_get(*, job_id: int) -> int:
    try:
        return int(cache.get(_key(job_id)) or 0)
    except Exception:  # see progress_set
        return 0
