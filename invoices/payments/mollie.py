"""Paying invoices online through Mollie: starting a payment, and booking it when Mollie says it is paid.

Mollie's webhook posts only a payment id (``id=tr_...``) and anybody can post one. So the body is never
trusted: the id must be one we stored, the payment is fetched from Mollie with the key of the
organization the stored row belongs to, and what Mollie answers must agree with the row (its metadata
names the organization, the row and the invoices; the amount and currency are the ones we asked for).
Only then is a *paid* payment booked, through ``invoices.services.payment_record``, spread over the
invoices oldest first (``allocation``).

Booking happens once: the row is locked, ``booked_at`` is set in the same transaction as the payments,
and each payment carries the reference ``<mollie id>:<invoice number>``, unique per organization and
source. Replayed webhooks, two webhooks at once, and webhooks fetched out of order (an "open" answer
applied after "paid") change nothing: a final status never goes back.

Refunds and chargebacks leave Mollie's status at ``paid``; only ``amountRefunded`` and
``amountChargedBack`` grow. When their sum exceeds what the row has handled (``reversals_handled``), the
difference is taken back from the invoices, newest booking first, as negative payments
(``invoices.services.payment_reverse``), at most what was booked (``amount_reversed``), and the
creditor's owners and administrators get an e-mail after commit. The reference of each reversal names
the total it brings the row to, so the same report twice reverses nothing twice.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from decimal import Decimal
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from invoices.models import (
    ONLINE_PAYMENT_FINAL_STATUSES,
    Debtor,
    Invoice,
    InvoiceStatus,
    OnlinePayment,
    OnlinePaymentStatus,
    Payment,
    PaymentSource,
)
from invoices.payments.allocation import allocate_oldest_first, reverse_newest_first
from invoices.payments.client import (
    MollieError,
    MolliePayment,
    MollieUnavailable,
    RequestError,
    RequestSetupError,
    mollie_api_key,
    mollie_client,
    mollie_payment,
)
from invoices.services import payment_record, payment_reverse
from outstanding.calendar import local_today
from outstanding.models import Organization
from outstanding.money import format_money, to_money

logger = logging.getLogger(__name__)

MOLLIE_PAYMENT_ID = re.compile(r"^tr_[A-Za-z0-9]{1,32}$")
OLDEST_FIRST = ("due_date", "issue_date", "id")
ZERO = Decimal("0.00")
PAYMENT_REFERENCE_MAX_LENGTH = 100  # Payment.reference
ONLINE_CURRENCY = "EUR"
DESCRIPTION_MAX_LENGTH = 255  # Mollie's limit
METADATA_MAX_BYTES = 1024  # Mollie's limit on the metadata JSON
# Mollie moves a payment forward only: open → pending/authorized → a final status.
STATUS_RANK: dict[str, int] = {
    OnlinePaymentStatus.OPEN: 0,
    OnlinePaymentStatus.PENDING: 1,
    OnlinePaymentStatus.AUTHORIZED: 2,
    **{status: 3 for status in ONLINE_PAYMENT_FINAL_STATUSES},
}
MOLLIE_LOCALES = {"nl": "nl_NL", "en": "en_US"}


def online_payments_enabled(organization: Organization) -> bool:
    """Whether the debtors of ``organization`` can pay online (a Mollie key is configured)."""
    return bool(mollie_api_key(organization))


def online_payment_create(
    *,
    organization: Organization,
    debtor: Debtor,
    invoices: Sequence[Invoice],
    return_path: str,
    amount: Decimal | None = None,
    part_allowed: bool = False,
    claim_total: Decimal | None = None,
) -> OnlinePayment:
    """Start a Mollie payment for ``invoices`` of ``debtor``; the debtor goes on to ``checkout_url``.

    ``amount`` left out pays everything open on them; a smaller amount is a part payment, allowed from
    the organization's ``online_payment_minimum``. ``return_path`` is where Mollie sends the debtor back, a path on
    this site (``{payment}`` in it becomes the payment's public id). ``part_allowed``: a part of any size
    is fine (a term of a payment arrangement the creditor agreed to). ``claim_total``: the most that may
    be paid when the claim is more than the invoices' open amounts (a collection dossier adds interest and
    costs): the invoices may then be settled already, and the booking puts what exceeds them on the last
    one, where the dossier's statement imputes it. Raises ``ValidationError`` for a choice that cannot be
    paid and ``MollieUnavailable`` when Mollie refuses or cannot be reached.
    """
    if not online_payments_enabled(organization):
        raise ValidationError(_("Online payment is not available."))
    if debtor.organization_id != organization.pk:
        raise ValidationError(_("These invoices cannot be paid here."))
    redirect_path = _checked_return_path(return_path)
    with transaction.atomic():
        chosen = _payable_invoices(organization, debtor, invoices, settled_allowed=claim_total is not None)
        total = claim_total if claim_total is not None else sum((i.open_amount for i in chosen), Decimal("0.00"))
        payment = OnlinePayment.objects.create(
            organization=organization,
            debtor=debtor,
            amount=_online_amount(organization, amount, total, part_allowed=part_allowed),
            currency=ONLINE_CURRENCY,
            description=_description(debtor, chosen),
        )
        payment.invoices.set(chosen)
    created = _mollie_create(organization, payment, chosen, redirect_path)
    payment.mollie_id = created.id
    payment.checkout_url = created.checkout_url
    payment.status = _known_status(created.status) or OnlinePaymentStatus.OPEN
    payment.save(update_fields=["mollie_id", "checkout_url", "status", "updated_at"])
    logger.info("mollie.payment_created", extra={"online_payment": payment.pk, "invoices": len(chosen)})
    return payment


def online_payment_webhook(*, mollie_id: str) -> OnlinePayment | None:
    """Handle Mollie's webhook for ``mollie_id``; None (and nothing fetched) for an id we never stored."""
    if not MOLLIE_PAYMENT_ID.match(mollie_id):
        logger.info("mollie.webhook_malformed")
        return None
    # unscoped: Mollie's call carries no tenant. The stored row names the organization, whose key
    # fetches the payment, and Mollie's answer must name the same organization (``_mismatch``).
    stored = OnlinePayment.unscoped.select_related("organization").filter(mollie_id=mollie_id).first()
    if stored is None:
        logger.info("mollie.webhook_unknown")
        return None
    return online_payment_refresh(organization=stored.organization, online_payment=stored)


