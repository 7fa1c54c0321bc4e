"""The creditor's side of the conversation per invoice: reply, resolve a dispute, check a reported
payment (all from the invoice page), download a proof, and the list of reactions waiting for an answer.

Every view fetches the invoice inside the URL's organization first, so another organization's id
answers 404 whatever the method. A refused form shows the invoice page again with the text kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from invoices.models import Invoice
from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.calendar import local_today
from outstanding.models import Role, User
from portal.forms import DisputeResolveForm, PaymentClaimCheckForm, ReplyForm
from portal.models import ProofOfPayment
from portal.selectors import reactions_list, reactions_needing_attention
from portal.services import (
    dispute_open_for,
    dispute_resolve,
    payment_claim_check,
    payment_claim_pending_for,
    thread_reply_create,
)
from portal.views.invoice import proof_response

THREAD_ANCHOR = "#debtor-thread"


@organization_view(Role.MEMBER)
def invoice_thread_reply(request: OrganizationRequest, invoice_id: str) -> HttpResponseBase:
    invoice = tenant_object_or_404(Invoice, request.organization, public_id=invoice_id)
    if refused := post_only(request):
        return refused

    def save(form: forms.Form) -> str:
        thread_reply_create(
            organization=request.organization, invoice=invoice, user=_user(request), text=form.cleaned_data["text"]
        )
        return _("Your reply has been sent to the debtor.")

    return _handle(request, invoice, "reply", ReplyForm(request.POST), save)


@organization_view(Role.MEMBER)
def invoice_dispute_resolve(request: OrganizationRequest, invoice_id: str) -> HttpResponseBase:
    invoice = tenant_object_or_404(Invoice, request.organization, public_id=invoice_id)
    if refused := post_only(request):
        return refused
    dispute = dispute_open_for(organization=request.organization, invoice=invoice)
    if dispute is None:
        raise Http404  # nothing to resolve: answered like an unknown page

    def save(form: forms.Form) -> str:
        data = form.cleaned_data
        dispute_resolve(
            organization=request.organization,
            dispute=dispute,
            resolution=data["resolution"],
            text=data["text"],
            user=_user(request),
            today=local_today(request.organization.time_zone),
            credit_note_number=data["credit_note_number"],
        )
        return _("The dispute is resolved and the debtor has your reply.")

    return _handle(request, invoice, "resolve", DisputeResolveForm(request.POST), save)


@organization_view(Role.MEMBER)
def invoice_payment_claim_check(request: OrganizationRequest, invoice_id: str) -> HttpResponseBase:
    invoice = tenant_object_or_404(Invoice, request.organization, public_id=invoice_id)
    if refused := post_only(request):
        return refused
    claim = payment_claim_pending_for(organization=request.organization, invoice=invoice)
    if claim is None:
        raise Http404

    def save(form: forms.Form) -> str:
        found = form.cleaned_data["found"]
        payment_claim_check(
            organization=request.organization,
            claim=claim,
            found=found,
            user=_user(request),
            text=form.cleaned_data["text"],
        )
        if found:
            return _("Marked as found. Record the payment below, as usual.")
        return _("Marked as not found: reminders about this invoice continue.")

    return _handle(request, invoice, "check", PaymentClaimCheckForm(request.POST), save)


@organization_view(Role.VIEWER)
def invoice_proof(request: OrganizationRequest, invoice_id: str, proof_id: str) -> HttpResponseBase:
    """A debtor's proof of payment, for the organization's members only."""
    invoice = tenant_object_or_404(Invoice, request.organization, public_id=invoice_id)
    proof = tenant_object_or_404(ProofOfPayment, request.organization, public_id=proof_id, entry__invoice=invoice)
    return proof_response(proof.file, content_type=proof.content_type, filename=proof.original_name)


@organization_view(Role.VIEWER)
def debtor_reactions(request: OrganizationRequest) -> HttpResponse:
    """Reacties van debiteuren: questions without an answer, open disputes, payments to check."""
    organization = request.organization
    return render(
        request,
        "portal/creditor/reactions.html",
        {
            "breakdown": reactions_needing_attention(organization=organization),
            "reactions": reactions_list(organization=organization),
        },
    )


def _user(request: OrganizationRequest) -> User:
    return cast(User, request.user)  # organization_view let only a logged-in member through


def _handle(
    request: OrganizationRequest, invoice: Invoice, name: str, form: forms.Form, save: Callable[[forms.Form], str]
) -> HttpResponseBase:
    if form.is_valid():
        try:
            done = save(form)
        except ValidationError as error:
            _errors_onto(form, error)
        else:
            messages.success(request, done)
            url = redirect("invoice_detail", org_id=request.organization.public_id, invoice_id=invoice.public_id).url
            return redirect(url + THREAD_ANCHOR)
    return _invoice_page_again(request, invoice, {name: form})


def _errors_onto(form: forms.Form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_messages)
    else:
        form.add_error(None, error.messages)


def _invoice_page_again(request: OrganizationRequest, invoice: Invoice, bound: dict[str, forms.Form]) -> HttpResponse:
    from invoices.views import invoice_detail_page  # the invoice page owns its layout; we add our part

    response = invoice_detail_page(request, invoice, thread_forms=bound)
    response.status_code = 400
    return response
