"""UBL intake refuses hostile and broken uploads with a clear message, and changes nothing.

XXE, entity expansion, DTDs, malformed XML, other XML, other UBL documents, oversized files, zip
bombs, nested zips and path traversal: each raises UblError before a single row is written.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import translation

from invoices.models import Debtor, Invoice, Payment
from invoices.ubl import UblError, ubl_import, ubl_parse

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ubl"
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def valid_invoice() -> bytes:
    return (FIXTURES / "si-ubl-invoice.xml").read_bytes()


def valid_credit_note() -> bytes:
    return (FIXTURES / "si-ubl-creditnote.xml").read_bytes()


def with_doctype(doctype: str, number: str = "2026-0142") -> bytes:
    """The valid SI-UBL invoice with a DOCTYPE after the XML declaration and ``number`` as its number."""
    declaration, rest = valid_invoice().split(b"\n", 1)
    rest = rest.replace(b"<cbc:ID>2026-0142</cbc:ID>", f"<cbc:ID>{number}</cbc:ID>".encode(), 1)
    return declaration + b"\n" + doctype.encode() + b"\n" + rest


def zipped(files: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


XXE = with_doctype('<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>', "&xxe;")
XXE_NETWORK = with_doctype('<!DOCTYPE Invoice [<!ENTITY xxe SYSTEM "http://127.0.0.1:9/secret">]>', "&xxe;")
PARAMETER_ENTITY = with_doctype('<!DOCTYPE Invoice [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>')
EXTERNAL_DTD = with_doctype('<!DOCTYPE Invoice SYSTEM "http://127.0.0.1:9/invoice.dtd">')
PLAIN_DOCTYPE = with_doctype("<!DOCTYPE Invoice>")
BILLION_LAUGHS = with_doctype(
    '<!DOCTYPE Invoice [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n > 1 else "&lol;" * 10}">' for n in range(1, 10))
    + "]>",
    "&lol9;",
)
RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Nieuws</title><link>https://example.test/</link>
<item><title>Facturen</title><description>Geen factuur</description></item></channel></rss>"""
ORDER = b"""<?xml version="1.0" encoding="UTF-8"?>
<Order xmlns="urn:oasis:names:specification:ubl:schema:xsd:Order-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:CustomizationID>urn:fdc:peppol.eu:poacc:trns:order:3</cbc:CustomizationID>
 <cbc:ID>PO-1</cbc:ID><cbc:IssueDate>2026-10-01</cbc:IssueDate></Order>"""
INVOICE_WITHOUT_NAMESPACE = b"<Invoice><ID>1</ID></Invoice>"
DOCTYPE_MESSAGE = "contains a document type declaration (DOCTYPE)"

CASES: list[tuple[str, Callable[[], bytes], str]] = [
    ("xxe to /etc/passwd", lambda: XXE, DOCTYPE_MESSAGE),
    ("xxe to the network", lambda: XXE_NETWORK, DOCTYPE_MESSAGE),
    ("external parameter entity", lambda: PARAMETER_ENTITY, DOCTYPE_MESSAGE),
    ("external dtd", lambda: EXTERNAL_DTD, DOCTYPE_MESSAGE),
    ("billion laughs", lambda: BILLION_LAUGHS, DOCTYPE_MESSAGE),
    ("a bare doctype", lambda: PLAIN_DOCTYPE, DOCTYPE_MESSAGE),
    ("truncated xml", lambda: valid_invoice()[:2000], "This is not valid XML (line"),
    ("a pdf", lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "upload.xml: This is not valid XML (line 1, column 8)."),
    ("an rss feed", lambda: RSS, "This XML is not a UBL invoice or credit note (it starts with <rss>)."),
    ("a ubl order", lambda: ORDER, "This is a UBL Order, not an invoice or credit note."),
    ("an invoice without namespace", lambda: INVOICE_WITHOUT_NAMESPACE, "not a UBL invoice or credit note"),
    ("an empty file", lambda: b"", "The file is empty."),
    ("an oversized xml file", lambda: valid_invoice() + b"<!--" + b" " * (10 * MB) + b"-->", "larger than 10 MB"),
]


def database_counts() -> tuple[int, int, int]:
    # Unscoped on purpose: nothing may be written for any organization.
    return Invoice.unscoped.count(), Debtor.unscoped.count(), Payment.unscoped.count()


