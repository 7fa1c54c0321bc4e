"""Forms of the reminders pages: editing a message template (checked in the sandbox on sample data)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from outstanding.models import Organization
from reminders.models import MessageTemplate
from reminders.rendering import TEMPLATE_FIELDS, TemplateTexts
from reminders.rendering.checks import TemplateCheck, template_check


class MessageTemplateForm(forms.ModelForm):
    """The five texts of one template. ``organization``, kind, tone and language come from the view
    (the URL and the membership), never from the submitted data."""

    class Meta:
        model = MessageTemplate
        fields = list(TEMPLATE_FIELDS)
        widgets = {
            "email_subject": forms.TextInput(attrs={"class": "template-subject"}),
            "email_body": forms.Textarea(attrs={"rows": 16, "class": "template-text"}),
            "sms_body": forms.Textarea(attrs={"rows": 4, "class": "template-text"}),
            "letter_body": forms.Textarea(attrs={"rows": 16, "class": "template-text"}),
            "phone_script": forms.Textarea(attrs={"rows": 8, "class": "template-text"}),
        }
        help_texts = {
            "email_body": _("Plain text. Empty lines start a new paragraph. {{ invoice_table }} places the invoices."),
            "sms_body": _("At most 3 SMS segments; the preview counts them."),
            "letter_body": _("The letter layout adds your letterhead, the address and the date."),
        }

    def __init__(self, *args: Any, organization: Organization, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.today = today
        self.check_result = TemplateCheck()
        self.fields["phone_script"].required = False

    @property
    def warnings(self) -> list[str]:
        return self.check_result.warnings

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if any(name not in cleaned for name in TEMPLATE_FIELDS if self.fields[name].required):
            return cleaned  # a required text is missing: that error is enough
        template = self.instance
        self.check_result = template_check(
            TemplateTexts(**{name: cleaned.get(name) or "" for name in TEMPLATE_FIELDS}),
            organization=self.organization,
            kind=template.kind,
            tone=template.tone,
            language=template.language,
            today=self.today,
        )
        for name, messages in self.check_result.errors.items():
            for message in messages:
                self.add_error(None if name == "__all__" else name, message)
        return cleaned
