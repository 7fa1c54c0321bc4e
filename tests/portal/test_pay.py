"""Paying from the portal: the pay form, Mollie's checkout (the real client against tests/fake_mollie.py)
and the page the debtor comes back to."""

from __future__ import annotations

import datetime as dt
import re
import urllib.request
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.test import Client
from stdnum import iso11649

from invoices.models import Invoice, InvoiceStatus, OnlinePayment, OnlinePaymentStatus
from outstanding.models import Organization
from portal.services import portal_link_issue
from reminders.channels.letter import creditor_reference, epc_payload, epc_qr, qr_data_uri
from reminders.models import BundleReference
from reminders.services.payment_references import bundle_reference
from tests.factories import TODAY, DebtorFactory, InvoiceFactory, OrganizationFactory
from tests.fake_mollie import FakeMollie
from tests.portal.conftest import portal_path

pytestmark = pytest.mark.django_db

WRONG_TOKEN_PAGE = "/p/" + "A" * 32 + "/"


@pytest.fixture
def mollie(settings) -> Iterator[FakeMollie]:
    fake = FakeMollie().start()
    settings.MOLLIE_API_KEY = ""
    settings.MOLLIE_PLATFORM_KEY_FALLBACK = False
    settings.MOLLIE_API_ENDPOINT = fake.url
    yield fake
    fake.stop()


def with_key(organization: Organization, key: str) -> Organization:
    organization.mollie_api_key = key
    organization.save(update_fields=["mollie_api_key"])
    return organization


@pytest.fixture
def organization(request):
    """With the fake Mollie's key when a test uses ``mollie``; without a key (no online payment) otherwise."""
    organization = OrganizationFactory(name="Alpha Groothandel B.V.")
    if "mollie" in request.fixturenames:
        with_key(organization, request.getfixturevalue("mollie").api_key)
    return organization


@pytest.fixture
def debtor(organization):
    return DebtorFactory(organization=organization, name="Bakkerij Jansen")


@pytest.fixture
def invoices(debtor) -> tuple[Invoice, Invoice]:
    """(older, the message's): the message's invoice comes first on the page."""
    older = InvoiceFactory(
        debtor=debtor,
        number="F-OLD",
        issue_date=TODAY - dt.timedelta(days=90),
        due_date=TODAY - dt.timedelta(days=60),
        amount=Decimal("1000.00"),
        open_amount=Decimal("400.00"),
    )
    in_message = InvoiceFactory(debtor=debtor, number="F-MSG", amount=Decimal("121.00"))
    return older, in_message


@pytest.fixture
def link(debtor, invoices) -> str:
    return portal_path(portal_link_issue(organization=debtor.organization, debtor=debtor, invoice_ids=[invoices[1].pk]))


@pytest.fixture
def stranger(organization) -> Invoice:
    """An open invoice of another debtor of the same organization."""
    return InvoiceFactory(debtor=DebtorFactory(organization=organization, name="Other"), number="F-THEIRS")


def says(html: str, english: str, dutch: str) -> bool:
    """The page shows a text, in whichever language the (uncompiled in tests) catalogue gives."""
    return english in html or dutch in html


def form_token(client: Client, link: str) -> str:
    match = re.search(r'name="form_token" value="([^"]+)"', client.get(link).content.decode())
    assert match, "the page has no pay form"
    return match.group(1)


def pay(client: Client, link: str, invoice_ids: list[str], token: str | None = None):
    token = form_token(client, link) if token is None else token
    return client.post(f"{link}pay/", {"form_token": token, "invoice": invoice_ids})


