"""The form for an organization's dunning settings."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reminders.models import BacklogStart, DunningSettings

WEEKDAYS = [
    (0, _("Monday")), (1, _("Tuesday")), (2, _("Wednesday")), (3, _("Thursday")), (4, _("Friday")),
    (5, _("Saturday")), (6, _("Sunday")),
]  # fmt: skip


class DunningSettingsForm(forms.ModelForm):
    send_weekdays = forms.TypedMultipleChoiceField(
        label=_("Send on"), choices=WEEKDAYS, coerce=int, widget=forms.CheckboxSelectMultiple,
        help_text=_("Never on public holidays (Algemene termijnenwet), whatever you choose here."),
    )  # fmt: skip

    class Meta:
        model = DunningSettings
        fields = [
            "send_weekdays", "min_days_between_contacts", "dynamic_flows", "payment_term_days_notice",
            "reply_to_email", "sms_sender", "is_paused", "pause_reason", "paused_until",
        ]  # fmt: skip
        widgets = {"paused_until": forms.DateInput(attrs={"type": "date"})}
        help_texts = {
            "min_days_between_contacts": _("Everything due in between waits and goes out together."),
            "dynamic_flows": _("A friendlier flow for punctual customers, a firmer one for chronic late payers."),
            "reply_to_email": _("Replies to reminders go here. Empty: your organization's e-mail address."),
            "sms_sender": _("At most 11 letters or digits. Empty: your organization's name."),
        }

    def clean_send_weekdays(self) -> list[int]:
        days = sorted(set(self.cleaned_data["send_weekdays"]))
        if not days:
            raise forms.ValidationError(_("Choose at least one day."))
        return days

    def clean_sms_sender(self) -> str:
        sender = self.cleaned_data["sms_sender"].strip()
        if sender and (not sender.isalnum() or len(sender) > 11):
            raise forms.ValidationError(_("Use at most 11 letters and digits, no spaces."))
        return sender


class ActivationForm(forms.Form):
    """Switching reminders on: where the backlog starts (see reminders.models.BacklogStart)."""

    backlog_start = forms.ChoiceField(
        label=_("Invoices that never had a message"), choices=BacklogStart.choices, widget=forms.RadioSelect,
        initial=BacklogStart.GENTLE,
    )  # fmt: skip
