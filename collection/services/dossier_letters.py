"""What a dossier sends in the collector's name, and the daily step that sends it.

The sequence per dossier (``dossier_next_step``, pure):

- **pre-collection**: the free pre-collection letter once, as soon as the dossier is due; its next
  action is the end of its term (``pre_collection_until``), after which ``dossier_pre_collections_end``
  moves the dossier to amicable collection (next action: that day).
- **amicable collection**: the demand (sommatie) by letter and e-mail, with a term of
  :data:`DEMAND_TERM_DAYS`; when that passed unpaid, the demand again with a term of
  :data:`CALL_AFTER_DAYS`; then a call task for staff; :data:`COURT_AFTER_DAYS` later the next action
  is "consider court" for staff (the dossier stays on top of the work list until a person decides).

Every message is a row first: :func:`dossier_letter_send` stores the letter's PDF (private storage,
listed for printing by :func:`dossier_letters_for_printing`) and appends one ``MESSAGE_SENT`` event
per channel with what was sent and the amounts, in one transaction under the dossier's lock; the
dossier's ``next_action_on`` moves forward in the same transaction. The e-mail goes out after commit,
once: the event is its claim (at most once; a failure appends a ``NOTE`` event saying so). Running
the step twice a day, or two workers at once, sends nothing twice: the second finds the next action
in the future, and a step already in the chain is never taken again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from email.utils import formataddr, parseaddr
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy
from stdnum import iso11649

from collection.legal import collection_costs, collection_costs_for_consumer_letter, collection_costs_vat
from collection.letters import (
    InvoiceDates,
    LetterFacts,
    Party,
    letter_email_text,
    letter_facts_build,
    letter_pdf,
    letter_subject,
)
from collection.models import Dossier, DossierEvent, DossierEventKind, DossierInvoice, DossierStage
from collection.selectors.statements import dossier_statement_on
from collection.services.dossier_chain import dossier_event_append
from collection.texts import in_organization_language as _in_language
from invoices.models import Debtor, DebtorKind
from outstanding.files import UnguessableName
from outstanding.models import Organization, User
from outstanding.money import format_money
from portal.services import portal_link_issue
from reminders.channels import PermanentFailure, TemporaryFailure
from reminders.channels.letter import payment_reference, postal_address_lines
from reminders.channels.sms import DEFAULT_REGION, alphanumeric_sender, mobile_number
from reminders.channels.sms import provider as sms_provider
from reminders.services.payment_references import bundle_reference
from reminders.services.portal_links import portal_link_redacted

logger = logging.getLogger(__name__)

ZERO = Decimal("0.00")

PRE_COLLECTION_LETTER = "pre_collection_letter"
DEMAND = "demand"
DEMAND_REPEATED = "demand_repeated"
CALL_TASK = "call_task"
CONSIDER_COURT = "consider_court"
STEPS = (PRE_COLLECTION_LETTER, DEMAND, DEMAND_REPEATED, CALL_TASK, CONSIDER_COURT)
LETTER_STEPS = {PRE_COLLECTION_LETTER: "pre_collection", DEMAND: "demand", DEMAND_REPEATED: "demand_repeated"}

DEMAND_TERM_DAYS = 14  # the demand's term; then it is repeated
CALL_AFTER_DAYS = 7  # the repeated demand's term; then staff call
COURT_AFTER_DAYS = 7  # after the call task: staff consider court

LETTER_FOLDER = UnguessableName("private/dossier-letters")


# -- the sequence (pure) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class NextStep:
    """``step`` to take today (None: nothing to send, only ``next_action_on`` to set)."""

    step: str | None
    next_action_on: dt.date


def dossier_next_step(
    *, stage: str, done: Mapping[str, dt.date], today: dt.date, pre_collection_until: dt.date | None
) -> NextStep | None:
    """What a due dossier does today, given the steps ``done`` (step -> the day it was taken).

    None: nothing to do (the step is done and its term runs, or the stage sends nothing).
    """
    if stage == DossierStage.PRE_COLLECTION:
        if PRE_COLLECTION_LETTER in done:
            return None
        return NextStep(PRE_COLLECTION_LETTER, max(pre_collection_until or today, today))
    if stage != DossierStage.AMICABLE:
        return None
    sequence = (
        (DEMAND, None, 0, DEMAND_TERM_DAYS),
        (DEMAND_REPEATED, DEMAND, DEMAND_TERM_DAYS, CALL_AFTER_DAYS),
        (CALL_TASK, DEMAND_REPEATED, CALL_AFTER_DAYS, COURT_AFTER_DAYS),
        (CONSIDER_COURT, CALL_TASK, COURT_AFTER_DAYS, 0),
    )
    for step, after, wait, then in sequence:
        if step in done:
            continue
        if after is not None and today < done[after] + dt.timedelta(days=wait):
            return NextStep(None, done[after] + dt.timedelta(days=wait))  # e.g. resumed early: wait for the term
        return NextStep(step, today + dt.timedelta(days=then))
    return None


# -- the facts -------------------------------------------------------------------------------------


def collector_party() -> Party:
    """The collector in whose name dossier letters go out (settings ``COLLECTOR_*``)."""
    return Party(
        name=settings.COLLECTOR_NAME,
        address_lines=tuple(settings.COLLECTOR_ADDRESS),
        email=settings.COLLECTOR_EMAIL,
        phone=settings.COLLECTOR_PHONE,
    )


def creditor_party(organization: Organization) -> Party:
    return Party(
        name=organization.display_legal_name,
        address_lines=tuple(organization.address_lines),
        kvk_number=organization.kvk_number,
        vat_id=organization.vat_id,
        email=organization.email,
        phone=organization.phone,
    )


def debtor_party(debtor: Debtor) -> Party:
    lines = postal_address_lines(debtor, debtor.language)
    return Party(name=lines[0], address_lines=tuple(lines[1:]), kvk_number=debtor.kvk_number, vat_id=debtor.vat_id)


def _announced_costs(dossier: Dossier, principals: list[Decimal], today: dt.date) -> tuple[Decimal, Decimal]:
    """The costs a pre-collection letter announces: the WIK scale on the principal, as amicable collection
    will set them (``collection.services.dossiers``), with their VAT when the creditor cannot deduct it."""
    if dossier.debtor_kind == DebtorKind.CONSUMER:
        costs = collection_costs_for_consumer_letter(principals, on=today)
    else:
        costs = collection_costs(sum(principals, ZERO), on=today)
    return costs, collection_costs_vat(costs, on=today) if dossier.costs_vat_charged else ZERO


def dossier_letter_facts(
    *, organization: Organization, dossier: Dossier, kind: str, today: dt.date, term_until: dt.date,
    portal_url: str = "", first_demand_on: dt.date | None = None,
) -> LetterFacts:  # fmt: skip
    """Gather everything one letter states, once: the statement on ``today``, the invoices' dates, the
    parties and how to pay (the creditor's IBAN and the invoices' RF reference, one for a bundle)."""
    debtor = dossier.debtor
    statement = dossier_statement_on(organization=organization, dossier=dossier, on=today).statement
    items = list(
        DossierInvoice.objects.for_organization(organization).filter(dossier=dossier).select_related("invoice")
    )
    language = debtor.language or organization.default_language
    numbers = [line.number for line in statement.invoices]
    bundle = bundle_reference(
        organization=organization, debtor=debtor, invoice_public_ids=[item.invoice.public_id for item in items]
    )
    reference = payment_reference(numbers, language, bundle=bundle)
    announced = (
        _announced_costs(dossier, [line.principal for line in statement.invoices], today)
        if kind == "pre_collection"
        else (ZERO, ZERO)
    )
    return letter_facts_build(
        kind=kind, language=language, date=today, reference=dossier.reference, statement=statement,
        invoice_dates=[InvoiceDates(id=item.invoice_id, issue_date=item.invoice.issue_date) for item in items],
        collector=collector_party(), wki_registration=settings.WKI_REGISTRATION_NUMBER,
        creditor=creditor_party(organization), debtor=debtor_party(debtor),
        costs_vat_charged=dossier.costs_vat_charged, term_until=term_until, announced_costs=announced[0],
        announced_costs_vat=announced[1], first_demand_on=first_demand_on, iban=_grouped_iban(organization.iban),
        payment_reference=iso11649.format(reference.structured) if reference.structured else reference.text,
        portal_url=portal_url,
    )  # fmt: skip


def _grouped_iban(iban: str) -> str:
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


# -- sending ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SentLetter:
    facts: LetterFacts
    letter_event: DossierEvent
    email_event: DossierEvent | None


def _amounts(facts: LetterFacts) -> dict[str, Any]:
    return {
        "principal": facts.principal,
        "principal_left": facts.principal_left,
        "interest": facts.interest,
        "costs": facts.costs,
        "costs_vat": facts.costs_vat,
        "paid": facts.paid,
        "total": facts.total,
        "announced_costs": facts.announced_costs,
        "announced_costs_vat": facts.announced_costs_vat,
        "term_until": facts.term_until,
        "invoices": [line.number for line in facts.invoices],
    }


def _recipients(debtor: Debtor) -> list[str]:
    return list(dict.fromkeys(address.strip() for address in debtor.emails if address.strip()))


def _term_until(organization: Organization, dossier: Dossier, kind: str, today: dt.date) -> dt.date:
    if kind == "pre_collection":
        return dossier.pre_collection_until or today + dt.timedelta(days=organization.pre_collection_days)
    return today + dt.timedelta(days=DEMAND_TERM_DAYS if kind == "demand" else CALL_AFTER_DAYS)


@transaction.atomic
def dossier_letter_send(
    *, organization: Organization, dossier: Dossier, step: str, today: dt.date, user: User | None = None,
    first_demand_on: dt.date | None = None,
) -> SentLetter | None:  # fmt: skip
    """Send the letter of ``step`` (and its e-mail when the debtor has an address): the PDF is stored
    for printing, each channel appends a ``MESSAGE_SENT`` event, the e-mail goes after commit. None
    (nothing sent) when nothing is left to pay."""
    kind = LETTER_STEPS[step]
    debtor = dossier.debtor
    invoice_ids = list(
        DossierInvoice.objects.for_organization(organization)
        .filter(dossier=dossier)
        .values_list("invoice_id", flat=True)
    )
    facts = dossier_letter_facts(
        organization=organization, dossier=dossier, kind=kind, today=today,
        term_until=_term_until(organization, dossier, kind, today), first_demand_on=first_demand_on,
    )  # fmt: skip
    if facts.total <= ZERO:  # paid meanwhile: nothing to demand (staff close the dossier)
        return None
    portal_url = portal_link_issue(organization=organization, debtor=debtor, invoice_ids=invoice_ids)
    facts = replace(facts, portal_url=portal_url)
    pdf = letter_pdf(facts)
    name = default_storage.save(LETTER_FOLDER(None, "letter.pdf"), ContentFile(pdf))
    subject = letter_subject(facts)
    amounts = _amounts(facts)
    letter_event = dossier_event_append(
        organization=organization, dossier=dossier, kind=DossierEventKind.MESSAGE_SENT, user=user,
        summary=_in_language(organization, gettext_lazy("Letter: %(subject)s"), subject=subject)[:500],
        data={"step": step, "on": today, "channel": "letter", "language": facts.language, "subject": subject,
              "file": name, "sha256": hashlib.sha256(pdf).hexdigest(), "amounts": amounts},
    )  # fmt: skip
    email_event = None
    recipients = _recipients(debtor)
    if recipients:
        body = letter_email_text(facts)
        email_event = dossier_event_append(
            organization=organization, dossier=dossier, kind=DossierEventKind.MESSAGE_SENT, user=user,
            summary=_in_language(organization, gettext_lazy("E-mail: %(subject)s"), subject=subject)[:500],
            data={"step": step, "on": today, "channel": "email", "language": facts.language, "subject": subject,
                  "recipients": len(recipients), "body": portal_link_redacted(body, portal_url), "letter": name,
                  "amounts": amounts},
        )  # fmt: skip
        message = _email(subject, body, recipients, pdf, facts.reference)
        event_id = email_event.pk
        transaction.on_commit(lambda: _email_deliver(organization, dossier, event_id, message))
    if step in SMS_STEPS:
        _sms_queue(organization, dossier, facts, step, today, user)
    logger.info("dossier.letter_sent", extra={"dossier": dossier.pk, "step": step, "email": bool(recipients)})
    return SentLetter(facts=facts, letter_event=letter_event, email_event=email_event)


# The demands also go by SMS (amicable collection: letters, e-mails, SMS, calls), short and in the
# debtor's language, with the portal link; never the pre-collection letter (it is a letter only).
SMS_STEPS = frozenset({DEMAND, DEMAND_REPEATED})
SMS_TEXTS = {
    "nl": (
        "{collector}: namens {creditor} staat {total} open (dossier {reference}). Betaal uiterlijk {date} om "
        "verdere stappen te voorkomen: {url}"
    ),
    "en": (
        "{collector}: on behalf of {creditor}, {total} is outstanding (file {reference}). Please pay by {date} "
        "to avoid further steps: {url}"
    ),
}


def dossier_sms_text(facts: LetterFacts) -> str:
    """The demand's SMS: who, for whom, how much, by when, and the link (the facts as the letter has them)."""
    template = SMS_TEXTS.get(facts.language, SMS_TEXTS["nl"])
    amount = format_money(facts.total, language=facts.language)
    return template.format(
        collector=facts.collector.name, creditor=facts.creditor.name, total=amount, reference=facts.reference,
        date=facts.term_until.strftime("%d-%m-%Y"), url=facts.portal_url,
    )  # fmt: skip


