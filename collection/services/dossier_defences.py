"""The debtor's defence (verweer) against a dossier, filed in the portal, and the creditor's answer.

Filing holds the dossier (``dossier_pause``, actor "debtor") and appends a DEFENCE_FILED event with
the reason, the text and, when the debtor added one, the stored file's name (so the file is covered
by the hash chain as well). The creditor's members and the staff working the dossier get an e-mail;
the answer is a DEFENCE_ANSWERED event the debtor sees in the portal and, when an address is known,
gets by e-mail.

Every e-mail goes after commit, from a task, once: the task *claims* it by appending a MESSAGE_SENT
event (``data.about`` = the defence's sequence, ``data.to`` = "members" or "debtor") under the
dossier's row lock, and sends only when it appended one. The record then also says who was told.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collection.models import Dossier, DossierEvent, DossierEventKind
from collection.services.dossier_chain import dossier_event_append
from collection.services.dossiers import dossier_pause, dossier_resume
from collection.texts import in_organization_language as _in_language
from outstanding.files import UnguessableName
from outstanding.models import Organization, Role, User
from outstanding.selectors import member_email_addresses
from outstanding.text import validate_multi_line
from portal.models import DisputeReason

logger = logging.getLogger(__name__)

DEFENCE_TEXT_MAX_LENGTH = 5000
DEBTOR = "debtor"
NOTIFIED_ROLES = (Role.OWNER, Role.ADMIN, Role.MEMBER)  # viewers read; they are not asked to act
DEFENCE_FILES = UnguessableName("private/defences")


@dataclass(frozen=True)
class DefenceFile:
    """A file the debtor added, its content type judged from its first bytes by the form."""

    upload: UploadedFile
    content_type: str


def _text_clean(text: str, field: str) -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: _("Please write your message.")})
    if len(text) > DEFENCE_TEXT_MAX_LENGTH:
        raise ValidationError(
            {field: _("Keep it to %(count)d characters or fewer.") % {"count": DEFENCE_TEXT_MAX_LENGTH}}
        )
    validate_multi_line(text)
    return text


def defence_pause_reason(organization: Organization) -> str:
    return _in_language(organization, gettext_lazy("Defence filed by the debtor"))


def _file_store(defence_file: DefenceFile) -> dict[str, Any]:
    """Write the file to private storage (a random name) and describe it for the event."""
    name = default_storage.save(DEFENCE_FILES(None, defence_file.upload.name or "file"), defence_file.upload)
    return {
        "name": name,
        "content_type": defence_file.content_type,
        "original_name": (defence_file.upload.name or "")[:200],
        "size": defence_file.upload.size or 0,
    }


def dossier_defence_file(
    *, organization: Organization, dossier: Dossier, text: str, today: dt.date, reason: str = DisputeReason.OTHER,
    defence_file: DefenceFile | None = None,
) -> DossierEvent:  # fmt: skip
    """The debtor disputes the claim: hold the dossier, record the defence, tell the creditor and staff.

    ``reason`` is one of the portal's dispute reasons (the same list the debtor knows from an invoice)."""
    text = _text_clean(text, "text")
    if reason not in DisputeReason.values:
        raise ValidationError({"reason": _("Please choose a reason.")})
    stored = _file_store(defence_file) if defence_file is not None else None
    try:
        event = _defence_record(organization, dossier, text, reason, today, stored)
    except Exception:
        if stored is not None:
            default_storage.delete(stored["name"])  # nothing refers to it: leave no file behind
        raise
    _enqueue("dossier_defence_members_notify_task", event.pk)
    logger.info("dossier.defence_filed", extra={"dossier": dossier.pk, "event": event.pk})
    return event


@transaction.atomic
def _defence_record(
    organization: Organization, dossier: Dossier, text: str, reason: str, today: dt.date,
    stored: dict[str, Any] | None,
) -> DossierEvent:  # fmt: skip
    dossier_pause(
        organization=organization, dossier=dossier, reason=defence_pause_reason(organization), actor_label=DEBTOR
    )
    summary = _in_language(
        organization, gettext_lazy("Defence filed by the debtor: %(reason)s"), reason=DisputeReason(reason).label
    )
    return dossier_event_append(
        organization=organization, dossier=dossier, kind=DossierEventKind.DEFENCE_FILED, actor_label=DEBTOR,
        summary=summary, data={"reason": reason, "text": text, "file": stored, "filed_on": today},
    )  # fmt: skip


def _defence_event(organization: Organization, dossier: Dossier, sequence: int) -> DossierEvent:
    event = (
        DossierEvent.objects.for_organization(organization)
        .filter(dossier=dossier, kind=DossierEventKind.DEFENCE_FILED, sequence=sequence)
        .first()
    )
    if event is None:
        raise ValidationError(_("This defence is not in the dossier."))
    return event


@transaction.atomic
def dossier_defence_answer(
    *, organization: Organization, dossier: Dossier, defence_sequence: int, text: str, user: User,
    today: dt.date, resume: bool = False,
) -> DossierEvent:  # fmt: skip
    """The creditor answers a defence; the debtor sees it in the portal and gets it by e-mail. With
    ``resume`` the dossier is worked again (the defence was not well-founded)."""
    text = _text_clean(text, "text")
    defence = _defence_event(organization, dossier, defence_sequence)
    event = dossier_event_append(
        organization=organization, dossier=dossier, kind=DossierEventKind.DEFENCE_ANSWERED, user=user,
        summary=_in_language(organization, gettext_lazy("Defence answered")),
        data={"defence": defence.sequence, "text": text, "resumed": resume},
    )  # fmt: skip
    if resume:  # a dossier that is not paused stays as it is
        dossier_resume(
            organization=organization, dossier=dossier, today=today, user=user,
            reason=_in_language(organization, gettext_lazy("Defence answered: collection resumes")),
        )  # fmt: skip
    _enqueue("dossier_defence_debtor_notify_task", event.pk)
    return event


