"""Letters: the layout (address in the envelope window, invoices, payment QR code) and the daily print batch.

Every PDF here is a real WeasyPrint document read back with pypdf.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal
from typing import Any

import pytest
import segno.helpers
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import translation
from PIL import Image
from pypdf import PdfReader
from stdnum import iso11649

from collection.legal.fourteen_day_letter import fourteen_day_term
from invoices.models import DebtorKind, InvoiceStatus
from outstanding.calendar import local_today
from reminders.channels import PermanentFailure
from reminders.channels import letter as layout
from reminders.models import (
    BundleReference,
    Channel,
    LetterBatch,
    MessageTemplate,
    Reminder,
    ReminderStatus,
    StepKind,
    Tone,
)
from reminders.rendering import RenderedMessage, render_reminder
from reminders.selectors import letters as letter_selectors
from reminders.services import letters
from reminders.services.payment_references import reminder_bundle_reference
from reminders.tasks import letter_batches_create_all
from tests.factories import TODAY, DebtorFactory, InvoiceFactory, OrganizationFactory

pytestmark = pytest.mark.django_db

MM_PER_POINT = 25.4 / 72


def message_for(reminder: Reminder) -> RenderedMessage:
    """The words of a letter as reminders.rendering hands them over."""
    return RenderedMessage(
        recipient="",
        subject="Openstaande facturen",
        text=f"Geachte {reminder.debtor.name}, wij hebben uw betaling nog niet ontvangen.",
        letter_html="<p>Geachte heer, mevrouw,</p><p>Wij hebben uw betaling nog niet ontvangen.</p>",
    )


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, with no-break spaces as ordinary ones."""
    return [page.extract_text().replace("\xa0", " ") for page in PdfReader(io.BytesIO(pdf)).pages]


def pdf_text(pdf: bytes) -> str:
    return "\n".join(pdf_pages(pdf))


def text_positions(pdf: bytes, page_number: int = 0) -> list[tuple[str, float, float]]:
    """(text, x, y) in millimetres from the page's top-left corner, for every piece of text on the page."""
    page = PdfReader(io.BytesIO(pdf)).pages[page_number]
    height = float(page.mediabox.height)
    found: list[tuple[str, float, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: object) -> None:
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            found.append((text.strip(), x * MM_PER_POINT, (height - y) * MM_PER_POINT))

    page.extract_text(visitor_text=visit)
    return found


@pytest.fixture
def debtor(org_a):
    return DebtorFactory(
        organization=org_a.organization,
        name="Jansen Bouw B.V.",
        contact_person="P. Jansen",
        street="Damrak 1",
        postal_code="1012lg",
        city="Amsterdam",
    )


@pytest.fixture
def letter(make_reminder, debtor) -> Reminder:
    invoices = (
        InvoiceFactory(debtor=debtor, number="F1001", amount=Decimal("1234.56")),
        InvoiceFactory(debtor=debtor, number="F1002", amount=Decimal("99.95")),
    )
    return make_reminder(debtor, invoices=invoices, channel=Channel.LETTER)


def preview(reminder: Reminder, message: RenderedMessage | None = None) -> bytes:
    """The layout alone, around words given here (what reminders.rendering would hand over)."""
    built = layout.letter_build(reminder=reminder, message=message or message_for(reminder), date=TODAY)
    return layout.letters_pdf([built], organization=reminder.organization)


# --- What the letter says ---------------------------------------------------------------------------


def test_the_preview_is_the_rendered_letter_in_its_layout(letter) -> None:
    message = render_reminder(letter, today=TODAY)
    text = pdf_text(letters.letter_preview_pdf(reminder=letter, date=TODAY))
    assert message.subject in text
    assert "F1001" in text and "€ 1.334,51" in text and "Jansen Bouw B.V." in text


def test_the_letter_shows_the_address_the_invoices_and_the_dutch_amounts(letter) -> None:
    text = pdf_text(preview(letter))
    for expected in ("Jansen Bouw B.V.", "t.a.v. P. Jansen", "Damrak 1", "1012 LG", "AMSTERDAM"):
        assert expected in text
    assert "F1001" in text and "F1002" in text
    assert "€ 1.234,56" in text and "€ 99,95" in text
    assert "€ 1.334,51" in text  # the total
    assert "Betreft: Openstaande facturen" in text
    assert "Wij hebben uw betaling nog niet ontvangen." in text


def test_the_letter_is_dated_in_dutch(letter) -> None:
    assert "26 november 2026" in pdf_text(preview(letter))


def test_a_letter_to_an_english_speaking_debtor_uses_english_words(letter, debtor) -> None:
    debtor.language = letter.language = "en"
    letter.save()
    text = pdf_text(preview(letter))
    assert "26 November 2026" in text and "Subject: Openstaande facturen" in text and "€1,334.51" in text


def test_the_letter_prints_the_iban_and_the_reference_beside_the_qr_code(make_reminder, debtor) -> None:
    reminder = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor, number="539007547034"),), channel="letter")
    text = pdf_text(preview(reminder))
    assert "NL91 ABNA 0417 1643 00" in text
    assert "Betalingskenmerk RF18 5390 0754 7034" in text


