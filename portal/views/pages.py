"""The portal's pages: what is open and what was sent, each invoice's PDF and the statement of account."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render

from collection.forms import DossierDefenceForm
from outstanding.access import stored_file_or_404
from outstanding.calendar import local_today
from portal.selectors import portal_invoice, portal_invoice_states, portal_overview, portal_timeline
from portal.statement import statement_pdf
from portal.views.bank_transfer import bank_transfer
from portal.views.dossier import dossier_blocks
from portal.views.form_token import portal_form_token
from portal.views.guard import PortalRequest, not_found, portal_cached_view, portal_view
from portal.views.page_cache import portal_page_cached
from portal.views.pay_form import pay_form


@portal_cached_view("home")
def portal_home(request: PortalRequest) -> HttpResponse:
    return portal_page_cached(
        access=request.portal_access,
        language=request.portal_language,
        page="home",
        slot=request.portal_page_slot,
        render=lambda: home_page(request),
    )


def home_page(
    request: PortalRequest, *, pay_error: str = "", chosen: set[str] | None = None, status: int = 200,
    dossier_forms: Mapping[UUID, tuple[DossierDefenceForm, str]] | None = None,
) -> HttpResponse:  # fmt: skip
    """The portal page; the pay form shows ``pay_error`` and keeps the debtor's choice when it failed,
    and a dossier's defence form that failed comes back bound (``dossier_forms``)."""
    access = request.portal_access
    overview = portal_overview(access=access, today=local_today(access.organization.time_zone))
    return render(
        request,
        "portal/home.html",
        {
            "overview": overview,
            "timeline": portal_timeline(access=access),
            "language": request.portal_language,
            "other_language": "en" if request.portal_language == "nl" else "nl",
            "pay": pay_form(access, overview, chosen=chosen, error=pay_error),
            "pay_error": pay_error,  # shown on its own when nothing is left to offer in the form
            "transfer": bank_transfer(access, overview),
            "reaction_states": portal_invoice_states(access=access),
            "dossiers": dossier_blocks(access, local_today(access.organization.time_zone), dossier_forms),
            "form_token": portal_form_token(access),
        },
        status=status,
    )


@portal_view
def portal_invoice_pdf(request: PortalRequest, invoice_id: UUID) -> HttpResponseBase:
    """The invoice's PDF, only for an invoice of the link's own debtor (else the same 404)."""
    invoice = portal_invoice(access=request.portal_access, invoice_id=invoice_id)
    if invoice is None or not invoice.pdf:
        return not_found(request)
    try:
        opened = stored_file_or_404(invoice.pdf)
    except Http404:  # gone from storage: answer like any other miss
        return not_found(request)
    return FileResponse(opened, content_type="application/pdf", filename=f"{invoice.number}.pdf")


@portal_view
def portal_statement(request: PortalRequest) -> HttpResponse:
    """The statement of account of the link's debtor as a PDF, in the page's language."""
    access = request.portal_access
    today = local_today(access.organization.time_zone)
    pdf = statement_pdf(
        overview=portal_overview(access=access, today=today),
        address_lines=access.debtor.address_lines,
        today=today,
        language=request.portal_language,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-{today.isoformat()}.pdf"'
    return response