def _sms_queue(
    organization: Organization, dossier: Dossier, facts: LetterFacts, step: str, today: dt.date, user: User | None
) -> None:
    """Record the SMS (the event is its claim) and send it after commit, when the debtor has a mobile number."""
    try:
        to = mobile_number(dossier.debtor.phones, region=dossier.debtor.country or DEFAULT_REGION)
    except PermanentFailure:
        return  # no mobile number: the letter and the e-mail carry the demand
    text = dossier_sms_text(facts)
    event = dossier_event_append(
        organization=organization, dossier=dossier, kind=DossierEventKind.MESSAGE_SENT, user=user,
        summary=_in_language(organization, gettext_lazy("SMS: demand to pay %(total)s"), total=f"€ {facts.total:.2f}"),
        data={"step": step, "on": today, "channel": "sms", "language": facts.language,
              "text": portal_link_redacted(text, facts.portal_url), "amounts": _amounts(facts)},
    )  # fmt: skip
    sender = alphanumeric_sender(settings.COLLECTOR_NAME) or settings.SMS_SENDER
    event_id = event.pk
    transaction.on_commit(lambda: _sms_deliver(organization, dossier, event_id, to, sender, text))


def _sms_deliver(organization: Organization, dossier: Dossier, event_id: int, to: str, sender: str, text: str) -> None:
    """After commit, once; a provider's refusal is noted in the dossier (never retried into a second SMS)."""
    try:
        sms_provider().send(to, sender, text)
    except (PermanentFailure, TemporaryFailure) as exc:
        logger.warning("dossier.sms_failed", extra={"dossier": dossier.pk, "event": event_id})
        dossier_event_append(
            organization=organization, dossier=dossier, kind=DossierEventKind.NOTE, actor_label="system",
            summary=_in_language(
                organization, gettext_lazy("The SMS could not be delivered: %(error)s"), error=str(exc)
            )[:500],
            data={"sms_event": event_id, "error": type(exc).__name__},
        )  # fmt: skip