def test_without_a_bundle_reference_several_invoices_are_paid_with_their_numbers_as_description(letter) -> None:
    assert "Omschrijving Facturen F1001, F1002" in pdf_text(preview(letter))


def test_a_printed_letter_about_several_invoices_asks_for_their_one_bundle_reference(letter, org_a) -> None:
    created = batch(org_a.organization)

    assert created is not None
    reference = reminder_bundle_reference(reminder=letter)
    assert layout.is_bundle_reference(reference)
    letter.refresh_from_db()
    text = pdf_text(letter.pdf.open("rb").read())
    assert f"Betalingskenmerk {iso11649.format(reference)}" in text
    assert "Omschrijving" not in text  # a structured reference, not the numbers as text
    assert iso11649.format(reference) in letter.body  # the words say it too ("onder vermelding van ...")


def test_the_epc_qr_code_of_a_letter_about_several_invoices_carries_the_bundle_reference(letter) -> None:
    reference = reminder_bundle_reference(reminder=letter)
    message = render_reminder(letter, today=TODAY, bundle_reference=reference)

    built = layout.letter_build(reminder=letter, message=message, date=TODAY)

    payload = layout.epc_payload(
        name="Alpha Groothandel B.V.", iban="NL91ABNA0417164300", amount=Decimal("1334.51"), reference=reference
    )
    assert payload.decode().split("\n")[7:] == ["EUR1334.51", "", reference]
    assert built.payment is not None and built.payment.qr == layout.qr_data_uri(layout.epc_qr(payload))
    assert (built.payment.reference, built.payment.text) == (iso11649.format(reference), "")


def test_the_preview_and_the_printed_letter_ask_for_the_same_reference(letter, org_a) -> None:
    previewed = pdf_text(letters.letter_preview_pdf(reminder=letter, date=TODAY))
    assert batch(org_a.organization) is not None
    letter.refresh_from_db()

    [stored] = BundleReference.objects.for_organization(org_a.organization)
    formatted = f"Betalingskenmerk {iso11649.format(stored.reference)}"
    assert formatted in previewed and formatted in pdf_text(letter.pdf.open("rb").read())


def test_a_registered_letter_says_so(letter) -> None:
    letter.registered = True
    letter.save()
    assert "Aangetekend" in pdf_text(preview(letter))


def test_an_ordinary_letter_does_not_say_registered(letter) -> None:
    assert "Aangetekend" not in pdf_text(preview(letter))


def test_the_footer_shows_the_organizations_kvk_vat_id_and_iban(letter) -> None:
    text = pdf_text(preview(letter))
    assert "KvK 12345678" in text and "Btw-id NL000099998B57" in text and "IBAN NL91 ABNA 0417 1643 00" in text


def test_a_letter_in_a_collectors_name_shows_the_wki_registration_number(letter) -> None:
    built = layout.letter_build(reminder=letter, message=message_for(letter), date=TODAY)
    organization = letter.organization
    assert "Wki-registratienummer" not in pdf_text(layout.letters_pdf([built], organization=organization))
    text = pdf_text(layout.letters_pdf([built], organization=organization, collector_registration="123456"))
    assert "Wki-registratienummer 123456" in text


def test_letters_are_not_sent_one_by_one(letter) -> None:
    with pytest.raises(PermanentFailure, match="print batch"):
        layout.deliver(letter, message_for(letter))


def test_the_return_address_is_printed_above_the_recipient(letter) -> None:
    positions = text_positions(preview(letter))
    return_line = next(y for text, x, y in positions if text.startswith("Retouradres:"))
    name = next(y for text, x, y in positions if text == "Jansen Bouw B.V.")
    assert return_line < name
    assert "Keizersgracht 1" in next(text for text, x, y in positions if text.startswith("Retouradres:"))


