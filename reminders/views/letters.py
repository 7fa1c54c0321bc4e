"""Creditor pages for letters: the print batches, the letters waiting for the next one, previews."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from outstanding.access import (
    OrganizationRequest,
    organization_view,
    post_only,
    stored_file_or_404,
    tenant_object_or_404,
)
from outstanding.calendar import local_today
from outstanding.models import Role, User
from reminders.channels import PermanentFailure
from reminders.models import Channel, LetterBatch, Reminder
from reminders.selectors import letters as letter_selectors
from reminders.services import letters
from reminders.tasks import letter_batch_create_organization

PRINT_NOW_LIMIT = 25  # letters printed within the request; more would keep the page waiting too long


def _today(request: OrganizationRequest) -> dt.date:
    return local_today(request.organization.time_zone)


def _to_list(request: OrganizationRequest) -> HttpResponse:
    return redirect("letter_list", org_id=request.organization.public_id)


@organization_view()
def letter_list(request: OrganizationRequest) -> HttpResponse:
    organization, today = request.organization, _today(request)
    return render(
        request,
        "reminders/letters/letter_list.html",
        {
            "batches": letter_selectors.letter_batches(organization=organization)[:60],
            "waiting": letter_selectors.letters_waiting(organization=organization),
            "today": today,
        },
    )


@organization_view(Role.MEMBER)
def letter_batch_create(request: OrganizationRequest) -> HttpResponse:
    """A few letters are printed at once; many (a tenth of a second each) go to a worker."""
    if refused := post_only(request):
        return refused
    organization, today = request.organization, _today(request)
    if letter_selectors.letters_waiting(organization=organization, date=today).count() > PRINT_NOW_LIMIT:
        transaction.on_commit(lambda: letter_batch_create_organization.delay(organization.pk))
        messages.info(request, _("The print batch is being made; it appears in the list below within a few minutes."))
        return _to_list(request)
    batch = letters.letter_batch_create(organization=organization, date=today)
    if batch is None:
        messages.info(request, _("No letters are waiting to be printed."))
        return _to_list(request)
    message = ngettext(
        "Print batch created with %(count)d letter.", "Print batch created with %(count)d letters.", batch.letter_count
    )
    messages.success(request, message % {"count": batch.letter_count})
    return redirect("letter_batch_detail", org_id=request.organization.public_id, batch_id=batch.public_id)


@organization_view()
def letter_batch_detail(request: OrganizationRequest, batch_id: str) -> HttpResponse:
    batch = tenant_object_or_404(LetterBatch, request.organization, public_id=batch_id)
    return render(
        request,
        "reminders/letters/batch_detail.html",
        {"batch": batch, "letters": letter_selectors.letters_in_batch(batch=batch), "today": _today(request)},
    )


@organization_view(Role.MEMBER)
def letter_batch_posted(request: OrganizationRequest, batch_id: str) -> HttpResponse:
    """The creditor took the batch to the post: its letters count as sent from the day given."""
    batch = tenant_object_or_404(LetterBatch, request.organization, public_id=batch_id)
    if refused := post_only(request):
        return refused
    try:
        posted_date = _posted_date(request)
        batch = letters.letter_batch_posted(
            batch=batch, user=cast(User, request.user), posted_date=posted_date, today=_today(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        day = formats.date_format(posted_date, "SHORT_DATE_FORMAT")
        messages.success(request, _("Print batch marked posted on %(date)s.") % {"date": day})
    return _to_list(request)


def _posted_date(request: OrganizationRequest) -> dt.date:
    value = request.POST.get("posted_date", "").strip()
    if not value:
        return _today(request)
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("Enter the posting day as a date.")) from None


@organization_view()
def letter_batch_download(request: OrganizationRequest, batch_id: str) -> FileResponse:
    batch = tenant_object_or_404(LetterBatch, request.organization, public_id=batch_id)
    pdf = stored_file_or_404(batch.pdf)
    if request.membership.can_edit:  # a viewer looking does not make the batch printed
        letters.letter_batch_downloaded(batch=batch)
    return FileResponse(
        pdf, as_attachment=True, content_type="application/pdf", filename=f"letters-{batch.date.isoformat()}.pdf"
    )


def _letter(request: OrganizationRequest, reminder_id: str) -> Reminder:
    return tenant_object_or_404(Reminder, request.organization, public_id=reminder_id, channel=Channel.LETTER)


@organization_view()
def letter_preview(request: OrganizationRequest, reminder_id: str) -> HttpResponse:
    reminder = _letter(request, reminder_id)
    try:
        pdf = letters.letter_preview_pdf(reminder=reminder, date=_today(request))
    except PermanentFailure as exc:  # everything in it was paid, or its template does not render
        messages.error(request, _("This letter cannot be shown: %(reason)s") % {"reason": exc})
        return _to_list(request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="letter-{reminder.public_id}.pdf"'
    return response


@organization_view(Role.MEMBER)
def letter_registered(request: OrganizationRequest, reminder_id: str) -> HttpResponse:
    """Send a waiting letter as registered mail (aangetekend), or take that back."""
    reminder = _letter(request, reminder_id)
    if refused := post_only(request):
        return refused
    registered = request.POST.get("registered") == "1"
    try:
        letters.letter_registered_set(reminder=reminder, registered=registered)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if registered:
            messages.success(
                request, _("The letter to %(name)s goes as registered mail.") % {"name": reminder.debtor.name}
            )
        else:
            messages.success(
                request, _("The letter to %(name)s goes as ordinary mail.") % {"name": reminder.debtor.name}
            )
    return _to_list(request)
