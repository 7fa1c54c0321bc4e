"""The form on the debtor page that chooses a reminder flow for one debtor, or leaves it automatic."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from reminders.models import Channel, Flow, FlowStep, StepKind, Tone

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


class FlowStepForm(forms.Form):
    days_after_due = forms.IntegerField(
        label=_("Day"), min_value=-60, max_value=365,
        help_text=_("Days after the due date; negative is a friendly reminder before it."),
    )  # fmt: skip
    kind = forms.ChoiceField(label=_("Step"), choices=StepKind.choices)
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=Channel.choices, widget=forms.CheckboxSelectMultiple
    )
    tone = forms.ChoiceField(label=_("Tone"), choices=Tone.choices)

    @classmethod
    def for_step(cls, step: FlowStep, **kwargs: Any) -> FlowStepForm:
        initial = {
            "days_after_due": step.days_after_due,
            "kind": step.kind,
            "channels": step.channels,
            "tone": step.tone,
        }
        return cls(initial=initial, prefix=str(step.public_id), **kwargs)


class FlowNameForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
