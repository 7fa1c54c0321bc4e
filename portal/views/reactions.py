"""The debtor's three reactions on an invoice page: a question, a dispute, "I have paid".

Each POST checks the signed form token (the portal sets no cookie, so no CSRF token:
:mod:`portal.views.form_token`), calls the service and redirects (303) back to the invoice page with a
notice (``?sent=...``: there is no session to carry a message). Anything wrong shows the page again
with the reason next to the field and everything the debtor typed still in it.
"""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from invoices.models import Invoice
from outstanding.calendar import local_today
from outstanding.uploads import uploads_refused
from portal.forms import DisputeForm, PaidForm, QuestionForm
from portal.selectors import portal_invoice
from portal.services import dispute_open, payment_claim_create, thread_question_ask
from portal.views.form_token import portal_form_token_valid
from portal.views.guard import PortalRequest, not_found, portal_form_view
from portal.views.invoice import empty_forms, invoice_page


@portal_form_view
def portal_invoice_ask(request: PortalRequest, invoice_id: UUID) -> HttpResponseBase:
    def save(form: forms.Form, invoice: Invoice) -> None:
        access = request.portal_access
        thread_question_ask(
            organization=access.organization, debtor=access.debtor, invoice=invoice, text=form.cleaned_data["text"]
        )

    return _react(request, invoice_id, "ask", QuestionForm(request.POST), save, notice="question")


@portal_form_view
def portal_invoice_dispute(request: PortalRequest, invoice_id: UUID) -> HttpResponseBase:
    def save(form: forms.Form, invoice: Invoice) -> None:
        access, data = request.portal_access, form.cleaned_data
        dispute_open(
            organization=access.organization,
            debtor=access.debtor,
            invoice=invoice,
            reason=data["reason"],
            text=data["text"],
        )

    return _react(request, invoice_id, "dispute", DisputeForm(request.POST), save, notice="dispute")


@portal_form_view
def portal_invoice_paid(request: PortalRequest, invoice_id: UUID) -> HttpResponseBase:
    files = request.FILES  # parse the body first: only then does the upload handler report a dropped file
    form = PaidForm(request.POST, files, refused=uploads_refused(request))

    def save(form: forms.Form, invoice: Invoice) -> None:
        access = request.portal_access
        assert isinstance(form, PaidForm)
        payment_claim_create(
            organization=access.organization,
            debtor=access.debtor,
            invoice=invoice,
            text=form.cleaned_data["text"],
            proof=form.cleaned_data["proof"],
            content_type=form.proof_type,
            today=local_today(access.organization.time_zone),
        )

    return _react(request, invoice_id, "paid", form, save, notice="paid")


def _react(
    request: PortalRequest,
    invoice_id: UUID,
    name: str,
    form: forms.Form,
    save: Callable[[forms.Form, Invoice], None],
    *,
    notice: str,
) -> HttpResponseBase:
    invoice = portal_invoice(access=request.portal_access, invoice_id=invoice_id)
    if invoice is None:
        return not_found(request)
    if not portal_form_token_valid(request.portal_access, request.POST.get("form_token", "")):
        return _again(request, invoice, name, form, error=_("This page was open too long. Please try again."))
    if not form.is_valid():
        return _again(request, invoice, name, form)
    try:
        save(form, invoice)
    except ValidationError as error:
        _errors_onto(form, error)
        return _again(request, invoice, name, form)
    return _back(request, invoice, notice)


def _again(
    request: PortalRequest, invoice: Invoice, name: str, form: forms.Form, *, error: str = ""
) -> HttpResponseBase:
    reaction_forms = empty_forms()
    setattr(reaction_forms, name, form)
    reaction_forms.error, reaction_forms.failed = error, name
    return invoice_page(request, invoice, reaction_forms, status=400)


def _errors_onto(form: forms.Form, error: ValidationError) -> None:
    """A service's refusal onto the form: on its field when it names one the form has, else on the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


def _back(request: PortalRequest, invoice: Invoice, notice: str) -> HttpResponseRedirect:
    token = request.resolver_match.kwargs["token"] if request.resolver_match else ""
    url = reverse("portal_invoice", kwargs={"token": token, "invoice_id": invoice.public_id})
    return HttpResponseRedirect(f"{url}?{urlencode({'sent': notice, 'lang': request.portal_language})}", status=303)
