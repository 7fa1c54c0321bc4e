"""Uploads counted while they stream in, so a file past the limit never reaches the disk whole.

Django writes an uploaded file to memory or a temporary file as the request body arrives and only
then lets a form look at its size. :class:`BoundedUploadHandler` sits first in
``FILE_UPLOAD_HANDLERS``: it counts each file's bytes and, one chunk past ``UPLOAD_MAX_FILE_BYTES``,
drops the file (``SkipFile``): Django closes, and so deletes, what the later handlers wrote so far and
reads the rest of that file without keeping it. The other form fields are parsed as usual, so the
page can be shown again with everything else the user typed.

A dropped file is missing from ``request.FILES``; :func:`uploads_refused` tells the form which
field's file was refused and how large it was when it was dropped, so the error says why.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024
REFUSED_ATTRIBUTE = "uploads_refused"


def max_file_bytes() -> int:
    return int(getattr(settings, "UPLOAD_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES))


def uploads_refused(request: HttpRequest) -> dict[str, int]:
    """Field name -> bytes received when its file was dropped for being too large (read ``request.FILES`` first)."""
    return dict(getattr(request, REFUSED_ATTRIBUTE, {}))


class BoundedUploadHandler(FileUploadHandler):
    """Drops any uploaded file larger than ``UPLOAD_MAX_FILE_BYTES`` while it streams in."""

    def new_file(self, field_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, *args, **kwargs)
        self.limit = max_file_bytes()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        received = start + len(raw_data)
        if received > self.limit:
            self._record_refusal(received)
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or temporary file) holds the file

    def _record_refusal(self, received: int) -> None:
        if self.request is None:
            return
        refused: dict[str, int] = getattr(self.request, REFUSED_ATTRIBUTE, {})
        refused[self.field_name] = received
        setattr(self.request, REFUSED_ATTRIBUTE, refused)


class RefusedUploadForm(forms.Form):
    """A form whose ``file`` the upload handler may have dropped for its size (``refused``: the sizes
    :func:`uploads_refused` reports per field). The field then is not "required": the form's
    ``clean_file`` says the file was too large instead of asking to choose one."""

    def __init__(self, *args: Any, refused: Mapping[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused_size = (refused or {}).get("file")
        if self.refused_size is not None:
            self.fields["file"].required = False
