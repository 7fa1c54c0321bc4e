"""The conversation per invoice: the debtor asks in the portal, the creditor answers on the invoice page,
both are told by e-mail, and the thread shows on both sides and on the portal's timeline."""

from __future__ import annotations

import pytest
from django.test import Client

from invoices.models import Invoice
from outstanding.models import Role
from portal.models import ThreadAuthor, ThreadEntry, ThreadEntryKind
from portal.selectors import reactions_needing_attention, reactions_needing_attention_count
from tests.conftest import Tenant, client_for
from tests.factories import DebtorFactory, InvoiceFactory, MembershipFactory, UserFactory
from tests.portal.reactions import creditor_url, form_token, invoice_page, link_for, react, says

pytestmark = pytest.mark.django_db


@pytest.fixture
def debtor(org_a: Tenant):
    return DebtorFactory(organization=org_a.organization, name="Bakkerij Jansen", emails=["boekhouding@jansen.test"])


@pytest.fixture
def invoice(debtor) -> Invoice:
    return InvoiceFactory(debtor=debtor, number="F-2026-001")


@pytest.fixture
def link(debtor, invoice) -> str:
    return link_for(debtor, invoice)


def entries(invoice: Invoice) -> list[ThreadEntry]:
    return list(ThreadEntry.objects.for_organization(invoice.organization).filter(invoice=invoice).order_by("pk"))


def ask(client: Client, link: str, invoice: Invoice, text: str, capture) -> object:  # type: ignore[no-untyped-def]
    with capture(execute=True):
        return react(client, link, invoice, "ask", {"text": text})


def test_the_invoice_page_shows_the_invoice_and_the_three_forms(client: Client, link: str, invoice: Invoice) -> None:
    response = client.get(invoice_page(link, invoice))
    html = response.content.decode()
    assert response.status_code == 200
    assert "F-2026-001" in html
    for element_id in ("ask-submit", "ask-text", "dispute-submit", "dispute-text", "dispute-reason", "paid-submit"):
        assert f'id="{element_id}"' in html
    assert 'id="paid-proof"' in html and 'enctype="multipart/form-data"' in html
    assert response["X-Robots-Tag"].startswith("noindex") and response["Referrer-Policy"] == "no-referrer"
    assert "set-cookie" not in {name.lower() for name in response.headers}


def test_the_portal_home_links_each_invoice_to_its_page(client: Client, link: str, invoice: Invoice) -> None:
    html = client.get(link).content.decode()
    assert f'id="invoice-{invoice.public_id}-react"' in html
    assert invoice_page(link, invoice) in html


def test_a_question_is_stored_and_redirects_back_with_a_notice(
    client: Client, link: str, invoice: Invoice, django_capture_on_commit_callbacks
) -> None:
    response = ask(client, link, invoice, "Waar is de pakbon?\nGraag per mail.", django_capture_on_commit_callbacks)
    assert response.status_code == 303
    assert response["Location"].startswith(invoice_page(link, invoice)) and "sent=question" in response["Location"]
    [entry] = entries(invoice)
    assert (entry.author, entry.kind, entry.text) == (
        ThreadAuthor.DEBTOR,
        ThreadEntryKind.QUESTION,
        "Waar is de pakbon?\nGraag per mail.",
    )
    page = client.get(response["Location"]).content.decode()
    assert 'id="sent-notice"' in page and "Waar is de pakbon?" in page


