"""What a tenant's template must satisfy before it is saved, checked on sample data.

- It compiles and renders in the sandbox (unknown placeholders only warn: they render empty).
- No numbered reminders ("2e herinnering", "second reminder"): DOMAIN.md §1, debtors wait for the last.
- A 14-day letter (veertiendagenbrief, art. 6:96 lid 6 BW) states the exact collection costs
  (``{{ collection_costs }}``) and a term that runs from the day after delivery: HR 25-11-2016,
  ECLI:NL:HR:2016:2704 holds a letter counting "binnen 14 dagen na dagtekening" void.
- The SMS fits in three segments.
- It stays within the render limits (:mod:`reminders.rendering.limits`) with the two-invoice sample
  and with a worst case (hundreds of invoices, the longest names), as it must at send time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.template import TemplateSyntaxError
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from collection.legal import is_valid_term_wording
from outstanding.models import Organization
from reminders.models import Channel, StepKind
from reminders.rendering import (
    TEMPLATE_FIELDS,
    RenderedMessage,
    TemplateOverBudget,
    TemplateRenderError,
    TemplateTexts,
    render_message,
)
from reminders.rendering.context import WORST_CASE_INVOICES, sample_facts, worst_case_facts
from reminders.rendering.errors import render_limit_message, template_error_message, unbalanced_braces
from reminders.rendering.sandbox import compile_sandboxed
from reminders.rendering.sms import MAX_SEGMENTS, sms_length

_ORDINAL = (
    r"(?:\d+\s*(?:e|ste|de|st|nd|rd|th)|eerste|tweede|derde|vierde|vijfde|zesde"
    r"|first|second|third|fourth|fifth|sixth)"
)
_REMINDER_WORD = r"(?:herinnering|betalingsherinnering|aanmaning|sommatie|reminder|notice|demand)"
NUMBERED_REMINDER = re.compile(
    rf"\b{_ORDINAL}\s+(?:[\w-]+\s+)?{_REMINDER_WORD}"
    rf"|\b{_REMINDER_WORD}\s*(?:nr\.?|no\.?|nummer|number|#)?\s*\d+\b(?![-/.]\d)",
    re.IGNORECASE,
)
COLLECTION_COSTS_PLACEHOLDER = re.compile(r"{{\s*collection_costs\s*(?:\|[^}]*)?}}")
# Characters per text: the longest default is under 3,000; compiling is not free either.
MAX_SOURCE_LENGTH = 20_000


@dataclass
class TemplateCheck:
    """Errors per field (refuse to save), warnings (show), and the sample rendering when there is one."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    preview: RenderedMessage | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)


def template_check(
    texts: TemplateTexts, *, organization: Organization, kind: str, tone: str, language: str, today: dt.date
) -> TemplateCheck:
    """Check ``texts`` as they would be saved for ``kind``/``tone``/``language`` of ``organization``."""
    check = TemplateCheck()
    for name in TEMPLATE_FIELDS:
        _check_compiles(check, name, getattr(texts, name))
    if not check.is_valid:
        return check
    facts = sample_facts(organization=organization, kind=kind, tone=tone, language=language, today=today)
    try:
        check.preview = render_message(facts, texts, channel=Channel.EMAIL, absolute_logo=False)
    except TemplateOverBudget as exc:
        check.refuse(
            exc.part, _("This text goes over a limit: %(problem)s.") % {"problem": render_limit_message(exc.limit)}
        )
        return check
    except TemplateRenderError as exc:
        check.refuse("__all__", _("The text could not be filled in with sample data: %(error)s") % {"error": exc})
        return check
    if not _check_worst_case(
        check, texts, organization=organization, kind=kind, tone=tone, language=language, today=today
    ):
        return check
    check.warnings += [
        _("Unknown placeholder {{ %(name)s }}: it will be left empty.") % {"name": name}
        for name in check.preview.unknown_variables
    ]
    _check_not_numbered(check, texts, check.preview)
    _check_sms_length(check, check.preview)
    if kind == StepKind.FOURTEEN_DAY_LETTER:
        _check_fourteen_day_letter(check, texts, check.preview)
    return check


