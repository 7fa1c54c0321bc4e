"""Rendering a reminder's words: the sandbox, the plain-value context and the rendered message.

Channels call :func:`render_reminder` and get a :class:`RenderedMessage` with every part filled in
(e-mail subject, text and branded HTML, SMS, letter body, call script); ``text`` is the part that
is the record of what was sent on the reminder's own channel. Tenant-editable templates are
rendered in :mod:`reminders.rendering.sandbox` with plain values only
(:mod:`reminders.rendering.context`): no model objects, no settings, and under the limits of
:mod:`reminders.rendering.limits`: one time budget for the whole message, loop and size limits per part.
A part that goes over one raises :class:`TemplateOverBudget`, which says why in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from celery.exceptions import SoftTimeLimitExceeded
from django.db.models import Count, Max
from django.template import TemplateSyntaxError
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from invoices.models import Debtor, Invoice, InvoiceStatus
from outstanding.calendar import local_today
from outstanding.models import Organization
from reminders.channels import PermanentFailure
from reminders.models import (
    Channel,
    DunningSettings,
    MessageTemplate,
    Reminder,
    ReminderItem,
    ReminderStatus,
    StepKind,
)
from reminders.rendering.context import (
    TERM_WORDING,
    DebtorFacts,
    InvoiceFacts,
    MessageFacts,
    is_about,
    logo_url,
    message_context,
    message_language,
)
from reminders.rendering.defaults import default_texts
from reminders.rendering.errors import render_limit_message
from reminders.rendering.limits import MESSAGE_LIMITS, SHORT_LIMITS, LimitKind, RenderLimitExceeded, RenderLimits
from reminders.rendering.sandbox import render_sandboxed
from reminders.rendering.sms import sms_fit, sms_plain
from reminders.rendering.texts import TEMPLATE_FIELDS as TEMPLATE_FIELDS
from reminders.rendering.texts import TemplateTexts

logger = logging.getLogger(__name__)

# Where the invoice table goes: the tenant writes {{ invoice_table }}, the renderer puts our own table
# there (plain text or HTML). Private-use characters: nothing a tenant types, and not a line break
# to str.splitlines() (which \x1c-\x1e are).
TABLE_MARK = "\ue000invoice_table\ue000"

LABELS = {
    "nl": {
        "invoice": "Factuur",
        "issue_date": "Factuurdatum",
        "due_date": "Vervaldatum",
        "days_overdue": "Dagen over tijd",
        "open_amount": "Openstaand",
        "invoice_amount": "factuurbedrag",
        "total": "Totaal openstaand",
        "of": "van",
        "due": "vervaldatum",
        "pay_online": "Bekijk en betaal online",
        "iban": "IBAN",
        "in_name_of": "t.n.v.",
        "kvk": "KvK",
        "vat": "btw",
        "reply_hint": "Vragen over deze facturen? Beantwoord gerust deze e-mail.",
        "also_open": "Daarnaast staat nog open (niet onderdeel van dit bericht)",
        "also_open_total": "Totaal verder openstaand",
    },
    "en": {
        "invoice": "Invoice",
        "issue_date": "Invoice date",
        "due_date": "Due date",
        "days_overdue": "Days overdue",
        "open_amount": "Open",
        "invoice_amount": "invoice amount",
        "total": "Total open",
        "of": "of",
        "due": "due",
        "pay_online": "View and pay online",
        "iban": "IBAN",
        "in_name_of": "in the name of",
        "kvk": "Chamber of Commerce",
        "vat": "VAT",
        "reply_hint": "Questions about these invoices? Simply reply to this e-mail.",
        "also_open": "Also still open (not part of this message)",
        "also_open_total": "Total also open",
    },
}


class TemplateRenderError(PermanentFailure):
    """A tenant template that does not compile or render: retrying will not help, a person must fix it."""


# The limits of each part; the time budget is shared by the parts of one message (MESSAGE_SECONDS).
PART_LIMITS: dict[str, RenderLimits] = {
    "email_subject": SHORT_LIMITS,
    "email_body": MESSAGE_LIMITS,
    "sms_body": SHORT_LIMITS,
    "letter_body": MESSAGE_LIMITS,
    "phone_script": MESSAGE_LIMITS,
}
MESSAGE_SECONDS = MESSAGE_LIMITS.max_seconds


class TemplateOverBudget(TemplateRenderError):
    """A part of the template went over a render limit (:mod:`reminders.rendering.limits`) with this
    message's data. ``str()`` explains it in the active language, naming the part."""

    def __init__(self, part: str, limit: RenderLimitExceeded) -> None:
        super().__init__(part, limit)
        self.part, self.limit = part, limit

    def __str__(self) -> str:
        return self.reason()

    def reason(self) -> str:
        """One sentence in the active language, e.g. for the attention list or the editor."""
        label = MessageTemplate._meta.get_field(self.part).verbose_name  # type: ignore[union-attr]
        return _("The %(part)s goes over a limit when it is filled in: %(problem)s") % {
            "part": label,
            "problem": render_limit_message(self.limit),
        }