def test_the_address_lies_inside_the_envelope_window(letter) -> None:
    letter.registered = True
    letter.save()
    positions = text_positions(preview(letter))
    address = [
        p for p in positions if p[0] in ("Jansen Bouw B.V.", "t.a.v. P. Jansen", "Damrak 1", "1012 LG AMSTERDAM")
    ]
    assert len(address) == 4
    window = layout.WINDOW
    for text, x, y in address:
        assert window.left + 2 <= x <= window.right - 50, text  # starts inside, with room for the line
        # y is the baseline: the letters stand above it, all inside the window.
        assert window.top + 4 <= y <= window.bottom - 2, (text, y)


def test_nothing_else_is_printed_in_the_envelope_window(letter) -> None:
    letter.registered = True
    letter.save()
    expected = "Retouradres: Alpha Groothandel B.V., Keizersgracht 1, 1015 CJ Amsterdam AANGETEKEND " + " ".join(
        layout.postal_address_lines(letter.debtor)
    )
    window = layout.WINDOW
    for text, x, y in text_positions(preview(letter)):
        if window.left <= x <= window.right and window.top <= y <= window.bottom + 3:
            assert " ".join(text.split()) in " ".join(expected.split()), text


def test_a_foreign_address_ends_with_the_country_in_capitals(make_reminder, org_a) -> None:
    debtor = DebtorFactory(
        organization=org_a.organization, street="Rue Neuve 1", postal_code="1000", city="Brussel", country="BE"
    )
    reminder = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),), channel=Channel.LETTER)
    assert layout.postal_address_lines(debtor)[-2:] == ["1000 Brussel", "BELGIUM"]
    assert "BELGIUM" in pdf_text(preview(reminder))


def test_a_consumer_gets_no_attention_line() -> None:
    debtor = DebtorFactory.build(kind=DebtorKind.CONSUMER, name="A. de Vries", contact_person="A. de Vries")
    assert layout.postal_address_lines(debtor) == ["A. de Vries", "Damrak 1", "1012 LG  AMSTERDAM"]


def test_the_portal_link_is_printed_with_its_own_qr_code(letter) -> None:
    message = RenderedMessage(
        recipient="", subject="S", text="T", letter_html="<p>T</p>", context={"portal_url": "https://pay.example/p/abc"}
    )
    built = layout.letter_build(reminder=letter, message=message, date=TODAY)
    assert built.portal_qr.startswith("data:image/svg+xml")
    assert "https://pay.example/p/abc" in pdf_text(preview(letter, message))


def test_without_a_portal_link_there_is_no_portal_block(letter) -> None:
    assert "online" not in pdf_text(preview(letter))


def _has_image(pdf: bytes) -> bool:
    page = PdfReader(io.BytesIO(pdf)).pages[0]
    resources: Any = page["/Resources"].get_object()
    objects = resources.get("/XObject", {})
    return any(objects[name].get_object().get("/Subtype") == "/Image" for name in objects)


def test_the_organizations_logo_heads_the_letter(letter, org_a) -> None:
    assert not _has_image(preview(letter))
    buffer = io.BytesIO()
    Image.new("RGB", (120, 40), "navy").save(buffer, format="PNG")
    org_a.organization.logo.save("logo.png", ContentFile(buffer.getvalue()), save=True)
    letter.refresh_from_db()
    assert _has_image(preview(letter))


def test_the_layout_prints_its_own_invoice_table_only_when_the_body_has_none(letter) -> None:
    plain = layout.letter_build(reminder=letter, message=message_for(letter), date=TODAY)
    with_table = RenderedMessage(
        recipient="", subject="S", text="T", letter_html='<table class="invoice-table"><tr><td>F1001</td></tr></table>'
    )
    assert plain.show_items_table
    assert not layout.letter_build(reminder=letter, message=with_table, date=TODAY).show_items_table
    # F1002 is not in this body's table: only the payment description names it, no second table.
    assert pdf_text(preview(letter, with_table)).count("F1002") == 1
    assert pdf_text(preview(letter)).count("F1002") == 2


def test_invoices_paid_since_planning_are_left_out_of_the_letter(letter) -> None:
    paid = letter.items.get(invoice__number="F1002").invoice
    paid.open_amount, paid.status = Decimal("0.00"), InvoiceStatus.PAID
    paid.save()
    built = layout.letter_build(reminder=letter, message=message_for(letter), date=TODAY)
    assert [item.number for item in built.items] == ["F1001"]
    assert built.total == "€\xa01.234,56"


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000/internal.png", "https://example.com/x.png", "file:///etc/passwd", "ftp://example.com/x"],
)
def test_a_letter_loads_nothing_from_the_network_or_outside_media(url: str) -> None:
    with pytest.raises(ValueError, match="letters"):
        layout.LocalFilesOnly().fetch(url)