def _email(subject: str, body: str, recipients: list[str], pdf: bytes, reference: str) -> EmailMessage:
    """In the collector's name from our own address (SPF, DKIM); answers go to the collector."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=formataddr((settings.COLLECTOR_NAME or name, address)),
        to=recipients,
        reply_to=[settings.COLLECTOR_EMAIL] if settings.COLLECTOR_EMAIL else [],
    )
    message.attach(f"{reference}.pdf", pdf, "application/pdf")
    return message


def _email_deliver(organization: Organization, dossier: Dossier, event_id: int, message: EmailMessage) -> None:
    """After commit, once (the event is the claim). A failure is logged and noted in the dossier."""
    try:
        message.send(fail_silently=False)
    except Exception as exc:  # the mail server's trouble must not lose the record of it
        logger.warning("dossier.email_failed", extra={"dossier": dossier.pk, "event": event_id})
        dossier_event_append(
            organization=organization, dossier=dossier, kind=DossierEventKind.NOTE, actor_label="system",
            summary=_in_language(organization, gettext_lazy("The e-mail could not be delivered: %(error)s"),
                                 error=type(exc).__name__)[:500],
            data={"email_event": event_id, "error": type(exc).__name__},
        )  # fmt: skip


# -- the daily step --------------------------------------------------------------------------------


@dataclass
class DossierLettersRun:
    letters: int = 0
    emails: int = 0
    tasks: int = 0
    dossiers: list[int] = field(default_factory=list)


def _steps_done(organization: Organization, dossier: Dossier) -> dict[str, dt.date]:
    """The steps in ``dossier``'s chain, each with the day it was taken (the first time)."""
    done: dict[str, dt.date] = {}
    rows = (
        DossierEvent.objects.for_organization(organization)
        .filter(dossier=dossier, kind__in=(DossierEventKind.MESSAGE_SENT, DossierEventKind.NOTE))
        .filter(data__has_key="step")
        .order_by("sequence")
        .values_list("data", flat=True)
    )
    for data in rows:
        if data.get("step") in STEPS and data.get("on"):
            done.setdefault(data["step"], dt.date.fromisoformat(data["on"]))
    return done