def online_payment_refresh(*, organization: Organization, online_payment: OnlinePayment) -> OnlinePayment:
    """Fetch ``online_payment`` from Mollie and apply what it says (the webhook, or a page that cannot wait)."""
    if not online_payment.mollie_id:
        return online_payment
    fetched = _mollie_fetch(organization, online_payment.mollie_id)
    return online_payment_apply(organization=organization, online_payment_id=online_payment.pk, fetched=fetched)


@transaction.atomic
def online_payment_apply(
    *, organization: Organization, online_payment_id: int, fetched: MolliePayment
) -> OnlinePayment:
    """Apply a payment as fetched from Mollie to our row; book it once when it is paid.

    The row is locked first, so of two webhooks at once the second waits and then finds it booked.
    """
    payment = OnlinePayment.objects.for_organization(organization).select_for_update().get(pk=online_payment_id)
    problem = _mismatch(organization, payment, fetched)
    if problem:
        logger.warning("mollie.webhook_refused", extra={"online_payment": payment.pk, "problem": problem})
        if payment.problem != problem:
            payment.problem = problem
            payment.save(update_fields=["problem", "updated_at"])
        return payment
    payment.status = _next_status(payment.status, fetched.status)
    payment.amount_refunded = to_money(fetched.amount_refunded)
    payment.amount_charged_back = to_money(fetched.amount_charged_back)
    if payment.status == OnlinePaymentStatus.PAID and payment.booked_at is None:
        _book(organization, payment, fetched)
        payment.booked_at = timezone.now()
    if payment.booked_at is not None:
        _reverse(organization, payment)
    payment.save(
        update_fields=[
            "status",
            "amount_refunded",
            "amount_charged_back",
            "booked_at",
            "reversals_handled",
            "amount_reversed",
            "updated_at",
        ]
    )
    return payment


