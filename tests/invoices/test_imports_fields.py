"""Guessing which column holds what from Dutch and English header names."""

from __future__ import annotations

from invoices.imports.fields import mapping_guess, mapping_missing, mapping_offer, normalise_header


def test_dutch_headers_are_recognised() -> None:
    headers = [
        "Factuurnummer", "Factuurdatum", "Vervaldatum", "Totaal incl. BTW", "BTW", "Openstaand", "Valuta",
        "Debiteurnummer", "Debiteur", "Contactpersoon", "E-mail", "Mobiel", "Straat", "Postcode", "Woonplaats",
        "Land", "KvK", "BTW-nummer", "Soort", "Taal", "Extern ID",
    ]  # fmt: skip
    assert mapping_guess(headers) == {
        "number": "Factuurnummer", "issue_date": "Factuurdatum", "due_date": "Vervaldatum",
        "amount": "Totaal incl. BTW", "vat_amount": "BTW", "open_amount": "Openstaand", "currency": "Valuta",
        "debtor_external_id": "Debiteurnummer", "debtor_name": "Debiteur", "contact_person": "Contactpersoon",
        "email": "E-mail", "phone": "Mobiel", "street": "Straat", "postal_code": "Postcode", "city": "Woonplaats",
        "country": "Land", "kvk_number": "KvK", "vat_id": "BTW-nummer", "kind": "Soort", "language": "Taal",
        "external_id": "Extern ID",
    }  # fmt: skip


def test_english_headers_are_recognised() -> None:
    headers = ["Invoice number", "Invoice date", "Due date", "Amount", "VAT", "Open amount", "Currency",
               "Customer ID", "Company", "Email", "Phone", "Address", "City", "Country", "VAT id", "Type",
               "Language", "External id"]  # fmt: skip
    mapping = mapping_guess(headers)
    assert mapping["number"] == "Invoice number" and mapping["debtor_name"] == "Company"
    assert mapping["vat_amount"] == "VAT" and mapping["vat_id"] == "VAT id"
    assert len(mapping) == len(headers)


def test_vat_amount_and_vat_number_are_not_confused() -> None:
    assert mapping_guess(["BTW", "BTW-nummer"]) == {"vat_amount": "BTW", "vat_id": "BTW-nummer"}


def test_unknown_headers_are_left_for_the_creditor_to_map() -> None:
    assert mapping_guess(["Omschrijving", "Kostenplaats"]) == {}


def test_header_names_compare_without_case_accents_or_punctuation() -> None:
    assert normalise_header("  Totaal_incl.  BTW ") == normalise_header("totaal incl btw")
    assert normalise_header("Débiteur") == "debiteur"


def test_a_saved_mapping_wins_where_the_file_has_those_headers() -> None:
    saved = {"debtor_name": "Relatie omschrijving", "number": "Boekstuk", "city": "Gone column"}
    offered = mapping_offer(["Boekstuk", "Factuurnummer", "Relatie omschrijving", "Plaats"], saved)
    assert offered == {"number": "Boekstuk", "debtor_name": "Relatie omschrijving", "city": "Plaats"}


def test_required_columns_are_named_and_a_payment_term_stands_in_for_the_due_date() -> None:
    mapping = {"number": "Nr", "debtor_name": "Naam"}
    assert [field.key for field in mapping_missing(mapping)] == ["issue_date", "due_date", "amount"]
    with_term = {**mapping, "issue_date": "Datum", "amount": "Bedrag", "payment_term": "Termijn"}
    assert mapping_missing(with_term) == []