@dataclass(frozen=True)
class RenderedMessage:
    recipient: str  # e-mail address(es) joined by ", ", phone number, or the postal address on one line
    subject: str  # e-mail subject; the letter's subject line
    text: str  # plain text of the reminder's channel (e-mail text part; the record of what was sent)
    html: str = ""  # e-mail HTML part, branded
    sms: str = ""
    letter_html: str = ""  # body of the letter (the letter layout wraps it)
    phone_script: str = ""
    context: dict[str, Any] = field(default_factory=dict)  # the plain values it was rendered with
    language: str = "nl"
    email_text: str = ""  # the e-mail's plain text part, whatever the channel
    email_content_html: str = ""  # the visible part of ``html`` without <head> (the editor's preview shows it)
    letter_text: str = ""  # the letter body as plain text
    collection_costs: Decimal | None = None  # 14-day letter: the costs stated in it
    bundle_reference: str = ""  # the RF reference of its invoices when they are several (compact)
    unknown_variables: tuple[str, ...] = ()  # placeholders that do not exist (rendered empty)


def render_reminder(
    reminder: Reminder, *, today: dt.date | None = None, portal_url: str = "", bundle_reference: str = ""
) -> RenderedMessage:
    """Render ``reminder`` in its debtor's language with the organization's template for its kind and tone.

    Invoices paid in full since planning are left out; when none is left the reminder must not go out
    and :class:`reminders.channels.PermanentFailure` is raised. ``today`` defaults to the
    organization's local date (the date the message carries). ``portal_url`` is the debtor's portal
    link, issued by the service that sends (the renderer never issues or looks one up); so is
    ``bundle_reference``, the RF reference of the invoices it asks to be paid.
    """
    organization = reminder.organization
    today = today or local_today(organization.time_zone)
    facts = reminder_facts(reminder, today=today, portal_url=portal_url, bundle_reference=bundle_reference)
    texts = message_template_texts(organization=organization, kind=facts.kind, tone=facts.tone, language=facts.language)
    return render_message(
        facts, texts, channel=reminder.channel, recipient=recipient(reminder.debtor, reminder.channel)
    )


def reminder_facts(
    reminder: Reminder, *, today: dt.date, portal_url: str = "", bundle_reference: str = ""
) -> MessageFacts:
    """Everything ``reminder`` says, gathered once: its invoices (those it is about and those "also
    open"), the debtor, and how many earlier messages about these invoices went out, and when."""
    organization = reminder.organization
    items = [
        item
        for item in ReminderItem.objects.for_organization(organization)
        .filter(reminder=reminder)
        .select_related("invoice")
        .order_by("invoice__due_date", "invoice__number")
        if item.invoice.status == InvoiceStatus.OPEN and item.invoice.open_amount > 0
    ]
    invoices = tuple(invoice_facts(item.invoice) for item in items if is_about(reminder.kind, item.step_kind))
    if not invoices:
        raise PermanentFailure("every invoice in this reminder has been paid or closed since it was planned")
    also_open = tuple(
        invoice_facts(item.invoice)
        for item in items
        if not is_about(reminder.kind, item.step_kind) and item.invoice.due_date < today
    )
    about = [item.invoice_id for item in items if is_about(reminder.kind, item.step_kind)]
    return MessageFacts(
        organization=organization,
        debtor=debtor_facts(reminder.debtor),
        invoices=invoices,
        kind=reminder.kind,
        tone=reminder.tone,
        language=message_language(reminder.debtor.language),
        today=today,
        payment_term_days=payment_term_days(organization),
        portal_url=portal_url,
        # One invoice left (the others paid since) is paid by its own number, not the bundle's reference.
        bundle_reference=bundle_reference if len(invoices) > 1 else "",
        also_open=also_open,
        **earlier_messages(
            organization=organization, debtor_id=reminder.debtor_id, invoice_ids=about, before=reminder.planned_date
        ),
    )


def debtor_facts(debtor: Debtor) -> DebtorFacts:
    return DebtorFacts(
        name=debtor.name,
        contact_person=debtor.contact_person,
        is_business=debtor.is_business,
        address_lines=tuple(debtor.address_lines),
    )


