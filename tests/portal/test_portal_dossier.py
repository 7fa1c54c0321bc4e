"""The debtor's dossier in the portal: the amounts, the defence (verweer) that holds the dossier and
reaches the creditor and staff, the creditor's answer, and nobody else's link seeing or posting to it."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from collection.models import Dossier, DossierEvent, DossierEventKind, DossierOrigin
from collection.selectors.statements import dossier_statement_on
from collection.services import dossier_open
from collection.tasks import dossier_defence_members_notify_task
from invoices.models import Invoice
from outstanding.calendar import local_today
from portal.models import DisputeReason, PortalAccess, portal_token_hash
from portal.views.form_token import portal_form_token
from tests.conftest import Tenant, client_for
from tests.factories import DebtorFactory, InvoiceFactory, UserFactory
from tests.portal.reactions import HTML_BYTES, PDF_BYTES, link_for

pytestmark = pytest.mark.django_db

DEFENCE_TEXT = "De levering was onvolledig: er ontbraken 3 dozen."


@pytest.fixture
def org(org_a: Tenant) -> Tenant:
    org_a.organization.dossier_pre_collection = False
    org_a.organization.save()
    return org_a


@pytest.fixture
def today(org: Tenant) -> dt.date:
    return local_today(org.organization.time_zone)


@pytest.fixture
def debtor(org: Tenant):  # type: ignore[no-untyped-def]
    return DebtorFactory(organization=org.organization, name="Jansen Bouw B.V.", emails=["admin@jansenbouw.test"])


@pytest.fixture
def invoice(debtor, today: dt.date) -> Invoice:  # type: ignore[no-untyped-def]
    due = today - dt.timedelta(days=75)
    return InvoiceFactory(
        debtor=debtor, number="F-2026-0101", issue_date=due - dt.timedelta(days=30), due_date=due,
        amount=Decimal("1210.00"), vat_amount=Decimal("210.00"), open_amount=Decimal("1210.00"),
    )  # fmt: skip


@pytest.fixture
def dossier(org: Tenant, debtor, invoice: Invoice, today: dt.date) -> Dossier:  # type: ignore[no-untyped-def]
    return dossier_open(
        organization=org.organization, debtor=debtor, invoices=[invoice], today=today - dt.timedelta(days=10),
        origin=DossierOrigin.MANUAL,
    )  # fmt: skip


@pytest.fixture
def link(debtor, invoice: Invoice, dossier: Dossier) -> str:  # type: ignore[no-untyped-def]
    return link_for(debtor, invoice)


@pytest.fixture
def staff():  # type: ignore[no-untyped-def]
    return UserFactory(email="agent@operator.test", is_staff=True)


def form_token(client: Client, link: str) -> str:
    """The token of a form rendered for ``link`` (from its page, or signed as the page would)."""
    match = re.search(r'name="form_token" value="([^"]+)"', client.get(link).content.decode())
    if match:
        return match.group(1)
    token = link.rstrip("/").rsplit("/", 1)[1]
    return portal_form_token(PortalAccess.unscoped.get(token_hash=portal_token_hash(token)))


def defence_url(link: str, dossier: Dossier) -> str:
    return f"{link}dossiers/{dossier.public_id}/defence/"


def file_defence(client: Client, link: str, dossier: Dossier, capture: Any, **data: Any) -> Any:
    values = {"form_token": form_token(client, link), "reason": DisputeReason.QUALITY, "text": DEFENCE_TEXT, **data}
    with capture(execute=True):
        return client.post(defence_url(link, dossier), values)


def events(org: Tenant, dossier: Dossier) -> list[DossierEvent]:
    return list(DossierEvent.objects.for_organization(org.organization).filter(dossier=dossier).order_by("sequence"))


def stored(org: Tenant, dossier: Dossier) -> Dossier:
    return Dossier.objects.for_organization(org.organization).get(pk=dossier.pk)


def test_the_block_shows_the_reference_stage_and_amounts(
    client: Client, link: str, org: Tenant, dossier: Dossier, today: dt.date
) -> None:
    html = client.get(link).content.decode()
    statement = dossier_statement_on(organization=org.organization, dossier=dossier, on=today).statement
    assert dossier.reference in html
    assert 'data-stage="amicable"' in html
    assert statement.invoices[0].interest > 0  # handelsrente since the day after the due date
    assert f'data-principal="{statement.invoices[0].principal}"' in html
    assert f'data-interest="{statement.invoices[0].interest}"' in html
    assert f'data-costs="{dossier.costs}"' in html and dossier.costs == Decimal("181.50")
    assert f'data-total="{statement.outstanding}"' in html
    assert statement.outstanding == Decimal("1210.00") + Decimal("181.50") + statement.invoices[0].interest


def test_no_block_without_an_open_dossier(client: Client, debtor, invoice: Invoice) -> None:  # type: ignore[no-untyped-def]
    html = client.get(link_for(debtor, invoice)).content.decode()
    assert "portal-dossier" not in html


def test_a_defence_holds_the_dossier_records_it_and_mails_the_members_and_staff_once(
    client: Client, link: str, org: Tenant, dossier: Dossier, staff, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    response = file_defence(client, link, dossier, django_capture_on_commit_callbacks)
    assert response.status_code == 303
    assert stored(org, dossier).is_paused
    recorded = events(org, dossier)
    kinds = [event.kind for event in recorded]
    assert kinds[-3:] == [DossierEventKind.PAUSED, DossierEventKind.DEFENCE_FILED, DossierEventKind.MESSAGE_SENT]
    defence = recorded[-2]
    assert defence.actor_label == "debtor" and defence.actor is None
    assert defence.data["text"] == DEFENCE_TEXT and defence.data["reason"] == DisputeReason.QUALITY
    assert recorded[-3].actor_label == "debtor"
    # Owner and member (viewers are not asked to act) and the staff member, one message each.
    assert sorted(address for message in mail.outbox for address in message.to) == sorted(
        [org.owner.email, org.member.email, staff.email]
    )
    assert all(DEFENCE_TEXT in message.body and dossier.reference in message.subject for message in mail.outbox)
    dossier_defence_members_notify_task(defence.pk)  # a retried or duplicated task
    assert len(mail.outbox) == 3
    assert [event.kind for event in events(org, dossier)].count(DossierEventKind.MESSAGE_SENT) == 1


def test_the_page_shows_the_defence_and_the_hold_after_filing(
    client: Client, link: str, org: Tenant, dossier: Dossier, django_capture_on_commit_callbacks
) -> None:
    assert "data-paused" not in client.get(link).content.decode()
    file_defence(client, link, dossier, django_capture_on_commit_callbacks)
    html = client.get(link).content.decode()
    assert "data-paused" in html and DEFENCE_TEXT in html


def test_a_defence_with_a_file_keeps_it_privately_and_the_creditor_can_download_it(
    client: Client, link: str, org: Tenant, dossier: Dossier, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bon.pdf", PDF_BYTES, content_type="application/pdf")
    assert file_defence(client, link, dossier, django_capture_on_commit_callbacks, file=upload).status_code == 303
    defence = next(e for e in events(org, dossier) if e.kind == DossierEventKind.DEFENCE_FILED)
    assert defence.data["file"]["content_type"] == "application/pdf"
    assert defence.data["file"]["name"].startswith("private/defences/") and "bon" not in defence.data["file"]["name"]
    url = reverse(
        "dossier_defence_file", kwargs={"org_id": org.organization.public_id, "dossier_id": dossier.public_id}
    )
    response = client_for(org.viewer).get(url, {"n": defence.sequence})
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_disguised_file_is_refused_and_the_text_is_kept(
    client: Client, link: str, org: Tenant, dossier: Dossier, django_capture_on_commit_callbacks
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("bon.pdf", HTML_BYTES, content_type="application/pdf")
    response = file_defence(client, link, dossier, django_capture_on_commit_callbacks, file=upload)
    assert response.status_code == 400
    assert DEFENCE_TEXT in response.content.decode()
    assert not stored(org, dossier).is_paused and not mail.outbox
    assert DossierEventKind.DEFENCE_FILED not in [event.kind for event in events(org, dossier)]


def test_a_defence_without_text_or_with_a_stale_form_is_refused(
    client: Client, link: str, org: Tenant, dossier: Dossier, django_capture_on_commit_callbacks
) -> None:
    assert file_defence(client, link, dossier, django_capture_on_commit_callbacks, text="").status_code == 400
    stale = file_defence(client, link, dossier, django_capture_on_commit_callbacks, form_token="forged")
    assert stale.status_code == 400
    assert not stored(org, dossier).is_paused


def test_another_debtors_link_cannot_see_or_post_to_the_dossier(
    client: Client, link: str, org: Tenant, dossier: Dossier, django_capture_on_commit_callbacks
) -> None:
    other = DebtorFactory(organization=org.organization, name="Andere Klant")
    theirs = link_for(other, InvoiceFactory(debtor=other))
    assert dossier.reference not in client.get(theirs).content.decode()
    response = file_defence(client, theirs, dossier, django_capture_on_commit_callbacks)
    assert response.status_code == 404
    assert not stored(org, dossier).is_paused and not mail.outbox
    assert client.post(defence_url("/p/not-a-token/", dossier), {"text": "x"}).status_code == 404


def test_the_creditor_answers_and_the_debtor_sees_it_and_gets_it_by_email(
    client: Client, link: str, org: Tenant, dossier: Dossier, django_capture_on_commit_callbacks
) -> None:
    file_defence(client, link, dossier, django_capture_on_commit_callbacks)
    defence = next(e for e in events(org, dossier) if e.kind == DossierEventKind.DEFENCE_FILED)
    mail.outbox.clear()
    url = reverse(
        "dossier_defence_answer", kwargs={"org_id": org.organization.public_id, "dossier_id": dossier.public_id}
    )
    member = client_for(org.member)
    assert DEFENCE_TEXT in member.get(url).content.decode()
    answer = "De dozen zijn op 3 november nagestuurd; de vordering blijft staan."
    with django_capture_on_commit_callbacks(execute=True):
        response = member.post(url, {"defence": defence.sequence, "text": answer, "resume": "on"})
    assert response.status_code == 302
    after = events(org, dossier)
    answered = next(e for e in after if e.kind == DossierEventKind.DEFENCE_ANSWERED)
    assert answered.data == {"defence": defence.sequence, "text": answer, "resumed": True}
    assert not stored(org, dossier).is_paused  # resumed
    assert [message.to for message in mail.outbox] == [["admin@jansenbouw.test"]]
    assert answer in mail.outbox[0].body and "/p/" in mail.outbox[0].body
    assert answer in client.get(link).content.decode()


def test_a_viewer_reads_the_defences_but_cannot_answer_and_an_outsider_gets_404(
    link: str, org: Tenant, dossier: Dossier, outsider, client: Client, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    file_defence(client, link, dossier, django_capture_on_commit_callbacks)
    url = reverse(
        "dossier_defence_answer", kwargs={"org_id": org.organization.public_id, "dossier_id": dossier.public_id}
    )
    viewer = client_for(org.viewer)
    assert viewer.get(url).status_code == 200
    assert viewer.post(url, {"defence": 1, "text": "x"}).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    assert DossierEventKind.DEFENCE_ANSWERED not in [event.kind for event in events(org, dossier)]


@pytest.mark.django_db(transaction=True)
def test_the_stored_page_is_not_served_stale_after_a_defence_or_an_answer(
    org: Tenant, debtor, invoice: Invoice, today: dt.date
) -> None:  # type: ignore[no-untyped-def]
    """Committed for real, so the page cache stores pages (``portal.views.page_cache``)."""
    dossier = dossier_open(
        organization=org.organization, debtor=debtor, invoices=[invoice], today=today, origin=DossierOrigin.MANUAL
    )
    client, link = Client(), link_for(debtor, invoice)
    first = client.get(link).content.decode()
    assert client.get(link).content.decode() == first and "data-paused" not in first  # the stored page
    values = {"form_token": form_token(client, link), "reason": DisputeReason.QUALITY, "text": DEFENCE_TEXT}
    assert client.post(defence_url(link, dossier), values).status_code == 303
    after_defence = client.get(link).content.decode()
    assert "data-paused" in after_defence and DEFENCE_TEXT in after_defence
    url = reverse(
        "dossier_defence_answer", kwargs={"org_id": org.organization.public_id, "dossier_id": dossier.public_id}
    )
    answer = "Wij zoeken het uit en komen erop terug."
    defence = next(e for e in events(org, dossier) if e.kind == DossierEventKind.DEFENCE_FILED)
    assert client_for(org.member).post(url, {"defence": defence.sequence, "text": answer}).status_code == 302
    assert answer in client.get(link).content.decode()
