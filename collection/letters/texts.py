"""The words of the collector's letters and e-mails, per language of the debtor.

Debtor-facing content, like the dunning's default texts and the letter layout's words
(``reminders.channels.letter.LETTER_WORDS``): kept here per language so that a Dutch letter is right
without the interface's translation catalogue. Dutch says "u". Placeholders are ``%(name)s`` and are
filled with values that are already formatted in the letter's language.

What a collection letter must state (Wki, Besluit kwaliteit incassodienstverlening; DOMAIN.md §8):
the origin of the claim; the names and addresses of debtor, creditor and collector; per invoice its
number, date and payment term; the original principal and the total; the interest as amount, rate(s),
periods and basis; the collection costs and any VAT on them. Every letter here prints all of them.
"""

from __future__ import annotations

LETTER_KINDS = ("pre_collection", "demand", "demand_repeated")

WORDS: dict[str, dict[str, str]] = {
    "nl": {
        # subjects per letter kind
        "subject_pre_collection": "Kosteloze aanmaning van %(creditor)s: betaal %(total)s vóór %(term)s",
        "subject_demand": "Sommatie namens %(creditor)s: %(total)s, dossier %(reference)s",
        "subject_demand_repeated": "Sommatie: betaling blijft uit, dossier %(reference)s",
        "salutation": "Geachte heer, mevrouw,",
        "intro": "Wij schrijven u namens onze opdrachtgever %(creditor)s, die ons heeft gevraagd de betaling van de "
        "hieronder genoemde facturen te verzorgen: deze zijn nog niet (volledig) betaald.",
        "origin": "De vordering komt voort uit de levering van goederen of diensten door %(creditor)s aan u, "
        "zoals vermeld op de facturen hieronder.",
        "pre_collection": "Deze brief is kosteloos: er zijn nog geen incassokosten in rekening gebracht. Dit is uw "
        "laatste gelegenheid om zonder extra kosten te betalen. Wij verzoeken u %(total)s uiterlijk op %(term)s te "
        "betalen.",
        "pre_collection_consequence": "Betaalt u niet uiterlijk op %(term)s, dan komen er buitengerechtelijke "
        "incassokosten van %(costs)s%(costs_vat)s bij (art. 6:96 BW, berekend volgens het Besluit vergoeding voor "
        "buitengerechtelijke incassokosten), en de %(interest_kind)s over de hoofdsom. Tot vandaag bedraagt die rente "
        "%(interest)s.",
        "costs_vat_clause": " plus %(vat)s btw",
        "demand": "Namens onze opdrachtgever sommeren wij u het totaal van %(total)s uiterlijk op %(term)s te "
        "betalen. Hieronder ziet u waaruit dit bedrag bestaat.",
        "demand_repeated": "Op %(first)s hebben wij u gesommeerd het openstaande bedrag te betalen. Wij hebben tot "
        "vandaag geen (volledige) betaling ontvangen. Wij sommeren u nogmaals het totaal van %(total)s uiterlijk op "
        "%(term)s te betalen.",
        "demand_consequence": "Betaalt u niet tijdig, dan kan onze opdrachtgever besluiten de vordering aan de rechter "
        "voor te leggen. De kosten van een procedure kunnen dan ook voor uw rekening komen.",
        "arrangement": "Kunt u niet in één keer betalen, of bent u het niet eens met de vordering? Neem dan contact "
        "met ons op: %(contact)s.",
        "regards": "Met vriendelijke groet,",
        "on_behalf": "namens %(creditor)s",
        # the statement
        "statement_heading": "Specificatie van de vordering",
        "invoice": "Factuur",
        "invoice_date": "Factuurdatum",
        "due_date": "Vervaldatum",
        "payment_term": "Betalingstermijn",
        "term_days": "%(days)s dagen",
        "principal_original": "Hoofdsom",
        "paid_on_principal": "Betaald op hoofdsom",
        "principal_left": "Resterende hoofdsom",
        "interest": "Rente",
        "interest_heading": "Rente: %(interest_kind)s",
        "interest_line": "%(invoice)s: %(rate)s%% over %(basis)s van %(first)s tot en met %(end)s (%(days)s dagen)",
        "interest_none": "Er is nog geen rente berekend.",
        "interest_business": "wettelijke handelsrente (art. 6:119a BW)",
        "interest_consumer": "wettelijke rente (art. 6:119 BW)",
        "interest_total": "Rente tot en met %(date)s",
        "costs": "Buitengerechtelijke incassokosten (art. 6:96 BW)",
        "costs_none": "Buitengerechtelijke incassokosten: nog geen (deze brief is kosteloos)",
        "costs_vat": "Btw over de incassokosten",
        "costs_no_vat": "Geen btw over de incassokosten: onze opdrachtgever kan de btw verrekenen.",
        "paid": "Al ontvangen",
        "credited": "Gecrediteerd",
        "reopened": "Teruggeboekte betaling",
        "total": "Totaal te betalen",
        "total_principal": "Totaal hoofdsom",
        # parties
        "collector": "Incassogemachtigde",
        "creditor": "Opdrachtgever (schuldeiser)",
        "debtor": "Schuldenaar",
        "reference": "Dossiernummer",
        "date": "Datum",
        "kvk": "KvK",
        "vat_id": "Btw-id",
        "wki": "Wki-registratienummer",
        # paying
        "pay_heading": "Betalen",
        "pay": "Maak %(total)s over naar %(iban)s ten name van %(beneficiary)s, onder vermelding van %(reference)s.",
        "portal": "Bekijk de facturen en reageer online: %(url)s",
        "long_date": "j F Y",
        "short_date": "d-m-Y",
        # e-mail only
        "email_attachment": "De brief met de volledige specificatie vindt u in de bijlage.",
    },
    "en": {
        "subject_pre_collection": "Notice free of charge from %(creditor)s: pay %(total)s by %(term)s",
        "subject_demand": "Demand for payment on behalf of %(creditor)s: %(total)s, file %(reference)s",
        "subject_demand_repeated": "Demand for payment: still unpaid, file %(reference)s",
        "salutation": "Dear Sir or Madam,",
        "intro": "We are writing to you on behalf of our client %(creditor)s, who has asked us to collect the "
        "invoices listed below: they have not been paid (in full).",
        "origin": "The claim arises from goods or services supplied to you by %(creditor)s, as stated on the "
        "invoices below.",
        "pre_collection": "This letter is free of charge: no collection costs have been charged yet. This is your "
        "last opportunity to pay without extra costs. Please pay %(total)s by %(term)s at the latest.",
        "pre_collection_consequence": "If you do not pay by %(term)s, extrajudicial collection costs of %(costs)s"
        "%(costs_vat)s will be added (art. 6:96 Dutch Civil Code, according to the Dutch decree on extrajudicial "
        "collection costs), as well as %(interest_kind)s on the principal. To date, that interest amounts to "
        "%(interest)s.",
        "costs_vat_clause": " plus %(vat)s VAT",
        "demand": "On behalf of our client, we demand that you pay the total of %(total)s by %(term)s at the "
        "latest. Below you will find what this amount consists of.",
        "demand_repeated": "On %(first)s we demanded that you pay the open amount. To date, we have not received "
        "payment (in full). We again demand that you pay the total of %(total)s by %(term)s at the latest.",
        "demand_consequence": "If you do not pay in time, our client may decide to bring the claim before the court. "
        "The costs of proceedings may then also be charged to you.",
        "arrangement": "Unable to pay in one go, or do you disagree with the claim? Please contact us: %(contact)s.",
        "regards": "Kind regards,",
        "on_behalf": "on behalf of %(creditor)s",
        "statement_heading": "Statement of the claim",
        "invoice": "Invoice",
        "invoice_date": "Invoice date",
        "due_date": "Due date",
        "payment_term": "Payment term",
        "term_days": "%(days)s days",
        "principal_original": "Principal",
        "paid_on_principal": "Paid on principal",
        "principal_left": "Principal left",
        "interest": "Interest",
        "interest_heading": "Interest: %(interest_kind)s",
        "interest_line": "%(invoice)s: %(rate)s%% on %(basis)s from %(first)s up to and including %(end)s "
        "(%(days)s days)",
        "interest_none": "No interest has been calculated yet.",
        "interest_business": "statutory commercial interest (art. 6:119a Dutch Civil Code)",
        "interest_consumer": "statutory interest (art. 6:119 Dutch Civil Code)",
        "interest_total": "Interest up to and including %(date)s",
        "costs": "Extrajudicial collection costs (art. 6:96 Dutch Civil Code)",
        "costs_none": "Extrajudicial collection costs: none yet (this letter is free of charge)",
        "costs_vat": "VAT on the collection costs",
        "costs_no_vat": "No VAT on the collection costs: our client can deduct the VAT.",
        "paid": "Already received",
        "credited": "Credited",
        "reopened": "Payment reversed",
        "total": "Total to pay",
        "total_principal": "Total principal",
        "collector": "Collection agent",
        "creditor": "Client (creditor)",
        "debtor": "Debtor",
        "reference": "File number",
        "date": "Date",
        "kvk": "Chamber of Commerce",
        "vat_id": "VAT id",
        "wki": "Wki registration number",
        "pay_heading": "Payment",
        "pay": "Please transfer %(total)s to %(iban)s in the name of %(beneficiary)s, stating %(reference)s.",
        "portal": "See the invoices and respond online: %(url)s",
        "long_date": "j F Y",
        "short_date": "j M Y",
        "email_attachment": "The letter with the full statement is attached.",
    },
}


def words_for(language: str) -> dict[str, str]:
    """The words in ``language``; Dutch for any other."""
    return WORDS.get(language, WORDS["nl"])