# --- starting a payment ---------------------------------------------------------------------------------


def _checked_return_path(return_path: str) -> str:
    # A path on our own site only: the redirect can never send a debtor elsewhere.
    if not return_path.startswith("/") or return_path.startswith("//") or "\\" in return_path:
        raise ValueError(f"return_path must be a path on this site: {return_path!r}")
    return return_path


def _payable_invoices(
    organization: Organization, debtor: Debtor, invoices: Sequence[Invoice], *, settled_allowed: bool = False
) -> list[Invoice]:
    wanted = {invoice.pk for invoice in invoices}
    if not wanted:
        raise ValidationError(_("Choose at least one invoice to pay."))
    chosen = list(
        Invoice.objects.for_organization(organization).filter(pk__in=wanted, debtor=debtor).order_by(*OLDEST_FIRST)
    )
    if len(chosen) != len(wanted):  # another debtor's or another organization's: the same answer as missing
        raise ValidationError(_("These invoices cannot be paid here."))
    for invoice in chosen:
        if not settled_allowed and (invoice.status != InvoiceStatus.OPEN or invoice.open_amount <= 0):
            raise ValidationError(_("Invoice %(number)s has nothing left to pay.") % {"number": invoice.number})
        if invoice.currency != ONLINE_CURRENCY:
            raise ValidationError(
                _("Invoice %(number)s is not in euros and cannot be paid online.") % {"number": invoice.number}
            )
    return chosen


def _online_amount(
    organization: Organization, amount: Decimal | None, total: Decimal, *, part_allowed: bool = False
) -> Decimal:
    if amount is None:
        return total
    try:
        amount = to_money(amount)
    except (TypeError, ValueError):
        raise ValidationError(_("Enter a valid amount.")) from None
    language = (translation.get_language() or "nl")[:2]
    if amount <= 0:
        raise ValidationError(_("A payment must be more than zero."))
    if amount > total:
        raise ValidationError(_("You can pay at most %(amount)s.") % {"amount": format_money(total, language=language)})
    if amount < total and not part_allowed:
        minimum = organization.online_payment_minimum
        if minimum is None:
            raise ValidationError(_("Only the full open amount can be paid online."))
        if amount < minimum:
            raise ValidationError(
                _("A part payment must be at least %(amount)s.") % {"amount": format_money(minimum, language=language)}
            )
    return amount


def _description(debtor: Debtor, invoices: Sequence[Invoice]) -> str:
    """What the debtor sees at the checkout and on their bank statement, in the debtor's language."""
    numbers = [invoice.number for invoice in invoices]
    with translation.override(debtor.language):
        if len(numbers) == 1:
            text = _("Invoice %(number)s") % {"number": numbers[0]}
        else:
            text = _("Invoices %(numbers)s") % {"numbers": ", ".join(numbers)}
    if len(text) > DESCRIPTION_MAX_LENGTH:
        text = text[: DESCRIPTION_MAX_LENGTH - 1] + "…"
    return text


def _metadata(organization: Organization, payment: OnlinePayment, invoices: Sequence[Invoice]) -> dict[str, object]:
    metadata: dict[str, object] = {
        "organization": str(organization.public_id),
        "online_payment": str(payment.public_id),
        "invoices": [str(invoice.public_id) for invoice in invoices],
    }
    if len(json.dumps(metadata)) > METADATA_MAX_BYTES:
        # Many invoices do not fit Mollie's 1 KB; the stored row still says which ones (and is checked).
        del metadata["invoices"]
    return metadata


