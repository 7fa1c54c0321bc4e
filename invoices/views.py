"""Creditor pages for debtors and invoices."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from invoices import selectors, services
from invoices.forms import InvoiceFilterForm, PauseForm, PaymentForm
from invoices.models import Debtor, Invoice
from outstanding.access import OrganizationRequest, organization_view, tenant_object_or_404
from outstanding.calendar import local_today
from outstanding.models import Role

PAGE_SIZE = 50


def _today(request: OrganizationRequest) -> dt.date:
    return local_today(request.organization.time_zone)


@organization_view()
def debtor_list(request: OrganizationRequest) -> HttpResponse:
    search = request.GET.get("q", "")
    debtors = selectors.debtor_list(organization=request.organization, today=_today(request), search=search)
    page = Paginator(debtors, PAGE_SIZE).get_page(request.GET.get("page"))
    template = "invoices/_debtor_rows.html" if request.htmx else "invoices/debtor_list.html"
    return render(request, template, {"page": page, "search": search})


@organization_view()
def debtor_detail(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=debtor_id)
    today = _today(request)
    invoices = selectors.invoice_list(organization=request.organization, today=today, debtor=debtor, sort="-issue_date")
    return render(
        request, "invoices/debtor_detail.html",
        {
            "debtor": debtor,
            "totals": selectors.debtor_totals(debtor=debtor, today=today),
            "invoices": invoices[:200],
            "today": today,
            "pause_form": PauseForm(),
        },
    )


@require_POST
@organization_view(Role.MEMBER)
def debtor_pause(request: OrganizationRequest, debtor_id: str) -> HttpResponse:
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=debtor_id)
    if debtor.is_paused:
        services.debtor_resume(debtor=debtor)
        messages.success(request, _("Reminders to %(name)s resumed.") % {"name": debtor.name})
    else:
        form = PauseForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Check the date."))
            services.debtor_pause(debtor=debtor, reason=form.cleaned_data["reason"], until=form.cleaned_data["until"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Reminders to %(name)s paused.") % {"name": debtor.name})
    return redirect("debtor_detail", org_id=request.organization.public_id, debtor_id=debtor.public_id)


@organization_view()
def invoice_list(request: OrganizationRequest) -> HttpResponse:
    form = InvoiceFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    invoices = selectors.invoice_list(
        organization=request.organization,
        today=_today(request),
        status=filters.get("status", ""),
        overdue=filters.get("overdue", False),
        search=filters.get("q", ""),
        sort=filters.get("sort") or "-due_date",
    )
    page = Paginator(invoices, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "invoices/_invoice_table.html" if request.htmx else "invoices/invoice_list.html"
    return render(
        request, template,
        {"page": page, "form": form, "sort": filters.get("sort") or "-due_date", "query": query.urlencode(),
         "today": _today(request)},
    )


@organization_view()
def invoice_detail(request: OrganizationRequest, invoice_id: str) -> HttpResponse:
    invoice = tenant_object_or_404(Invoice, request.organization, public_id=invoice_id)
    return render(
        request, "invoices/invoice_detail.html",
        {
            "invoice": invoice,
            "payments": invoice.payments.order_by("-date", "-id"),
            "today": _today(request),
            "payment_form": PaymentForm(initial={"amount": invoice.open_amount, "date": _today(request)}),
        },
    )


@organization_view()
def invoice_pdf(request: OrganizationRequest, invoice_id: str) -> FileResponse:
    invoice = tenant_object_or_404(Invoice, request.organization, public_id=invoice_id)
    if not invoice.pdf:
        raise Http404
    return FileResponse(invoice.pdf.open("rb"), content_type="application/pdf", filename=f"{invoice.number}.pdf")


@require_POST
@organization_view(Role.MEMBER)
def payment_add(request: OrganizationRequest, invoice_id: str) -> HttpResponse:
    invoice = tenant_object_or_404(Invoice, request.organization, public_id=invoice_id)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.payment_record(
                organization=request.organization, invoice=invoice, amount=form.cleaned_data["amount"],
                date=form.cleaned_data["date"], reference=form.cleaned_data["reference"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Payment recorded."))
    else:
        messages.error(request, _("Check the amount and date."))
    return redirect("invoice_detail", org_id=request.organization.public_id, invoice_id=invoice.public_id)