def test_a_letter_may_load_files_from_the_media_folder(settings) -> None:
    settings.MEDIA_ROOT.mkdir(parents=True, exist_ok=True)
    logo = settings.MEDIA_ROOT / "logo.txt"
    logo.write_text("ok")
    response = layout.LocalFilesOnly().fetch(logo.as_uri())
    try:
        assert response.read() == b"ok"
    finally:
        response.close()


# --- Payment reference and EPC QR code ---------------------------------------------------------------


def test_the_creditor_reference_follows_iso_11649() -> None:
    assert layout.creditor_reference("539007547034") == "RF18539007547034"  # the standard's example
    for number in ("F1001", "2026A17", "abc123", "1"):
        reference = layout.creditor_reference(number)
        assert reference is not None and iso11649.is_valid(reference), number
    assert layout.creditor_reference("abc123") == layout.creditor_reference("ABC123")


@pytest.mark.parametrize("number", ["2026-00001", "F 1001", "2026/17", "A" * 22, ""])
def test_a_number_a_reference_cannot_hold_gets_no_creditor_reference(number: str) -> None:
    assert layout.creditor_reference(number) is None


def test_one_invoice_is_paid_by_reference_and_several_by_their_numbers() -> None:
    assert layout.payment_reference(["F1001"]).structured == layout.creditor_reference("F1001")
    assert layout.payment_reference(["2026-00001"]) == layout.PaymentReference(text="Factuur 2026-00001")
    assert layout.payment_reference(["F1", "F2"]) == layout.PaymentReference(text="Facturen F1, F2")
    assert layout.payment_reference(["F1", "F2"], "en") == layout.PaymentReference(text="Invoices F1, F2")


def test_too_many_invoice_numbers_are_cut_to_140_characters() -> None:
    numbers = [f"2026-{n:05d}" for n in range(40)]
    text = layout.payment_reference(numbers).text
    assert len(text) <= 140
    assert text.startswith("Facturen 2026-00000, 2026-00001") and text.endswith(" e.a.")


def test_the_epc_payload_has_the_lines_of_the_standard() -> None:
    payload = layout.epc_payload(
        name="Alpha Groothandel B.V.",
        iban="NL91 ABNA 0417 1643 00",
        amount=Decimal("1334.51"),
        reference="RF18539007547034",
    )
    assert payload.decode("utf-8").split("\n") == [
        "BCD",
        "002",
        "1",
        "SCT",
        "",
        "Alpha Groothandel B.V.",
        "NL91ABNA0417164300",
        "EUR1334.51",
        "",
        "RF18539007547034",
    ]


def test_an_epc_payload_without_a_reference_carries_the_text() -> None:
    payload = layout.epc_payload(name="A", iban="NL91ABNA0417164300", amount=Decimal("12.50"), text="Factuur 2026-1")
    assert payload.decode("utf-8").split("\n")[7:] == ["EUR12.50", "", "", "Factuur 2026-1"]


def test_the_beneficiary_name_is_cut_to_70_characters() -> None:
    payload = layout.epc_payload(name="X" * 90, iban="NL91ABNA0417164300", amount=Decimal("1"), text="t")
    assert payload.decode().split("\n")[5] == "X" * 70


@pytest.mark.parametrize(
    "changes",
    [
        {"reference": "RF18539007547034", "text": "both"},
        {"reference": "", "text": ""},
        {"amount": Decimal("0.00")},
        {"amount": Decimal("1000000000.00")},
        {"reference": "RF19539007547034", "text": ""},
        {"text": "x" * 141, "reference": ""},
        {"name": "  "},
        {"iban": "NL00ABNA0417164300"},
    ],
)
def test_an_invalid_epc_payload_is_refused(changes: dict[str, object]) -> None:
    arguments: dict[str, object] = {
        "name": "A",
        "iban": "NL91ABNA0417164300",
        "amount": Decimal("10.00"),
        "reference": "RF18539007547034",
        "text": "",
    }
    with pytest.raises(ValueError):
        layout.epc_payload(**{**arguments, **changes})  # type: ignore[arg-type]


def test_the_qr_code_is_the_one_segno_makes_for_an_epc_payment() -> None:
    payload = layout.epc_payload(
        name="Alpha Groothandel B.V.", iban="NL91ABNA0417164300", amount=Decimal("12.34"), reference="RF18539007547034"
    )
    ours = layout.epc_qr(payload)
    reference = segno.helpers.make_epc_qr(
        name="Alpha Groothandel B.V.",
        iban="NL91ABNA0417164300",
        amount=Decimal("12.34"),
        reference="RF18539007547034",
        encoding="utf-8",
    )
    assert ours.error == "M" and int(ours.version) <= 13
    assert ours.matrix == reference.matrix