def _mollie_create(
    organization: Organization, payment: OnlinePayment, invoices: Sequence[Invoice], redirect_path: str
) -> MolliePayment:
    request = {
        "amount": {"currency": payment.currency, "value": f"{payment.amount:.2f}"},
        "description": payment.description,
        "redirectUrl": settings.SITE_URL + redirect_path.replace("{payment}", str(payment.public_id)),
        "webhookUrl": settings.SITE_URL + reverse("mollie_webhook"),
        "locale": MOLLIE_LOCALES.get(payment.debtor.language, "nl_NL"),
        "metadata": _metadata(organization, payment, invoices),
    }
    try:
        # The row's id as idempotency key: a retried request never makes a second payment at Mollie.
        created = mollie_client(organization).payments.create(request, idempotency_key=str(payment.public_id))
        result = mollie_payment(dict(created))
    except RequestSetupError as error:  # the stored key is not one Mollie's client accepts
        _create_failed(organization, payment, "create_bad_key", error)
    except RequestError as error:  # no answer (or no usable one): Mollie is down or too slow
        _create_failed(organization, payment, "create_unreachable", error)
    except MollieError as error:  # Mollie answered and refused (a revoked key, a method switched off)
        _create_failed(organization, payment, "create_refused", error)
    except Exception as error:
        # Whatever else went wrong, the row must not stay "open" without a Mollie payment behind it.
        _create_mark_failed(organization, payment, "create_error", error)
        raise
    if not MOLLIE_PAYMENT_ID.match(result.id):
        _create_failed(organization, payment, "create_no_payment_id", None)
    return result


def _create_failed(
    organization: Organization, payment: OnlinePayment, problem: str, error: Exception | None
) -> NoReturn:
    _create_mark_failed(organization, payment, problem, error)
    raise MollieUnavailable(_("Online payment is not available at the moment. Please try again later.")) from error


def _create_mark_failed(
    organization: Organization, payment: OnlinePayment, problem: str, error: Exception | None
) -> None:
    """Mark a payment Mollie did not start as failed, with why: it stays as a record of the attempt.

    Its own statement, committed at once (the row was committed before Mollie was asked): nothing can
    be paid on a failed row without a Mollie id, a webhook never finds it, and the debtor retries with
    a new one.
    """
    logger.warning(
        "mollie.create_failed",
        extra={"online_payment": payment.pk, "problem": problem, "error": type(error).__name__ if error else ""},
    )
    OnlinePayment.objects.for_organization(organization).filter(pk=payment.pk).update(
        status=OnlinePaymentStatus.FAILED, problem=problem, updated_at=timezone.now()
    )


# --- the webhook ----------------------------------------------------------------------------------------


def _mollie_fetch(organization: Organization, mollie_id: str) -> MolliePayment:
    try:
        fetched = mollie_client(organization).payments.get(mollie_id)
    except MollieError as error:
        logger.warning("mollie.fetch_failed", extra={"mollie_id": mollie_id, "error": type(error).__name__})
        raise MollieUnavailable(_("Online payment is not available at the moment. Please try again later.")) from error
    return mollie_payment(dict(fetched))


def _mismatch(organization: Organization, payment: OnlinePayment, fetched: MolliePayment) -> str:
    """Why Mollie's answer does not fit our row (nothing is booked then), or "" when it does."""
    metadata = fetched.metadata
    if fetched.id != payment.mollie_id:
        return "id_mismatch"
    if metadata.get("organization") != str(organization.public_id) or metadata.get("online_payment") != str(
        payment.public_id
    ):
        return "metadata_mismatch"
    stored_invoices = _stored_invoice_ids(organization, payment)
    if not stored_invoices:
        return "no_invoices"
    if "invoices" in metadata and _invoice_ids(metadata["invoices"]) != stored_invoices:
        return "metadata_mismatch"
    if fetched.currency != payment.currency or fetched.amount != payment.amount:
        return "amount_mismatch"
    if _known_status(fetched.status) is None:
        return "unknown_status"
    return ""


def _invoice_ids(value: object) -> set[str]:
    return {str(item) for item in value} if isinstance(value, list) else set()


def _stored_invoice_ids(organization: Organization, payment: OnlinePayment) -> set[str]:
    rows = Invoice.objects.for_organization(organization).filter(online_payments=payment)
    return {str(public_id) for public_id in rows.values_list("public_id", flat=True)}


def _known_status(status: str) -> str | None:
    return status if status in OnlinePaymentStatus.values else None


