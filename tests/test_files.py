"""Files: private files only through views that check membership, under names nobody can guess, in
DEBUG too; logos at a public address that works with DEBUG off and that e-mails link to absolutely."""

from __future__ import annotations

import datetime as dt
import importlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test.utils import isolate_apps
from django.urls import clear_url_caches, reverse
from PIL import Image

from invoices.models import ImportJob
from outstanding.checks import check_file_names_unguessable, project_apps
from outstanding.files import UnguessableName, logo_files_rename
from outstanding.models import Organization
from reminders.models import LetterBatch
from reminders.rendering.context import organization_values
from tests.conftest import client_for
from tests.factories import InvoiceFactory

RANDOM = r"[A-Za-z0-9_-]{22}"
PDF = b"%PDF-1.4\n% a stored invoice\n"


def png(colour: str = "red", kind: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), colour).save(buffer, kind)
    return buffer.getvalue()


@pytest.fixture
def debug_urls(settings) -> Iterator[None]:
    """The URLconf as a DEBUG process builds it (it is read once, at import)."""
    settings.DEBUG = True
    urls = importlib.import_module("outstanding.urls")
    importlib.reload(urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(urls)
    clear_url_caches()


@pytest.fixture
def invoice_with_pdf(org_a):
    invoice = InvoiceFactory(debtor__organization=org_a.organization, number="2026-00042")
    invoice.pdf.save("factuur-2026-00042-bakkerij-jansen.pdf", ContentFile(PDF), save=True)
    return invoice


@pytest.fixture
def letter_batch(org_a) -> LetterBatch:
    batch = LetterBatch(organization=org_a.organization, date=dt.date(2026, 11, 26), letter_count=1)
    batch.pdf.save("letters-2026-11-26.pdf", ContentFile(PDF), save=True)
    return batch


@pytest.fixture
def logo(org_a) -> Organization:
    organization = org_a.organization
    organization.logo.save("alpha-groothandel.png", ContentFile(png()), save=True)
    return organization


# --- Unguessable names ------------------------------------------------------------------------------


def test_an_upload_is_stored_under_a_random_name_without_its_own_name_or_organization(org_a) -> None:
    job = ImportJob(organization=org_a.organization, kind="csv", filename="debiteuren-jansen.csv")
    job.file.save("debiteuren-jansen.csv", ContentFile(b"number;amount\n1;2\n"), save=False)
    assert re.fullmatch(rf"private/imports/\d{{4}}/\d{{2}}/{RANDOM}\.csv", job.file.name), job.file.name
    assert "jansen" not in job.file.name and str(org_a.organization.public_id) not in job.file.name


def test_the_same_file_twice_gets_two_names(org_a) -> None:
    names = set()
    for _ in range(2):
        job = ImportJob(organization=org_a.organization, kind="csv", filename="a.csv")
        job.file.save("a.csv", ContentFile(b"x"), save=False)
        names.add(job.file.name)
    assert len(names) == 2


@pytest.mark.parametrize(
    ("filename", "suffix"),
    [("Factuur.PDF", ".pdf"), ("no-extension", ""), ("evil.p;hp", ""), ("x.verylongsuffix", ""), (".hidden", "")],
)
def test_only_a_plain_extension_survives(filename: str, suffix: str) -> None:
    name = UnguessableName("private/test", dated=False)(None, filename)
    assert re.fullmatch(rf"private/test/{RANDOM}{re.escape(suffix)}", name), name


def test_invoice_pdfs_letters_and_print_batches_get_random_names(invoice_with_pdf, letter_batch) -> None:
    assert re.fullmatch(rf"private/invoices/\d{{4}}/\d{{2}}/{RANDOM}\.pdf", invoice_with_pdf.pdf.name)
    assert re.fullmatch(rf"private/letter-batches/\d{{4}}/\d{{2}}/{RANDOM}\.pdf", letter_batch.pdf.name)


def test_the_system_check_passes_for_every_file_field_of_our_apps() -> None:
    assert {app.label for app in project_apps()} >= {"outstanding", "invoices", "reminders"}
    assert check_file_names_unguessable() == []


def test_the_system_check_refuses_a_file_field_with_guessable_names() -> None:
    with isolate_apps("invoices") as isolated:

        class Proof(models.Model):
            file = models.FileField(upload_to="proofs/%Y/")

            class Meta:
                app_label = "invoices"

            def __str__(self) -> str:
                return self.file.name

        errors = check_file_names_unguessable([isolated.get_app_config("invoices")])
    assert [error.id for error in errors] == ["outstanding.E001"]
    assert "invoices.Proof.file stores files under guessable names" in errors[0].msg


# --- Private files: no media URL, members only ------------------------------------------------------


def test_a_stored_file_has_no_media_url_in_debug(debug_urls, invoice_with_pdf, org_a) -> None:
    path = Path(invoice_with_pdf.pdf.path)
    assert path.exists()
    client = client_for(org_a.owner)
    assert client.get(invoice_with_pdf.pdf.url).status_code == 404
    assert client.get(f"/media/{invoice_with_pdf.pdf.name}").status_code == 404


def test_a_print_batch_has_no_media_url_in_debug(debug_urls, letter_batch, org_a) -> None:
    assert client_for(org_a.owner).get(f"/media/{letter_batch.pdf.name}").status_code == 404


def test_a_member_gets_the_invoice_pdf_through_its_view(invoice_with_pdf, org_a) -> None:
    url = reverse("invoice_pdf", args=[org_a.organization.public_id, invoice_with_pdf.public_id])
    response = client_for(org_a.viewer).get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF


def test_a_member_of_another_organization_gets_404_for_the_invoice_pdf(invoice_with_pdf, org_a, outsider) -> None:
    client = client_for(outsider)
    ours = reverse("invoice_pdf", args=[org_a.organization.public_id, invoice_with_pdf.public_id])
    assert client.get(ours).status_code == 404
    # Through their own organization's URL: the invoice is not theirs, so it does not exist.
    own_organization = outsider.memberships.get().organization
    theirs = reverse("invoice_pdf", args=[own_organization.public_id, invoice_with_pdf.public_id])
    assert client.get(theirs).status_code == 404


def test_a_stranger_is_sent_to_the_login_for_the_invoice_pdf(invoice_with_pdf, org_a, client) -> None:
    url = reverse("invoice_pdf", args=[org_a.organization.public_id, invoice_with_pdf.public_id])
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_a_print_batch_goes_to_members_only(letter_batch, org_a, outsider) -> None:
    url = reverse("letter_batch_download", args=[org_a.organization.public_id, letter_batch.public_id])
    response = client_for(org_a.viewer).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client_for(outsider).get(url).status_code == 404


def test_a_pdf_gone_from_storage_answers_404(invoice_with_pdf, org_a) -> None:
    Path(invoice_with_pdf.pdf.path).unlink()
    url = reverse("invoice_pdf", args=[org_a.organization.public_id, invoice_with_pdf.public_id])
    assert client_for(org_a.owner).get(url).status_code == 404


# --- Public logos -----------------------------------------------------------------------------------


def test_a_logo_lives_at_a_public_random_address(logo) -> None:
    assert re.fullmatch(rf"public/logos/{RANDOM}\.png", logo.logo.name), logo.logo.name
    assert logo.logo.url == f"/{logo.logo.name}"


def test_a_logo_is_served_without_a_login_with_debug_off(logo, client, settings) -> None:
    assert settings.DEBUG is False
    response = client.get(logo.logo.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b"".join(response.streaming_content) == png()


def test_a_new_logo_gets_a_new_address_and_the_old_one_is_gone(logo, client) -> None:
    old_url = logo.logo.url
    logo.logo.delete(save=False)
    logo.logo.save("alpha-groothandel.png", ContentFile(png("blue")), save=True)
    assert logo.logo.url != old_url
    assert client.get(old_url).status_code == 404
    assert b"".join(client.get(logo.logo.url).streaming_content) == png("blue")


@pytest.mark.parametrize("name", ["nothing-here.png", "..%2Fsecret.png", "x"])
def test_an_unknown_logo_answers_404(logo, client, name: str) -> None:
    assert client.get(f"/public/logos/{name}").status_code == 404


def test_a_private_file_is_not_served_as_a_logo(invoice_with_pdf, client) -> None:
    name = Path(invoice_with_pdf.pdf.name).name
    assert client.get(f"/public/logos/{name}").status_code == 404


def test_e_mails_link_to_the_logo_with_the_absolute_site_url(logo, client, settings) -> None:
    settings.SITE_URL = "https://outstanding.example.com"
    logo_url = organization_values(logo)["logo_url"]
    assert logo_url == f"https://outstanding.example.com/public/logos/{Path(logo.logo.name).name}"
    assert client.get(logo_url.removeprefix(settings.SITE_URL)).status_code == 200


def test_the_settings_page_shows_the_logo_from_its_public_address(logo, org_a, client) -> None:
    page = client_for(org_a.owner).get(reverse("organization_settings", args=[logo.public_id]))
    assert f'src="{logo.logo.url}"' in page.content.decode()
    assert client.get(logo.logo.url).status_code == 200


def test_a_logo_of_a_kind_e_mail_does_not_show_is_refused_and_the_old_one_stays(logo, org_a) -> None:
    before = logo.logo.name
    form_page = client_for(org_a.owner).get(reverse("organization_settings", args=[logo.public_id]))
    data = {
        key: value
        for key, value in form_page.context["form"].initial.items()
        if key != "logo" and value is not None and not isinstance(value, (list, dict))
    }
    upload = SimpleUploadedFile("logo.bmp", png(kind="BMP"), content_type="image/bmp")
    response = client_for(org_a.owner).post(
        reverse("organization_settings", args=[logo.public_id]), {**data, "logo": upload}
    )
    assert response.status_code == 200
    assert "logo" in response.context["form"].errors
    logo.refresh_from_db()
    assert logo.logo.name == before


def test_logos_from_before_get_a_random_public_name(org_a, settings) -> None:
    """The data migration for logos uploaded as logos/<their own name>."""
    organization = org_a.organization
    legacy = Path(settings.MEDIA_ROOT) / "logos" / "alpha.png"
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(png())
    Organization.objects.filter(pk=organization.pk).update(logo="logos/alpha.png")

    logo_files_rename(apps, None)

    organization.refresh_from_db()
    assert re.fullmatch(rf"public/logos/{RANDOM}\.png", organization.logo.name)
    assert Path(organization.logo.path).read_bytes() == png()
    assert not legacy.exists()
