"""Organization settings: administrators change them, everyone else reads them, outsiders see nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from PIL import Image

from outstanding.models import Organization, Role
from tests.conftest import Tenant, client_for
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def settings_url(tenant: Tenant) -> str:
    return reverse("organization_settings", args=[tenant.organization.public_id])


def form_data(organization: Organization, **changes: str) -> dict[str, str]:
    """What the settings form posts back when nothing is changed, plus ``changes``."""
    data = {
        field: getattr(organization, field)
        for field in (
            "name",
            "legal_name",
            "street",
            "postal_code",
            "city",
            "country",
            "kvk_number",
            "vat_id",
            "iban",
            "email",
            "phone",
            "default_language",
            "time_zone",
        )
    }
    data.update(changes)
    return data


def png_logo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "navy").save(buffer, format="PNG")
    return SimpleUploadedFile("logo.png", buffer.getvalue(), content_type="image/png")


def test_an_owner_saves_the_settings(owner_client: Client, org_a: Tenant) -> None:
    data = form_data(
        org_a.organization,
        name="Alpha Groothandel",
        iban="NL91 ABNA 0417 1643 00",
        kvk_number="8765 4321",
        vat_id="nl 0000.99998.B57",
        phone="020 123 4567",
    )

    response = owner_client.post(settings_url(org_a), data)

    assert response.status_code == 302
    assert response.url == settings_url(org_a)
    organization = Organization.objects.get(pk=org_a.organization.pk)
    assert organization.name == "Alpha Groothandel"
    assert organization.iban == "NL91ABNA0417164300"
    assert organization.kvk_number == "87654321"
    assert organization.vat_id == "NL000099998B57"


def test_an_admin_uploads_a_logo(org_a: Tenant) -> None:
    admin = MembershipFactory(organization=org_a.organization, role=Role.ADMIN).user
    data = form_data(org_a.organization, logo=png_logo())

    response = client_for(admin).post(settings_url(org_a), data)

    assert response.status_code == 302
    organization = Organization.objects.get(pk=org_a.organization.pk)
    assert organization.logo.name.startswith("public/logos/")  # served at /public/logos/ (tests/test_files.py)


def test_the_settings_form_is_multipart_for_the_logo(owner_client: Client, org_a: Tenant) -> None:
    html = owner_client.get(settings_url(org_a)).content.decode()

    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kvk_number", "1234"),
        ("iban", "NL00 BANK 0000 0000 00"),
        ("vat_id", "NL123"),
        ("time_zone", "Mars/Olympus"),
        # printed on every letter and in the payment QR code, one line each
        ("legal_name", "Alpha B.V.\nBCD\n002"),
        ("street", "Kade 1\tachter"),
        ("city", "Ut\rrecht"),
    ],
)
def test_invalid_settings_are_shown_and_not_saved(owner_client: Client, org_a: Tenant, field: str, value: str) -> None:
    response = owner_client.post(settings_url(org_a), form_data(org_a.organization, **{field: value}))

    assert response.status_code == 200
    assert field in response.context["form"].errors
    organization = Organization.objects.get(pk=org_a.organization.pk)
    assert getattr(organization, field) == getattr(org_a.organization, field)


@pytest.mark.parametrize("persona", ["member", "viewer"])
def test_members_and_viewers_read_the_settings_with_disabled_fields(org_a: Tenant, persona: str) -> None:
    response = client_for(getattr(org_a, persona)).get(settings_url(org_a))

    assert response.status_code == 200
    assert response.context["can_manage"] is False
    assert all(field.disabled for field in response.context["form"].fields.values())
    html = response.content.decode()
    assert org_a.organization.iban in html
    assert 'type="submit"' not in html.split('enctype="multipart/form-data"')[1]


@pytest.mark.parametrize("persona", ["member", "viewer"])
def test_members_and_viewers_get_403_when_posting_settings(org_a: Tenant, persona: str) -> None:
    response = client_for(getattr(org_a, persona)).post(
        settings_url(org_a), form_data(org_a.organization, name="Hijacked")
    )

    assert response.status_code == 403
    assert Organization.objects.get(pk=org_a.organization.pk).name == org_a.organization.name


def test_the_settings_page_links_to_the_members(viewer_client: Client, org_a: Tenant) -> None:
    html = viewer_client.get(settings_url(org_a)).content.decode()

    assert reverse("member_list", args=[org_a.organization.public_id]) in html


def test_an_outsider_gets_404_reading_or_posting_the_settings(outsider_client: Client, org_a: Tenant) -> None:
    assert outsider_client.get(settings_url(org_a)).status_code == 404
    response = outsider_client.post(settings_url(org_a), form_data(org_a.organization, name="Hijacked"))

    assert response.status_code == 404
    assert Organization.objects.get(pk=org_a.organization.pk).name == org_a.organization.name


def test_an_unknown_organization_answers_404_like_a_foreign_one(owner_client: Client) -> None:
    url = reverse("organization_settings", args=["00000000-0000-0000-0000-000000000000"])

    assert owner_client.get(url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client: Client, org_a: Tenant) -> None:
    response = client.get(settings_url(org_a))

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))
