"""The form for logging what came of a call on the call list. The service checks the rules again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reminders.models import CallOutcomeKind
from reminders.services.calls import NOTE_MAX_LENGTH


class CallOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=CallOutcomeKind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what came of the call.")},
    )
    promised_date = forms.DateField(
        label=_("Promised payment date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Only for a promise to pay: reminders wait until this day."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["promised_date"].widget.attrs["min"] = today.isoformat()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("outcome") == CallOutcomeKind.PROMISE and not data.get("promised_date"):
            self.add_error("promised_date", _("Give the date the debtor promised to pay on."))
        return data
