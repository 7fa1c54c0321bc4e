"""The browser tab title of the debtor and invoice pages: plain text, with the messages timeline in the body."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Tenant
from tests.reminders.reminder_builders import reminder_with_invoices

pytestmark = pytest.mark.django_db


def title_and_body(response) -> tuple[str, str]:
    page = response.content.decode()
    [title] = re.findall(r"<title>(.*?)</title>", page, flags=re.DOTALL)
    [body] = re.findall(r"<body[^>]*>(.*)</body>", page, flags=re.DOTALL)
    return title, body


def test_the_debtor_page_title_is_the_debtors_name_without_markup(
    org_a: Tenant, debtor_a, invoice_a, viewer_client: Client
) -> None:
    reminder_with_invoices(debtor_a, invoices=[invoice_a])
    response = viewer_client.get(reverse("debtor_detail", args=[org_a.organization.public_id, debtor_a.public_id]))
    title, body = title_and_body(response)
    assert "<" not in title
    assert " ".join(title.split()) == f"{debtor_a.name} · Outstanding"
    assert body.count('class="panel timeline"') == 1
    assert invoice_a.number in body.split('class="panel timeline"')[1]  # the message lists the invoice


def test_the_invoice_page_title_is_the_invoice_number_without_markup(
    org_a: Tenant, debtor_a, invoice_a, viewer_client: Client
) -> None:
    reminder_with_invoices(debtor_a, invoices=[invoice_a])
    response = viewer_client.get(reverse("invoice_detail", args=[org_a.organization.public_id, invoice_a.public_id]))
    title, body = title_and_body(response)
    assert "<" not in title
    assert invoice_a.number in title and title.strip().endswith("· Outstanding")
    assert body.count('class="panel timeline"') == 1


def test_another_organizations_debtor_page_is_not_found(debtor_a, outsider_client: Client, org_a: Tenant) -> None:
    response = outsider_client.get(reverse("debtor_detail", args=[org_a.organization.public_id, debtor_a.public_id]))
    assert response.status_code == 404