def checkout(url: str, outcome: str) -> str:
    """Finish the fake checkout like a debtor would; the redirect back to us, not followed."""

    class NoRedirects(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            return None

    opener = urllib.request.build_opener(NoRedirects)
    try:
        opener.open(f"{url}?outcome={outcome}", timeout=10)
    except urllib.error.HTTPError as response:  # the 303 arrives as an "error" without redirects
        assert response.code == 303
        return response.headers["Location"]
    raise AssertionError("the checkout did not redirect")


def only_payment(organization) -> OnlinePayment:
    (payment,) = OnlinePayment.objects.for_organization(organization)
    return payment


def open_amounts(*rows: Invoice) -> list[Decimal]:
    for row in rows:
        row.refresh_from_db()
    return [row.open_amount for row in rows]


# --- the form ---------------------------------------------------------------------------------------------


def test_the_form_appears_only_when_online_payment_is_enabled(client, link, mollie, organization) -> None:
    assert 'name="form_token"' in client.get(link).content.decode()
    with_key(organization, "")

    html = client.get(link).content.decode()

    assert 'name="form_token"' not in html and "iDEAL" not in html


def test_an_organization_without_its_own_key_has_no_pay_form_even_with_a_platform_key(
    client, link, settings, organization
) -> None:
    settings.MOLLIE_API_KEY = "test_platformkey000000000000000000000"
    settings.MOLLIE_PLATFORM_KEY_FALLBACK = False

    html = client.get(link).content.decode()

    assert 'name="form_token"' not in html and "iDEAL" not in html
    assert client.post(f"{link}pay/", {"invoice": "x", "form_token": "x"}).status_code == 400
    assert not OnlinePayment.objects.for_organization(organization).exists()


def test_the_checkout_is_asked_with_the_organizations_own_key(client, link, mollie, invoices) -> None:
    response = pay(client, link, [str(invoices[1].public_id)])

    assert response.status_code == 303
    (request,) = mollie.requests_to("POST", "/v2/payments")
    assert request.headers["Authorization"] == f"Bearer {mollie.api_key}"


def test_the_form_offers_every_open_invoice_ticked_the_messages_first(client, link, mollie, invoices) -> None:
    html = client.get(link).content.decode()

    form = html[html.index("<form") : html.index("</form>")]
    boxes = re.findall(r'<input type="checkbox" name="invoice" value="([^"]+)"[^>]*?( checked)?>', form)
    assert boxes == [(str(invoices[1].public_id), " checked"), (str(invoices[0].public_id), " checked")]
    assert says(form, "Pay with iDEAL", "Betaal met iDEAL")
    assert 'method="post"' in form


def test_paying_the_ticked_invoices_goes_to_the_checkout_for_their_amount(client, link, mollie, invoices) -> None:
    response = pay(client, link, [str(invoices[0].public_id), str(invoices[1].public_id)])

    payment = only_payment(invoices[0].organization)
    assert response.status_code == 303
    assert response["Location"] == f"{mollie.url}/checkout/{payment.mollie_id}/"
    (request,) = mollie.requests_to("POST", "/v2/payments")
    assert request.body["amount"] == {"currency": "EUR", "value": "521.00"}
    assert request.body["redirectUrl"].endswith(f"{link}paid/{payment.public_id}/")
    assert response["Referrer-Policy"] == "no-referrer"


def test_the_pay_form_needs_no_csrf_cookie(link, mollie, invoices) -> None:
    """The portal sets no cookies: its own signed form token stands in for Django's CSRF check."""
    browser = Client(enforce_csrf_checks=True)

    response = pay(browser, link, [str(invoices[1].public_id)])

    assert response.status_code == 303
    assert not browser.cookies


def test_unticking_an_invoice_pays_only_the_others(client, link, mollie, invoices) -> None:
    pay(client, link, [str(invoices[1].public_id)])

    (request,) = mollie.requests_to("POST", "/v2/payments")
    assert request.body["amount"] == {"currency": "EUR", "value": "121.00"}


def test_nothing_ticked_shows_a_message_and_creates_nothing(client, link, mollie, invoices) -> None:
    response = pay(client, link, [])

    assert response.status_code == 400
    assert says(response.content.decode(), "Choose at least one invoice to pay.", "Kies ten minste één factuur")
    assert not OnlinePayment.objects.for_organization(invoices[0].organization).exists()
    assert mollie.requests_to("POST", "/v2/payments") == []


def test_naming_another_debtors_invoice_creates_nothing(client, link, mollie, invoices, stranger) -> None:
    response = pay(client, link, [str(invoices[1].public_id), str(stranger.public_id)])

    assert response.status_code == 400
    html = response.content.decode()
    assert says(html, "These invoices cannot be paid here.", "Deze facturen kunnen hier niet")
    assert "F-THEIRS" not in html
    assert not OnlinePayment.objects.for_organization(stranger.organization).exists()
    assert mollie.requests_to("POST", "/v2/payments") == []


def test_a_made_up_invoice_id_creates_nothing(client, link, mollie, invoices) -> None:
    response = pay(client, link, ["not-a-uuid"])

    assert response.status_code == 400
    assert mollie.requests_to("POST", "/v2/payments") == []


def test_a_paid_invoice_in_a_stale_form_shows_the_services_reason(client, link, mollie, invoices) -> None:
    token = form_token(client, link)
    Invoice.objects.for_organization(invoices[0].organization).filter(pk=invoices[0].pk).update(
        status=InvoiceStatus.PAID, open_amount=Decimal("0.00")
    )

    response = pay(client, link, [str(invoices[0].public_id)], token=token)

    assert response.status_code == 400
    assert "F-OLD" in response.content.decode()
    assert mollie.requests_to("POST", "/v2/payments") == []


def test_a_post_without_the_pages_form_token_creates_nothing(client, link, mollie, invoices, debtor) -> None:
    other_link = portal_path(portal_link_issue(organization=debtor.organization, debtor=debtor))
    foreign_token = form_token(client, other_link)  # signed for another link

    responses = [
        pay(client, link, [str(invoices[1].public_id)], token=""),
        pay(client, link, [str(invoices[1].public_id)], token=foreign_token),
        pay(client, link, [str(invoices[1].public_id)], token=form_token(client, link) + "x"),
    ]

    assert [response.status_code for response in responses] == [400, 400, 400]
    assert mollie.requests_to("POST", "/v2/payments") == []


def test_mollie_unreachable_shows_a_message_and_books_nothing(client, link, settings, invoices) -> None:
    down = FakeMollie().start()
    with_key(invoices[1].organization, down.api_key)
    settings.MOLLIE_API_ENDPOINT = down.url
    down.stop()  # nothing listens on its port any more

    response = pay(client, link, [str(invoices[1].public_id)])

    assert response.status_code == 503
    html = response.content.decode()
    assert says(html, "Online payment is not available at the moment", "Online betalen is op dit moment niet")
    assert 'name="form_token"' in html  # the form is there to try again
    # The service keeps its attempt as a failed row without a Mollie payment; nothing can be paid on it.
    assert list(
        OnlinePayment.objects.for_organization(invoices[1].organization).values_list("mollie_id", "status")
    ) == [(None, OnlinePaymentStatus.FAILED)]
    assert open_amounts(*invoices) == [Decimal("400.00"), Decimal("121.00")]


def test_the_pay_address_takes_only_a_post(client, link, mollie) -> None:
    assert client.get(f"{link}pay/").status_code == 405


def test_a_wrong_token_cannot_pay(client, mollie, invoices) -> None:
    response = client.post(f"{WRONG_TOKEN_PAGE}pay/", {"invoice": [str(invoices[1].public_id)]})

    assert response.status_code == 404
    assert mollie.requests_to("POST", "/v2/payments") == []


# --- coming back from the checkout ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_paying_at_the_checkout_with_the_webhook_shows_paid_and_pays_the_invoices(
    client, live_server, settings, mollie, link, invoices
) -> None:
    settings.SITE_URL = live_server.url  # Mollie's webhook and redirect come to the live server
    mollie.call_webhooks = True
    checkout_url = pay(client, link, [str(invoices[0].public_id), str(invoices[1].public_id)])["Location"]

    back = checkout(checkout_url, "paid")
    payment = only_payment(invoices[0].organization)
    booked_by_webhook = payment.booked_at is not None
    response = client.get(back.removeprefix(live_server.url))

    assert back == f"{live_server.url}{link}paid/{payment.public_id}/"
    assert booked_by_webhook
    assert response.status_code == 200
    assert says(response.content.decode(), "Paid, thank you", "Betaald, dank u")
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert open_amounts(*invoices) == [Decimal("0.00"), Decimal("0.00")]
    assert [row.status for row in invoices] == [InvoiceStatus.PAID, InvoiceStatus.PAID]


