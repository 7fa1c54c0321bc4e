"""Writes on debtors, invoices and payments. Views, APIs, imports and tasks all come through here."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from invoices import selectors
from invoices.models import Debtor, Invoice, InvoiceStatus, Payment, PaymentSource
from outstanding.models import Organization
from outstanding.money import to_money

logger = logging.getLogger(__name__)

DEBTOR_FIELDS = {
    "kind",
    "name",
    "contact_person",
    "emails",
    "phones",
    "street",
    "postal_code",
    "city",
    "country",
    "language",
    "kvk_number",
    "vat_id",
    "external_id",
    "notes",
}


def debtor_create(*, organization: Organization, name: str, **fields: Any) -> Debtor:
    unknown = set(fields) - DEBTOR_FIELDS
    if unknown:
        raise TypeError(f"unknown debtor fields: {sorted(unknown)}")
    debtor = Debtor(organization=organization, name=name, **fields)
    debtor.full_clean()
    debtor.save()
    return debtor


def debtor_update(*, debtor: Debtor, **fields: Any) -> Debtor:
    unknown = set(fields) - DEBTOR_FIELDS
    if unknown:
        raise TypeError(f"unknown debtor fields: {sorted(unknown)}")
    for name, value in fields.items():
        setattr(debtor, name, value)
    debtor.full_clean()
    debtor.save()
    return debtor


def invoice_create(
    *,
    organization: Organization,
    debtor: Debtor,
    number: str,
    issue_date: dt.date,
    due_date: dt.date,
    amount: Decimal,
    vat_amount: Decimal = Decimal("0.00"),
    open_amount: Decimal | None = None,
    currency: str = "EUR",
    external_id: str = "",
) -> Invoice:
    if debtor.organization_id != organization.pk:
        raise ValidationError(_("The debtor belongs to another organization."))
    amount = to_money(amount)
    open_amount = amount if open_amount is None else to_money(open_amount)
    invoice = Invoice(
        organization=organization,
        debtor=debtor,
        number=number.strip(),
        external_id=external_id,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        amount=amount,
        vat_amount=to_money(vat_amount),
        open_amount=open_amount,
        status=InvoiceStatus.PAID if open_amount == 0 else InvoiceStatus.OPEN,
    )
    invoice.full_clean()
    invoice.save()
    return invoice


@transaction.atomic
def payment_record(
    *,
    organization: Organization,
    invoice: Invoice,
    amount: Decimal,
    date: dt.date,
    source: str = PaymentSource.MANUAL,
    reference: str = "",
) -> Payment:
    """Record money received and lower the invoice's open amount; idempotent per (source, reference).

    A second call with a (source, reference) already recorded changes nothing and returns the first
    payment: webhooks and imports deliver the same payment more than once. The invoice row is locked
    so two payments arriving together cannot both read the old open amount. Paying more than is open
    settles the invoice; the surplus stays visible as the difference between the payments and the amount.
    """
    amount = _payment_amount(amount)
    if source not in PaymentSource.values:
        raise ValueError(f"unknown payment source: {source!r}")
    reference = reference.strip()
    try:
        invoice = Invoice.objects.for_organization(organization).select_for_update().get(pk=invoice.pk)
    except Invoice.DoesNotExist:
        raise ValidationError(_("The invoice belongs to another organization.")) from None
    existing = _payment_by_reference(organization, source, reference)
    if existing is not None:
        return existing
    try:
        with transaction.atomic():  # a savepoint: the unique constraint may refuse the row
            payment = Payment.objects.create(
                organization=organization,
                invoice=invoice,
                amount=amount,
                date=date,
                source=source,
                reference=reference,
            )
    except IntegrityError:
        # The same reference for another invoice was committed between our check and our insert.
        existing = _payment_by_reference(organization, source, reference)
        if existing is None:
            raise
        return existing
    invoice.open_amount = max(Decimal("0.00"), invoice.open_amount - amount)
    if invoice.open_amount == 0 and invoice.status == InvoiceStatus.OPEN:
        invoice.status = InvoiceStatus.PAID
    invoice.save(update_fields=["open_amount", "status", "updated_at"])
    logger.info("payment.recorded", extra={"invoice": invoice.pk, "payment": payment.pk, "source": source})
    return payment


def payment_reverse(
    *, organization: Organization, invoice: Invoice, amount: Decimal, date: dt.date, reference: str
) -> Payment:
    """Take back money an online payment brought in (refunded or charged back at Mollie); idempotent per reference.

    Recorded as a negative payment (source ``mollie``), so the invoice's payments still add up to what it
    received and every source that counts them (imports, connectors) sees the money gone. The open
    amount rises by ``amount``, but never above the invoice's amount nor above what the payments leave
    unpaid (money that was a surplus opens nothing), and a paid invoice is open again: back in its
    flow. Credited and written-off invoices keep their status (the creditor decided about them).
    """
    amount = _payment_amount(amount)
    reference = reference.strip()
    if not reference:
        raise ValueError("a reversal needs a reference: it is what makes it happen once")
    try:
        invoice = Invoice.objects.for_organization(organization).select_for_update().get(pk=invoice.pk)
    except Invoice.DoesNotExist:
        raise ValidationError(_("The invoice belongs to another organization.")) from None
    existing = _payment_by_reference(organization, PaymentSource.MOLLIE, reference)
    if existing is not None:
        return existing
    payment = Payment.objects.create(
        organization=organization,
        invoice=invoice,
        amount=-amount,
        date=date,
        source=PaymentSource.MOLLIE,
        reference=reference,
    )
    received = Payment.objects.for_organization(organization).filter(invoice=invoice).aggregate(total=Sum("amount"))
    unpaid = invoice.amount - (received["total"] or Decimal("0.00"))
    invoice.open_amount = min(invoice.amount, invoice.open_amount + amount, max(invoice.open_amount, unpaid))
    if invoice.status == InvoiceStatus.PAID and invoice.open_amount > 0:
        invoice.status = InvoiceStatus.OPEN
    invoice.save(update_fields=["open_amount", "status", "updated_at"])
    logger.info("payment.reversed", extra={"invoice": invoice.pk, "payment": payment.pk})
    return payment


def _payment_amount(amount: Decimal | int | str) -> Decimal:
    try:
        amount = to_money(amount)
    except (TypeError, ValueError):
        raise ValidationError({"amount": _("Enter a valid amount.")}) from None
    if amount <= 0:
        raise ValidationError({"amount": _("A payment must be more than zero.")})
    return amount


def _payment_by_reference(organization: Organization, source: str, reference: str) -> Payment | None:
    payment = selectors.payment_by_reference(organization=organization, source=source, reference=reference)
    if payment is not None:
        logger.info("payment.duplicate", extra={"payment": payment.pk, "source": source})
    return payment


@transaction.atomic
def credit_note_apply(
    *,
    organization: Organization,
    invoice: Invoice,
    number: str,
    amount: Decimal,
    date: dt.date,
    reference: str = "",
) -> tuple[Payment, bool]:
    """Lower ``invoice`` by a credit note; idempotent per credit note. Returns (payment, created).

    The credit is recorded through :func:`payment_record` with source ``credit`` and the credit note's
    number as reference (``reference`` overrides it when one credit note is spread over several
    invoices). When the credit covers everything still open the invoice becomes *credited*, not
    *paid*: nobody paid it, the claim itself was reduced. A credit on an invoice that was already paid,
    credited or written off is recorded but does not change its status.
    """
    reference = (reference or number).strip()
    if not reference:
        raise ValidationError({"number": _("The credit note has no number.")})
    try:
        # Locked before the duplicate check: the same credit note imported twice at once waits here
        # and then finds the first one's payment.
        locked = Invoice.objects.for_organization(organization).select_for_update().get(pk=invoice.pk)
    except Invoice.DoesNotExist:
        raise ValidationError(_("The invoice belongs to another organization.")) from None
    existing = _payment_by_reference(organization, PaymentSource.CREDIT_NOTE, reference)
    if existing is not None:
        return existing, False
    open_before, status_before = locked.open_amount, locked.status
    payment = payment_record(
        organization=organization,
        invoice=locked,
        amount=amount,
        date=date,
        source=PaymentSource.CREDIT_NOTE,
        reference=reference,
    )
    if payment.invoice_id != locked.pk:  # the same reference was committed for another invoice meanwhile
        return payment, False
    if status_before == InvoiceStatus.OPEN and open_before > 0 and payment.amount >= open_before:
        locked.refresh_from_db(fields=["open_amount", "status"])
        locked.status = InvoiceStatus.CREDITED
        locked.save(update_fields=["status", "updated_at"])
    logger.info("credit_note.applied", extra={"invoice": locked.pk, "payment": payment.pk})
    return payment, True


@transaction.atomic
def invoice_write_off(*, organization: Organization, invoice: Invoice) -> Invoice:
    """Give up what is still open on ``invoice`` (afboeken): it becomes *written off* and leaves its flow.

    The open amount stays as it was (it is what was given up; nobody paid it). Only an open invoice
    is written off; a paid, credited or already written off one is returned unchanged.
    """
    try:
        locked = Invoice.objects.for_organization(organization).select_for_update().get(pk=invoice.pk)
    except Invoice.DoesNotExist:
        raise ValidationError(_("The invoice belongs to another organization.")) from None
    if locked.status == InvoiceStatus.OPEN:
        locked.status = InvoiceStatus.WRITTEN_OFF
        locked.save(update_fields=["status", "updated_at"])
        logger.info("invoice.written_off", extra={"invoice": locked.pk})
    return locked
