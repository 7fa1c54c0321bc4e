"""Proposing a payment arrangement from the portal: tick invoices, choose a number of monthly terms,
calculate the schedule (a submit that re-renders: no script needed), send; then see its status, and
once approved what is paid and open per term, with a button that pays an open term online.

A term's pay link in the e-mails opens a page for that one term (a GET never starts a payment: mail
scanners follow links); its button posts, and the answer sends the debtor to Mollie's checkout for
exactly what is open on that term.

Shown only when the organization takes proposals (``arrangement_max_terms`` above 0) and something is
open that no other arrangement holds, or when the debtor has arrangements to look at; else the plain
404. Every POST carries the signed form token (the portal sets no cookie, so no CSRF token).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from collection.forms import ArrangementProposalForm
from collection.models import Arrangement, ArrangementStatus
from collection.schedules import arrangement_term_counts_allowed
from collection.selectors import (
    arrangement_for_debtor,
    arrangement_held_invoice_public_ids,
    arrangement_list_for_debtor,
)
from collection.selectors.arrangements import ArrangementProgress, TermProgress, arrangement_progress
from collection.services import arrangement_propose, arrangement_schedule, arrangement_withdraw
from collection.services.arrangement_execution import arrangement_term_payment_start
from invoices.payments.client import MollieUnavailable
from invoices.payments.mollie import online_payments_enabled
from invoices.selectors import SUMMED_CURRENCY
from outstanding.calendar import local_today
from portal.selectors import PortalInvoice, portal_invoices_chosen, portal_overview
from portal.views.form_token import portal_form_token, portal_form_token_valid
from portal.views.guard import PortalRequest, not_found, portal_form_view, portal_view

ARRANGEMENTS_SHOWN = 10
NEVER_RUN = {ArrangementStatus.PROPOSED, ArrangementStatus.REJECTED, ArrangementStatus.WITHDRAWN}
CALCULATE, SUBMIT = "calculate", "submit"


@dataclass
class ProposalChoice:
    """What the debtor chose (kept when anything goes wrong); None/empty means "as first offered"."""

    invoice_ids: set[str] | None = None
    term_count: int | None = None
    note: str = ""
    errors: list[str] = field(default_factory=list)


def _today(request: PortalRequest) -> dt.date:
    return local_today(request.portal_access.organization.time_zone)


def _offerable(request: PortalRequest, today: dt.date) -> tuple[object, list[PortalInvoice]]:
    access = request.portal_access
    overview = portal_overview(access=access, today=today)
    held = arrangement_held_invoice_public_ids(organization=access.organization, debtor=access.debtor)
    rows = [
        row
        for row in overview.invoices
        if row.currency == SUMMED_CURRENCY and row.open_amount > 0 and row.public_id not in held
    ]
    return overview, rows if access.organization.arrangement_max_terms > 0 else []


def _default_term_count(counts: list[int]) -> int | None:
    """Two terms or the fewest above that when allowed (a real arrangement), else the only one."""
    return next((count for count in counts if count >= 2), counts[0] if counts else None)


def arrangement_page(request: PortalRequest, choice: ProposalChoice | None = None, status: int = 200) -> HttpResponse:
    access = request.portal_access
    organization = access.organization
    choice = choice or ProposalChoice()
    today = _today(request)
    overview, offerable = _offerable(request, today)
    arrangements = list(
        arrangement_list_for_debtor(organization=organization, debtor=access.debtor)[:ARRANGEMENTS_SHOWN]
    )
    progress = arrangement_progress(organization=organization, arrangements=arrangements)
    if not offerable and not arrangements and not choice.errors:
        return not_found(request)  # type: ignore[return-value]  # the same plain 404 as a wrong token
    ticked = {str(row.public_id) for row in offerable} if choice.invoice_ids is None else choice.invoice_ids
    total = sum((row.open_amount for row in offerable if str(row.public_id) in ticked), Decimal("0.00"))
    counts = arrangement_term_counts_allowed(
        total, max_terms=organization.arrangement_max_terms, min_term_amount=organization.arrangement_min_term_amount
    )
    term_count = choice.term_count if choice.term_count is not None else _default_term_count(counts)
    preview, errors = _preview(request, total, term_count, today, choice)
    context = {
        "overview": overview,
        "offerable": [(row, str(row.public_id) in ticked) for row in offerable],
        "total": total,
        "term_counts": counts,
        "term_count": term_count,
        "note": choice.note,
        "preview": preview,
        "errors": errors,
        "arrangements": [(arrangement, progress[arrangement.pk]) for arrangement in arrangements],
        "pay_online": online_payments_enabled(organization),
        "form_token": portal_form_token(access),
        "minimum": organization.arrangement_min_term_amount,
        "language": request.portal_language,
        "other_language": "en" if request.portal_language == "nl" else "nl",
    }
    return render(request, "portal/arrangement.html", context, status=status)


def _preview(
    request: PortalRequest, total: Decimal, term_count: int | None, today: dt.date, choice: ProposalChoice
) -> tuple[list[tuple[dt.date, Decimal]], list[str]]:
    """The schedule for the current choice, or why there is none (added to the choice's own errors)."""
    errors = list(choice.errors)
    if total <= 0 or term_count is None:
        return [], errors
    try:
        schedule = arrangement_schedule(
            organization=request.portal_access.organization, total=total, term_count=term_count, today=today
        )
    except ValidationError as error:
        return [], errors + [message for message in error.messages if message not in errors]
    return schedule, errors


@portal_view
def portal_arrangement(request: PortalRequest) -> HttpResponse:
    return arrangement_page(request)


def _choice_from_post(request: PortalRequest) -> ProposalChoice:
    max_terms = request.portal_access.organization.arrangement_max_terms
    form = ArrangementProposalForm(request.POST, term_counts=list(range(1, max_terms + 1)))
    choice = ProposalChoice(invoice_ids=set(request.POST.getlist("invoice")), note=request.POST.get("note", "")[:2000])
    if form.is_valid():
        choice.term_count, choice.note = form.cleaned_data["terms"], form.cleaned_data["note"]
    else:
        choice.errors = [str(message) for messages in form.errors.values() for message in messages]
    return choice


def _to_page(request: PortalRequest) -> HttpResponseRedirect:
    token = request.resolver_match.kwargs["token"] if request.resolver_match else ""
    url = reverse("portal_arrangement", kwargs={"token": token})
    return HttpResponseRedirect(f"{url}?lang={request.portal_language}", status=303)


@portal_form_view
def portal_arrangement_propose(request: PortalRequest) -> HttpResponse:
    """ "Calculate" re-renders the schedule; "Send" stores the proposal and answers 303 to the page.

    Anything wrong re-renders the page with the reason and the debtor's choice; nothing is stored then.
    """
    access = request.portal_access
    choice = _choice_from_post(request)
    if not portal_form_token_valid(access, request.POST.get("form_token", "")):
        choice.errors = [_("This page was open too long. Please try again.")]
        return arrangement_page(request, choice, status=400)
    if access.organization.arrangement_max_terms < 1:
        return not_found(request)  # type: ignore[return-value]
    invoices = portal_invoices_chosen(access=access, invoice_ids=sorted(choice.invoice_ids or ()))
    if invoices is None:
        choice.errors.append(_("These invoices cannot be paid in terms here."))
    if choice.errors or request.POST.get("action") != SUBMIT:
        return arrangement_page(request, choice, status=400 if choice.errors else 200)
    try:
        arrangement_propose(
            organization=access.organization,
            debtor=access.debtor,
            invoices=invoices or [],
            term_count=choice.term_count or 0,
            debtor_note=choice.note,
            today=_today(request),
        )
    except ValidationError as error:
        choice.errors = list(error.messages)
        return arrangement_page(request, choice, status=400)
    return _to_page(request)


@portal_form_view
def portal_arrangement_withdraw(request: PortalRequest, arrangement_id: UUID) -> HttpResponseBase:
    """The debtor takes back a proposal not yet decided (another debtor's answers like a wrong token)."""
    access = request.portal_access
    arrangement: Arrangement | None = arrangement_for_debtor(
        organization=access.organization, debtor=access.debtor, arrangement_id=arrangement_id
    )
    if arrangement is None:
        return not_found(request)
    if not portal_form_token_valid(access, request.POST.get("form_token", "")):
        choice = ProposalChoice(errors=[_("This page was open too long. Please try again.")])
        return arrangement_page(request, choice, status=400)
    try:
        arrangement_withdraw(arrangement=arrangement)
    except ValidationError as error:
        return arrangement_page(request, ProposalChoice(errors=list(error.messages)), status=400)
    return _to_page(request)


# --- paying a term ------------------------------------------------------------------------------------


def _arrangement_and_progress(
    request: PortalRequest, arrangement_id: UUID
) -> tuple[Arrangement, ArrangementProgress] | None:
    """This debtor's approved (or since ended) arrangement with its progress; None for another debtor's or
    organization's, and for one that never ran."""
    access = request.portal_access
    arrangement = arrangement_for_debtor(
        organization=access.organization, debtor=access.debtor, arrangement_id=arrangement_id
    )
    if arrangement is None or arrangement.status in NEVER_RUN:
        return None  # a proposal's terms were never there to pay
    progress = arrangement_progress(organization=access.organization, arrangements=[arrangement])
    return arrangement, progress[arrangement.pk]


def _term_page(
    request: PortalRequest, arrangement: Arrangement, term: TermProgress, error: str = "", status: int = 200
) -> HttpResponse:
    access = request.portal_access
    context = {
        "arrangement": arrangement,
        "term": term,
        "payable": arrangement.status == ArrangementStatus.APPROVED
        and not term.is_paid
        and online_payments_enabled(access.organization),
        "error": error,
        "form_token": portal_form_token(access),
        "organization_name": access.organization.name,
        "language": request.portal_language,
    }
    return render(request, "portal/arrangement_term.html", context, status=status)


@portal_view
def portal_arrangement_term(request: PortalRequest, arrangement_id: UUID, number: int) -> HttpResponseBase:
    """The page a term's pay link opens: what the term is, what is paid, and the button that pays the rest."""
    found = _arrangement_and_progress(request, arrangement_id)
    term = found[1].term(number) if found else None
    if found is None or term is None:
        return not_found(request)
    return _term_page(request, found[0], term)


@portal_form_view
def portal_arrangement_term_pay(request: PortalRequest, arrangement_id: UUID, number: int) -> HttpResponseBase:
    """Start the Mollie payment for what is open on this term and send the debtor to the checkout (303).

    A paid term, an arrangement that stopped running or a stale form re-render the term's page with the
    reason; nothing is started at Mollie then.
    """
    found = _arrangement_and_progress(request, arrangement_id)
    term = found[1].term(number) if found else None
    if found is None or term is None:
        return not_found(request)
    arrangement, progress = found
    if not portal_form_token_valid(request.portal_access, request.POST.get("form_token", "")):
        return _term_page(request, arrangement, term, _("This page was open too long. Please try again."), 400)
    token = request.resolver_match.kwargs["token"] if request.resolver_match else ""
    try:
        payment = arrangement_term_payment_start(
            arrangement=arrangement,
            progress=progress,
            term_number=number,
            return_path=reverse("portal_home", kwargs={"token": token}) + "paid/{payment}/",
        )
    except ValidationError as error:
        return _term_page(request, arrangement, term, " ".join(error.messages), 400)
    except MollieUnavailable as error:
        return _term_page(request, arrangement, term, str(error), 503)
    return HttpResponseRedirect(payment.checkout_url, status=303)
