"""The debtor and invoice lists: filters and sorting in the query string, exports, bulk actions.

Everything a list shows comes from its URL (filters, order, page), so a list can be shared, bookmarked
and restored by the back button; htmx requests get the results partial only (see
:func:`invoices.views._render_results`). Bad filter values are reported above the list and that filter
is left out. An export is the whole current selection in the same order; a bulk action works on the
ticked rows or on everything matching the filters, each through the services that own the change.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, HttpResponseBase, QueryDict, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from invoices import exports, selectors, services
from invoices.forms import (
    AUTOMATIC_FLOW,
    BulkAction,
    BulkForm,
    DebtorBulkForm,
    DebtorFilterForm,
    InvoiceBulkForm,
    InvoiceFilterForm,
)
from invoices.models import Debtor, Invoice, InvoiceStatus
from invoices.views import PAGE_SIZE, _page, _page_link, _render_results, _today
from outstanding.access import OrganizationRequest, organization_view, post_only
from outstanding.models import Role

logger = logging.getLogger(__name__)

INVOICE_COLUMNS = (
    "number", "debtor", "issue_date", "due_date", "days_overdue", "status", "amount", "open_amount",
)  # fmt: skip
DEBTOR_COLUMNS = ("name", "city", "open_count", "open_amount", "overdue_amount", "last_invoice")
BULK_MAX = 5_000  # rows one bulk action changes at most (each goes through its service)
UNDO_SESSION_KEY = "invoice_list_undo"


@dataclass(frozen=True)
class SortHeader:
    """A sortable column header: where its link leads and how the list is sorted by it now."""

    url: str
    aria_sort: str  # "ascending", "descending" or "" when the list is not sorted by this column


def _sort_headers(list_url: str, sort: str, columns: Sequence[str], query: Callable[..., str]) -> dict[str, SortHeader]:
    """Each column sorts ascending first; clicking the sorted column again flips the direction."""
    headers = {}
    for column in columns:
        if sort == column:
            next_sort, aria_sort = f"-{column}", "ascending"
        elif sort == f"-{column}":
            next_sort, aria_sort = column, "descending"
        else:
            next_sort, aria_sort = column, ""
        link = query(sort=next_sort)
        headers[column] = SortHeader(f"{list_url}?{link}" if link else list_url, aria_sort)
    return headers


def _counted_page(items: QuerySet[Any], count: int, request: OrganizationRequest) -> Page:
    """A page of ``items`` whose count is already known (the list's totals hold it): one COUNT fewer."""
    paginator = Paginator(items, PAGE_SIZE)
    paginator.__dict__["count"] = count  # Paginator.count is a cached_property: this is its cache
    return paginator.get_page(request.GET.get("page"))


def _list_url(request: OrganizationRequest, name: str, query: str = "") -> str:
    url = reverse(name, kwargs={"org_id": request.organization.public_id})
    return f"{url}?{query}" if query else url


# --- invoices ---------------------------------------------------------------------------------------


def _invoices(request: OrganizationRequest, form: InvoiceFilterForm) -> QuerySet[Invoice]:
    parsed = form.filters()
    return selectors.invoice_list(
        organization=request.organization, today=_today(request), filters=parsed["filters"], sort=parsed["sort"]
    )


@organization_view()
def invoice_list(request: OrganizationRequest) -> HttpResponse:
    form = InvoiceFilterForm(request.GET)
    invoices = _invoices(request, form)
    sort = form.filters()["sort"]
    query = form.query()
    today = _today(request)
    totals = selectors.invoice_list_totals(invoices=invoices, today=today)
    context: dict[str, Any] = {
        "form": form,
        "filter_errors": form.error_messages_for_page(),
        "more_filters": form.more_filters_used(),
        "page": _counted_page(invoices, totals.count, request),
        "totals": totals,
        "today": today,
        "sort": "" if sort == selectors.DEFAULT_INVOICE_SORT else sort,
        "headers": _sort_headers(request.path, sort, INVOICE_COLUMNS, form.query),
        "page_link": _page_link("invoice_list", request, query),
        "query": query,
        "export_max": exports.EXPORT_MAX_ROWS,
    }
    if request.membership.can_edit:
        context["bulk_form"] = InvoiceBulkForm(flows=_flows(request), today=today)
        context["undo"] = _undo_offer(request)
    return _render_results(request, "invoices/invoice_list.html", "invoices/_invoice_table.html", context)


def _invoice_export_rows(invoices: QuerySet[Invoice], today: dt.date) -> Iterator[list[exports.Cell]]:
    statuses = dict(InvoiceStatus.choices)
    values = invoices.values_list(
        "number", "debtor__name", "issue_date", "due_date", "status", "currency", "amount", "open_amount",
        "is_paused", "external_id",
    )  # fmt: skip
    for number, debtor, issued, due, status, currency, amount, open_amount, paused, external_id in values.iterator(
        chunk_size=exports.CHUNK_SIZE
    ):
        is_open = status == InvoiceStatus.OPEN and open_amount > 0
        days = max(0, (today - due).days) if is_open else 0
        yield [
            number, debtor, issued, due, days, str(statuses.get(status, status)), currency, amount, open_amount,
            _("yes") if paused else _("no"), external_id,
        ]  # fmt: skip


def _invoice_export_header() -> list[str]:
    return [
        _("Number"), _("Debtor"), _("Invoice date"), _("Due date"), _("Days overdue"), _("Status"),
        _("Currency"), _("Amount"), _("Open"), _("Paused"), _("External id"),
    ]  # fmt: skip


def _too_many_to_export(request: OrganizationRequest, count: int, list_name: str, query: str) -> HttpResponse:
    messages.error(
        request,
        _(
            "This selection holds %(count)s rows; an export holds at most %(max)s. "
            "Narrow the filters (for example by due date) and export in parts."
        )
        % {"count": f"{count:,}".replace(",", "."), "max": f"{exports.EXPORT_MAX_ROWS:,}".replace(",", ".")},
    )
    return redirect(_list_url(request, list_name, query))


def _export_name(stem: str, today: dt.date, extension: str) -> str:
    return f"{stem}-{today.isoformat()}.{extension}"


@organization_view()
def invoice_export(request: OrganizationRequest, file_format: str) -> HttpResponseBase:
    """The current selection as CSV or XLSX (every page, the list's filters and order)."""
    form = InvoiceFilterForm(request.GET)
    invoices = _invoices(request, form)
    count = invoices.count()
    if count > exports.EXPORT_MAX_ROWS:
        return _too_many_to_export(request, count, "invoice_list", form.query())
    today = _today(request)
    rows = _invoice_export_rows(invoices, today)
    logger.info("invoices.exported", extra={"organization": request.organization.pk, "rows": count})
    return _export_response(file_format, _("Invoices"), _invoice_export_header(), rows, "invoices", today)


def _export_response(
    file_format: str, title: str, header: list[str], rows: Iterator[list[exports.Cell]], stem: str, today: dt.date
) -> HttpResponseBase:
    if file_format == "xlsx":
        return FileResponse(
            exports.xlsx_file(title, header, rows),
            as_attachment=True,
            filename=_export_name(stem, today, "xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(exports.csv_stream(header, rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_export_name(stem, today, "csv")}"'
    return response


# --- bulk actions -----------------------------------------------------------------------------------


def _flows(request: OrganizationRequest) -> list[Any]:
    from reminders.selectors.flows import flows_with_steps

    return list(flows_with_steps(organization=request.organization))


def _bulk_refused(request: OrganizationRequest, form: BulkForm, back: str) -> HttpResponse:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else str(error))
    return redirect(back)


def _count_text(count: int) -> str:
    return f"{count:,}".replace(",", ".")


@organization_view(Role.MEMBER)
def invoice_bulk(request: OrganizationRequest) -> HttpResponse:
    """Hold, resume, move to a flow or open a dossier for the ticked invoices or all matching ones."""
    if refused := post_only(request):
        return refused
    today = _today(request)
    form = InvoiceBulkForm(request.POST, flows=_flows(request), today=today)
    filter_form = InvoiceFilterForm(QueryDict(request.POST.get("filters", "")[:2000]))
    back = _list_url(request, "invoice_list", filter_form.query())
    if not form.is_valid():
        return _bulk_refused(request, form, back)
    action = form.cleaned_data["action"]
    if action == BulkAction.UNDO:
        _undo_hold(request)
        return redirect(back)
    if form.cleaned_data["scope"] == BulkForm.SCOPE_ALL:
        selection = _invoices(request, filter_form)
    else:
        selection = selectors.invoice_list(organization=request.organization, today=today).filter(
            public_id__in=form.cleaned_data["selected"]
        )
    count = selection.count()
    if count > BULK_MAX:
        messages.error(
            request,
            _("This selection holds %(count)s invoices; one action changes at most %(max)s. Narrow the filters.")
            % {"count": _count_text(count), "max": _count_text(BULK_MAX)},
        )
        return redirect(back)
    INVOICE_ACTIONS[action](request, form, selection)
    return redirect(back)


def _hold(request: OrganizationRequest, form: BulkForm, selection: QuerySet[Invoice]) -> None:
    """Hold every selected invoice that is not held yet; one already paused keeps its own reason."""
    rows = list(selection.values_list("pk", "is_paused"))
    to_hold = [pk for pk, paused in rows if not paused]
    data = form.cleaned_data
    try:
        services.invoices_pause(
            organization=request.organization, invoice_ids=to_hold, reason=data["reason"], until=data["until"],
            today=form.today,
        )  # fmt: skip
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return
    request.session[UNDO_SESSION_KEY] = {"organization": str(request.organization.public_id), "ids": to_hold}
    messages.success(
        request,
        ngettext("%(count)s invoice held.", "%(count)s invoices held.", len(to_hold))
        % {"count": _count_text(len(to_hold))},
    )
    if len(rows) > len(to_hold):
        skipped = len(rows) - len(to_hold)
        messages.info(
            request,
            ngettext(
                "%(count)s invoice was paused already and keeps its reason.",
                "%(count)s invoices were paused already and keep their reason.",
                skipped,
            )
            % {"count": _count_text(skipped)},
        )


def _in_dossier(request: OrganizationRequest, invoice_ids: list[int]) -> set[int]:
    from collection.selectors import dossier_open_invoice_ids

    return set(dossier_open_invoice_ids(organization=request.organization, invoice_ids=invoice_ids))


def _resume(request: OrganizationRequest, form: BulkForm, selection: QuerySet[Invoice]) -> None:
    """Resume the selected invoices, except those a collection dossier holds (resumed there, or not at all)."""
    ids = list(selection.filter(is_paused=True).values_list("pk", flat=True))
    in_dossier = _in_dossier(request, ids)
    count = services.invoices_resume(
        organization=request.organization, invoice_ids=[pk for pk in ids if pk not in in_dossier]
    )
    messages.success(
        request,
        ngettext("%(count)s invoice resumed.", "%(count)s invoices resumed.", count) % {"count": _count_text(count)},
    )
    if in_dossier:
        messages.info(
            request,
            ngettext(
                "%(count)s invoice is in a collection dossier and stays held.",
                "%(count)s invoices are in a collection dossier and stay held.",
                len(in_dossier),
            )
            % {"count": _count_text(len(in_dossier))},
        )


def _undo_offer(request: OrganizationRequest) -> int:
    """How many invoices the last hold in this organization held (0: nothing to undo)."""
    undo = request.session.get(UNDO_SESSION_KEY) or {}
    if undo.get("organization") != str(request.organization.public_id):
        return 0
    return len(undo.get("ids") or [])


def _undo_hold(request: OrganizationRequest) -> None:
    undo = request.session.pop(UNDO_SESSION_KEY, None) or {}
    if undo.get("organization") != str(request.organization.public_id):
        messages.info(request, _("There is no hold to undo."))
        return
    count = services.invoices_resume(organization=request.organization, invoice_ids=undo.get("ids") or [])
    messages.success(
        request,
        ngettext("Hold undone: %(count)s invoice resumed.", "Hold undone: %(count)s invoices resumed.", count)
        % {"count": _count_text(count)},
    )


def _debtors_of(request: OrganizationRequest, selection: QuerySet[Invoice]) -> list[Debtor]:
    return list(
        Debtor.objects.for_organization(request.organization)
        .filter(pk__in=selection.values("debtor_id"))
        .order_by("name", "pk")
    )


def _move_to_flow(request: OrganizationRequest, form: BulkForm, debtors: list[Debtor]) -> None:
    """The chosen flow for each debtor (a flow belongs to a debtor, so an invoice moves with its debtor)."""
    from reminders.services.flows import debtor_flow_choose

    flow = form.chosen_flow if form.cleaned_data["flow"] != AUTOMATIC_FLOW else None
    moved, refused = 0, defaultdict(list)
    for debtor in debtors:
        try:
            debtor_flow_choose(organization=request.organization, debtor=debtor, flow=flow)
        except ValidationError as exc:
            for message in exc.messages:
                refused[message].append(debtor.name)
        else:
            moved += 1
    name = flow.name if flow else _("the automatic choice")
    messages.success(
        request,
        ngettext("%(count)s debtor moved to %(flow)s.", "%(count)s debtors moved to %(flow)s.", moved)
        % {"count": _count_text(moved), "flow": name},
    )
    for message, names in refused.items():
        messages.error(request, _("Not moved: %(names)s. %(reason)s") % {"names": _names(names), "reason": message})


def _names(names: list[str], shown: int = 5) -> str:
    more = len(names) - shown
    text = ", ".join(names[:shown])
    return text + (_(" and %(count)s more") % {"count": more} if more > 0 else "")


def _invoices_to_flow(request: OrganizationRequest, form: BulkForm, selection: QuerySet[Invoice]) -> None:
    _move_to_flow(request, form, _debtors_of(request, selection))


def _open_dossiers(request: OrganizationRequest, form: BulkForm, selection: QuerySet[Invoice]) -> None:
    """One dossier per debtor with that debtor's selected invoices; what stops one is shown per debtor."""
    from collection.models import DossierOrigin
    from collection.services import dossier_open

    by_debtor: dict[int, list[Invoice]] = defaultdict(list)
    for invoice in selection:
        by_debtor[invoice.debtor_id].append(invoice)
    opened, invoice_count = 0, 0
    for invoices in by_debtor.values():
        debtor = invoices[0].debtor
        try:
            dossier_open(
                organization=request.organization, debtor=debtor, invoices=invoices, today=form.today,
                origin=DossierOrigin.MANUAL, user=request.user,  # type: ignore[arg-type]  # logged in: organization_view
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(
                request,
                _("No dossier for %(debtor)s: %(problems)s")
                % {"debtor": debtor.name, "problems": " ".join(exc.messages)},
            )
        else:
            opened += 1
            invoice_count += len(invoices)
    messages.success(
        request,
        ngettext(
            "%(count)s dossier opened (%(invoices)s invoices).",
            "%(count)s dossiers opened (%(invoices)s invoices).",
            opened,
        )
        % {"count": _count_text(opened), "invoices": _count_text(invoice_count)},
    )


INVOICE_ACTIONS: dict[str, Callable[[OrganizationRequest, BulkForm, QuerySet[Invoice]], None]] = {
    BulkAction.HOLD: _hold,
    BulkAction.RESUME: _resume,
    BulkAction.FLOW: _invoices_to_flow,
    BulkAction.DOSSIER: _open_dossiers,
}


# --- debtors ----------------------------------------------------------------------------------------


def _debtors(request: OrganizationRequest, form: DebtorFilterForm) -> QuerySet[Debtor]:
    parsed = form.filters()
    return selectors.debtor_list(
        organization=request.organization,
        today=_today(request),
        search=parsed["search"],
        filters=parsed["filters"],
        sort=parsed["sort"],
    )


@organization_view()
def debtor_list(request: OrganizationRequest) -> HttpResponse:
    form = DebtorFilterForm(request.GET)
    debtors = _debtors(request, form)
    sort = form.filters()["sort"]
    query = form.query()
    context: dict[str, Any] = {
        "form": form,
        "filter_errors": form.error_messages_for_page(),
        "more_filters": form.more_filters_used(),
        "search": form.filters()["search"],
        "page": _page(debtors, request),
        "sort": "" if sort == selectors.DEFAULT_DEBTOR_SORT else sort,
        "headers": _sort_headers(request.path, sort, DEBTOR_COLUMNS, form.query),
        "page_link": _page_link("debtor_list", request, query),
        "query": query,
    }
    if request.membership.can_edit:
        context["bulk_form"] = DebtorBulkForm(flows=_flows(request), today=_today(request))
    return _render_results(request, "invoices/debtor_list.html", "invoices/_debtor_rows.html", context)


def _debtor_export_rows(debtors: QuerySet[Debtor]) -> Iterator[list[exports.Cell]]:
    for debtor in debtors.iterator(chunk_size=exports.CHUNK_SIZE):
        yield [
            debtor.name, debtor.city, debtor.open_count, debtor.open_amount, debtor.overdue_amount,  # type: ignore[attr-defined]
            debtor.last_invoice_date, _("yes") if debtor.is_paused else _("no"), debtor.external_id,  # type: ignore[attr-defined]
        ]  # fmt: skip


@organization_view()
def debtor_export(request: OrganizationRequest, file_format: str) -> HttpResponseBase:
    form = DebtorFilterForm(request.GET)
    debtors = _debtors(request, form)
    count = debtors.count()
    if count > exports.EXPORT_MAX_ROWS:
        return _too_many_to_export(request, count, "debtor_list", form.query())
    header = [
        _("Name"), _("City"), _("Open invoices"), _("Open"), _("Overdue"), _("Last invoice"), _("Paused"),
        _("External id"),
    ]  # fmt: skip
    today = _today(request)
    return _export_response(file_format, _("Debtors"), header, _debtor_export_rows(debtors), "debtors", today)


@organization_view(Role.MEMBER)
def debtor_bulk(request: OrganizationRequest) -> HttpResponse:
    """Hold, resume or move to a flow the ticked debtors or all matching ones."""
    if refused := post_only(request):
        return refused
    today = _today(request)
    form = DebtorBulkForm(request.POST, flows=_flows(request), today=today)
    filter_form = DebtorFilterForm(QueryDict(request.POST.get("filters", "")[:2000]))
    back = _list_url(request, "debtor_list", filter_form.query())
    if not form.is_valid():
        return _bulk_refused(request, form, back)
    if form.cleaned_data["scope"] == BulkForm.SCOPE_ALL:
        selection = _debtors(request, filter_form)
    else:
        selection = Debtor.objects.for_organization(request.organization).filter(
            public_id__in=form.cleaned_data["selected"]
        )
    debtors = list(selection.order_by("name", "pk")[: BULK_MAX + 1])
    if len(debtors) > BULK_MAX:
        messages.error(
            request,
            _("This selection holds more than %(max)s debtors; one action changes at most %(max)s.")
            % {"max": _count_text(BULK_MAX)},
        )
        return redirect(back)
    DEBTOR_ACTIONS[form.cleaned_data["action"]](request, form, debtors)
    return redirect(back)


def _hold_debtors(request: OrganizationRequest, form: BulkForm, debtors: list[Debtor]) -> None:
    held = 0
    for debtor in debtors:
        if debtor.is_paused:
            continue  # a debtor already paused keeps its own reason and end date
        services.debtor_pause(
            debtor=debtor, reason=form.cleaned_data["reason"], until=form.cleaned_data["until"], today=form.today
        )
        held += 1
    messages.success(
        request,
        ngettext("Reminders to %(count)s debtor held.", "Reminders to %(count)s debtors held.", held)
        % {"count": _count_text(held)},
    )


def _resume_debtors(request: OrganizationRequest, form: BulkForm, debtors: list[Debtor]) -> None:
    resumed = 0
    for debtor in debtors:
        if debtor.is_paused:
            services.debtor_resume(debtor=debtor)
            resumed += 1
    messages.success(
        request,
        ngettext("Reminders to %(count)s debtor resumed.", "Reminders to %(count)s debtors resumed.", resumed)
        % {"count": _count_text(resumed)},
    )


DEBTOR_ACTIONS: dict[str, Callable[[OrganizationRequest, BulkForm, list[Debtor]], None]] = {
    BulkAction.HOLD: _hold_debtors,
    BulkAction.RESUME: _resume_debtors,
    BulkAction.FLOW: _move_to_flow,
}
