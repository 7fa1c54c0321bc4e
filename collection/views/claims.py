"""Submitting a claim the system does not know yet (M5): one form, one submit, a dossier.

Members and up; the service does the work in one transaction, so a claim that cannot open shows its
problems with everything typed still in the form (the PDF, which a browser never sends back, has to
be chosen again: the page says so).
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from collection.forms import ClaimForm
from collection.models import Dossier
from collection.services.dossier_claims import ClaimDebtor, ClaimInvoice, ClaimLetter, dossier_claim_submit
from outstanding.access import OrganizationRequest, organization_view
from outstanding.calendar import local_today
from outstanding.models import Role, User
from outstanding.uploads import uploads_refused


def _errors_onto(form: ClaimForm, error: ValidationError) -> None:
    """The service's refusal onto the form: on its field when it names one, else above the form."""
    if hasattr(error, "error_dict"):
        for field, texts in error.message_dict.items():
            form.add_error(field if field in form.fields else None, texts)
    else:
        form.add_error(None, error.messages)


def _submit(request: OrganizationRequest, form: ClaimForm) -> Dossier:
    data = form.cleaned_data
    debtor = ClaimDebtor(
        kind=data["debtor_kind"], name=data["debtor_name"], street=data["street"], postal_code=data["postal_code"],
        city=data["city"], country=data["country"], email=data["email"], kvk_number=data["kvk_number"],
    )  # fmt: skip
    invoice = ClaimInvoice(
        number=data["number"], issue_date=data["issue_date"], due_date=data["due_date"], amount=data["amount"],
        vat_amount=data["vat_amount"] or Decimal("0.00"),
    )  # fmt: skip
    letter = ClaimLetter(sent_on=data["letter_sent_on"], channel=data["letter_channel"] or "post")
    return dossier_claim_submit(
        organization=request.organization, debtor=debtor, invoice=invoice, pdf=data["pdf"], letter=letter,
        today=form.today, user=cast(User, request.user),
    )  # fmt: skip


def _after(request: OrganizationRequest, dossier: Dossier) -> HttpResponse:
    """To the dossier's page (``collection.views.dossiers``); to a new claim while that page is not there."""
    messages.success(request, _("Dossier %(reference)s is open.") % {"reference": dossier.reference})
    try:
        url = reverse(
            "dossier_detail", kwargs={"org_id": request.organization.public_id, "dossier_id": dossier.public_id}
        )
    except NoReverseMatch:
        url = reverse("dossier_claim", kwargs={"org_id": request.organization.public_id})
    return redirect(url)


@organization_view(Role.MEMBER)
def dossier_claim(request: OrganizationRequest) -> HttpResponse:
    today = local_today(request.organization.time_zone)
    if request.method == "POST":
        files = request.FILES  # parse the body first: only then does the upload handler report a dropped file
        form = ClaimForm(request.POST, files, today=today, refused=uploads_refused(request))
        if form.is_valid():
            try:
                dossier = _submit(request, form)
            except ValidationError as error:
                _errors_onto(form, error)
            else:
                return _after(request, dossier)
    else:
        form = ClaimForm(today=today)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "collection/claim_form.html", {"form": form}, status=status)
