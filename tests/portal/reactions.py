"""Shared by the conversation, dispute and payment-claim tests: a debtor with a link, and the portal's forms."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client
from django.urls import reverse

from invoices.models import Debtor, Invoice
from portal.services import portal_link_issue
from tests.portal.conftest import portal_path

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
HTML_BYTES = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


def link_for(debtor: Debtor, invoice: Invoice | None = None) -> str:
    """The path of a fresh portal link of ``debtor`` (like the one in a reminder)."""
    ids = [invoice.pk] if invoice else []
    return portal_path(portal_link_issue(organization=debtor.organization, debtor=debtor, invoice_ids=ids))


def invoice_page(link: str, invoice: Invoice) -> str:
    return f"{link}invoices/{invoice.public_id}/"


def form_token(client: Client, link: str, invoice: Invoice) -> str:
    html = client.get(invoice_page(link, invoice)).content.decode()
    match = re.search(r'name="form_token" value="([^"]+)"', html)
    assert match, "the invoice page has a form token"
    return match.group(1)


def react(client: Client, link: str, invoice: Invoice, action: str, data: dict[str, Any], **extra: Any) -> Any:
    """POST one of the page's forms (``ask``, ``dispute``, ``paid``) as a browser does, with a fresh form token."""
    values = {"form_token": form_token(client, link, invoice), **data}
    return client.post(f"{invoice_page(link, invoice)}{action}/", values, **extra)


def creditor_url(name: str, invoice: Invoice, **kwargs: Any) -> str:
    return reverse(name, kwargs={"org_id": invoice.organization.public_id, "invoice_id": invoice.public_id, **kwargs})


def says(html: str, english: str, dutch: str) -> bool:
    """The page shows a text in whichever language the (uncompiled in tests) catalogue gives."""
    return english in html or dutch in html
