"""Creditor pages for debtors and invoices.

The two lists live in :mod:`invoices.views.lists`; they answer htmx requests (live search, filters,
sorting, paging) with their results partial only (``_render_results``); a plain request, or htmx
restoring history after the back button, gets the whole page.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from invoices import checks, selectors, services
from invoices.forms import DebtorForm, InvoiceForm, PauseForm, PaymentForm
from invoices.models import Debtor, Invoice, PaymentSource
from outstanding.access import (
    OrganizationRequest,
    organization_view,
    post_only,
    stored_file_or_404,
    tenant_object_or_404,
)
from outstanding.calendar import local_today
from outstanding.models import Role
from portal.forms import creditor_thread_forms
from portal.selectors import invoice_thread
from reminders.forms.flows import DebtorFlowForm
from reminders.selectors.flows import FlowSource, debtor_flow_reason, debtor_flow_state
from reminders.selectors.reminders import reminder_timeline

TIMELINE_SIZE = 50
PAGE_SIZE = 50


def _today(request: OrganizationRequest) -> dt.date:
    return local_today(request.organization.time_zone)


def _page(items: Any, request: OrganizationRequest) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _page_link(url_name: str, request: OrganizationRequest, query: str = "", **kwargs: Any) -> str:
    """The list's URL with its filters, ending in ``page=`` for the template to add the number."""
    url = reverse(url_name, kwargs={"org_id": request.organization.public_id, **kwargs})
    return f"{url}?{query}&page=" if query else f"{url}?page="


def _render_results(
    request: OrganizationRequest, page_template: str, partial_template: str, context: dict[str, Any]
) -> HttpResponse:
    """The whole page, or only the results partial for an htmx swap."""
    htmx = request.htmx  # type: ignore[attr-defined]
    partial = bool(htmx) and not htmx.history_restore_request
    response = render(request, partial_template if partial else page_template, {**context, "partial": partial})
    # The same URL answers with a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


