"""The collector's letters and e-mails in a dossier: the pre-collection letter (free of charge, the last
chance before costs), the demand (sommatie) and its repetition, each in the collector's name with the
creditor named and everything the Wki asks a collection letter to state (``texts``).

``facts``: the plain values a letter is written from (gathered once, by
``collection.services.dossier_letters``); ``render``: the words, the PDF and the e-mail's text.
"""

from collection.letters.facts import InterestLine, InvoiceDates, InvoiceLine, LetterFacts, Party, letter_facts_build
from collection.letters.render import letter_context, letter_email_text, letter_html, letter_pdf, letter_subject
from collection.letters.texts import LETTER_KINDS, words_for

__all__ = [
    "LETTER_KINDS",
    "InterestLine",
    "InvoiceDates",
    "InvoiceLine",
    "LetterFacts",
    "Party",
    "letter_context",
    "letter_email_text",
    "letter_facts_build",
    "letter_html",
    "letter_pdf",
    "letter_subject",
    "words_for",
]