def test_a_question_mails_the_members_who_act_but_not_viewers(
    client: Client, link: str, invoice: Invoice, org_a: Tenant, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    ask(client, link, invoice, "Klopt het btw-bedrag?", django_capture_on_commit_callbacks)
    recipients = sorted(address for mail in mailoutbox for address in mail.to)
    assert recipients == sorted([org_a.owner.email, org_a.member.email])
    mail = mailoutbox[0]
    assert "F-2026-001" in mail.subject and "Bakkerij Jansen" in mail.subject
    assert "Klopt het btw-bedrag?" in mail.body
    assert creditor_url("invoice_detail", invoice) in mail.body
    html, mimetype = mail.alternatives[0]
    assert mimetype == "text/html" and "Klopt het btw-bedrag?" in html


def test_a_member_without_an_email_address_is_skipped(
    client: Client, link: str, invoice: Invoice, org_a: Tenant, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    MembershipFactory(organization=org_a.organization, role=Role.ADMIN, user=UserFactory(email=""))
    ask(client, link, invoice, "Vraag", django_capture_on_commit_callbacks)
    assert all(mail.to[0] for mail in mailoutbox) and len(mailoutbox) == 2


def test_a_question_waits_for_the_creditor_until_answered(
    client: Client, link: str, invoice: Invoice, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    ask(client, link, invoice, "Vraag een", django_capture_on_commit_callbacks)
    ask(client, link, invoice, "Vraag twee", django_capture_on_commit_callbacks)
    organization = org_a.organization
    assert reactions_needing_attention_count(organization=organization) == 2
    assert reactions_needing_attention(organization=organization).questions == 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(org_a.member).post(
            creditor_url("invoice_thread_reply", invoice), {"text": "Pakbon volgt."}
        )
    assert response.status_code == 302
    assert reactions_needing_attention_count(organization=organization) == 0
    assert entries(invoice)[-1].author_user == org_a.member


def test_a_reply_mails_the_debtor_a_fresh_link_to_the_invoice_page(
    client: Client, link: str, invoice: Invoice, org_a: Tenant, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    ask(client, link, invoice, "Vraag", django_capture_on_commit_callbacks)
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        client_for(org_a.member).post(
            creditor_url("invoice_thread_reply", invoice), {"text": "De pakbon zit in de bijlage."}
        )
    [mail] = mailoutbox
    assert mail.to == ["boekhouding@jansen.test"]
    assert "De pakbon zit in de bijlage." in mail.body
    assert mail.reply_to == [org_a.organization.email]
    [url] = [line for line in mail.body.splitlines() if "/p/" in line]
    path = url.split("localhost:8000", 1)[1]
    assert path.endswith(f"/invoices/{invoice.public_id}/") and path != invoice_page(link, invoice)
    assert "De pakbon zit in de bijlage." in Client().get(path).content.decode()


def test_a_reply_to_a_debtor_without_an_email_address_sends_nothing(
    org_a: Tenant, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    invoice = InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization, emails=[]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(org_a.member).post(creditor_url("invoice_thread_reply", invoice), {"text": "Antwoord"})
    assert response.status_code == 302 and mailoutbox == []
    assert entries(invoice)[0].kind == ThreadEntryKind.REPLY


def test_a_notification_is_sent_once_even_when_the_task_runs_twice(
    client: Client, link: str, invoice: Invoice, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    from portal.tasks import thread_entry_notification_task

    ask(client, link, invoice, "Vraag", django_capture_on_commit_callbacks)
    sent = len(mailoutbox)
    assert thread_entry_notification_task(entries(invoice)[0].pk) == 0
    assert len(mailoutbox) == sent


def test_an_empty_question_is_refused_next_to_the_field(client: Client, link: str, invoice: Invoice) -> None:
    response = react(client, link, invoice, "ask", {"text": "   "})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'aria-describedby="ask-text-error"' in html and 'id="ask-text-error"' in html
    assert entries(invoice) == []


@pytest.mark.parametrize("token", ["", "not-a-signed-token", "stale"])
def test_a_form_without_a_valid_form_token_is_refused_and_keeps_the_text(
    client: Client, link: str, invoice: Invoice, debtor, token: str
) -> None:
    if token == "stale":  # a token of another link of the same debtor
        other = link_for(debtor, invoice)
        token = form_token(client, other, invoice)
    response = client.post(f"{invoice_page(link, invoice)}ask/", {"form_token": token, "text": "Mijn lange vraag"})
    html = response.content.decode()
    assert response.status_code == 400
    assert says(html, "This page was open too long", "Deze pagina stond te lang open")
    assert "Mijn lange vraag" in html
    assert entries(invoice) == []


def test_a_form_token_of_another_debtors_link_is_refused(
    client: Client, link: str, invoice: Invoice, org_a: Tenant
) -> None:
    other_debtor = DebtorFactory(organization=org_a.organization)
    other_invoice = InvoiceFactory(debtor=other_debtor)
    foreign = form_token(client, link_for(other_debtor), other_invoice)
    response = client.post(f"{invoice_page(link, invoice)}ask/", {"form_token": foreign, "text": "Vraag"})
    assert response.status_code == 400 and "Vraag" in response.content.decode()
    assert entries(invoice) == []


def test_another_debtors_invoice_answers_the_plain_404(
    client: Client, link: str, org_a: Tenant, invoice: Invoice
) -> None:
    theirs = InvoiceFactory(debtor=DebtorFactory(organization=org_a.organization))
    wrong = client.get(f"{link}invoices/00000000-0000-0000-0000-000000000000/")
    response = client.get(invoice_page(link, theirs))
    assert response.status_code == wrong.status_code == 404
    assert response.content == wrong.content
    token = form_token(client, link, invoice)
    posted = client.post(f"{invoice_page(link, theirs)}ask/", {"form_token": token, "text": "Vraag"})
    assert posted.status_code == 404 and entries(theirs) == []


def test_the_thread_shows_on_the_creditors_invoice_page(
    client: Client, link: str, invoice: Invoice, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    ask(client, link, invoice, "Waar blijft de creditnota?", django_capture_on_commit_callbacks)
    html = client_for(org_a.viewer).get(creditor_url("invoice_detail", invoice)).content.decode()
    assert "Waar blijft de creditnota?" in html and 'data-testid="debtor-thread"' in html
    assert 'data-testid="thread-reply-form"' not in html  # viewers read only
    assert (
        'data-testid="thread-reply-form"'
        in client_for(org_a.member).get(creditor_url("invoice_detail", invoice)).content.decode()
    )


def test_an_empty_reply_is_refused_on_the_invoice_page(org_a: Tenant, invoice: Invoice) -> None:
    response = client_for(org_a.member).post(creditor_url("invoice_thread_reply", invoice), {"text": ""})
    assert response.status_code == 400
    assert says(response.content.decode(), "Write your reply.", "Schrijf je antwoord.")
    assert entries(invoice) == []


def test_a_viewer_cannot_reply(org_a: Tenant, invoice: Invoice) -> None:
    response = client_for(org_a.viewer).post(creditor_url("invoice_thread_reply", invoice), {"text": "Hoi"})
    assert response.status_code == 403 and entries(invoice) == []


def test_the_thread_is_on_the_portal_timeline(
    client: Client, link: str, invoice: Invoice, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    ask(client, link, invoice, "Vraag", django_capture_on_commit_callbacks)
    client_for(org_a.member).post(creditor_url("invoice_thread_reply", invoice), {"text": "Antwoord"})
    html = client.get(link).content.decode()
    timeline = html.split('id="timeline-heading"', 1)[1]
    assert says(timeline, "Question or remark", "Vraag of opmerking") and says(timeline, "Reply", "Antwoord")
    assert "F-2026-001" in timeline


def test_the_reactions_page_lists_what_waits_and_links_to_the_invoice(
    client: Client, link: str, invoice: Invoice, org_a: Tenant, django_capture_on_commit_callbacks
) -> None:
    ask(client, link, invoice, "Graag een kopie", django_capture_on_commit_callbacks)
    response = client_for(org_a.viewer).get(f"/app/{org_a.organization.public_id}/reactions/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Graag een kopie" in html and creditor_url("invoice_detail", invoice) in html
    assert 'data-testid="reactions-questions">1<' in html


def test_outsiders_get_404_on_every_creditor_thread_url(
    outsider_client: Client, invoice: Invoice, org_a: Tenant
) -> None:
    urls = [
        creditor_url("invoice_thread_reply", invoice),
        creditor_url("invoice_dispute_resolve", invoice),
        creditor_url("invoice_payment_claim_check", invoice),
        creditor_url("invoice_proof", invoice, proof_id="00000000-0000-0000-0000-000000000000"),
        f"/app/{org_a.organization.public_id}/reactions/",
    ]
    for url in urls:
        assert outsider_client.get(url).status_code == 404, url
        assert outsider_client.post(url, {"text": "x"}).status_code == 404, url
    assert entries(invoice) == []


def test_another_organizations_invoice_id_answers_404_to_a_member(org_a: Tenant, org_b: Tenant) -> None:
    theirs = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization))
    url = creditor_url("invoice_thread_reply", theirs).replace(
        str(org_b.organization.public_id), str(org_a.organization.public_id)
    )
    assert client_for(org_a.member).post(url, {"text": "x"}).status_code == 404
    assert entries(theirs) == []
