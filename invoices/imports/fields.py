"""What an import can read, and which of the file's columns holds it.

A mapping is ``{"our field": "their header"}``. It is guessed from the header names (Dutch and
English), editable on the preview screen, and saved per organization (``ImportMapping``) so the
next export from the same accounting package is mapped without a click.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class ImportField:
    key: str
    label: str | Promise
    aliases: tuple[str, ...]
    required: bool = False


FIELDS: tuple[ImportField, ...] = (
    ImportField("number", _("Invoice number"), (
        "factuurnummer", "factuurnr", "factuur nr", "invoice number", "invoice no", "invoice nr", "nummer",
        "number", "factuur", "invoice",
    ), required=True),
    ImportField("issue_date", _("Invoice date"), ("factuurdatum", "invoice date", "datum", "date", "issue date"),
                required=True),
    ImportField("due_date", _("Due date"), (
        "vervaldatum", "due date", "vervaldag", "uiterste betaaldatum", "betaaldatum", "expiry date",
    ), required=True),
    ImportField("payment_term", _("Payment term (days)"), (
        "betalingstermijn", "betaaltermijn", "betalingstermijn dagen", "termijn", "payment term",
        "payment term days", "payment terms", "terms",
    )),
    ImportField("amount", _("Amount incl. VAT"), (
        "bedrag", "amount", "totaal incl btw", "totaalbedrag", "bedrag incl btw", "totaal", "total",
        "total incl vat", "amount incl vat", "factuurbedrag", "invoice amount",
    ), required=True),
    ImportField("vat_amount", _("VAT amount"), ("btw", "vat", "btw bedrag", "vat amount", "btw totaal")),
    ImportField("open_amount", _("Open amount"), (
        "openstaand", "open amount", "openstaand bedrag", "saldo", "outstanding", "open", "balance", "balance due",
    )),
    ImportField("currency", _("Currency"), ("valuta", "currency", "munteenheid", "valutacode")),
    ImportField("external_id", _("External id"), (
        "extern id", "externe id", "external id", "invoice id", "factuur id",
    )),
    ImportField("debtor_external_id", _("Customer number"), (
        "klantnummer", "debiteurnummer", "customer id", "klantnr", "debiteurnr", "debiteur nummer", "klant nummer",
        "relatienummer", "customer number", "customer no", "debtor number", "debtor id",
    )),
    ImportField("debtor_name", _("Debtor name"), (
        "naam", "klant", "debiteur", "company", "name", "klantnaam", "debiteurnaam", "bedrijfsnaam", "bedrijf",
        "relatie", "customer", "customer name", "company name", "debtor", "debtor name",
    ), required=True),
    ImportField("contact_person", _("Contact person"), ("contactpersoon", "contact person", "contact", "t a v", "tav")),
    ImportField("email", _("E-mail"), ("e mail", "email", "e mailadres", "emailadres", "mail", "e mail address",
                                       "email address")),
    ImportField("phone", _("Phone"), ("telefoon", "mobiel", "telefoonnummer", "tel", "mobiel nummer", "phone",
                                      "mobile", "telephone", "phone number")),
    ImportField("street", _("Street and number"), ("adres", "straat", "address", "street", "straat en huisnummer",
                                                   "adresregel", "address line")),
    ImportField("postal_code", _("Postal code"), ("postcode", "postal code", "zip", "zipcode", "zip code")),
    ImportField("city", _("City"), ("plaats", "woonplaats", "city", "stad", "vestigingsplaats", "town")),
    ImportField("country", _("Country"), ("land", "country", "landcode", "country code")),
    ImportField("kvk_number", _("KvK number"), ("kvk", "kvk nummer", "kvknummer", "coc", "coc number",
                                                "chamber of commerce")),
    ImportField("vat_id", _("VAT id"), ("btw nummer", "btwnummer", "btw id", "vat id", "vat number", "btw nr",
                                        "omzetbelastingnummer")),
    ImportField("iban", _("IBAN"), ("iban", "rekeningnummer", "bankrekening", "bank account")),
    ImportField("kind", _("Business or consumer"), ("soort", "type", "klantsoort", "kind", "klanttype",
                                                    "customer type")),
    ImportField("language", _("Language"), ("taal", "language")),
)  # fmt: skip
FIELDS_BY_KEY = {field.key: field for field in FIELDS}
REQUIRED_KEYS = tuple(field.key for field in FIELDS if field.required)


def normalise_header(header: str) -> str:
    """Header names compared alike ("Totaal incl. BTW", "totaal_incl_btw"): lower case, no accents, words."""
    plain = unicodedata.normalize("NFKD", header).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


ALIASES = {normalise_header(alias): field.key for field in FIELDS for alias in field.aliases}


def mapping_guess(headers: Iterable[str]) -> dict[str, str]:
    """Our field for each header whose name we know; the first header wins a field."""
    mapping: dict[str, str] = {}
    for header in headers:
        key = ALIASES.get(normalise_header(header))
        if key is not None and key not in mapping:
            mapping[key] = header
    return mapping


def mapping_offer(headers: list[str], saved: Mapping[str, str]) -> dict[str, str]:
    """The saved mapping where this file has those headers, a guess for the rest."""
    kept = {key: header for key, header in saved.items() if key in FIELDS_BY_KEY and header in headers}
    taken = set(kept.values())
    guessed = mapping_guess(header for header in headers if header not in taken)
    return {**{key: header for key, header in guessed.items() if key not in kept}, **kept}


def mapping_missing(mapping: Mapping[str, str]) -> list[ImportField]:
    """Required fields without a column. A payment term column stands in for a due date column."""
    missing = [FIELDS_BY_KEY[key] for key in REQUIRED_KEYS if not mapping.get(key)]
    if mapping.get("payment_term"):
        missing = [field for field in missing if field.key != "due_date"]
    return missing
