"""Review before sending: the coming week's planned messages, one opened as it would go out, and holds.

Everyone in the organization reads; members and owners hold and resume. A hold pauses invoices or a
debtor through the invoices app's services (a pause with a reason and an end date); the engine then
leaves them out until the end date. Right after a hold the success message offers to undo it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from invoices import services as invoice_services
from invoices.models import Debtor, Invoice
from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.calendar import local_today
from outstanding.models import Role
from reminders.forms.review import HOLD_DEBTOR, HOLD_MESSAGE, HoldForm
from reminders.models import Channel, StepKind
from reminders.rendering import TemplateRenderError
from reminders.selectors import review as review_selectors
from reminders.selectors.review import ReviewDay, ReviewFilters, ReviewMessage
from reminders.services import review as review_services

PAGE_SIZE = 100


def _today(request: OrganizationRequest) -> dt.date:
    return local_today(request.organization.time_zone)


def _filters(query: QueryDict) -> ReviewFilters:
    return ReviewFilters.of(channel=query.get("channel", ""), step=query.get("step", ""), search=query.get("q", ""))


def _list_url(request: OrganizationRequest) -> str:
    """Back to the list, with the filters it had (``next`` from the form, when it points here)."""
    next_url = request.POST.get("next", "") or request.GET.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return reverse("review_list", args=[request.organization.public_id])


@organization_view()
def review_list(request: OrganizationRequest) -> HttpResponse:
    """Every message planned for the coming seven days, one day at a time; filters in the query string.

    An organization too big to plan while the creditor waits gets the week a worker planned last,
    without what has since been paid or held, and the page asks the worker for a new one and reloads
    itself (htmx) until it is there.
    """
    organization, today = request.organization, _today(request)
    filters = _filters(request.GET)
    week = review_selectors.week_ahead_review(organization=organization, today=today, filters=filters)
    if not week.current:
        review_services.week_refresh_request(organization=organization, today=today)
    day = _chosen_day(week.days, request.GET.get("day", ""))
    page = Paginator(day.messages if day else [], PAGE_SIZE).get_page(request.GET.get("page"))
    shown = list(page.object_list)
    if not week.current:
        shown = review_selectors.messages_still_due(organization=organization, messages=shown, today=today)
    page.object_list = review_selectors.review_messages_detailed(organization=organization, messages=shown)
    query = _query(filters)
    day_iso = day.date.isoformat() if day else ""
    return render(
        request,
        "reminders/review/list.html",
        {
            "week": week,
            "days": week.days,
            "day": day,
            "page": page,
            "page_link": f"?{query}&day={day_iso}&page=" if query else f"?day={day_iso}&page=",
            "query": query,
            "filters": filters,
            "channels": Channel.choices,
            "steps": StepKind.choices,
            "shown_count": week.shown_count,
            "planned_count": week.planned_count,
            "here_quoted": quote(request.get_full_path(), safe=""),
            "day_iso": day_iso,
            "open_label": _("Open or hold") if request.membership.can_edit else _("Open"),
            "message_url": reverse("review_message", args=[organization.public_id]),
            **_url_around_id("debtor_detail", request),
            **_url_around_id("invoice_detail", request),
        },
    )


def _url_around_id(name: str, request: OrganizationRequest) -> dict[str, str]:
    """What comes before and after the object id in the URL ``name``: reversed once, not once per row.

    Separate names (``debtor_detail_before``), not a pair: ``pair.0`` in a template takes Django's slow
    path (a failed key lookup, then ``dir()``) on every row.
    """
    placeholder = str(uuid.UUID(int=0))
    before, _placeholder, after = reverse(name, args=[request.organization.public_id, placeholder]).partition(
        placeholder
    )
    return {f"{name}_before": before, f"{name}_after": after}


def _chosen_day(days: list[ReviewDay], value: str) -> ReviewDay | None:
    """The day asked for, else the first day with something to review, else today (None: not planned yet)."""
    chosen = next((day for day in days if day.date.isoformat() == value), None)
    return chosen or next((day for day in days if day.messages), days[0] if days else None)


def _query(filters: ReviewFilters) -> str:
    params = {"channel": filters.channel, "step": filters.step, "q": filters.search}
    return urlencode({key: value for key, value in params.items() if value})


def _planned(request: OrganizationRequest, data: QueryDict) -> tuple[Debtor, ReviewMessage | None]:
    """The debtor (404 when not this organization's) and its planned message on that day, if any."""
    debtor = tenant_object_or_404(Debtor, request.organization, public_id=data.get("debtor", ""))
    try:
        day = dt.date.fromisoformat(data.get("day", ""))
    except ValueError:
        raise Http404 from None
    message = review_selectors.planned_message_find(
        organization=request.organization, day=day, debtor=debtor, channel=data.get("channel", "")
    )
    return debtor, message


@organization_view()
def review_message(request: OrganizationRequest) -> HttpResponse:
    """One planned message rendered as it would go out; htmx gets the panel only. Writes nothing."""
    debtor, message = _planned(request, request.GET)
    if message is None:
        raise Http404
    error = ""
    try:
        rendered = review_selectors.planned_message_render(organization=request.organization, message=message)
    except TemplateRenderError as exc:
        rendered, error = None, str(exc)
    context = {
        "message": message,
        "debtor": debtor,
        "rendered": rendered,
        "render_error": error,
        "hold_form": _hold_form(request, message),
        "next": _list_url(request),
    }
    htmx = request.htmx  # type: ignore[attr-defined]
    template = "reminders/review/_message.html" if htmx else "reminders/review/message.html"
    return render(request, template, context)


def _hold_form(request: OrganizationRequest, message: ReviewMessage) -> HoldForm | None:
    if not request.membership.can_edit:
        return None  # viewers see the message, not the form
    initial = {"day": message.day, "debtor": message.debtor_public_id, "channel": message.channel}
    return HoldForm(initial=initial, today=_today(request))


@organization_view(Role.MEMBER)
def review_hold(request: OrganizationRequest) -> HttpResponse:
    """Hold the planned message (its invoices), one of its invoices, or the debtor, until a date."""
    debtor, message = _planned(request, request.POST if request.method == "POST" else request.GET)
    if refused := post_only(request):
        return refused
    form = HoldForm(request.POST, today=_today(request))
    if message is None:
        messages.error(request, _("This message is no longer planned; nothing was held."))
    elif not form.is_valid():
        messages.error(request, " ".join(str(error) for errors in form.errors.values() for error in errors))
    else:
        try:
            undo = _hold(request, form, debtor, message)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, undo)
    return redirect(_list_url(request))