def dossier_letters_run(*, organization: Organization, today: dt.date) -> DossierLettersRun:
    """The daily step (called from ``collection.tasks.dossiers_daily_task`` after the stage changes):
    every open, unpaused dossier in pre-collection or amicable collection whose next action is due."""
    run = DossierLettersRun()
    # A dossier opened in pre-collection waits for its term's end (its next action), but its letter goes now.
    pre_letter_sent = DossierEvent.objects.for_organization(organization).filter(
        dossier=OuterRef("pk"), kind=DossierEventKind.MESSAGE_SENT, data__step=PRE_COLLECTION_LETTER
    )
    due = (
        Dossier.objects.for_organization(organization)
        .filter(stage__in=(DossierStage.PRE_COLLECTION, DossierStage.AMICABLE), is_paused=False)
        .filter(Q(next_action_on__lte=today) | Q(stage=DossierStage.PRE_COLLECTION) & ~Exists(pre_letter_sent))
        .order_by("next_action_on", "pk")
        .values_list("pk", flat=True)
    )
    for dossier_id in list(due):
        try:
            _dossier_step(organization, dossier_id, today, run)
        except SoftTimeLimitExceeded:
            raise  # the task's time is up: the rest is due tomorrow as well
        except Exception:  # one dossier's broken letter must not stop the others; it stays due
            logger.exception("dossier.letters_step_failed", extra={"dossier": dossier_id})
    return run


