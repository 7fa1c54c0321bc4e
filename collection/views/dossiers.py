"""Creditor pages for collection dossiers: the list (the work list, next action first) and one dossier
with its debtor, invoices, statement and timeline, where members move it on, pause and resume it,
record the court fee, close it and add notes. Viewers read.

Every action is a service of ``collection.services`` that appends a :class:`DossierEvent`; a refused
action (empty reason, a stage that is not next, a negative fee) re-renders the page with the error
and a 400, and changes nothing. Before the dossier goes to court the judicial guard
(``collection.guards``) shows the expected net recovery; when it warns, the move needs an explicit
confirmation.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collection import selectors, services
from collection.forms import DossierCloseForm, DossierCourtFeeForm, DossierNoteForm, DossierReasonForm, DossierStageForm
from collection.guards import GuardResult
from collection.models import STAGE_ORDER, Dossier, DossierEvent, DossierStage
from collection.selectors.dossier_pages import dossier_judicial_guard, dossier_list_rows
from collection.selectors.statements import dossier_statement_on
from collection.services.dossier_notes import dossier_note_add
from outstanding.access import OrganizationRequest, organization_view, post_only
from outstanding.calendar import local_today
from outstanding.models import Role, User

PAGE_SIZE = 200
OPEN_FILTER = "open"

# Amounts an event may carry in its ``data`` (as "12.34" strings), with how the timeline names them.
EVENT_AMOUNTS = {
    "principal": gettext_lazy("principal"),
    "costs": gettext_lazy("collection costs"),
    "costs_vat": gettext_lazy("VAT on the costs"),
    "claim": gettext_lazy("claim"),
    "court_fee": gettext_lazy("court fee"),
    "amount": gettext_lazy("amount"),
}
# Free text an event may carry beside its summary.
EVENT_TEXTS = ("reason", "note")


def _today(request: OrganizationRequest) -> dt.date:
    return local_today(request.organization.time_zone)


@organization_view()
def dossier_list(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    stage = request.GET.get("stage", "")
    if stage not in (*DossierStage.values, OPEN_FILTER):
        stage = ""
    rows = dossier_list_rows(organization=organization, stage=stage, open_only=stage == OPEN_FILTER)
    counts = selectors.dossier_counts_by_stage(organization=organization)
    context = {
        "dossiers": list(rows[:PAGE_SIZE]),
        "stage": stage,
        "stages": [(value, label, counts[value]) for value, label in DossierStage.choices],
        "waiting": selectors.dossier_approvals_waiting_count(organization=organization),
        "page_size": PAGE_SIZE,
    }
    return render(request, "collection/dossier_list.html", context)


def dossier_for_page(request: OrganizationRequest, dossier_id: Any) -> Dossier:
    """The dossier with its debtor, invoices and events; 404 when missing or another organization's."""
    try:
        return selectors.dossier_get(organization=request.organization, public_id=dossier_id)
    except (Dossier.DoesNotExist, ValidationError, ValueError):
        raise Http404 from None


def _next_stages(dossier: Dossier) -> list[tuple[str, str]]:
    """The stage a member can move the dossier to now: the next one, once the court fee allows it."""
    if not dossier.is_open:
        return []
    following = STAGE_ORDER[STAGE_ORDER.index(dossier.stage) + 1]
    if following == DossierStage.CLOSED:
        return []
    if dossier.stage == DossierStage.JUDICIAL and dossier.court_fee_paid_on is None:
        return []
    return [(following, str(DossierStage(following).label))]


def _event_row(event: DossierEvent) -> dict[str, Any]:
    data = event.data if isinstance(event.data, dict) else {}
    amounts = []
    for key, label in EVENT_AMOUNTS.items():
        try:
            amounts.append((label, Decimal(str(data[key]))))
        except (KeyError, InvalidOperation, TypeError):
            continue
    texts = [str(data[key]) for key in EVENT_TEXTS if data.get(key) and str(data[key]) != event.summary]
    return {"event": event, "amounts": amounts, "texts": texts}