def _check_worst_case(
    check: TemplateCheck,
    texts: TemplateTexts,
    *,
    organization: Organization,
    kind: str,
    tone: str,
    language: str,
    today: dt.date,
) -> bool:
    """Render with the largest debtor real data can hold; refuse the text when it goes over a limit."""
    facts = worst_case_facts(organization=organization, kind=kind, tone=tone, language=language, today=today)
    try:
        render_message(facts, texts, channel=Channel.EMAIL, absolute_logo=False)
    except TemplateOverBudget as exc:
        check.refuse(
            exc.part,
            _(
                "With a debtor who has %(invoices)s open invoices and long names, this text goes over a limit: "
                "%(problem)s. A text must work for every debtor."
            )
            % {"invoices": WORST_CASE_INVOICES, "problem": render_limit_message(exc.limit)},
        )
        return False
    except TemplateRenderError as exc:
        check.refuse("__all__", _("The text could not be filled in with sample data: %(error)s") % {"error": exc})
        return False
    return True


def _check_compiles(check: TemplateCheck, name: str, source: str) -> None:
    if len(source) > MAX_SOURCE_LENGTH:
        check.refuse(
            name,
            _("This text is too long: at most %(limit)s characters.")
            % {"limit": number_format(MAX_SOURCE_LENGTH, force_grouping=True)},
        )
        return
    try:
        compile_sandboxed(source)
    except TemplateSyntaxError as exc:
        problem: str | None = template_error_message(exc)
    except Exception as exc:  # any other failure to compile is the text's fault too
        problem = _("The text cannot be read (%(error)s)") % {"error": exc}
    else:
        problem = unbalanced_braces(source)
    if problem:
        check.refuse(
            name,
            _(
                "This text cannot be used: %(error)s. Placeholders look like {{ debtor.name }}; only if, for "
                "and with blocks are available."
            )
            % {"error": problem},
        )


def _check_not_numbered(check: TemplateCheck, texts: TemplateTexts, preview: RenderedMessage) -> None:
    rendered = {
        "email_subject": preview.subject,
        "email_body": preview.email_text,
        "sms_body": preview.sms,
        "letter_body": preview.letter_text,
        "phone_script": preview.phone_script,
    }
    for name in TEMPLATE_FIELDS:
        match = NUMBERED_REMINDER.search(getattr(texts, name)) or NUMBERED_REMINDER.search(rendered[name])
        if match:
            check.refuse(
                name,
                _(
                    "Do not number reminders (“%(phrase)s”): a debtor who reads that more will follow "
                    "waits for the last one. Leave the number out; “laatste herinnering” on a final "
                    "notice is fine."
                )
                % {"phrase": match.group(0)},
            )


def _check_sms_length(check: TemplateCheck, preview: RenderedMessage) -> None:
    length = sms_length(preview.sms)
    if preview.sms.endswith("...") or not length.fits:
        check.refuse(
            "sms_body",
            _("With sample data this SMS does not fit in %(max)s segments. Shorten it.") % {"max": MAX_SEGMENTS},
        )


def _check_fourteen_day_letter(check: TemplateCheck, texts: TemplateTexts, preview: RenderedMessage) -> None:
    for name, rendered in (("letter_body", preview.letter_text), ("email_body", preview.email_text)):
        if not COLLECTION_COSTS_PLACEHOLDER.search(getattr(texts, name)):
            check.refuse(
                name,
                _(
                    "A 14-day letter must state the exact collection costs that will be charged if the debtor does "
                    "not pay in time (art. 6:96 lid 6 BW). Include {{ collection_costs }}."
                ),
            )
        if not is_valid_term_wording(rendered):
            check.refuse(
                name,
                _(
                    "The 14-day term must run from the day after the debtor received the letter. The Hoge Raad "
                    "ruled that a letter saying “binnen 14 dagen na dagtekening” (or after sending, or "
                    "from today) has no effect (HR 25-11-2016, ECLI:NL:HR:2016:2704), so no collection costs "
                    "could be charged. Use {{ term_wording }}, which reads “%(wording)s”, and do not "
                    "also count the term from the date of the letter."
                )
                % {"wording": preview.context.get("term_wording", "")},
            )