def test_without_an_iban_the_letter_has_no_payment_block(letter, org_a) -> None:
    org_a.organization.iban = ""
    org_a.organization.save()
    letter.refresh_from_db()
    assert layout.letter_build(reminder=letter, message=message_for(letter), date=TODAY).payment is None
    assert "Betalen" not in pdf_text(preview(letter))


# --- The print batch --------------------------------------------------------------------------------


def batch(organization, date: dt.date = TODAY) -> LetterBatch | None:
    return letters.letter_batch_create(organization=organization, date=date)


def letter_to(make_reminder, organization, name: str, **fields: object) -> Reminder:
    debtor = DebtorFactory(organization=organization, name=name, **fields)
    return make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),), channel=Channel.LETTER)


def stored(organization, message: str) -> str:
    """A reason kept for a person to read: in the organization's language."""
    with translation.override(organization.default_language):
        return translation.gettext(message)


def fourteen_day_letter(make_reminder, org_a, amount: Decimal = Decimal("121.00"), **dates: dt.date) -> Reminder:
    debtor = DebtorFactory(organization=org_a.organization, kind=DebtorKind.CONSUMER)
    invoice = InvoiceFactory(debtor=debtor, amount=amount, **dates)
    reminder = make_reminder(debtor, invoices=(invoice,), channel=Channel.LETTER)
    reminder.kind = StepKind.FOURTEEN_DAY_LETTER
    reminder.save()
    reminder.items.update(step_kind=StepKind.FOURTEEN_DAY_LETTER, step_day=17)
    return reminder


def test_a_batch_prints_every_waiting_letter_in_one_pdf_and_marks_them_printed(make_reminder, org_a) -> None:
    first = letter_to(make_reminder, org_a.organization, "Eerste B.V.")
    second = letter_to(make_reminder, org_a.organization, "Tweede B.V.", postal_code="9999 AA")
    created = batch(org_a.organization)
    assert created is not None and created.letter_count == 2 and created.date == TODAY
    pages = pdf_pages(created.pdf.read())
    assert len(pages) == 2
    assert "Eerste B.V." in pages[0] and "Tweede B.V." in pages[1]  # by postal code
    for reminder in (first, second):
        reminder.refresh_from_db()
        # The letter prints its own portal link (issue 9); the kept words show it without its token.
        assert re.search(r"http://localhost:8000/p/••••••/", reminder.body)
        message = render_reminder(reminder, today=TODAY, portal_url="http://localhost:8000/p/••••••/")
        # printed is not sent: the letter counts as sent from the day the batch is posted
        assert reminder.status == ReminderStatus.PRINTED and reminder.sent_at is None and reminder.sent_date is None
        assert reminder.letter_batch == created
        assert reminder.subject == message.subject and reminder.subject
        assert reminder.body == message.text == message.letter_text
        assert reminder.total_open_amount == Decimal("121.00")
    assert first.recipient == "Eerste B.V., Damrak 1, 1012 LG  AMSTERDAM"


def test_a_second_batch_the_same_day_with_nothing_new_creates_nothing(make_reminder, org_a) -> None:
    letter_to(make_reminder, org_a.organization, "Eerste B.V.")
    assert batch(org_a.organization) is not None
    assert batch(org_a.organization) is None
    assert LetterBatch.objects.for_organization(org_a.organization).count() == 1


def test_a_letter_planned_since_the_last_batch_goes_in_a_new_one(make_reminder, org_a) -> None:
    letter_to(make_reminder, org_a.organization, "Eerste B.V.")
    batch(org_a.organization)
    later = letter_to(make_reminder, org_a.organization, "Later B.V.")
    second = batch(org_a.organization)
    assert second is not None and list(second.letters.all()) == [later]


def test_without_letters_there_is_no_batch(org_a) -> None:
    assert batch(org_a.organization) is None
    assert not LetterBatch.objects.for_organization(org_a.organization).exists()


def test_a_letter_planned_for_later_waits_for_its_day(make_reminder, org_a) -> None:
    waiting = letter_to(make_reminder, org_a.organization, "Later B.V.")
    waiting.planned_date = TODAY + dt.timedelta(days=1)
    waiting.save()
    assert batch(org_a.organization) is None
    created = batch(org_a.organization, TODAY + dt.timedelta(days=1))
    assert created is not None and list(created.letters.all()) == [waiting]


