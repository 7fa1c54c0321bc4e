"""The checks that must hold before invoices go to collection: reads only, used by the opening
service and by the lists that show what is missing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext as _

from collection.legal import fourteen_day_term
from collection.models import DossierInvoice
from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus
from invoices.selectors import SUMMED_CURRENCY
from outstanding.models import Organization
from reminders.selectors.legal_steps import LegalLetter, fourteen_day_letters


def _debtor_problems(debtor: Debtor) -> list[str]:
    missing = [
        label
        for label, value in (
            (_("name"), debtor.name),
            (_("street and number"), debtor.street),
            (_("postal code"), debtor.postal_code),
            (_("city"), debtor.city),
        )
        if not value.strip()
    ]
    if not missing:
        return []
    message = _("The debtor's %(fields)s is missing: a collection letter must state the full name and address.")
    return [message % {"fields": ", ".join(missing)}]


def _invoice_problems(
    organization: Organization, debtor: Debtor, invoices: Sequence[Invoice], in_dossier: list[tuple[str, str]] | None
) -> list[str]:
    if not invoices:
        return [_("Choose at least one invoice.")]
    problems = []
    for invoice in invoices:
        if invoice.debtor_id != debtor.pk:
            problems.append(_("Invoice %(number)s is not this debtor's.") % {"number": invoice.number})
        elif invoice.status != InvoiceStatus.OPEN or invoice.open_amount <= 0:
            problems.append(_("Invoice %(number)s has nothing left to pay.") % {"number": invoice.number})
        elif invoice.currency != SUMMED_CURRENCY:
            problems.append(_("Invoice %(number)s is not in euros.") % {"number": invoice.number})
    if in_dossier is None:
        in_dossier = list(
            DossierInvoice.objects.for_organization(organization)
            .filter(invoice__in=[invoice.pk for invoice in invoices], active=True)
            .values_list("invoice__number", "dossier__reference")
            .order_by("invoice__number")
        )
    for number, reference in in_dossier:
        message = _("Invoice %(number)s is already in dossier %(reference)s.")
        problems.append(message % {"number": number, "reference": reference})
    return problems


def _fourteen_day_problems(invoices: Sequence[Invoice], letters: dict[int, LegalLetter], today: dt.date) -> list[str]:
    """For a consumer: every invoice needs a 14-day letter that went out and whose term has passed."""
    problems = []
    for invoice in invoices:
        letter = letters.get(invoice.pk)
        if letter is None or letter.term_end_date is None:
            message = _("No 14-day letter was sent for invoice %(number)s: a consumer must get one first.")
            problems.append(message % {"number": invoice.number})
        elif letter.term_end_date >= today:
            message = _("The 14-day term for invoice %(number)s runs until %(date)s: wait until it has passed.")
            problems.append(message % {"number": invoice.number, "date": letter.term_end_date.strftime("%d-%m-%Y")})
    return problems


def dossier_opening_problems(
    *, organization: Organization, debtor: Debtor, invoices: Sequence[Invoice], today: dt.date,
    letters: dict[int, LegalLetter] | None = None, in_dossier: list[tuple[str, str]] | None = None,
) -> list[str]:  # fmt: skip
    """What must be fixed before these invoices can go to collection; empty when the dossier can open.

    The debtor's full name and address (every collection letter states them), each invoice open, in
    euros, this debtor's and in no other open dossier, and for a consumer a 14-day letter that went
    out about each invoice and whose term has passed (art. 6:96 lid 6 BW). ``letters`` are the
    14-day letters when the caller has them (a submitted claim brings its own); otherwise they are
    read from what the dunning sent. ``in_dossier`` (invoice number, dossier reference) likewise, for
    a caller that checked many debtors at once.
    """
    problems = _debtor_problems(debtor) + _invoice_problems(organization, debtor, invoices, in_dossier)
    if debtor.kind == DebtorKind.CONSUMER:
        if letters is None:
            letters = fourteen_day_letters(organization=organization, invoice_ids=[invoice.pk for invoice in invoices])
        problems += _fourteen_day_problems(invoices, letters, today)
    return problems


def claim_fourteen_day_letters(
    invoices: Iterable[Invoice], *, sent_on: dt.date | None, channel: str
) -> dict[int, LegalLetter]:
    """The 14-day letter a creditor says it sent outside Outstanding (a submitted claim), per invoice."""
    if sent_on is None:
        return {}
    term = fourteen_day_term(sent_on, "post" if channel == "post" else "email")
    letter = LegalLetter("", channel, sent_on, term.term_end, term.first_day_costs_chargeable, None)
    return {invoice.pk: letter for invoice in invoices}