def _detail(
    request: OrganizationRequest, dossier: Dossier, status: int = 200, **bound: forms.Form
) -> HttpResponse:  # fmt: skip
    """The dossier page; an action that was refused passes its bound form (with the errors) in ``bound``."""
    organization, today = request.organization, _today(request)
    items = list(dossier.items.all())
    statement = dossier_statement_on(organization=organization, dossier=dossier, on=today).statement
    next_stages = _next_stages(dossier)
    guard: GuardResult | None = None
    if next_stages and next_stages[0][0] == DossierStage.JUDICIAL:
        guard = dossier_judicial_guard(
            organization=organization, dossier=dossier, items=items, statement=statement, today=today
        )
    lines = {line.id: line for line in statement.invoices}
    court_fee_due = dossier.stage == DossierStage.JUDICIAL and dossier.court_fee_paid_on is None
    context = {
        "dossier": dossier,
        "debtor": dossier.debtor,
        "rows": [(item, lines.get(item.invoice_id)) for item in items],
        "statement": statement,
        "timeline": [_event_row(event) for event in dossier.events.all()],
        "next_stages": next_stages,
        "guard": guard,
        "court_fee_due": court_fee_due,
        "stage_form": bound.get("stage_form") or DossierStageForm(stages=next_stages),
        "pause_form": bound.get("pause_form") or DossierReasonForm(prefix="pause"),
        "resume_form": bound.get("resume_form") or DossierReasonForm(prefix="resume"),
        "court_fee_form": bound.get("court_fee_form")
        or DossierCourtFeeForm(amount_needed=dossier.court_fee is None, today=today, initial={"paid_on": today}),
        "note_form": bound.get("note_form") or DossierNoteForm(),
    }
    return render(request, "collection/dossier_detail.html", context, status=status)


@organization_view()
def dossier_detail(request: OrganizationRequest, dossier_id: str) -> HttpResponse:
    return _detail(request, dossier_for_page(request, dossier_id))


def _to_dossier(request: OrganizationRequest, dossier: Dossier) -> HttpResponse:
    return redirect("dossier_detail", org_id=request.organization.public_id, dossier_id=dossier.public_id)


def _refused(
    request: OrganizationRequest, dossier: Dossier, name: str, form: forms.Form, exc: ValidationError
) -> HttpResponse:
    form.add_error(None, exc)  # {"reason": ...} lands on its field, anything else above the form
    return _detail(request, dossier, status=400, **{name: form})


