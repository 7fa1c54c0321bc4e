from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class InvoiceFilterForm(forms.Form):
    STATUS_CHOICES = [
        ("", _("All statuses")), ("open", _("Open")), ("paid", _("Paid")),
        ("credited", _("Credited")), ("written_off", _("Written off")),
    ]
    q = forms.CharField(label=_("Search"), required=False)
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.CharField(required=False, widget=forms.HiddenInput)


class PauseForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)
    until = forms.DateField(label=_("Until (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label=_("Amount"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"))
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