@transaction.atomic
def _dossier_step(organization: Organization, dossier_id: int, today: dt.date, run: DossierLettersRun) -> None:
    dossier = (
        Dossier.objects.for_organization(organization)
        .select_for_update(of=("self",))
        .select_related("debtor")
        .get(pk=dossier_id)
    )
    # Checked again under the lock: another run may have taken the step meanwhile.
    if dossier.is_paused or dossier.stage not in (DossierStage.PRE_COLLECTION, DossierStage.AMICABLE):
        return
    done = _steps_done(organization, dossier)
    waiting = dossier.next_action_on is None or dossier.next_action_on > today
    if waiting and not (dossier.stage == DossierStage.PRE_COLLECTION and PRE_COLLECTION_LETTER not in done):
        return
    decided = dossier_next_step(
        stage=dossier.stage, done=done, today=today, pre_collection_until=dossier.pre_collection_until
    )
    if decided is None:
        return
    if decided.step in LETTER_STEPS:
        sent = dossier_letter_send(
            organization=organization, dossier=dossier, step=decided.step, today=today, first_demand_on=done.get(DEMAND)
        )
        if sent is None:
            return  # nothing left to pay: the dossier stays due for staff to close
        run.letters += 1
        run.emails += sent.email_event is not None
    elif decided.step is not None:
        _staff_task(organization, dossier, decided.step, today)
        run.tasks += 1
    dossier.next_action_on = decided.next_action_on
    dossier.save(update_fields=["next_action_on", "updated_at"])
    if decided.step is not None:
        run.dossiers.append(dossier.pk)


STAFF_TASKS = {
    CALL_TASK: gettext_lazy("Call the debtor: the demand was repeated and its term has passed"),
    CONSIDER_COURT: gettext_lazy("Consider court: the debtor was called and the claim is still unpaid"),
}


def _staff_task(organization: Organization, dossier: Dossier, step: str, today: dt.date) -> None:
    """A task for staff, as an event in the chain (the work list shows the dossier by its next action)."""
    dossier_event_append(
        organization=organization, dossier=dossier, kind=DossierEventKind.NOTE, actor_label="system",
        summary=_in_language(organization, STAFF_TASKS[step]), data={"step": step, "on": today, "task": step},
    )  # fmt: skip


# -- reads -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DossierLetter:
    dossier_reference: str
    dossier_public_id: str
    sequence: int
    on: dt.date
    step: str
    subject: str
    file: str


def dossier_letters_for_printing(
    *, organization: Organization, since: dt.date | None = None, dossier: Dossier | None = None
) -> list[DossierLetter]:
    """The dossier letters sent (to print and post), newest first; one query."""
    events = (
        DossierEvent.objects.for_organization(organization)
        .filter(kind=DossierEventKind.MESSAGE_SENT, data__channel="letter")
        .select_related("dossier")
        .order_by("-occurred_at", "-pk")
    )
    if dossier is not None:
        events = events.filter(dossier=dossier)
    letters = [
        DossierLetter(
            dossier_reference=event.dossier.reference,
            dossier_public_id=str(event.dossier.public_id),
            sequence=event.sequence,
            on=dt.date.fromisoformat(event.data["on"]),
            step=event.data.get("step", ""),
            subject=event.data.get("subject", ""),
            file=event.data.get("file", ""),
        )
        for event in events
    ]
    return [letter for letter in letters if since is None or letter.on >= since]