def test_the_return_page_books_a_paid_payment_when_the_webhook_is_late(client, link, mollie, invoices) -> None:
    checkout(pay(client, link, [str(invoices[1].public_id)])["Location"], "paid")  # no webhook
    payment = only_payment(invoices[1].organization)

    response = client.get(f"{link}paid/{payment.public_id}/")

    assert says(response.content.decode(), "Paid, thank you", "Betaald, dank u")
    assert open_amounts(*invoices) == [Decimal("400.00"), Decimal("0.00")]


def test_a_refunded_payment_says_on_its_return_page_what_is_open_again(client, link, mollie, invoices) -> None:
    checkout(pay(client, link, [str(invoices[1].public_id)])["Location"], "paid")
    payment = only_payment(invoices[1].organization)
    assert 'data-testid="payment-reversed"' not in client.get(f"{link}paid/{payment.public_id}/").content.decode()
    mollie.refund(payment.mollie_id, "21.00")

    html = client.get(f"{link}paid/{payment.public_id}/").content.decode()

    assert 'data-testid="payment-reversed"' in html and "21,00" in html
    assert open_amounts(*invoices) == [Decimal("400.00"), Decimal("21.00")]


@pytest.mark.parametrize("outcome", ["failed", "canceled", "expired"])
def test_a_payment_not_completed_offers_a_retry_and_leaves_the_invoices_open(
    client, link, mollie, invoices, outcome
) -> None:
    checkout(pay(client, link, [str(invoices[1].public_id)])["Location"], outcome)
    payment = only_payment(invoices[1].organization)

    response = client.get(f"{link}paid/{payment.public_id}/")

    html = response.content.decode()
    assert response.status_code == 200
    assert says(html, "The payment did not succeed", "niet gelukt")
    assert f'href="{link}?lang=' in html  # back to the portal to try again
    assert 'http-equiv="refresh"' not in html
    assert open_amounts(*invoices) == [Decimal("400.00"), Decimal("121.00")]