def _next_status(current: str, reported: str) -> str:
    """The status to keep: Mollie's, unless it would move the payment back (a webhook applied late)."""
    if current in ONLINE_PAYMENT_FINAL_STATUSES or STATUS_RANK[reported] < STATUS_RANK[current]:
        if reported != current:
            logger.info("mollie.status_not_moved_back", extra={"current": current, "reported": reported})
        return current
    return reported


def _book(organization: Organization, payment: OnlinePayment, fetched: MolliePayment) -> None:
    """Record the paid amount on the payment's invoices, oldest first (the row is locked by the caller)."""
    invoices = list(
        Invoice.objects.for_organization(organization)
        .filter(online_payments=payment)
        .order_by(*OLDEST_FIRST)
        .select_for_update(of=("self",))  # in one order, so two bookings on the same invoices cannot deadlock
    )
    open_amounts = [
        invoice.open_amount if invoice.status == InvoiceStatus.OPEN else Decimal("0.00") for invoice in invoices
    ]
    day = local_today(organization.time_zone, fetched.paid_at)
    for invoice, share in zip(invoices, allocate_oldest_first(payment.amount, open_amounts), strict=True):
        if share > 0:
            payment_record(
                organization=organization,
                invoice=invoice,
                amount=share,
                date=day,
                source=PaymentSource.MOLLIE,
                reference=f"{payment.mollie_id}:{invoice.number}",
            )
    logger.info("mollie.payment_booked", extra={"online_payment": payment.pk, "invoices": len(invoices)})


def _reverse(organization: Organization, payment: OnlinePayment) -> None:
    """Take back from the invoices what Mollie refunded or charged back since we last looked.

    ``payment`` is locked by the caller and booked. ``reversals_handled`` only grows: when Mollie
    reports less than before (a chargeback reversed by the bank), nothing is booked again by itself;
    it is logged for the creditor to record by hand.
    """
    reported = payment.amount_refunded + payment.amount_charged_back
    if reported <= payment.reversals_handled:
        if reported < payment.reversals_handled:
            logger.warning("mollie.reversal_went_down", extra={"online_payment": payment.pk})
        return
    invoices = list(
        Invoice.objects.for_organization(organization)
        .filter(online_payments=payment)
        .order_by(*OLDEST_FIRST)
        .select_for_update(of=("self",))
    )
    booked = _booked_per_invoice(organization, payment)
    wanted = min(reported - payment.reversals_handled, payment.amount - payment.amount_reversed)
    shares = reverse_newest_first(wanted, [booked.get(invoice.pk, ZERO) for invoice in invoices])
    day = local_today(organization.time_zone)
    for invoice, share in zip(invoices, shares, strict=True):
        if share > 0:
            payment_reverse(
                organization=organization,
                invoice=invoice,
                amount=share,
                date=day,
                reference=_reversal_reference(payment, reported, invoice),
            )
    taken = sum(shares, ZERO)
    payment.reversals_handled = reported
    payment.amount_reversed += taken
    logger.warning(
        "mollie.payment_reversed",
        extra={"online_payment": payment.pk, "reversed": str(taken), "capped": str(wanted - taken)},
    )
    from invoices.payments.tasks import online_payment_reversal_notify_task  # tasks sit on top of services

    payment_id, handled = payment.pk, f"{reported:.2f}"
    transaction.on_commit(lambda: online_payment_reversal_notify_task.delay(payment_id, handled))


def _booked_per_invoice(organization: Organization, payment: OnlinePayment) -> dict[int, Decimal]:
    """What this online payment brought each invoice, net of what was taken back already."""
    rows = (
        Payment.objects.for_organization(organization)
        .filter(source=PaymentSource.MOLLIE, reference__startswith=f"{payment.mollie_id}:")
        .values("invoice")
        .annotate(total=Sum("amount"))
    )
    return {row["invoice"]: row["total"] for row in rows}


def _reversal_reference(payment: OnlinePayment, reported: Decimal, invoice: Invoice) -> str:
    """``<mollie id>:reversed-<total>:<invoice number>``: one per invoice per total reported."""
    return f"{payment.mollie_id}:reversed-{reported:.2f}:{invoice.number}"[:PAYMENT_REFERENCE_MAX_LENGTH]
