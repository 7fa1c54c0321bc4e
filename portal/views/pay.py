"""Paying online from the portal: the pay form's POST to Mollie's checkout, and the page Mollie sends back to."""

from __future__ import annotations

import logging
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from invoices.models import OnlinePaymentStatus
from invoices.payments.client import MollieUnavailable
from invoices.payments.mollie import online_payment_create, online_payment_refresh
from portal.selectors import portal_invoices_chosen, portal_online_payment
from portal.views.form_token import portal_form_token_valid
from portal.views.guard import PortalRequest, not_found, portal_form_view, portal_view
from portal.views.pages import home_page

logger = logging.getLogger(__name__)

WAITING_STATUSES = {OnlinePaymentStatus.OPEN, OnlinePaymentStatus.PENDING, OnlinePaymentStatus.AUTHORIZED}
WAITING_REFRESH_SECONDS = 5


@portal_form_view
def portal_pay(request: PortalRequest) -> HttpResponse:
    """Start a Mollie payment for the ticked invoices and send the debtor to the checkout (303).

    Anything wrong re-renders the page with the reason and the debtor's choice; nothing is paid then.
    """
    access = request.portal_access
    chosen_ids = request.POST.getlist("invoice")
    chosen = set(chosen_ids)
    if not portal_form_token_valid(access, request.POST.get("form_token", "")):
        return home_page(
            request, pay_error=_("This page was open too long. Please try again."), chosen=chosen, status=400
        )
    if not chosen_ids:
        return home_page(request, pay_error=_("Choose at least one invoice to pay."), chosen=chosen, status=400)
    invoices = portal_invoices_chosen(access=access, invoice_ids=chosen_ids)
    if invoices is None:
        return home_page(request, pay_error=_("These invoices cannot be paid here."), chosen=chosen, status=400)
    token = request.resolver_match.kwargs["token"] if request.resolver_match else ""
    try:
        payment = online_payment_create(
            organization=access.organization,
            debtor=access.debtor,
            invoices=invoices,
            return_path=reverse("portal_home", kwargs={"token": token}) + "paid/{payment}/",
        )
    except ValidationError as error:
        return home_page(request, pay_error=" ".join(error.messages), chosen=chosen, status=400)
    except MollieUnavailable as error:
        return home_page(request, pay_error=str(error), chosen=chosen, status=503)
    return HttpResponseRedirect(payment.checkout_url, status=303)


@portal_view
def portal_paid(request: PortalRequest, payment_id: UUID) -> HttpResponseBase:
    """Where Mollie sends the debtor back: paid, still waiting for the bank, or not done (try again)."""
    access = request.portal_access
    payment = portal_online_payment(access=access, payment_id=payment_id)
    if payment is None:
        return not_found(request)  # another debtor's payment answers like a wrong token
    try:
        payment = online_payment_refresh(organization=access.organization, online_payment=payment)
    except MollieUnavailable:  # the webhook will still come: show what we know, and wait
        logger.info("portal.payment_refresh_failed", extra={"online_payment": payment.pk})
    waiting = payment.status in WAITING_STATUSES
    return render(
        request,
        "portal/paid.html",
        {
            "payment": payment,
            "paid": payment.status == OnlinePaymentStatus.PAID,
            "waiting": waiting,
            "refresh_seconds": WAITING_REFRESH_SECONDS if waiting else None,
            "organization_name": access.organization.name,
            "language": request.portal_language,
        },
    )
