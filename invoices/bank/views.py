"""Creditor pages for bank statements: upload a CAMT.053 file, and the review list of what did not match.

Everyone in the organization sees them; members and up upload, assign and dismiss (viewers read).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from invoices.bank import matching, selectors, services
from invoices.bank.camt import CamtError
from invoices.bank.forms import BankLineAssignForm, BankStatementUploadForm
from invoices.models import BankLine, BankLineStatus, BankStatement, Invoice
from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.models import Role, User
from outstanding.uploads import uploads_refused

REASON_TEXT = {
    matching.BY_REFERENCE: gettext_lazy("Payment reference (RF)"),
    matching.BY_NUMBER: gettext_lazy("Invoice number in the description"),
    matching.BY_AMOUNT: gettext_lazy("Amount and name or IBAN of the debtor"),
    matching.BY_HAND: gettext_lazy("Assigned by hand"),
    matching.NO_MATCH: gettext_lazy("No invoice found"),
    matching.AMBIGUOUS: gettext_lazy("Several invoices fit"),
    matching.NOT_OPEN: gettext_lazy("The invoice is not open any more"),
    matching.AMOUNT_DIFFERS: gettext_lazy("The amount differs from what is open"),
    matching.CURRENCY: gettext_lazy("Other currency than the invoice"),
}
PAGE_SIZE = 200


@organization_view(Role.VIEWER, write=True)
def bank_statement_list(request: OrganizationRequest) -> HttpResponse:
    """Earlier statements and, for members, the upload form."""
    form = _upload_form(request) if request.membership.can_edit else None
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            statement = services.bank_statement_import(
                organization=request.organization,
                user=cast(User, request.user),  # organization_view lets only logged-in members in
                filename=form.cleaned_data["file"].name or "",
                data=form.cleaned_data["file"].read(),
            )
        except CamtError as exc:
            form.add_error("file", str(exc))
        else:
            _imported_message(request, statement)
            return _to_review(request, statement) if statement.review_count else redirect(_list_url(request))
    context = {
        "form": form,
        "statements": selectors.bank_statement_list(organization=request.organization)[:100],
        "counts": selectors.bank_line_counts(organization=request.organization),
    }
    return render(request, "invoices/bank/statement_list.html", context)


def _upload_form(request: OrganizationRequest) -> BankStatementUploadForm:
    if request.method != "POST":
        return BankStatementUploadForm()
    files = request.FILES  # parses the body; a file too large was dropped on the way (outstanding.uploads)
    return BankStatementUploadForm(request.POST, files, refused=uploads_refused(request))


def _imported_message(request: OrganizationRequest, statement: BankStatement) -> None:
    messages.success(
        request,
        _(
            "%(file)s: %(lines)d incoming payments, %(booked)d booked, %(review)d to review, "
            "%(known)d already imported before."
        )
        % {
            "file": statement.filename,
            "lines": statement.line_count,
            "booked": statement.booked_count,
            "review": statement.review_count,
            "known": statement.known_count,
        },
    )


@organization_view()
def bank_line_list(request: OrganizationRequest) -> HttpResponse:
    """The review list (``?status=to_review``, the default), or the booked or dismissed lines."""
    organization = request.organization
    status = request.GET.get("status", BankLineStatus.TO_REVIEW)
    if status not in BankLineStatus.values:
        status = BankLineStatus.TO_REVIEW
    statement = None
    if request.GET.get("statement"):
        statement = tenant_object_or_404(BankStatement, organization, public_id=request.GET["statement"])
    lines = list(selectors.bank_line_list(organization=organization, status=status, statement=statement)[:PAGE_SIZE])
    for line in lines:
        line.reason_text = REASON_TEXT.get(line.reason, "")  # type: ignore[attr-defined]
    context = {
        "lines": lines,
        "status": status,
        "statuses": BankLineStatus.choices,
        "statement": statement,
        "counts": selectors.bank_line_counts(organization=organization),
        "page_size": PAGE_SIZE,
    }
    return render(request, "invoices/bank/line_list.html", context)


@organization_view(Role.MEMBER)
def bank_line_assign(request: OrganizationRequest, line_id: str) -> HttpResponse:
    line = _line(request, line_id)
    if refused := post_only(request):
        return refused
    form = BankLineAssignForm(request.POST)
    invoice = _chosen_invoice(request, form)
    if invoice is None:
        return _back(request)
    try:
        services.bank_line_assign(
            organization=request.organization, line=line, invoice=invoice, user=cast(User, request.user)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Booked on invoice %(number)s.") % {"number": invoice.number})
    return _back(request)


def _chosen_invoice(request: OrganizationRequest, form: BankLineAssignForm) -> Invoice | None:
    """The invoice of this organization the member chose; None (with the reason shown) when there is none."""
    if not form.is_valid():
        messages.error(request, " ".join(str(error) for error in form.non_field_errors() or form.errors.values()))
        return None
    invoices = Invoice.objects.for_organization(request.organization)
    if form.cleaned_data.get("invoice"):
        invoice = invoices.filter(public_id=form.cleaned_data["invoice"]).first()
    else:
        invoice = invoices.filter(number__iexact=form.cleaned_data["number"].strip()).order_by("pk").first()
    if invoice is None:
        messages.error(request, _("There is no such invoice."))
    return invoice


@organization_view(Role.MEMBER)
def bank_line_dismiss(request: OrganizationRequest, line_id: str) -> HttpResponse:
    return _decide(request, line_id, services.bank_line_dismiss, _("Dismissed; you find it under Dismissed."))


@organization_view(Role.MEMBER)
def bank_line_restore(request: OrganizationRequest, line_id: str) -> HttpResponse:
    return _decide(request, line_id, services.bank_line_restore, _("Back in the review list."))


def _decide(request: OrganizationRequest, line_id: str, action: Callable[..., BankLine], done: str) -> HttpResponse:
    line = _line(request, line_id)
    if refused := post_only(request):
        return refused
    try:
        action(organization=request.organization, line=line, user=cast(User, request.user))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return _back(request)


def _line(request: OrganizationRequest, line_id: str) -> BankLine:
    return tenant_object_or_404(BankLine, request.organization, public_id=line_id)


def _list_url(request: OrganizationRequest) -> str:
    return reverse("bank_statement_list", kwargs={"org_id": request.organization.public_id})


def _to_review(request: OrganizationRequest, statement: BankStatement) -> HttpResponse:
    url = reverse("bank_line_list", kwargs={"org_id": request.organization.public_id})
    return redirect(f"{url}?statement={statement.public_id}")


def _back(request: OrganizationRequest) -> HttpResponse:
    """To the review list the member came from (only our own list, never a URL from the request)."""
    url = reverse("bank_line_list", kwargs={"org_id": request.organization.public_id})
    status = request.POST.get("status", "")
    return redirect(f"{url}?status={status}" if status in BankLineStatus.values else url)