@pytest.fixture
def existing(org_a) -> Invoice:
    """Invoice 2026-0142 already imported, so a refused upload can also be shown not to touch it."""
    ubl_import(organization=org_a.organization, data=valid_invoice(), filename="si-ubl-invoice.xml")
    return Invoice.objects.for_organization(org_a.organization).get(number="2026-0142")


def assert_refused(organization: object, data: bytes, filename: str, message: str) -> None:
    before = database_counts()
    with pytest.raises(UblError, match=re.escape(message)):
        ubl_import(organization=organization, data=data, filename=filename)  # type: ignore[arg-type]
    assert database_counts() == before


@pytest.mark.parametrize(("case", "data", "message"), CASES, ids=[case for case, _data, _message in CASES])
def test_a_hostile_or_broken_xml_file_is_refused_and_changes_nothing(org_a, existing, case, data, message) -> None:
    assert_refused(org_a.organization, data(), "upload.xml", message)
    existing_after = Invoice.objects.for_organization(org_a.organization).get(pk=existing.pk)
    assert (existing_after.updated_at, existing_after.open_amount) == (existing.updated_at, existing.open_amount)


@pytest.mark.parametrize(("case", "data", "message"), CASES[:-2], ids=[case for case, _d, _m in CASES[:-2]])
def test_the_same_file_inside_a_zip_is_refused_and_names_the_file(org_a, existing, case, data, message) -> None:
    upload = zipped({"good.xml": valid_credit_note(), "maand/bad.xml": data()})
    assert_refused(org_a.organization, upload, "upload.zip", "maand/bad.xml: ")
    assert not Payment.objects.for_organization(org_a.organization).exists()  # the good credit note did not go in


def test_an_xxe_never_reads_the_file_it_points_to() -> None:
    with pytest.raises(UblError) as refused:
        ubl_parse(XXE, filename="x.xml")
    assert "root:" not in str(refused.value)


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"../../etc/cron.d/evil.xml": b"<x/>"}, "unsafe file name: ../../etc/cron.d/evil.xml"),
        ({"facturen/../../evil.xml": b"<x/>"}, "unsafe file name"),
        ({"/etc/evil.xml": b"<x/>"}, "unsafe file name: /etc/evil.xml"),
        ({"..\\evil.xml": b"<x/>"}, "unsafe file name"),
        ({"C:/evil.xml": b"<x/>"}, "unsafe file name"),
        ({"inner.zip": zipped({"a.xml": b"<x/>"})}, "contains another zip file (inner.zip)"),
        ({"inner.xml": zipped({"a.xml": b"<x/>"})}, "contains another zip file (inner.xml)"),
        ({"readme.txt": b"hello"}, "The zip file contains no XML files."),
        ({"big.xml": b"\0" * (11 * MB)}, "big.xml is larger than 10 MB"),
        ({"bomb.xml": b"\0" * (5 * MB)}, "bomb.xml is compressed suspiciously well"),
        ({f"{n}.xml": b"<x/>" for n in range(1001)}, "more than 1000 files"),
    ],
    ids=[
        "dot-dot", "dot-dot inside", "absolute", "backslash", "drive letter", "nested zip", "zip named xml",
        "no xml", "member over 10 MB", "zip bomb ratio", "too many members",
    ],
)  # fmt: skip
def test_a_dangerous_zip_is_refused_before_anything_is_read(org_a, files, message) -> None:
    assert_refused(org_a.organization, zipped(files), "upload.zip", message)


def test_a_zip_unpacking_to_more_than_100_mb_is_refused(org_a) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for n in range(12):  # each member under the per-file limit, together over the total
            archive.writestr(f"{n}.xml", b"<" * (9 * MB))
    assert_refused(
        org_a.organization, buffer.getvalue(), "upload.zip", "Unpacked, the zip file would be larger than 100 MB."
    )


def test_an_upload_over_100_mb_is_refused_unread(org_a) -> None:
    assert_refused(org_a.organization, b"PK\x03\x04" + b"\0" * (100 * MB), "upload.zip", "larger than 100 MB")


def test_a_file_that_only_looks_like_a_zip_is_refused(org_a) -> None:
    assert_refused(org_a.organization, b"PK\x03\x04 not really", "upload.zip", "upload.zip is not a readable zip file")


def test_a_stored_zip_member_is_read_like_a_compressed_one(org_a) -> None:
    upload = zipped({"f.xml": valid_invoice()}, compression=zipfile.ZIP_STORED)
    assert ubl_import(organization=org_a.organization, data=upload, filename="f.zip").created == 1