def _enqueue(task_name: str, event_id: int) -> None:
    from collection import tasks  # tasks sit on top of services: imported here, in one place

    task = getattr(tasks, task_name)
    transaction.on_commit(lambda: task.delay(event_id))


# -- the e-mails ------------------------------------------------------------------------------------


def _claim(event: DossierEvent, to: str, recipients: int) -> bool:
    """Append "told ``to`` about ``event``" unless it is there: under the dossier's lock, so once."""
    organization = event.organization
    with transaction.atomic():
        dossier = Dossier.objects.for_organization(organization).select_for_update().get(pk=event.dossier_id)
        told = DossierEvent.objects.for_organization(organization).filter(
            dossier=dossier, kind=DossierEventKind.MESSAGE_SENT, data__about=event.sequence, data__to=to
        )
        if told.exists():
            return False
        dossier_event_append(
            organization=organization, dossier=dossier, kind=DossierEventKind.MESSAGE_SENT,
            summary=_in_language(
                organization, gettext_lazy("E-mail about the defence sent to the %(to)s"), to=_who(to)
            ),
            data={"about": event.sequence, "to": to, "recipients": recipients},
        )  # fmt: skip
    return True


def _who(to: str) -> Any:
    """Lazy: it is put in the sentence in the organization's language."""
    return gettext_lazy("creditor and staff") if to == "members" else gettext_lazy("debtor")


def _one_line(value: str) -> str:
    return " ".join(value.split())


def _staff_addresses(dossier: Dossier) -> list[str]:
    """Who works the dossier; while nobody does, every active staff member (they pick it up)."""
    if dossier.assigned_to_id is not None and dossier.assigned_to is not None and dossier.assigned_to.is_active:
        return [dossier.assigned_to.email] if dossier.assigned_to.email else []
    users = User.objects.filter(is_staff=True, is_active=True).exclude(email="").order_by("email")
    return list(users.values_list("email", flat=True))


def dossier_defence_members_notify(*, event: DossierEvent) -> int:
    """Mail the creditor's members and the staff about a defence, once; returns how many were mailed."""
    dossier = (
        Dossier.objects.for_organization(event.organization)
        .select_related("debtor", "assigned_to")
        .get(pk=event.dossier_id)
    )
    organization = dossier.organization
    members = member_email_addresses(organization=organization, roles=NOTIFIED_ROLES)
    staff = [address for address in _staff_addresses(dossier) if address not in members]
    if not (members or staff) or not _claim(event, "members", len(members) + len(staff)):
        return 0
    answer_path = reverse(
        "dossier_defence_answer", kwargs={"org_id": organization.public_id, "dossier_id": dossier.public_id}
    )
    admin_path = reverse("admin:collection_dossier_change", args=[dossier.pk])
    context = {
        "organization_name": organization.name, "reference": dossier.reference, "debtor_name": dossier.debtor.name,
        "text": event.data.get("text", ""), "has_file": bool(event.data.get("file")),
    }  # fmt: skip
    with translation.override(organization.default_language), timezone.override(organization.time_zone):
        subject = _one_line(render_to_string("emails/dossier_defence_filed_subject.txt", context))
        for_members = render_to_string(
            "emails/dossier_defence_filed.txt", {**context, "url": settings.SITE_URL + answer_path}
        )
        for_staff = render_to_string(
            "emails/dossier_defence_filed.txt", {**context, "url": settings.SITE_URL + admin_path}
        )
    # One message each: nobody sees the others' addresses.
    for recipient in members:
        EmailMessage(subject, for_members, settings.DEFAULT_FROM_EMAIL, [recipient]).send()
    for recipient in staff:
        EmailMessage(subject, for_staff, settings.DEFAULT_FROM_EMAIL, [recipient]).send()
    logger.info("dossier.defence_notified", extra={"dossier": dossier.pk, "members": len(members), "staff": len(staff)})
    return len(members) + len(staff)


def dossier_defence_debtor_notify(*, event: DossierEvent) -> bool:
    """Mail the debtor the creditor's answer, once, with a fresh portal link; False without an address."""
    from portal.services import portal_link_issue  # the portal is the debtor's side: reached through its service

    dossier = Dossier.objects.for_organization(event.organization).select_related("debtor").get(pk=event.dossier_id)
    organization, debtor = dossier.organization, dossier.debtor
    recipients = list(dict.fromkeys(address.strip() for address in debtor.emails if address.strip()))
    if not recipients or not _claim(event, DEBTOR, len(recipients)):
        return False
    invoice_ids = list(dossier.items.values_list("invoice_id", flat=True))
    link = portal_link_issue(organization=organization, debtor=debtor, invoice_ids=invoice_ids)
    context = {
        "organization_name": organization.name, "reference": dossier.reference, "debtor_name": debtor.name,
        "text": event.data.get("text", ""), "url": link,
    }  # fmt: skip
    with translation.override(debtor.language or "nl"), timezone.override(organization.time_zone):
        subject = _one_line(render_to_string("emails/dossier_defence_answered_subject.txt", context))
        body = render_to_string("emails/dossier_defence_answered.txt", context)
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    sender = formataddr((f"{_one_line(organization.name)} via {name or 'Outstanding'}", address))
    reply_to = [organization.email] if organization.email else []
    EmailMessage(subject, body, sender, recipients, reply_to=reply_to).send()
    logger.info("dossier.defence_answer_sent", extra={"dossier": dossier.pk})
    return True
