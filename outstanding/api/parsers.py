"""Request bodies: JSON whose numbers become ``Decimal`` (money is never a float), and raw UBL uploads.

Both refuse a body over their size limit with 413 before reading it. DRF reads bodies from the
stream, past Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` check, so the limit is enforced here.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from outstanding.api.exceptions import PayloadTooLarge

# Overridable in settings (and in tests): API_MAX_JSON_BYTES, API_MAX_UPLOAD_BYTES.
DEFAULT_MAX_JSON_BYTES = 1024 * 1024
DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def max_json_bytes() -> int:
    return int(getattr(settings, "API_MAX_JSON_BYTES", DEFAULT_MAX_JSON_BYTES))


def max_upload_bytes() -> int:
    return int(getattr(settings, "API_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def _refuse_when_too_large(parser_context: Mapping[str, Any] | None, limit: int) -> None:
    request = (parser_context or {}).get("request")
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
    except ValueError:
        length = 0
    if length > limit:
        raise PayloadTooLarge()


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


class DecimalJSONParser(BaseParser):
    """JSON with ``parse_float=Decimal``: ``121.005`` arrives as ``Decimal("121.005")`` and is refused by
    the money fields for its third decimal, instead of being rounded silently as a float."""

    media_type = "application/json"

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        _refuse_when_too_large(parser_context, max_json_bytes())
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            decoded = codecs.getreader(encoding)(stream)
            return json.load(decoded, parse_float=Decimal, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None


class RawBodyParser(BaseParser):
    """The body as bytes, for file uploads sent as the request body."""

    def parse(  # type: ignore[override]  # bytes, not a mapping: the view reads the file itself
        self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> bytes:
        limit = max_upload_bytes()
        _refuse_when_too_large(parser_context, limit)
        data = stream.read(limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise PayloadTooLarge()
        return data


class XmlBodyParser(RawBodyParser):
    media_type = "application/xml"


class TextXmlBodyParser(RawBodyParser):
    media_type = "text/xml"


class ZipBodyParser(RawBodyParser):
    media_type = "application/zip"