def invoice_facts(invoice: Invoice) -> InvoiceFacts:
    return InvoiceFacts(
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        amount=invoice.amount,
        open_amount=invoice.open_amount,
        currency=invoice.currency,
    )


def earlier_messages(
    *, organization: Organization, debtor_id: int, invoice_ids: list[int] | tuple[int, ...], before: dt.date
) -> dict[str, Any]:
    """How many messages about ``invoice_ids`` reached the debtor before ``before``, and the last one's
    day (``MessageFacts.earlier_messages`` / ``last_message_date``): sent messages and logged calls."""
    history = (
        Reminder.objects.for_organization(organization)
        .filter(
            debtor_id=debtor_id,
            status__in=(ReminderStatus.SENT, ReminderStatus.LOGGED),
            planned_date__lt=before,
            items__invoice__in=invoice_ids,
        )
        .aggregate(count=Count("id", distinct=True), last=Max("planned_date"))
    )
    return {"earlier_messages": history["count"], "last_message_date": history["last"]}


def payment_term_days(organization: Organization) -> int:
    """The term a notice of default gives, from the organization's dunning settings."""
    dunning = DunningSettings.objects.for_organization(organization).first()
    return dunning.payment_term_days_notice if dunning else DunningSettings.payment_term_days_notice.field.default


def message_template_texts(*, organization: Any, kind: str, tone: str, language: str) -> TemplateTexts:
    """The organization's template, or the built-in default when it has none for this combination."""
    template = (
        MessageTemplate.objects.for_organization(organization).filter(kind=kind, tone=tone, language=language).first()
    )
    return TemplateTexts.of(template) if template else default_texts(kind, tone, language)


def recipient(debtor: Debtor, channel: str) -> str:
    """Who the message goes to, as stored on the reminder: addresses, a phone number or a postal address."""
    if channel == Channel.EMAIL:
        return ", ".join(address for address in debtor.emails if address.strip())
    if channel in (Channel.SMS, Channel.PHONE):
        return debtor.phone
    lines = [debtor.name, *([debtor.contact_person] if debtor.contact_person else []), *debtor.address_lines]
    if debtor.country and debtor.country != "NL":
        lines.append(debtor.country)
    return ", ".join(line for line in lines if line)


def render_message(
    facts: MessageFacts,
    texts: TemplateTexts,
    *,
    channel: str,
    recipient: str = "",
    absolute_logo: bool = True,
) -> RenderedMessage:
    """Every part of one message. Raises :class:`TemplateRenderError` for a template that does not render."""
    language = message_language(facts.language)
    context = message_context(facts)
    if not absolute_logo:  # the editor's preview shows the logo from our own origin (CSP img-src 'self')
        context["organization"]["logo_url"] = logo_url(facts.organization, absolute=False)
    email_context = _with_term_wording(context, facts.kind, language, "email")
    letter_context = _with_term_wording(context, facts.kind, language, "letter")
    tables = _invoice_tables(context, language)
    unknown: dict[str, None] = {}
    deadline = time.monotonic() + MESSAGE_SECONDS  # one budget for every part of the message

    def render(name: str, values: dict[str, Any]) -> str:
        source = getattr(texts, name)
        try:
            result = render_sandboxed(
                source, {**values, "invoice_table": TABLE_MARK}, limits=PART_LIMITS[name], deadline=deadline
            )
            _check_table_copies(result.output, tables.text, PART_LIMITS[name])
        except TemplateSyntaxError as exc:
            raise TemplateRenderError(f"the {name} template does not compile: {exc}") from exc
        except RenderLimitExceeded as exc:
            raise TemplateOverBudget(name, exc) from exc
        except SoftTimeLimitExceeded:
            raise  # the task's time is up, not the template's fault: the task stops and retries later
        except Exception as exc:  # a tenant template must never crash sending with a bare error
            raise TemplateRenderError(f"the {name} template could not be rendered ({type(exc).__name__})") from exc
        unknown.update(dict.fromkeys(result.unknown_variables))
        return result.output

    subject = " ".join(render("email_subject", email_context).replace(TABLE_MARK, "").split())
    # Each part is rendered once; its HTML is the same text escaped as a whole (see render_sandboxed).
    email_body = render("email_body", email_context)
    email_text = _text_with_table(email_body, tables.text)
    email_body_html = _html_with_table(escape(email_body), tables.html)
    letter_body = render("letter_body", letter_context)
    letter_text = _text_with_table(letter_body, tables.text)
    letter_html = _html_with_table(escape(letter_body), tables.html)
    sms = sms_fit(sms_plain(render("sms_body", email_context).replace(TABLE_MARK, "")))
    phone_script = _text_with_table(render("phone_script", context), tables.text) if texts.phone_script else ""
    email_content = render_to_string(
        "reminders/email/_message.html", _layout_context(context, language, body_html=email_body_html)
    )
    html = render_to_string(
        "reminders/email/layout.html", {"language": language, "subject": subject, "content": email_content}
    )
    by_channel: dict[str, str] = {
        Channel.EMAIL: email_text,
        Channel.SMS: sms,
        Channel.LETTER: letter_text,
        Channel.PHONE: phone_script,
    }
    return RenderedMessage(
        recipient=recipient,
        subject=subject,
        text=by_channel.get(channel, email_text),
        html=html,
        email_content_html=email_content,
        sms=sms,
        letter_html=letter_html,
        phone_script=phone_script,
        context=context,
        language=language,
        email_text=email_text,
        letter_text=letter_text,
        collection_costs=facts.collection_costs,
        bundle_reference=facts.bundle_reference,
        unknown_variables=tuple(unknown),
    )


