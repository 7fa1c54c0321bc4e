"""Settings pages for the words of reminders: the list of templates, the editor with its live preview.

Everyone in the organization reads; members and up edit and reset. A template is addressed by its
step kind, tone and language (the same three for every organization) in the query string, so the
URL carries no object id and the organization comes from the URL only. The preview renders the
draft with made-up sample data, never a real debtor.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from outstanding.access import OrganizationRequest, organization_view, post_only
from outstanding.calendar import local_today
from outstanding.models import Language, Role
from reminders.forms.templates import MessageTemplateForm
from reminders.models import MessageTemplate, StepKind, Tone
from reminders.rendering import TEMPLATE_FIELDS
from reminders.rendering.context import PLACEHOLDERS
from reminders.rendering.defaults import message_template_defaults
from reminders.rendering.sms import sms_length
from reminders.services import templates as template_services


@dataclass(frozen=True)
class TemplateKey:
    kind: str
    tone: str
    language: str

    @classmethod
    def parse(cls, data: QueryDict) -> TemplateKey:
        """From the query string; anything unknown is a page that does not exist."""
        key = cls(data.get("kind", ""), data.get("tone", ""), data.get("language", ""))
        if key.kind not in StepKind.values or key.tone not in Tone.values or key.language not in Language.values:
            raise Http404
        return key

    @property
    def query(self) -> str:
        return urlencode({"kind": self.kind, "tone": self.tone, "language": self.language})

    @property
    def label(self) -> str:
        return f"{StepKind(self.kind).label} · {Tone(self.tone).label} · {Language(self.language).label}"


@dataclass(frozen=True)
class TemplateRow:
    key: TemplateKey
    is_default: bool
    edit_url: str


@organization_view()
def message_template_list(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    saved = {
        (template.kind, template.tone, template.language): template
        for template in MessageTemplate.objects.for_organization(organization)
    }
    base = reverse("message_template_edit", args=[organization.public_id])
    rows = []
    for kind in StepKind.values:
        cells = []
        for tone in Tone.values:
            for language in Language.values:
                key = TemplateKey(kind, tone, language)
                template = saved.get((kind, tone, language))
                cells.append(TemplateRow(key, template is None or _is_default(template), f"{base}?{key.query}"))
        rows.append((StepKind(kind).label, cells))
    columns = [(Tone(tone).label, Language(language).label) for tone in Tone.values for language in Language.values]
    return render(request, "reminders/templates/list.html", {"rows": rows, "columns": columns})


@organization_view(Role.VIEWER, write=True)
def message_template_edit(request: OrganizationRequest) -> HttpResponse:
    """GET shows the editor (read-only for viewers); POST saves when every check passes."""
    organization = request.organization
    key = TemplateKey.parse(request.GET)
    template = _template_or_default(request, key)
    form = MessageTemplateForm(
        request.POST or None, instance=template, organization=organization, today=local_today(organization.time_zone)
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Template saved."))
        return redirect(f"{reverse('message_template_edit', args=[organization.public_id])}?{key.query}")
    can_edit = request.membership.can_edit
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    context = {
        "form": form,
        "key": key,
        "can_edit": can_edit,
        "placeholders": PLACEHOLDERS,
        "is_default": template.pk is None or _is_default(template),
        "preview_url": reverse("message_template_preview", args=[organization.public_id]) + f"?{key.query}",
        "reset_url": reverse("message_template_reset", args=[organization.public_id]) + f"?{key.query}",
    }
    context.update(_preview_context(form) if request.method == "POST" else _initial_preview(request, key, template))
    status = 400 if request.method == "POST" else 200
    return render(request, "reminders/templates/edit.html", context, status=status)


@organization_view()
def message_template_preview(request: OrganizationRequest) -> HttpResponse:
    """The draft rendered with sample data (htmx, on input). Saves nothing, so viewers may use it too."""
    key = TemplateKey.parse(request.GET)
    template = _template_or_default(request, key)
    if refused := post_only(request):
        return refused
    organization = request.organization
    form = MessageTemplateForm(
        request.POST, instance=template, organization=organization, today=local_today(organization.time_zone)
    )
    form.is_valid()
    return render(request, "reminders/templates/_preview.html", _preview_context(form))


@organization_view(Role.MEMBER, write=True)
def message_template_reset(request: OrganizationRequest) -> HttpResponse:
    key = TemplateKey.parse(request.GET)
    _template_or_default(request, key)
    if refused := post_only(request):
        return refused
    template_services.message_template_reset(
        organization=request.organization, kind=key.kind, tone=key.tone, language=key.language
    )
    messages.success(request, _("The default text is back."))
    return redirect(f"{reverse('message_template_edit', args=[request.organization.public_id])}?{key.query}")


def _template_or_default(request: OrganizationRequest, key: TemplateKey) -> MessageTemplate:
    """The saved template, or an unsaved one holding the default words (saved on the first edit)."""
    template = (
        MessageTemplate.objects.for_organization(request.organization)
        .filter(kind=key.kind, tone=key.tone, language=key.language)
        .first()
    )
    return template or MessageTemplate(
        organization=request.organization,
        kind=key.kind,
        tone=key.tone,
        language=key.language,
        **message_template_defaults(key.kind, key.tone, key.language),
    )


def _is_default(template: MessageTemplate) -> bool:
    defaults = message_template_defaults(template.kind, template.tone, template.language)
    return all(getattr(template, name) == value for name, value in defaults.items())


def _initial_preview(request: HttpRequest, key: TemplateKey, template: MessageTemplate) -> dict[str, object]:
    """The saved text's preview on first load, so the page is useful before any typing (and without JS)."""
    organization = request.organization  # type: ignore[attr-defined]
    data = QueryDict(mutable=True)
    data.update({name: getattr(template, name) for name in TEMPLATE_FIELDS})
    form = MessageTemplateForm(
        data, instance=template, organization=organization, today=local_today(organization.time_zone)
    )
    form.is_valid()
    return _preview_context(form)


def _preview_context(form: MessageTemplateForm) -> dict[str, object]:
    """What the preview panel shows: the rendered parts, and every refusal and warning with its field."""
    preview = form.check_result.preview
    errors = [
        (form.fields[name].label if name in form.fields else "", message)
        for name, messages_ in form.errors.items()
        for message in messages_
    ]
    return {
        "preview": preview,
        "preview_errors": errors,
        "preview_warnings": form.warnings,
        "sms_length": sms_length(preview.sms) if preview else None,
    }