def test_only_planned_letters_of_this_organization_are_printed(make_reminder, org_a, org_b) -> None:
    ours = letter_to(make_reminder, org_a.organization, "Ons B.V.")
    theirs = letter_to(make_reminder, org_b.organization, "Hun B.V.")
    debtor = DebtorFactory(organization=org_a.organization)
    email = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),), channel=Channel.EMAIL)
    cancelled = letter_to(make_reminder, org_a.organization, "Geannuleerd B.V.")
    cancelled.status = ReminderStatus.CANCELLED
    cancelled.save()
    created = batch(org_a.organization)
    assert created is not None and list(created.letters.all()) == [ours]
    for untouched in (theirs, email, cancelled):
        status = untouched.status
        untouched.refresh_from_db()
        assert untouched.status == status and untouched.letter_batch is None


@pytest.mark.parametrize("missing", [{"street": ""}, {"city": ""}, {"postal_code": ""}])
def test_a_letter_without_a_postal_address_needs_attention_and_stays_out(make_reminder, org_a, missing) -> None:
    good = letter_to(make_reminder, org_a.organization, "Goed B.V.")
    bad = letter_to(make_reminder, org_a.organization, "Zonder Adres B.V.", **missing)
    created = batch(org_a.organization)
    assert created is not None and list(created.letters.all()) == [good]
    bad.refresh_from_db()
    assert bad.status == ReminderStatus.NEEDS_ATTENTION and bad.letter_batch is None
    assert bad.error == stored(org_a.organization, letters.NO_ADDRESS_ERROR)
    assert "Zonder Adres" not in pdf_text(created.pdf.read())


def test_a_foreign_debtor_without_a_postal_code_still_gets_a_letter(make_reminder, org_a) -> None:
    letter_to(make_reminder, org_a.organization, "Dublin Ltd", postal_code="", city="Dublin", country="IE")
    created = batch(org_a.organization)
    assert created is not None and "IRELAND" in pdf_text(created.pdf.read())


def test_a_batch_of_only_unprintable_letters_is_not_made(make_reminder, org_a) -> None:
    bad = letter_to(make_reminder, org_a.organization, "Zonder Adres B.V.", street="")
    assert batch(org_a.organization) is None
    bad.refresh_from_db()
    assert bad.status == ReminderStatus.NEEDS_ATTENTION


def test_a_letter_whose_invoices_were_all_paid_is_cancelled(make_reminder, org_a) -> None:
    paid = letter_to(make_reminder, org_a.organization, "Betaald B.V.")
    invoice = paid.items.get().invoice
    invoice.open_amount, invoice.status = Decimal("0.00"), InvoiceStatus.PAID
    invoice.save()
    assert batch(org_a.organization) is None
    paid.refresh_from_db()
    assert paid.status == ReminderStatus.CANCELLED and paid.error == stored(
        org_a.organization, letters.NOTHING_OPEN_ERROR
    )


def test_a_letter_that_cannot_be_rendered_needs_attention_and_the_others_go_out(make_reminder, org_a) -> None:
    good = letter_to(make_reminder, org_a.organization, "Goed B.V.")
    broken = letter_to(make_reminder, org_a.organization, "Kapot B.V.")
    broken.tone = Tone.FIRM
    broken.save()
    MessageTemplate.objects.create(
        organization=org_a.organization,
        kind=StepKind.REMINDER,
        tone=Tone.FIRM,
        language="nl",
        email_subject="Herinnering",
        email_body="Betaal.",
        sms_body="Betaal.",
        letter_body="Betaal {% if %} nu.",
    )
    created = batch(org_a.organization)
    assert created is not None and list(created.letters.all()) == [good]
    broken.refresh_from_db()
    assert broken.status == ReminderStatus.NEEDS_ATTENTION and broken.letter_batch is None
    assert broken.error.startswith(stored(org_a.organization, letters.RENDER_FAILED_ERROR) % {"error": ""})


def test_registered_letters_come_first_in_the_batch(make_reminder, org_a) -> None:
    letter_to(make_reminder, org_a.organization, "Aaa Gewoon B.V.", postal_code="1000 AA")
    registered = letter_to(make_reminder, org_a.organization, "Zzz Aangetekend B.V.", postal_code="9999 ZZ")
    letters.letter_registered_set(reminder=registered, registered=True)
    created = batch(org_a.organization)
    pages = pdf_pages(created.pdf.read())  # type: ignore[union-attr]
    assert "Zzz Aangetekend B.V." in pages[0] and "Aangetekend" in pages[0]
    assert "Aangetekend" not in pages[1]