def _check_table_copies(output: str, table: str, limits: RenderLimits) -> None:
    """``{{ invoice_table }}`` becomes our table after rendering: one copy is free, however many invoices
    it lists; further copies count against the part's output size like any other text."""
    copies = output.count(TABLE_MARK)
    if copies > 1 and len(output) + (copies - 1) * len(table) > limits.max_output:
        raise RenderLimitExceeded(LimitKind.OUTPUT, limit=limits.max_output)


def _with_term_wording(context: dict[str, Any], kind: str, language: str, medium: str) -> dict[str, Any]:
    """A 14-day letter sent by e-mail counts from the e-mail's delivery, a letter from the letter's."""
    if kind != StepKind.FOURTEEN_DAY_LETTER:
        return context
    return {**context, "term_wording": TERM_WORDING[(language, medium)]}


@dataclass(frozen=True)
class InvoiceTables:
    text: str
    html: SafeString


def _invoice_tables(context: dict[str, Any], language: str) -> InvoiceTables:
    labels = LABELS[language]
    lines = [_invoice_line(invoice, labels) for invoice in context["invoices"]]
    lines.append(f"{labels['total']}: {context['total_open']}")
    if context["also_open"]:
        lines += ["", f"{labels['also_open']}:"]
        lines += [_invoice_line(invoice, labels) for invoice in context["also_open"]]
        lines.append(f"{labels['also_open_total']}: {context['also_open_total']}")
    html = render_to_string(
        "reminders/email/invoice_table.html",
        {
            "invoices": context["invoices"],
            "total_open": context["total_open"],
            "also_open": context["also_open"],
            "also_open_total": context["also_open_total"],
            "labels": labels,
        },
    )
    # Our own template, rendered with autoescape: safe already; strip() would turn it back into a plain str.
    return InvoiceTables(text="\n".join(lines), html=mark_safe(html.strip()))  # noqa: S308


def _invoice_line(invoice: dict[str, Any], labels: dict[str, str]) -> str:
    line = (
        f"- {labels['invoice']} {invoice['number']} {labels['of']} {invoice['issue_date']}, "
        f"{labels['due']} {invoice['due_date']}: {invoice['open_amount']}"
    )
    if invoice["is_partly_paid"]:
        line += f" ({labels['invoice_amount']} {invoice['amount']})"
    return line


def _text_with_table(text: str, table: str) -> str:
    """The tenant's text with the invoice list where it asked for it, or after the text."""
    if TABLE_MARK not in text:
        text = f"{text.rstrip()}\n\n{TABLE_MARK}"
    return _tidy_blank_lines(text.replace(TABLE_MARK, table))


def _html_with_table(escaped: str, table_html: SafeString) -> SafeString:
    """Paragraphs from the escaped text, with our invoice table as a block of its own."""
    if TABLE_MARK not in escaped:
        escaped = f"{escaped.rstrip()}\n\n{TABLE_MARK}"
    blocks = re.split(r"\n\s*\n", escaped.replace(TABLE_MARK, f"\n\n{TABLE_MARK}\n\n").strip())
    html = [
        table_html if block.strip() == TABLE_MARK else "<p>" + "<br>\n".join(block.strip().splitlines()) + "</p>"
        for block in blocks
        if block.strip()
    ]
    # Every piece is tenant text escaped whole by render_message(), or our own autoescaped table.
    return mark_safe("\n".join(html))  # noqa: S308


def _tidy_blank_lines(text: str) -> str:
    return re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in text.strip().splitlines()))


def _layout_context(context: dict[str, Any], language: str, *, body_html: SafeString) -> dict[str, Any]:
    return {
        "body_html": body_html,
        "organization": context["organization"],
        "portal_url": context["portal_url"],
        "labels": LABELS[language],
    }
