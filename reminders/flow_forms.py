"""The form on the debtor page that chooses a reminder flow for one debtor, or leaves it automatic."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reminders.models import Flow

AUTOMATIC = ""


class DebtorFlowForm(forms.Form):
    """Choices are the organization's flows for the debtor's kind, given by the caller: nothing else validates."""

    flow = forms.ChoiceField(
        label=_("Reminder flow"),
        required=False,
        error_messages={"invalid_choice": _("Choose one of your flows for this kind of debtor.")},
        help_text=_("Automatic chooses every night from the payment history."),
    )

    def __init__(self, *args: Any, flows: list[Flow], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.flows = {str(flow.public_id): flow for flow in flows}
        choices = [(AUTOMATIC, gettext("Automatic (from the payment history)"))]
        choices += [(key, f"{flow.name} – {flow.get_variant_display()}") for key, flow in self.flows.items()]
        self.fields["flow"].choices = choices  # type: ignore[attr-defined]

    def chosen_flow(self) -> Flow | None:
        """After ``is_valid()``: the chosen flow, or ``None`` for automatic."""
        return self.flows.get(self.cleaned_data["flow"])
