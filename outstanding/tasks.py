from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from outstanding.models import INVITATION_VALIDITY, Invitation
from outstanding.services import invitation_token_issue


@shared_task(soft_time_limit=60, time_limit=90)  # one e-mail
def invitation_send(invitation_id: int) -> None:
    """E-mail the invitation link, in the organization's language and time zone."""
    invitation = Invitation.objects.select_related("organization", "invited_by").filter(pk=invitation_id).first()
    if invitation is None or not invitation.is_open:
        return
    organization = invitation.organization
    with translation.override(organization.default_language), timezone.override(organization.time_zone):
        context = {
            "invitation": invitation,
            "organization": organization,
            # The token only in the fragment: browsers do not send it, so no server logs it.
            "url": f"{settings.SITE_URL}{reverse('invitation_open')}#{invitation_token_issue(invitation=invitation)}",
            "valid_until": invitation.created_at + INVITATION_VALIDITY,
        }
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        body = render_to_string("emails/invitation.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email])


@shared_task(soft_time_limit=1500, time_limit=1600)  # every organization where it is Monday morning
def weekly_summaries_due_task() -> int:
    from outstanding.weekly_summary import weekly_summaries_due  # it reads every app; the task only calls it

    return weekly_summaries_due()