@organization_view(Role.MEMBER)
def dossier_stage(request: OrganizationRequest, dossier_id: str) -> HttpResponse:
    """Move the dossier to its next stage, with a reason; to court only past the judicial guard."""
    dossier = dossier_for_page(request, dossier_id)
    if refused := post_only(request):
        return refused
    form = DossierStageForm(request.POST, stages=_next_stages(dossier))
    if not form.is_valid():
        return _detail(request, dossier, status=400, stage_form=form)
    organization, today = request.organization, _today(request)
    if form.cleaned_data["stage"] == DossierStage.JUDICIAL and not form.cleaned_data["confirm_guard"]:
        statement = dossier_statement_on(organization=organization, dossier=dossier, on=today).statement
        guard = dossier_judicial_guard(
            organization=organization, dossier=dossier, items=list(dossier.items.all()), statement=statement,
            today=today,
        )  # fmt: skip
        if guard.warns:
            message = _("Look at the expected recovery and confirm that you want to go to court.")
            form.add_error("confirm_guard", message)
            return _detail(request, dossier, status=400, stage_form=form)
    try:
        services.dossier_stage_set(
            organization=organization, dossier=dossier, stage=form.cleaned_data["stage"], today=today,
            user=cast(User, request.user), reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except ValidationError as exc:
        return _refused(request, dossier, "stage_form", form, exc)
    messages.success(request, _("The dossier moved to %(stage)s.") % {"stage": dossier.get_stage_display()})
    return _to_dossier(request, dossier)


@organization_view(Role.MEMBER)
def dossier_pause(request: OrganizationRequest, dossier_id: str) -> HttpResponse:
    dossier = dossier_for_page(request, dossier_id)
    if refused := post_only(request):
        return refused
    form = DossierReasonForm(request.POST, prefix="pause")
    if not form.is_valid():
        return _detail(request, dossier, status=400, pause_form=form)
    try:
        services.dossier_pause(
            organization=request.organization, dossier=dossier, reason=form.cleaned_data["reason"],
            user=cast(User, request.user),
        )  # fmt: skip
    except ValidationError as exc:
        return _refused(request, dossier, "pause_form", form, exc)
    messages.success(request, _("The dossier is paused."))
    return _to_dossier(request, dossier)


@organization_view(Role.MEMBER)
def dossier_resume(request: OrganizationRequest, dossier_id: str) -> HttpResponse:
    dossier = dossier_for_page(request, dossier_id)
    if refused := post_only(request):
        return refused
    form = DossierReasonForm(request.POST, prefix="resume")
    if not form.is_valid():
        return _detail(request, dossier, status=400, resume_form=form)
    try:
        services.dossier_resume(
            organization=request.organization, dossier=dossier, reason=form.cleaned_data["reason"],
            today=_today(request), user=cast(User, request.user),
        )  # fmt: skip
    except ValidationError as exc:
        return _refused(request, dossier, "resume_form", form, exc)
    messages.success(request, _("The dossier is worked again."))
    return _to_dossier(request, dossier)


@organization_view(Role.MEMBER)
def dossier_court_fee(request: OrganizationRequest, dossier_id: str) -> HttpResponse:
    """The creditor paid the court fee: recorded once, with the amount when the table had none."""
    dossier = dossier_for_page(request, dossier_id)
    if refused := post_only(request):
        return refused
    form = DossierCourtFeeForm(request.POST, amount_needed=dossier.court_fee is None, today=_today(request))
    if not form.is_valid():
        return _detail(request, dossier, status=400, court_fee_form=form)
    try:
        services.dossier_court_fee_record(
            organization=request.organization, dossier=dossier, paid_on=form.cleaned_data["paid_on"],
            user=cast(User, request.user), amount=form.cleaned_data.get("amount"),
        )  # fmt: skip
    except ValidationError as exc:
        return _refused(request, dossier, "court_fee_form", form, exc)
    messages.success(request, _("The court fee is recorded: the dossier can go to the bailiff."))
    return _to_dossier(request, dossier)


@organization_view(Role.MEMBER)
def dossier_note(request: OrganizationRequest, dossier_id: str) -> HttpResponse:
    dossier = dossier_for_page(request, dossier_id)
    if refused := post_only(request):
        return refused
    form = DossierNoteForm(request.POST)
    if not form.is_valid():
        return _detail(request, dossier, status=400, note_form=form)
    try:
        dossier_note_add(
            organization=request.organization, dossier=dossier, text=form.cleaned_data["text"],
            user=cast(User, request.user),
        )  # fmt: skip
    except ValidationError as exc:
        return _refused(request, dossier, "note_form", form, exc)
    messages.success(request, _("The note is on the timeline."))
    return _to_dossier(request, dossier)


def _close_page(
    request: OrganizationRequest, dossier: Dossier, form: DossierCloseForm, status: int = 200
) -> HttpResponse:
    return render(request, "collection/dossier_close.html", {"dossier": dossier, "form": form}, status=status)


@organization_view(Role.MEMBER)
def dossier_close(request: OrganizationRequest, dossier_id: str) -> HttpResponse:
    """Close the dossier, on a page of its own that says what each ending does, with a confirmation."""
    dossier = dossier_for_page(request, dossier_id)
    if not dossier.is_open:
        messages.info(request, _("This dossier is closed."))
        return _to_dossier(request, dossier)
    if request.method != "POST":
        return _close_page(request, dossier, DossierCloseForm())
    form = DossierCloseForm(request.POST)
    if not form.is_valid():
        return _close_page(request, dossier, form, status=400)
    try:
        services.dossier_close(
            organization=request.organization, dossier=dossier, closure=form.cleaned_data["closure"],
            today=_today(request), user=cast(User, request.user), note=form.cleaned_data["note"],
        )  # fmt: skip
    except ValidationError as exc:
        form.add_error(None, exc)
        return _close_page(request, dossier, form, status=400)
    messages.success(request, _("The dossier is closed."))
    return _to_dossier(request, dossier)