def _show_service_errors(form: forms.BaseForm, exc: ValidationError, fields: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError on the form, on the matching field when there is one."""
    fields = fields or {}
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for key, errors in exc.message_dict.items():
        field = fields.get(key, key)
        form.add_error(field if field in form.fields else None, errors)


# --- Debtors ----------------------------------------------------------------------------------------


@organization_view()
def debtor_detail(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=debtor_id)
    return debtor_detail_render(request, debtor)


def debtor_detail_render(
    request: OrganizationRequest,
    debtor: Debtor,
    pause_form: PauseForm | None = None,
    flow_form: DebtorFlowForm | None = None,
) -> HttpResponse:
    """The debtor page; the write views render it again with their form and its errors."""
    organization, today = request.organization, _today(request)
    invoices = selectors.invoice_list(organization=organization, today=today, debtor=debtor, sort="-issue_date")
    flow_state = debtor_flow_state(organization=organization, debtor=debtor)
    if flow_form is None and request.membership.can_edit:
        chosen = flow_state.applied if flow_state.source == FlowSource.CHOSEN else None
        flow_form = DebtorFlowForm(initial={"flow": str(chosen.public_id) if chosen else ""}, flows=flow_state.options)
    return render(
        request,
        "invoices/debtor_detail.html",
        {
            "debtor": debtor,
            "totals": selectors.debtor_totals(organization=organization, debtor=debtor, today=today),
            "page": _page(invoices, request),
            "page_link": _page_link("debtor_detail", request, debtor_id=debtor.public_id),
            "today": today,
            "pause_form": pause_form or PauseForm(today=today),
            "findings": checks.debtor_findings(debtor),
            "timeline": reminder_timeline(organization=organization, debtor=debtor)[:TIMELINE_SIZE],
            "flow_state": flow_state,
            "flow_reason": debtor_flow_reason(debtor=debtor, today=today),
            "flow_form": flow_form,  # None for viewers: they see no write forms
        },
    )


def _to_debtor(request: OrganizationRequest, debtor: Debtor) -> HttpResponse:
    return redirect("debtor_detail", org_id=request.organization.public_id, debtor_id=debtor.public_id)


def _debtor_form_page(request: OrganizationRequest, form: DebtorForm, debtor: Debtor | None) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "invoices/debtor_form.html", {"form": form, "debtor": debtor}, status=status)


@organization_view(Role.MEMBER)
def debtor_new(request: OrganizationRequest) -> HttpResponse:
    form = DebtorForm(request.POST or None, instance=Debtor(organization=request.organization))
    if request.method == "POST" and form.is_valid():
        try:
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields if name != "name"}
            debtor = services.debtor_create(organization=request.organization, name=form.cleaned_data["name"], **fields)
        except ValidationError as exc:
            _show_service_errors(form, exc)
        else:
            messages.success(request, _("Debtor %(name)s added.") % {"name": debtor.name})
            return _to_debtor(request, debtor)
    return _debtor_form_page(request, form, None)


@organization_view(Role.MEMBER)
def debtor_edit(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=debtor_id)
    form = DebtorForm(request.POST or None, instance=debtor)
    if request.method == "POST" and form.is_valid():
        try:
            services.debtor_update(debtor=debtor, **{name: form.cleaned_data[name] for name in form.Meta.fields})
        except ValidationError as exc:
            _show_service_errors(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return _to_debtor(request, debtor)
    return _debtor_form_page(request, form, debtor)


@organization_view(Role.MEMBER)
def debtor_pause(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    """Pause reminders to a debtor; pausing a paused debtor again updates the reason and end date."""
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=debtor_id)
    if refused := post_only(request):
        return refused
    form = PauseForm(request.POST, today=_today(request))
    if form.is_valid():
        try:
            services.debtor_pause(
                debtor=debtor, reason=form.cleaned_data["reason"], until=form.cleaned_data["until"], today=form.today
            )
        except ValidationError as exc:
            _show_service_errors(form, exc, {"pause_reason": "reason", "paused_until": "until"})
        else:
            messages.success(request, _("Reminders to %(name)s are paused.") % {"name": debtor.name})
            return _to_debtor(request, debtor)
    return debtor_detail_render(request, debtor, pause_form=form)


@organization_view(Role.MEMBER)
def debtor_resume(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=debtor_id)
    if refused := post_only(request):
        return refused
    if debtor.is_paused:  # a second click changes nothing
        services.debtor_resume(debtor=debtor)
        messages.success(request, _("Reminders to %(name)s are resumed.") % {"name": debtor.name})
    return _to_debtor(request, debtor)


# --- Invoices ---------------------------------------------------------------------------------------


@organization_view()
def invoice_detail(request: OrganizationRequest, invoice_id: str) -> HttpResponse:
    invoice = tenant_object_or_404(Invoice, request.organization, public_id=invoice_id)
    return _invoice_detail(request, invoice)


def _invoice_detail(
    request: OrganizationRequest,
    invoice: Invoice,
    payment_form: PaymentForm | None = None,
    pause_form: PauseForm | None = None,
    thread_forms: dict[str, forms.Form] | None = None,
) -> HttpResponse:
    """The invoice page; a form that failed comes back bound (``thread_forms``: the debtor conversation's)."""
    organization, today = request.organization, _today(request)
    if payment_form is None and request.membership.can_edit:
        suggested = invoice.open_amount or None  # nothing open: no amount to suggest
        payment_form = PaymentForm(initial={"amount": suggested, "date": today}, today=today)
    return render(
        request,
        "invoices/invoice_detail.html",
        {
            "invoice": invoice,
            "debtor": invoice.debtor,
            "is_overdue": invoice.is_overdue(today),
            "payments": selectors.invoice_payments(organization=organization, invoice=invoice),
            "today": today,
            "payment_form": payment_form,  # None for viewers: they see no write forms
            "pause_form": pause_form or PauseForm(today=today),
            "findings": checks.invoice_findings(invoice, organization),
            "timeline": reminder_timeline(organization=organization, invoice=invoice)[:TIMELINE_SIZE],
            "debtor_thread": invoice_thread(organization=organization, invoice=invoice),
            "thread_forms": creditor_thread_forms(thread_forms),
        },
    )


invoice_detail_page = _invoice_detail  # for the portal's thread views, which show this page again on an error


def _to_invoice(request: OrganizationRequest, invoice: Invoice) -> HttpResponse:
    return redirect("invoice_detail", org_id=request.organization.public_id, invoice_id=invoice.public_id)


@organization_view(Role.MEMBER)
def invoice_pause(request: OrganizationRequest, invoice_id: str) -> HttpResponse:
    """Pause reminders about one invoice; pausing it again updates the reason and end date."""
    invoice = tenant_object_or_404(Invoice, request.organization, public_id=invoice_id)
    if refused := post_only(request):
        return refused
    form = PauseForm(request.POST, today=_today(request))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.invoice_pause(invoice=invoice, reason=data["reason"], until=data["until"], today=form.today)
        except ValidationError as exc:
            _show_service_errors(form, exc, {"pause_reason": "reason", "paused_until": "until"})
        else:
            messages.success(request, _("Reminders about invoice %(number)s are paused.") % {"number": invoice.number})
            return _to_invoice(request, invoice)
    return _invoice_detail(request, invoice, pause_form=form)


@organization_view(Role.MEMBER)
def invoice_resume(request: OrganizationRequest, invoice_id: str) -> HttpResponse:
    invoice = tenant_object_or_404(Invoice, request.organization, public_id=invoice_id)
    if refused := post_only(request):
        return refused
    if invoice.is_paused:  # a second click changes nothing
        services.invoice_resume(invoice=invoice)
        messages.success(request, _("Reminders about invoice %(number)s are resumed.") % {"number": invoice.number})
    return _to_invoice(request, invoice)


@organization_view(Role.MEMBER)
def invoice_new(request: OrganizationRequest) -> HttpResponse:
    """Type in one invoice; most arrive by import, API or accounting package."""
    organization = request.organization
    initial = {"issue_date": _today(request), "due_date": _today(request) + dt.timedelta(days=30)}
    debtor_id = request.GET.get("debtor")
    if debtor_id:
        initial["debtor"] = (
            Debtor.objects.for_organization(organization).filter(public_id__in=_uuids(debtor_id)).first()
        )
    form = InvoiceForm(request.POST or None, organization=organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invoice = services.invoice_create(
                organization=organization, debtor=data["debtor"], number=data["number"],
                issue_date=data["issue_date"], due_date=data["due_date"], amount=data["amount"],
                vat_amount=data["vat_amount"],
            )  # fmt: skip
        except ValidationError as exc:
            _show_service_errors(form, exc)
        else:
            messages.success(request, _("Invoice %(number)s added.") % {"number": invoice.number})
            return redirect("invoice_detail", org_id=organization.public_id, invoice_id=invoice.public_id)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "invoices/invoice_form.html", {"form": form}, status=status)


def _uuids(value: str) -> list[str]:
    try:
        return [str(uuid.UUID(value))]
    except ValueError:
        return []


@organization_view()
def invoice_pdf(request: OrganizationRequest, invoice_id: str) -> FileResponse:
    invoice = tenant_object_or_404(Invoice, request.organization, public_id=invoice_id)
    pdf = stored_file_or_404(invoice.pdf)
    return FileResponse(pdf, content_type="application/pdf", filename=f"{get_valid_filename(invoice.number)}.pdf")


@organization_view(Role.MEMBER)
def payment_add(request: OrganizationRequest, invoice_id: str) -> HttpResponse:
    """Record a payment received outside the portal (a bank transfer), entered by hand."""
    organization = request.organization
    invoice = tenant_object_or_404(Invoice, organization, public_id=invoice_id)
    if refused := post_only(request):
        return refused
    form = PaymentForm(request.POST, today=_today(request))
    if form.is_valid():
        data = form.cleaned_data
        # Checked here only to explain it: the service itself never records a reference twice.
        if selectors.payment_by_reference(
            organization=organization, source=PaymentSource.MANUAL, reference=data["reference"]
        ):
            form.add_error("reference", _("A payment with this reference was already recorded; nothing changed."))
        else:
            try:
                services.payment_record(
                    organization=organization,
                    invoice=invoice,
                    amount=data["amount"],
                    date=data["date"],
                    source=PaymentSource.MANUAL,
                    reference=data["reference"],
                )
            except ValidationError as exc:
                _show_service_errors(form, exc)
            else:
                messages.success(request, _("Payment recorded."))
                return redirect("invoice_detail", org_id=organization.public_id, invoice_id=invoice.public_id)
    return _invoice_detail(request, invoice, payment_form=form)
