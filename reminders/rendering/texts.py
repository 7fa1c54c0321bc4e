"""The five texts of one message template, as the renderer takes them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TEMPLATE_FIELDS = ("email_subject", "email_body", "sms_body", "letter_body", "phone_script")


@dataclass(frozen=True)
class TemplateTexts:
    """The five texts of one message template (a saved ``MessageTemplate`` or a draft in the editor)."""

    email_subject: str
    email_body: str
    sms_body: str
    letter_body: str
    phone_script: str = ""

    @classmethod
    def of(cls, template: Any) -> TemplateTexts:
        return cls(**{name: getattr(template, name) or "" for name in TEMPLATE_FIELDS})