def _hold(request: OrganizationRequest, form: HoldForm, debtor: Debtor, message: ReviewMessage) -> str:
    """Pause what the form names; returns the success message with its "undo" button (HTML)."""
    data, organization = form.cleaned_data, request.organization
    pause = {"reason": data["reason"], "until": data["until"], "today": form.today}
    target = data["target"]
    if target == HOLD_DEBTOR:
        invoice_services.debtor_pause(debtor=debtor, **pause)
        text = _("Nothing goes to %(name)s until %(until)s.")
        return _undo_message(request, text, debtor=debtor, until=data["until"])
    invoice_ids = message.invoice_ids if target == HOLD_MESSAGE else _one_invoice(message, target)
    held = invoice_services.invoices_pause(
        organization=organization, invoice_ids=invoice_ids, until_required=True, **pause
    )
    text = (
        _("The message to %(name)s is held until %(until)s.")
        if target == HOLD_MESSAGE
        else _("Invoice %(number)s is held until %(until)s.")
    )
    return _undo_message(request, text, debtor=debtor, until=data["until"], invoices=held)


def _one_invoice(message: ReviewMessage, target: str) -> tuple[int, ...]:
    """Only an invoice of this very message can be held from it."""
    try:
        public_id = uuid.UUID(target)
    except ValueError:
        raise Http404 from None
    ids = tuple(invoice.id for invoice in message.invoices if invoice.public_id == public_id)
    if not ids:
        raise Http404
    return ids


def _undo_message(
    request: OrganizationRequest, text: str, *, debtor: Debtor, until: dt.date, invoices: list[Invoice] | None = None
) -> str:
    """The success message and a form that resumes exactly what was just held (rendered with its CSRF token)."""
    values = {
        "name": debtor.name,
        "until": date_format(until, "SHORT_DATE_FORMAT"),
        "number": invoices[0].number if invoices else "",
    }
    return render_to_string(
        "reminders/review/_undo.html",
        {
            "text": text % values,
            "debtor": debtor if invoices is None else None,
            "invoices": invoices or [],
            "next": _list_url(request),
        },
        request=request,
    )


@organization_view(Role.MEMBER)
def review_resume(request: OrganizationRequest) -> HttpResponse:
    """Undo a hold: resume the invoices (``invoice``, repeated) or the debtor (``debtor``) named."""
    organization = request.organization
    wanted = _uuids(request.POST.getlist("invoice"))
    invoices = list(Invoice.objects.for_organization(organization).filter(public_id__in=wanted))
    if len(invoices) != len(set(wanted)):
        raise Http404  # an id that is not this organization's: the same answer as a missing one
    debtor_id = request.POST.get("debtor", "")
    debtor = tenant_object_or_404(Debtor, organization, public_id=debtor_id) if debtor_id else None
    if refused := post_only(request):
        return refused
    if debtor is not None and debtor.is_paused:
        invoice_services.debtor_resume(debtor=debtor)
    resumed = invoice_services.invoices_resume(organization=organization, invoice_ids=[i.pk for i in invoices])
    if debtor is not None or resumed:
        messages.success(request, _("Undone: the reminders continue as planned."))
    return redirect(_list_url(request))


def _uuids(values: list[str]) -> list[uuid.UUID]:
    try:
        return [uuid.UUID(value) for value in values]
    except ValueError:
        raise Http404 from None
