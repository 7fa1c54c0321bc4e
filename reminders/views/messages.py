"""Creditor pages for one message: what was sent, to whom, when, its legal dates and what came of it."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render

from outstanding.access import OrganizationRequest, organization_view, stored_file_or_404
from outstanding.calendar import local_today
from reminders.models import Reminder
from reminders.selectors import reminders as reminder_selectors


def _reminder(request: OrganizationRequest, reminder_id: str) -> Reminder:
    try:
        return reminder_selectors.reminder_detail(organization=request.organization, reminder_id=reminder_id)
    except Reminder.DoesNotExist:
        raise Http404 from None


@organization_view()
def reminder_detail(request: OrganizationRequest, reminder_id: str) -> HttpResponse:
    reminder = _reminder(request, reminder_id)
    return render(
        request,
        "reminders/message_detail.html",
        {
            "reminder": reminder,
            "items": list(reminder.items.all()),
            "outcomes": list(reminder.call_outcomes.all()),
            "today": local_today(request.organization.time_zone),
        },
    )


@organization_view()
def reminder_pdf(request: OrganizationRequest, reminder_id: str) -> FileResponse:
    """The printed letter as it went into its batch: through this view only, never a public media URL."""
    reminder = _reminder(request, reminder_id)
    pdf = stored_file_or_404(reminder.pdf)
    return FileResponse(pdf, content_type="application/pdf", filename=f"letter-{reminder.public_id}.pdf")
