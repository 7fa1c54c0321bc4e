"""The collector's letters and e-mails in a dossier: what they state (Wki), in whose name, and the daily
step that sends them once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.files.storage import default_storage

from collection.models import DossierEvent, DossierEventKind, DossierOrigin, DossierStage
from collection.selectors.statements import dossier_statement_on
from collection.services import dossier_open, dossier_pause, dossier_pre_collections_end
from collection.services.dossier_letters import (
    CALL_TASK,
    CONSIDER_COURT,
    DEMAND,
    DEMAND_REPEATED,
    PRE_COLLECTION_LETTER,
    NextStep,
    dossier_letters_for_printing,
    dossier_letters_run,
    dossier_next_step,
)
from invoices.models import DebtorKind, Invoice
from invoices.services import payment_record
from outstanding.money import format_money
from reminders.channels.letter import WINDOW
from tests.collection.dossier_builders import fourteen_day_letter
from tests.factories import DebtorFactory, InvoiceFactory
from tests.reminders.test_letters import pdf_text, text_positions

D = dt.date
OPENED = D(2026, 11, 26)


@pytest.fixture(autouse=True)
def _collector(settings):  # type: ignore[no-untyped-def]
    settings.COLLECTOR_NAME = "Incassobureau Noord B.V."
    settings.COLLECTOR_ADDRESS = ["Postbus 77", "9700 AB  GRONINGEN"]
    settings.COLLECTOR_EMAIL = "dossiers@noord.test"
    settings.COLLECTOR_PHONE = "050 111 2222"
    settings.WKI_REGISTRATION_NUMBER = "WKI-0012345"


@pytest.fixture
def organization(org_a):  # type: ignore[no-untyped-def]
    organization = org_a.organization
    organization.dossier_pre_collection = False
    organization.save()
    return organization


def _invoices(debtor, *amounts: str) -> list[Invoice]:  # type: ignore[no-untyped-def]
    return [
        InvoiceFactory(
            debtor=debtor,
            amount=Decimal(a),
            vat_amount=Decimal("0"),
            issue_date=D(2026, 8, 1) + dt.timedelta(days=i),
            due_date=D(2026, 8, 31) + dt.timedelta(days=i),
        )
        for i, a in enumerate(amounts)
    ]


def _business_dossier(organization, **debtor):  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization, **{"name": "Bouwbedrijf De Vries B.V.", "street": "Markt 5",
                           "postal_code": "3511 AA", "city": "Utrecht", **debtor})  # fmt: skip
    invoices = _invoices(debtor, "1500.00", "850.00")
    dossier = dossier_open(
        organization=organization, debtor=debtor, invoices=invoices, today=OPENED, origin=DossierOrigin.MANUAL
    )
    return dossier, invoices


def _events(organization, dossier, kind=DossierEventKind.MESSAGE_SENT) -> list[DossierEvent]:  # type: ignore[no-untyped-def]
    return list(
        DossierEvent.objects.for_organization(organization).filter(dossier=dossier, kind=kind).order_by("sequence")
    )


def _letter_pdf(organization, dossier) -> bytes:  # type: ignore[no-untyped-def]
    [letter] = dossier_letters_for_printing(organization=organization, dossier=dossier)[:1]
    with default_storage.open(letter.file, "rb") as pdf:
        return pdf.read()


def _letter_text(organization, dossier) -> str:  # type: ignore[no-untyped-def]
    return " ".join(pdf_text(_letter_pdf(organization, dossier)).split())


def test_the_demand_states_every_wki_item_and_the_statements_exact_amounts(organization) -> None:  # type: ignore[no-untyped-def]
    dossier, invoices = _business_dossier(organization)
    run = dossier_letters_run(organization=organization, today=OPENED)
    assert (run.letters, run.emails) == (1, 1)
    text = _letter_text(organization, dossier)
    statement = dossier_statement_on(organization=organization, dossier=dossier, on=OPENED).statement
    money = lambda amount: format_money(amount, "EUR", "nl").replace("\xa0", " ")  # noqa: E731
    # the names and addresses of debtor, creditor and collector, and the Wki registration
    for part in ("Bouwbedrijf De Vries B.V.", "Markt 5", "3511 AA UTRECHT", organization.display_legal_name,
                 "Keizersgracht 1", "1015 CJ Amsterdam", "KvK 12345678", "Incassobureau Noord B.V.", "Postbus 77",
                 "9700 AB GRONINGEN", "Wki-registratienummer WKI-0012345"):  # fmt: skip
        assert part in text, part
    # the origin of the claim, and per invoice its number, date, payment term and original principal
    assert "De vordering komt voort uit de levering van goederen of diensten" in text
    for invoice, principal in zip(invoices, ("€ 1.500,00", "€ 850,00"), strict=True):
        assert (
            f"{invoice.number} {invoice.issue_date:%d-%m-%Y} {invoice.due_date:%d-%m-%Y} 30 dagen {principal}" in text
        )
    # interest: amount, rate, period and basis per invoice, the kind of interest
    assert "wettelijke handelsrente (art. 6:119a BW)" in text
    for line in statement.invoices:
        [period] = line.periods
        assert (
            f"{line.number}: 10,40% over {money(period.basis)} van {period.first_day:%d-%m-%Y} tot en met "
            f"{period.end:%d-%m-%Y} ({period.days} dagen) {money(period.amount)}"
        ) in text
    assert f"Rente tot en met 26-11-2026 {money(statement.interest_total)}" in text
    # the costs (no VAT: the creditor deducts it), the total, and how to pay
    assert f"Buitengerechtelijke incassokosten (art. 6:96 BW) {money(Decimal('352.50'))}" in text
    assert "Geen btw over de incassokosten" in text
    assert f"Totaal te betalen {money(statement.outstanding)}" in text
    assert statement.outstanding == Decimal("2350.00") + statement.interest_total + Decimal("352.50")
    assert "NL91 ABNA 0417 1643 00" in text and "onder vermelding van RF" in text
    assert "/p/" in text  # the portal link
    assert " u " in text and " je " not in text
    # the debtor's address sits in the window of a Dutch window envelope, like the dunning's letters
    [(x, y)] = [(x, y) for piece, x, y in text_positions(_letter_pdf(organization, dossier)) if piece == "Markt 5"]
    assert WINDOW.left < x < WINDOW.right and WINDOW.top < y < WINDOW.bottom


def test_the_demand_goes_once_by_letter_and_e_mail_when_the_step_runs_twice(  # type: ignore[no-untyped-def]
    organization, django_capture_on_commit_callbacks
) -> None:
    dossier, _ = _business_dossier(organization)
    with django_capture_on_commit_callbacks(execute=True):
        first = dossier_letters_run(organization=organization, today=OPENED)
    with django_capture_on_commit_callbacks(execute=True):
        second = dossier_letters_run(organization=organization, today=OPENED)
    assert (first.letters, first.emails) == (1, 1) and (second.letters, second.emails) == (0, 0)
    [email] = mail.outbox
    assert email.to == [dossier.debtor.emails[0]]
    assert "Incassobureau Noord B.V." in email.from_email and email.reply_to == ["dossiers@noord.test"]
    assert email.subject.startswith("Sommatie namens Alpha Groothandel B.V.")
    statement = dossier_statement_on(organization=organization, dossier=dossier, on=OPENED).statement
    assert f"Totaal te betalen: {format_money(statement.outstanding, 'EUR', 'nl')}" in email.body
    assert "Wki-registratienummer: WKI-0012345" in email.body
    assert email.attachments[0][0] == f"{dossier.reference}.pdf"
    letter, sent, sms_sent = _events(organization, dossier)
    assert (letter.data["channel"], sent.data["channel"], sms_sent.data["channel"]) == ("letter", "email", "sms")
    assert sent.data["amounts"]["total"] == f"{statement.outstanding:.2f}"
    assert "/p/" in sent.data["body"] and "\u2022" * 6 in sent.data["body"]  # the token is not kept in clear
    dossier.refresh_from_db()
    assert dossier.next_action_on == OPENED + dt.timedelta(days=14)


def test_amicable_collection_repeats_the_demand_then_asks_staff_to_call_then_to_consider_court(  # type: ignore[no-untyped-def]
    organization,
) -> None:
    dossier, _ = _business_dossier(organization, emails=[])
    dossier_letters_run(organization=organization, today=OPENED)
    assert dossier_letters_run(organization=organization, today=OPENED + dt.timedelta(days=13)).letters == 0
    repeated = dossier_letters_run(organization=organization, today=OPENED + dt.timedelta(days=14))
    assert (repeated.letters, repeated.emails) == (1, 0)  # no e-mail address: the letter only
    assert "Op 26 november 2026 hebben wij u gesommeerd" in _letter_text(organization, dossier)
    assert dossier_letters_run(organization=organization, today=OPENED + dt.timedelta(days=20)).tasks == 0
    assert dossier_letters_run(organization=organization, today=OPENED + dt.timedelta(days=21)).tasks == 1
    assert dossier_letters_run(organization=organization, today=OPENED + dt.timedelta(days=28)).tasks == 1
    assert dossier_letters_run(organization=organization, today=OPENED + dt.timedelta(days=29)).tasks == 0
    notes = _events(organization, dossier, DossierEventKind.NOTE)
    assert [note.data["step"] for note in notes] == [CALL_TASK, CONSIDER_COURT]
    steps = [(event.data["step"], event.data["channel"]) for event in _events(organization, dossier)]
    assert steps == [(DEMAND, "letter"), (DEMAND, "sms"), (DEMAND_REPEATED, "letter"), (DEMAND_REPEATED, "sms")]
    dossier.refresh_from_db()
    assert dossier.next_action_on == OPENED + dt.timedelta(days=28)  # stays on top of the work list


def test_a_paused_dossier_sends_nothing(organization) -> None:  # type: ignore[no-untyped-def]
    dossier, _ = _business_dossier(organization)
    dossier_pause(organization=organization, dossier=dossier, reason="Verweer ingediend")
    assert dossier_letters_run(organization=organization, today=OPENED).letters == 0
    assert not _events(organization, dossier)


def test_a_consumers_pre_collection_letter_is_free_in_dutch_with_u_and_announces_the_costs(  # type: ignore[no-untyped-def]
    org_a, django_capture_on_commit_callbacks
) -> None:
    organization = org_a.organization
    organization.dossier_pre_collection = True
    organization.save()
    consumer = DebtorFactory(organization=organization, kind=DebtorKind.CONSUMER, name="J. de Boer",
                             street="Kerkstraat 3", postal_code="8011 AB", city="Zwolle")  # fmt: skip
    [invoice] = _invoices(consumer, "300.00")
    fourteen_day_letter(organization, consumer, [invoice], D(2026, 11, 12))
    day = D(2026, 11, 27)
    dossier = dossier_open(organization=organization, debtor=consumer, invoices=[invoice], today=day, origin="manual")
    assert dossier.stage == DossierStage.PRE_COLLECTION
    with django_capture_on_commit_callbacks(execute=True):
        assert dossier_letters_run(organization=organization, today=day).letters == 1
    text = _letter_text(organization, dossier)
    term = dossier.pre_collection_until
    assert "Deze brief is kosteloos" in text and f"uiterlijk op {term.day} december 2026" in text
    assert "Betaalt u niet uiterlijk op" in text and "incassokosten van € 45,00" in text  # 15 % of € 300
    assert "wettelijke rente (art. 6:119 BW)" in text and "handelsrente" not in text
    assert "Totaal te betalen € 300,00" in text  # free of charge: the principal only
    assert " u " in text and " uw " in text and " je " not in text and " jouw " not in text
    [email] = mail.outbox
    assert email.subject.startswith("Kosteloze aanmaning van Alpha Groothandel B.V.: betaal € 300,00")
    dossier.refresh_from_db()
    assert dossier.next_action_on == term
    assert dossier_letters_run(organization=organization, today=term).letters == 0
    # after the term: amicable collection, and the demand goes out that day
    [moved] = dossier_pre_collections_end(organization=organization, today=term + dt.timedelta(days=1))
    assert moved.costs == Decimal("45.00")
    assert dossier_letters_run(organization=organization, today=term + dt.timedelta(days=1)).letters == 1
    steps = [event.data["step"] for event in _events(organization, dossier) if event.data["channel"] == "letter"]
    assert steps == [PRE_COLLECTION_LETTER, DEMAND]


def test_an_english_speaking_debtor_gets_the_letter_in_english(organization) -> None:  # type: ignore[no-untyped-def]
    dossier, _ = _business_dossier(organization, language="en", emails=[])
    dossier_letters_run(organization=organization, today=OPENED)
    text = _letter_text(organization, dossier)
    assert "Demand for payment on behalf of Alpha Groothandel B.V." in text
    assert "statutory commercial interest (art. 6:119a Dutch Civil Code)" in text
    assert "Wki registration number WKI-0012345" in text and "€2,760.51" in text


def test_an_e_mail_the_mail_server_refuses_is_noted_in_the_dossier(  # type: ignore[no-untyped-def]
    organization, settings, django_capture_on_commit_callbacks
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens there
    dossier, _ = _business_dossier(organization)
    with django_capture_on_commit_callbacks(execute=True):
        dossier_letters_run(organization=organization, today=OPENED)
    [note] = _events(organization, dossier, DossierEventKind.NOTE)
    assert note.data["email_event"] == _events(organization, dossier)[1].pk
    assert dossier_letters_run(organization=organization, today=OPENED).letters == 0  # not sent again


@pytest.mark.parametrize(
    ("stage", "done", "today", "expected"),
    [
        ("pre_collection", {}, D(2026, 12, 1), NextStep(PRE_COLLECTION_LETTER, D(2026, 12, 15))),
        ("pre_collection", {PRE_COLLECTION_LETTER: D(2026, 12, 1)}, D(2026, 12, 15), None),
        ("amicable", {}, D(2026, 12, 1), NextStep(DEMAND, D(2026, 12, 15))),
        # resumed after a pause before the demand's term ran out: wait for the term, send nothing
        ("amicable", {DEMAND: D(2026, 12, 1)}, D(2026, 12, 5), NextStep(None, D(2026, 12, 15))),
        ("amicable", {DEMAND: D(2026, 12, 1)}, D(2026, 12, 15), NextStep(DEMAND_REPEATED, D(2026, 12, 22))),
        ("amicable", {DEMAND: D(2026, 12, 1), DEMAND_REPEATED: D(2026, 12, 15)}, D(2026, 12, 22),
         NextStep(CALL_TASK, D(2026, 12, 29))),
        ("amicable", {DEMAND: D(2026, 12, 1), DEMAND_REPEATED: D(2026, 12, 15), CALL_TASK: D(2026, 12, 22)},
         D(2026, 12, 29), NextStep(CONSIDER_COURT, D(2026, 12, 29))),
        ("amicable", dict.fromkeys((DEMAND, DEMAND_REPEATED, CALL_TASK, CONSIDER_COURT), D(2026, 12, 1)),
         D(2027, 1, 5), None),
        ("judicial", {}, D(2026, 12, 1), None),
    ],
)  # fmt: skip
def test_the_next_step_follows_the_sequence_and_its_terms(stage, done, today, expected) -> None:  # type: ignore[no-untyped-def]
    assert dossier_next_step(stage=stage, done=done, today=today, pre_collection_until=D(2026, 12, 15)) == expected


def test_nothing_is_demanded_once_everything_is_paid(organization) -> None:  # type: ignore[no-untyped-def]
    dossier, invoices = _business_dossier(organization)
    payment_record(organization=organization, invoice=invoices[0], amount=Decimal("5000.00"), date=OPENED)
    assert dossier_statement_on(organization=organization, dossier=dossier, on=OPENED).statement.outstanding == 0
    assert dossier_letters_run(organization=organization, today=OPENED).letters == 0
    assert not _events(organization, dossier)


def test_the_demands_go_by_sms_too_once_and_only_to_a_mobile_number(  # type: ignore[no-untyped-def]
    organization, django_capture_on_commit_callbacks
) -> None:
    from reminders.channels import sms

    sms.outbox.clear()
    dossier, _ = _business_dossier(organization)
    landline, _ = _business_dossier(organization, phones=["030 123 4567"], name="Kantoor B.V.")
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            dossier_letters_run(organization=organization, today=OPENED)
    [message] = sms.outbox
    statement = dossier_statement_on(organization=organization, dossier=dossier, on=OPENED).statement
    assert message.to == "+31612345678" and message.sender == "Incassobure"
    assert message.text.startswith("Incassobureau Noord B.V.: namens Alpha Groothandel B.V. staat ")
    assert format_money(statement.outstanding, "EUR", "nl") in message.text and dossier.reference in message.text
    assert "/p/" in message.text and "10-12-2026" in message.text
    [recorded] = [e for e in _events(organization, dossier) if e.data["channel"] == "sms"]
    assert "\u2022" * 6 in recorded.data["text"]  # the kept copy does not hold the working link
    assert not [e for e in _events(organization, landline) if e.data["channel"] == "sms"]
    sms.outbox.clear()