def test_a_printed_fourteen_day_letter_keeps_the_costs_it_states_but_has_no_legal_dates_yet(make_reminder, org_a):
    reminder = fourteen_day_letter(make_reminder, org_a)
    batch(org_a.organization)
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.PRINTED
    assert reminder.collection_costs == Decimal("40.00")  # the WIK minimum on € 121.00, as printed
    assert (reminder.sent_date, reminder.presumed_receipt_date, reminder.term_end_date) == (None, None, None)
    assert reminder.costs_chargeable_from is None


def test_the_daily_task_prints_each_organizations_letters_up_to_its_today(make_reminder, org_a, org_b) -> None:
    ours = letter_to(make_reminder, org_a.organization, "Taak A B.V.")
    theirs = letter_to(make_reminder, org_b.organization, "Taak B B.V.")
    for reminder in (ours, theirs):
        reminder.planned_date = local_today(reminder.organization.time_zone)
        reminder.save()
    letter_batches_create_all.delay()  # tasks run at once in tests
    for reminder in (ours, theirs):
        reminder.refresh_from_db()
        assert reminder.status == ReminderStatus.PRINTED
        assert reminder.letter_batch is not None and reminder.letter_batch.organization == reminder.organization


# --- Registered mail and downloads ------------------------------------------------------------------


def test_a_waiting_letter_can_be_made_registered_and_ordinary_again(letter) -> None:
    letters.letter_registered_set(reminder=letter, registered=True)
    letter.refresh_from_db()
    assert letter.registered
    letters.letter_registered_set(reminder=letter, registered=False)
    letter.refresh_from_db()
    assert not letter.registered


def test_a_printed_letter_cannot_be_made_registered(make_reminder, org_a) -> None:
    printed = letter_to(make_reminder, org_a.organization, "Gedrukt B.V.")
    batch(org_a.organization)
    printed.refresh_from_db()
    with translation.override("en"), pytest.raises(ValidationError, match="printed already"):
        letters.letter_registered_set(reminder=printed, registered=True)
    printed.refresh_from_db()
    assert not printed.registered


def test_only_a_letter_can_be_sent_registered(make_reminder, debtor) -> None:
    email = make_reminder(debtor, invoices=(InvoiceFactory(debtor=debtor),), channel=Channel.EMAIL)
    with translation.override("en"), pytest.raises(ValidationError, match="Only letters"):
        letters.letter_registered_set(reminder=email, registered=True)
    email.refresh_from_db()
    assert not email.registered


def test_the_first_download_is_remembered(make_reminder, org_a) -> None:
    letter_to(make_reminder, org_a.organization, "Eerste B.V.")
    created = batch(org_a.organization)
    assert created is not None and created.downloaded_at is None
    first = letters.letter_batch_downloaded(batch=created).downloaded_at
    assert first is not None
    assert letters.letter_batch_downloaded(batch=created).downloaded_at == first


def test_the_letter_list_reads_only_one_organization(make_reminder, org_a) -> None:
    other = OrganizationFactory()
    letter_to(make_reminder, other, "Ander B.V.")
    assert not letter_selectors.letters_waiting(organization=org_a.organization).exists()


# --- Posting: letters count as sent from the day their batch is posted -------------------------------

MONDAY, WEDNESDAY = dt.date(2026, 11, 23), dt.date(2026, 11, 25)


def printed_on(make_reminder, org_a, day: dt.date, **fields: Any) -> tuple[LetterBatch, Reminder]:
    reminder = fourteen_day_letter(make_reminder, org_a, **fields)
    reminder.planned_date = day
    reminder.save()
    created = batch(org_a.organization, day)
    assert created is not None
    return created, reminder


def post(created: LetterBatch, org_a, day: dt.date) -> LetterBatch:
    return letters.letter_batch_posted(batch=created, user=org_a.member, posted_date=day, today=TODAY)


def test_a_letter_printed_on_monday_and_posted_on_wednesday_runs_its_term_from_wednesday(make_reminder, org_a):
    created, reminder = printed_on(make_reminder, org_a, MONDAY)
    posted = post(created, org_a, WEDNESDAY)
    reminder.refresh_from_db()
    term = fourteen_day_term(WEDNESDAY, "post")
    assert (posted.posted_date, posted.posted_by, posted.posted_at is not None) == (WEDNESDAY, org_a.member, True)
    assert reminder.status == ReminderStatus.SENT and reminder.sent_at is not None
    assert reminder.sent_date == WEDNESDAY
    assert reminder.presumed_receipt_date == term.presumed_receipt_date
    assert reminder.term_end_date == term.term_end
    assert reminder.costs_chargeable_from == term.first_day_costs_chargeable
    assert term.term_end != fourteen_day_term(MONDAY, "post").term_end  # the batch's day would have been wrong


