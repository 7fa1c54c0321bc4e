"""Creditor pages: the reminders overview (what needs attention, the week ahead), retry and cancel."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outstanding.access import OrganizationRequest, organization_view, post_only, tenant_object_or_404
from outstanding.calendar import local_today
from outstanding.models import Role
from reminders.models import Channel, Reminder, ReminderStatus
from reminders.selectors import reminders as reminder_selectors
from reminders.selectors import review as review_selectors
from reminders.services import dispatch
from reminders.services import dunning as dunning_services
from reminders.services import review as review_services

PAGE_SIZE = 50


STATUS_FILTERS = [("attention", gettext_lazy("Needs attention")), *ReminderStatus.choices]


@organization_view()
def reminder_overview(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    status = request.GET.get("status", "")
    channel = request.GET.get("channel", "")
    reminders = reminder_selectors.reminder_list(organization=organization, status=status, channel=channel)
    page = Paginator(reminders, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "reminders/overview.html",
        {
            "page": page, "status": status, "channel": channel, "statuses": STATUS_FILTERS,
            "channels": Channel.choices,
            "attention_count": reminder_selectors.attention_count(organization=organization),
        },
    )  # fmt: skip


@organization_view()
def week_ahead(request: OrganizationRequest) -> HttpResponse:
    """The coming seven days as the engine plans them (loaded by htmx: it runs the engine's dry run)."""
    organization = request.organization
    today = local_today(organization.time_zone)
    week = review_selectors.week_ahead_review(organization=organization, today=today)
    if not week.current:
        review_services.week_refresh_request(organization=organization, today=today)
    return render(request, "reminders/_week_ahead.html", {"days": week.days, "week": week})


@organization_view(Role.MEMBER)
def reminder_retry(request: OrganizationRequest, reminder_id: str) -> HttpResponse:
    reminder = tenant_object_or_404(Reminder, request.organization, public_id=reminder_id)
    if refused := post_only(request):
        return refused
    dispatch.reminder_retry(reminder=reminder)
    messages.success(request, _("The message will be sent again."))
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return redirect(next_url)
    return redirect("reminder_overview", org_id=request.organization.public_id)


@organization_view(Role.MEMBER)
def reminder_cancel(request: OrganizationRequest, reminder_id: str) -> HttpResponse:
    reminder = tenant_object_or_404(Reminder, request.organization, public_id=reminder_id)
    if refused := post_only(request):
        return refused
    try:
        dunning_services.reminder_cancel(reminder=reminder)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Cancelled. Its invoices stay in their flow and come up again on the next sending day; "
              "pause the debtor to stop all reminders."),
        )  # fmt: skip
    return redirect("reminder_overview", org_id=request.organization.public_id)
