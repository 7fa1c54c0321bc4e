"""A claim the system does not know yet, submitted in one go (M5): the debtor, the invoice with its
PDF and, for a consumer, the 14-day letter the creditor sent itself; the dossier opens at once.

Everything happens in one transaction: when the dossier cannot open (the debtor's address is
incomplete, a consumer's 14-day term has not passed, ...) nothing is created, not the debtor, not
the invoice, and the caller shows the problems with everything typed kept. The PDF is written to
storage last, once the dossier is open: a refused claim leaves no file behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from collection.models import Dossier, DossierOrigin
from collection.selectors import claim_fourteen_day_letters
from collection.services.dossiers import dossier_open
from invoices.models import Debtor, DebtorKind, Invoice
from invoices.services import DebtorData, debtor_upsert, invoice_create
from outstanding.models import Organization, User

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClaimDebtor:
    kind: str  # DebtorKind
    name: str
    street: str
    postal_code: str
    city: str
    country: str = "NL"
    email: str = ""
    kvk_number: str = ""


@dataclass(frozen=True)
class ClaimInvoice:
    number: str
    issue_date: dt.date
    due_date: dt.date
    amount: Decimal  # incl. VAT: the principal of the claim
    vat_amount: Decimal


@dataclass(frozen=True)
class ClaimLetter:
    """The 14-day letter (veertiendagenbrief) the creditor sent a consumer outside Outstanding."""

    sent_on: dt.date | None
    channel: str  # "post" or "email"


def _duplicate_number_error(number: str) -> ValidationError:
    message = _(
        "An invoice with number %(number)s already exists. Open a dossier for it from the invoice list, "
        "or check the number."
    )
    return ValidationError({"number": message % {"number": number}})


def _debtor_for(organization: Organization, debtor: ClaimDebtor) -> Debtor:
    """The debtor of that name, brought up to date with what was typed, or a new one.

    An e-mail address typed here is added to the ones known, never in their place."""
    known = (
        Debtor.objects.for_organization(organization).filter(name__iexact=debtor.name.strip(), external_id="").first()
    )
    emails = list(known.emails) if known is not None else []
    if debtor.email and debtor.email.lower() not in [address.lower() for address in emails]:
        emails.append(debtor.email)
    kvk_number = debtor.kvk_number if debtor.kind == DebtorKind.BUSINESS else ""
    data = DebtorData(
        name=debtor.name, kind=debtor.kind, emails=emails, street=debtor.street, postal_code=debtor.postal_code,
        city=debtor.city, country=debtor.country, kvk_number=kvk_number,
    )  # fmt: skip
    found, _created = debtor_upsert(organization=organization, data=data)
    return found


def _invoice_for(organization: Organization, debtor: Debtor, invoice: ClaimInvoice) -> Invoice:
    number = invoice.number.strip()
    if Invoice.objects.for_organization(organization).filter(number=number).exists():
        raise _duplicate_number_error(number)
    try:
        with transaction.atomic():  # a savepoint: the unique constraint may still refuse a number typed twice at once
            return invoice_create(
                organization=organization, debtor=debtor, number=number, issue_date=invoice.issue_date,
                due_date=invoice.due_date, amount=invoice.amount, vat_amount=invoice.vat_amount,
            )  # fmt: skip
    except IntegrityError:
        raise _duplicate_number_error(number) from None


@transaction.atomic
def dossier_claim_submit(
    *, organization: Organization, debtor: ClaimDebtor, invoice: ClaimInvoice, pdf: UploadedFile,
    letter: ClaimLetter | None, today: dt.date, user: User | None = None,
) -> Dossier:  # fmt: skip
    """Create (or reuse) the debtor, create the invoice, open its dossier; raise ValidationError with
    every problem otherwise, and then nothing of it is stored.

    ``pdf`` is the invoice as a file whose content the caller checked (a PDF by its first bytes).
    """
    if debtor.kind not in DebtorKind.values:
        raise ValidationError({"debtor_kind": _("Choose whether the debtor is a business or a consumer.")})
    if invoice.due_date >= today:
        message = _("The invoice is not overdue yet: it can go to collection after its due date, %(date)s.")
        raise ValidationError({"due_date": message % {"date": invoice.due_date.strftime("%d-%m-%Y")}})
    stored_debtor = _debtor_for(organization, debtor)
    stored_invoice = _invoice_for(organization, stored_debtor, invoice)
    letters = None
    if debtor.kind == DebtorKind.CONSUMER:
        letters = claim_fourteen_day_letters(
            [stored_invoice], sent_on=letter.sent_on if letter else None, channel=letter.channel if letter else "post"
        )
    dossier = dossier_open(
        organization=organization, debtor=stored_debtor, invoices=[stored_invoice], today=today,
        origin=DossierOrigin.CLAIM, user=user, letters=letters,
    )  # fmt: skip
    stored_invoice.pdf.save(f"{stored_invoice.number}.pdf", pdf, save=False)
    try:
        stored_invoice.save(update_fields=["pdf", "updated_at"])
    except Exception:
        stored_invoice.pdf.delete(save=False)  # the transaction rolls back: leave no file behind
        raise
    logger.info("dossier.claim_submitted", extra={"dossier": dossier.pk, "invoice": stored_invoice.pk})
    return dossier
