"""The portal's page per invoice: the invoice, its conversation, and the debtor's three ways to react
(a question, a dispute, "I have paid" with proof); and the proofs themselves."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django import forms
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from invoices.models import Invoice, InvoiceStatus
from outstanding.access import stored_file_or_404
from outstanding.calendar import local_today
from portal.forms import DisputeForm, PaidForm, QuestionForm
from portal.selectors import invoice_thread, portal_invoice, portal_proof
from portal.views.form_token import portal_form_token
from portal.views.guard import PortalRequest, not_found, portal_view

SENT_NOTICES = ("question", "dispute", "paid")


@dataclass
class ReactionForms:
    """The page's three forms; the one just posted comes back bound (its errors, the debtor's text)."""

    ask: forms.Form
    dispute: forms.Form
    paid: forms.Form
    error: str = ""  # a problem with the whole form (a stale page), shown above it
    failed: str = ""  # which form: "ask", "dispute" or "paid"


def empty_forms() -> ReactionForms:
    return ReactionForms(ask=QuestionForm(), dispute=DisputeForm(), paid=PaidForm())


@portal_view
def portal_invoice_page(request: PortalRequest, invoice_id: UUID) -> HttpResponseBase:
    invoice = portal_invoice(access=request.portal_access, invoice_id=invoice_id)
    if invoice is None:
        return not_found(request)
    return invoice_page(request, invoice, empty_forms())


def invoice_page(
    request: PortalRequest, invoice: Invoice, reaction_forms: ReactionForms, status: int = 200
) -> HttpResponse:
    access = request.portal_access
    organization = access.organization
    thread = invoice_thread(organization=organization, invoice=invoice)
    is_open = invoice.status == InvoiceStatus.OPEN
    sent = request.GET.get("sent", "")
    return render(
        request,
        "portal/invoice.html",
        {
            "invoice": invoice,
            "days_overdue": invoice.days_overdue(local_today(organization.time_zone)),
            "organization_name": organization.name,
            "logo_url": organization.logo.url if organization.logo else "",
            "thread": thread,
            "forms": reaction_forms,
            "form_token": portal_form_token(access),
            "can_dispute": is_open and thread.open_dispute is None,
            "can_claim": is_open and thread.pending_claim is None,
            "sent": sent if sent in SENT_NOTICES and status == 200 else "",
            "language": request.portal_language,
            "other_language": "en" if request.portal_language == "nl" else "nl",
        },
        status=status,
    )


@portal_view
def portal_proof_file(request: PortalRequest, invoice_id: UUID, proof_id: UUID) -> HttpResponseBase:
    """A proof the debtor uploaded, only through a link of that same debtor (else the same 404)."""
    invoice = portal_invoice(access=request.portal_access, invoice_id=invoice_id)
    proof = portal_proof(access=request.portal_access, invoice=invoice, proof_id=proof_id) if invoice else None
    if proof is None:
        return not_found(request)
    try:
        return proof_response(proof.file, content_type=proof.content_type, filename=proof.original_name)
    except Http404:  # gone from storage: answer like any other miss
        return not_found(request)


def proof_response(field: object, *, content_type: str, filename: str) -> FileResponse:
    """A stored proof as a download: never shown inline, never sniffed into something else by a browser."""
    response = FileResponse(stored_file_or_404(field), content_type=content_type, as_attachment=True, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    return response