def test_a_payment_still_open_waits_for_the_bank_and_refreshes_without_script(client, link, mollie, invoices) -> None:
    pay(client, link, [str(invoices[1].public_id)])
    payment = only_payment(invoices[1].organization)

    response = client.get(f"{link}paid/{payment.public_id}/")

    html = response.content.decode()
    assert says(html, "We are waiting for the confirmation from your bank", "wachten op de bevestiging van uw bank")
    assert '<meta http-equiv="refresh" content="5">' in html
    assert f'href="{link}paid/{payment.public_id}/?lang=' in html
    assert "<script" not in html


def test_the_return_page_shows_what_is_known_when_mollie_is_unreachable(client, link, mollie, settings, invoices):
    pay(client, link, [str(invoices[1].public_id)])
    payment = only_payment(invoices[1].organization)
    mollie.stop()

    response = client.get(f"{link}paid/{payment.public_id}/")

    assert response.status_code == 200
    assert says(response.content.decode(), "waiting for the confirmation", "wachten op de bevestiging")
    mollie.start()  # the fixture stops it again


def test_another_debtors_payment_answers_like_a_wrong_token(client, link, mollie, organization, stranger) -> None:
    their_link = portal_path(portal_link_issue(organization=organization, debtor=stranger.debtor))
    pay(client, their_link, [str(stranger.public_id)])
    theirs = only_payment(organization)
    wrong = client.get(WRONG_TOKEN_PAGE)

    response = client.get(f"{link}paid/{theirs.public_id}/")
    made_up = client.get(f"{link}paid/00000000-0000-4000-8000-000000000000/")

    assert (response.status_code, response.content) == (404, wrong.content)
    assert (made_up.status_code, made_up.content) == (404, wrong.content)
    assert len(mollie.requests_to("GET", "/v2/payments")) == 0  # not even fetched


def test_another_organizations_link_cannot_open_this_organizations_payment(client, mollie, invoices, link) -> None:
    pay(client, link, [str(invoices[1].public_id)])
    payment = only_payment(invoices[1].organization)
    elsewhere = OrganizationFactory()
    their_link = portal_path(portal_link_issue(organization=elsewhere, debtor=DebtorFactory(organization=elsewhere)))

    response = client.get(f"{their_link}paid/{payment.public_id}/")

    assert response.status_code == 404


# --- bank transfer ------------------------------------------------------------------------------------


