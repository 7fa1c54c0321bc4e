"""The hold form of the review list: what to hold (the message, one invoice, the debtor), why and until when.

The planned message is named by its day, debtor and channel; the view plans that day again and holds
only what the engine really plans, so nothing in the form can point at another organization's rows.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from invoices.services import PAUSE_REASON_MAX_LENGTH
from reminders.models import Channel

HOLD_DAYS = 14  # the default length of a hold from the review list
HOLD_MESSAGE, HOLD_DEBTOR = "message", "debtor"


class HoldForm(forms.Form):
    day = forms.DateField(widget=forms.HiddenInput)
    debtor = forms.UUIDField(widget=forms.HiddenInput)
    channel = forms.ChoiceField(choices=Channel.choices, widget=forms.HiddenInput)
    target = forms.CharField(
        label=_("Hold"), initial=HOLD_MESSAGE, error_messages={"required": _("Choose what to hold.")}
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=PAUSE_REASON_MAX_LENGTH,
        error_messages={
            "required": _("Give a reason for pausing."),
            "max_length": _("Keep the reason to %(limit_value)d characters or fewer."),
        },
        help_text=_("For example: disputed by phone, bankruptcy, payment promised."),
    )
    until = forms.DateField(
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date the hold ends.")},
        help_text=_("The last day nothing goes out; after that the reminders continue."),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["until"].initial = today + dt.timedelta(days=HOLD_DAYS)

    def clean_until(self) -> dt.date:
        until: dt.date = self.cleaned_data["until"]
        if until <= self.today:
            raise forms.ValidationError(_("The end date must be after today."))
        return until
