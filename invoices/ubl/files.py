"""Unpacking an upload into XML documents: one XML file, or a zip of them, within safe limits.

Nothing is written to disk: zip members are read into memory one by one, after the sizes the zip
declares have been checked, and each read is capped so a member that lies about its size cannot
grow past the limit. Names are checked even so, because a name like ``../x.xml`` only ever comes
from a tool trying something.
"""

from __future__ import annotations

import io
import posixpath
import zipfile

from django.utils.translation import gettext as _

from invoices.ubl.errors import UblError

MAX_XML_BYTES = 10 * 1024 * 1024
MAX_ZIP_BYTES = 100 * 1024 * 1024  # the upload and the sum of its unpacked members
MAX_ZIP_MEMBERS = 1000
# XML compresses well (10-30x for invoices); a bomb compresses a thousandfold and more. Small members
# are left out of the ratio check: a short, repetitive file can compress well and harms nobody.
MAX_COMPRESSION_RATIO = 200
RATIO_CHECKED_FROM_BYTES = 1024 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
IGNORED_NAMES = ("__MACOSX/", ".DS_Store", "Thumbs.db")


def is_zip(data: bytes) -> bool:
    return data.startswith(ZIP_MAGIC)


def upload_documents(data: bytes, filename: str) -> tuple[list[tuple[str, bytes]], list[tuple[str, str]]]:
    """The XML documents in an upload as (name, bytes), and warnings about members that were skipped."""
    if not data:
        raise UblError(_("The file is empty."))
    if is_zip(data):
        return _zip_documents(data, filename)
    if len(data) > MAX_XML_BYTES:
        raise UblError(_("The file is larger than %(size)s MB; one invoice is never that big.") % {"size": 10})
    return [(filename, data)], []


def _zip_documents(data: bytes, filename: str) -> tuple[list[tuple[str, bytes]], list[tuple[str, str]]]:
    if len(data) > MAX_ZIP_BYTES:
        raise UblError(_("The zip file is larger than %(size)s MB.") % {"size": 100})
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        raise UblError(_("%(file)s is not a readable zip file.") % {"file": filename or "zip"}) from None
    _check_members(members)
    documents, warnings = [], []
    with archive:
        for member in members:
            if member.is_dir() or _ignored(member.filename):
                continue
            if not member.filename.lower().endswith(".xml"):
                warnings.append((member.filename, _("Skipped: not an XML file.")))
                continue
            documents.append((member.filename, _read_member(archive, member)))
    if not documents:
        raise UblError(_("The zip file contains no XML files."))
    return documents, warnings


def _check_members(members: list[zipfile.ZipInfo]) -> None:
    """Refuse before reading anything: too many members, bombs, nested zips, unsafe names."""
    if len(members) > MAX_ZIP_MEMBERS:
        raise UblError(_("The zip file holds more than %(count)d files; split it up.") % {"count": MAX_ZIP_MEMBERS})
    if sum(member.file_size for member in members) > MAX_ZIP_BYTES:
        raise UblError(_("Unpacked, the zip file would be larger than %(size)s MB.") % {"size": 100})
    for member in members:
        name = member.filename
        if _unsafe_name(name):
            raise UblError(_("The zip file contains an unsafe file name: %(name)s") % {"name": name})
        if name.lower().endswith(".zip"):
            raise UblError(
                _("The zip file contains another zip file (%(name)s); upload that one itself.") % {"name": name}
            )
        if member.file_size > MAX_XML_BYTES and name.lower().endswith(".xml"):
            raise UblError(_("%(name)s is larger than %(size)s MB.") % {"name": name, "size": 10})
        if member.file_size > max(RATIO_CHECKED_FROM_BYTES, MAX_COMPRESSION_RATIO * member.compress_size):
            raise UblError(_("%(name)s is compressed suspiciously well; the zip file was refused.") % {"name": name})


def _unsafe_name(name: str) -> bool:
    normalized = name.replace("\\", "/")
    if normalized.startswith("/") or (len(normalized) > 1 and normalized[1] == ":") or "\x00" in normalized:
        return True
    return ".." in normalized.split("/") or posixpath.normpath(normalized).startswith("..")


def _ignored(name: str) -> bool:
    return any(part in IGNORED_NAMES for part in (name.split("/")[0] + "/", posixpath.basename(name)))


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(member) as stream:
            content = stream.read(MAX_XML_BYTES + 1)
    except RuntimeError:  # encrypted
        raise UblError(_("%(name)s is password-protected.") % {"name": member.filename}) from None
    except (zipfile.BadZipFile, NotImplementedError, EOFError, ValueError, OSError):
        raise UblError(_("%(name)s cannot be unpacked from the zip file.") % {"name": member.filename}) from None
    if len(content) > MAX_XML_BYTES:
        raise UblError(_("%(name)s is larger than %(size)s MB.") % {"name": member.filename, "size": 10})
    if is_zip(content):
        raise UblError(
            _("The zip file contains another zip file (%(name)s); upload that one itself.") % {"name": member.filename}
        )
    return content