def test_the_transfer_block_asks_for_the_messages_invoice_with_its_rf_reference_and_qr(client, debtor) -> None:
    InvoiceFactory(debtor=debtor, number="2026-OLD", amount=Decimal("50.00"))
    invoice = InvoiceFactory(debtor=debtor, number="2026001", amount=Decimal("121.00"))
    link = portal_path(portal_link_issue(organization=debtor.organization, debtor=debtor, invoice_ids=[invoice.pk]))
    reference = creditor_reference("2026001")
    expected_qr = qr_data_uri(
        epc_qr(
            epc_payload(
                name="Alpha Groothandel B.V.", iban="NL91ABNA0417164300", amount=Decimal("121.00"), reference=reference
            )
        )
    )

    html = client.get(link).content.decode()

    block = html[html.index('class="portal-transfer"') :]
    block = block[: block.index("</section>")]
    assert "NL91 ABNA 0417 1643 00" in block
    assert "Alpha Groothandel B.V." in block
    assert "€\xa0121,00" in block and "2026-OLD" not in block  # the message's invoice, as on the letter
    assert iso11649.format(reference) in block
    assert f'src="{expected_qr}"' in block
    assert expected_qr.startswith("data:image/svg+xml")  # nothing loaded from elsewhere (CSP img-src data:)


def test_without_a_message_the_transfer_asks_for_everything_open_with_one_bundle_reference(
    client, debtor, invoices
) -> None:
    link = portal_path(portal_link_issue(organization=debtor.organization, debtor=debtor))

    html = client.get(link).content.decode()
    again = client.get(link).content.decode()

    bundle = BundleReference.objects.for_organization(debtor.organization).get()
    assert sorted(bundle.invoice_ids) == sorted(invoice.pk for invoice in invoices)
    expected_qr = qr_data_uri(
        epc_qr(
            epc_payload(
                name="Alpha Groothandel B.V.",
                iban="NL91ABNA0417164300",
                amount=Decimal("521.00"),
                reference=bundle.reference,
            )
        )
    )
    block = html[html.index('class="portal-transfer"') :]
    block = block[: block.index("</section>")]
    assert iso11649.format(bundle.reference) in block and "Facturen F-OLD" not in block
    assert "€\xa0521,00" in block
    assert f'src="{expected_qr}"' in block
    assert iso11649.format(bundle.reference) in again  # the same set, the same reference


def test_the_transfer_block_of_a_message_about_several_invoices_shows_their_bundle_reference(
    client, debtor, invoices
) -> None:
    InvoiceFactory(debtor=debtor, number="F-ELSE", amount=Decimal("5.00"))  # open, not in the message
    ids = [invoice.pk for invoice in invoices]
    link = portal_path(portal_link_issue(organization=debtor.organization, debtor=debtor, invoice_ids=ids))
    reference = bundle_reference(
        organization=debtor.organization, debtor=debtor, invoice_public_ids=[i.public_id for i in invoices]
    )

    html = client.get(link).content.decode()

    block = html[html.index('class="portal-transfer"') :]
    block = block[: block.index("</section>")]
    assert iso11649.format(reference) in block
    assert "€\xa0521,00" in block and "F-ELSE" not in block
    assert BundleReference.objects.for_organization(debtor.organization).count() == 1


def test_the_transfer_block_shows_also_without_online_payment_but_not_without_an_iban(
    client, link, settings, organization
) -> None:
    settings.MOLLIE_API_KEY = ""
    with_iban = client.get(link).content.decode()
    organization.iban = ""
    organization.save()

    without_iban = client.get(link).content.decode()

    assert 'class="portal-transfer"' in with_iban and "NL91 ABNA" in with_iban
    assert 'class="portal-transfer"' not in without_iban


def test_nothing_open_in_euros_shows_no_transfer_block(client, debtor) -> None:
    InvoiceFactory(debtor=debtor, number="USD-1", currency="USD")
    link = portal_path(portal_link_issue(organization=debtor.organization, debtor=debtor))

    assert 'class="portal-transfer"' not in client.get(link).content.decode()


def test_a_stale_form_for_invoices_paid_meanwhile_still_says_why(client, link, mollie, invoices) -> None:
    token = form_token(client, link)
    Invoice.objects.for_organization(invoices[0].organization).update(
        status=InvoiceStatus.PAID, open_amount=Decimal("0.00")
    )

    response = pay(client, link, [str(invoices[0].public_id), str(invoices[1].public_id)], token=token)

    html = response.content.decode()
    assert response.status_code == 400
    assert 'name="form_token"' not in html  # nothing left to offer
    assert 'role="alert"' in html and "F-OLD" in html
    assert mollie.requests_to("POST", "/v2/payments") == []
