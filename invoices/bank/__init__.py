"""Bank statements in: CAMT.053 files matched to open invoices and booked, the rest reviewed by hand.

``camt``: reading the file (defusedxml, ISO 20022 camt.053.001.02 and later), incoming payments only.
``matching``: pure rules, which invoice a payment pays (RF reference, invoice number, amount and debtor).
``selectors``: the facts for a whole statement in one query per kind of key; the pages' lists.
``services``: the import (idempotent on the bank's entry reference) and the review actions.
``views``/``forms``: the upload page and the review list under ``/app/<org>/bank/``.
"""
