"""The e-mail to the creditor when Mollie refunded or charged back an online payment that was booked.

Sent after commit by ``invoices.payments.tasks``, to the owners and administrators (they handle money
and the Mollie account), in the organization's language, one message per person so nobody sees the
others' addresses. It names what was reopened on which invoice; those invoices are back in their flow.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from invoices.models import OnlinePayment, Payment, PaymentSource
from outstanding.models import Organization, Role
from outstanding.selectors import member_email_addresses

logger = logging.getLogger(__name__)

TOLD_ROLES = (Role.OWNER, Role.ADMIN)


def online_payment_reversal_notify(*, online_payment_id: int, handled: str) -> int:
    """Mail the owners and administrators about one reversal; returns how many e-mails went out.

    ``handled`` is the refunded plus charged-back total the reversal brought the payment to: it names
    the reversal's payments (``invoices.payments.mollie._reversal_reference``). ``unscoped`` on
    purpose: the task has only the id; the row names its organization.
    """
    payment = OnlinePayment.unscoped.select_related("organization", "debtor").filter(pk=online_payment_id).first()
    if payment is None:
        return 0
    organization = payment.organization
    recipients = member_email_addresses(organization=organization, roles=TOLD_ROLES)
    if not recipients:
        return 0
    reversals = _reversal_payments(organization, payment, handled)
    with translation.override(organization.default_language), timezone.override(organization.time_zone):
        context = {
            "organization": organization,
            "payment": payment,
            "reopened": [(row.invoice, -row.amount, _invoice_url(organization, row)) for row in reversals],
            "taken": -sum((row.amount for row in reversals), Decimal("0.00")),
        }
        subject = " ".join(render_to_string("emails/online_payment_reversed_subject.txt", context).split())
        body = render_to_string("emails/online_payment_reversed.txt", context)
    for recipient in recipients:
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient]).send()
    logger.info("mollie.reversal_notified", extra={"online_payment": payment.pk, "members": len(recipients)})
    return len(recipients)


def _reversal_payments(organization: Organization, payment: OnlinePayment, handled: str) -> list[Payment]:
    return list(
        Payment.objects.for_organization(organization)
        .filter(
            source=PaymentSource.MOLLIE, amount__lt=0, reference__startswith=f"{payment.mollie_id}:reversed-{handled}:"
        )
        .select_related("invoice")
        .order_by("invoice__due_date", "invoice__issue_date", "invoice_id")
    )


def _invoice_url(organization: Organization, row: Payment) -> str:
    path = reverse("invoice_detail", kwargs={"org_id": organization.public_id, "invoice_id": row.invoice.public_id})
    return f"{settings.SITE_URL}{path}"