def test_posting_keeps_the_collection_costs_the_printed_letter_stated(make_reminder, org_a) -> None:
    created, reminder = printed_on(make_reminder, org_a, MONDAY, amount=Decimal("5000.00"))
    reminder.refresh_from_db()
    stated = reminder.collection_costs
    assert stated == Decimal("625.00")  # 15 % of 2,500 + 10 % of 2,500 (WIK scale)
    invoice = reminder.items.get().invoice
    invoice.open_amount = Decimal("1000.00")  # paid in part between printing and posting
    invoice.save()
    post(created, org_a, WEDNESDAY)
    reminder.refresh_from_db()
    assert reminder.collection_costs == stated


def test_a_printed_but_not_posted_fourteen_day_letter_does_not_count_as_sent(make_reminder, org_a) -> None:
    from reminders import engine
    from reminders.models import FlowStep
    from reminders.services.defaults import organization_defaults_create

    organization_defaults_create(org_a.organization)
    step = FlowStep.objects.for_organization(org_a.organization).get(
        flow__debtor_kind=DebtorKind.CONSUMER, flow__variant="standard", kind=StepKind.FOURTEEN_DAY_LETTER
    )
    created, reminder = printed_on(
        make_reminder, org_a, MONDAY, due_date=MONDAY - dt.timedelta(days=step.days_after_due)
    )
    reminder.items.update(step=step, step_kind=StepKind.FOURTEEN_DAY_LETTER, step_day=step.days_after_due)
    later = dt.date(2027, 1, 6)  # long after the term of a letter posted that week, past the hand-over day

    def handed_over() -> bool:
        plan = engine.plan(org_a.organization, later, dry_run=True)
        return any(m.debtor_id == reminder.debtor_id and m.kind == StepKind.HAND_OVER for m in plan.messages)

    assert not handed_over()
    post(created, org_a, WEDNESDAY)
    assert handed_over()


def test_marking_a_batch_posted_again_on_the_same_day_changes_nothing(make_reminder, org_a) -> None:
    created, reminder = printed_on(make_reminder, org_a, MONDAY)
    first = post(created, org_a, WEDNESDAY)
    reminder.refresh_from_db()
    sent_at = reminder.sent_at
    again = letters.letter_batch_posted(batch=created, user=org_a.owner, posted_date=WEDNESDAY, today=TODAY)
    reminder.refresh_from_db()
    assert (again.posted_at, again.posted_by) == (first.posted_at, org_a.member)
    assert reminder.sent_at == sent_at


def test_a_batch_posted_once_cannot_be_posted_on_another_day(make_reminder, org_a) -> None:
    created, reminder = printed_on(make_reminder, org_a, MONDAY)
    post(created, org_a, WEDNESDAY)
    with translation.override("en"), pytest.raises(ValidationError, match="marked posted on"):
        post(created, org_a, TODAY)
    created.refresh_from_db()
    reminder.refresh_from_db()
    assert created.posted_date == WEDNESDAY and reminder.sent_date == WEDNESDAY


@pytest.mark.parametrize(
    ("day", "message"), [(MONDAY - dt.timedelta(days=1), "before that day"), (TODAY + dt.timedelta(days=1), "future")]
)
def test_a_posting_day_before_printing_or_in_the_future_is_refused(make_reminder, org_a, day, message) -> None:
    created, reminder = printed_on(make_reminder, org_a, MONDAY)
    with translation.override("en"), pytest.raises(ValidationError, match=message):
        post(created, org_a, day)
    created.refresh_from_db()
    reminder.refresh_from_db()
    assert created.posted_date is None and reminder.status == ReminderStatus.PRINTED and reminder.sent_date is None


def test_each_printed_letter_keeps_its_own_pages(make_reminder, org_a) -> None:
    first = letter_to(make_reminder, org_a.organization, "Eerste B.V.")
    second = letter_to(make_reminder, org_a.organization, "Tweede B.V.", postal_code="9999 AA")
    batch(org_a.organization)
    for reminder, name, other in ((first, "Eerste B.V.", "Tweede B.V."), (second, "Tweede B.V.", "Eerste B.V.")):
        reminder.refresh_from_db()
        text = pdf_text(reminder.pdf.read())
        assert name in text and other not in text
