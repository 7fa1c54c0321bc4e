"""Forms for the creditor pages. They parse and validate input; the services do the writing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from invoices.models import InvoiceStatus
from invoices.selectors import DEFAULT_INVOICE_SORT, INVOICE_SORTS


class InvoiceFilterForm(forms.Form):
    """The invoice list's filters. Every field is optional; an invalid value is ignored, not an error."""

    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(attrs={"placeholder": _("Number or debtor"), "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All statuses")), *InvoiceStatus.choices]
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in INVOICE_SORTS], widget=forms.HiddenInput)

    def filters(self) -> dict[str, Any]:
        """The valid filters, with defaults for whatever was missing or malformed."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or "",
            "overdue": bool(data.get("overdue")),
            "sort": data.get("sort") or DEFAULT_INVOICE_SORT,
        }


class PauseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        error_messages={"required": _("Give a reason for pausing.")},
        help_text=_("For example: disputed by phone, bankruptcy, payment promised."),
    )
    until = forms.DateField(
        label=_("Until (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty to pause until you resume by hand."),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_until(self) -> dt.date | None:
        until = self.cleaned_data.get("until")
        if until is not None and until <= self.today:
            raise forms.ValidationError(_("The end date must be after today."))
        return until


class PaymentForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"),
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={
            "required": _("Enter the amount received."),
            "invalid": _("Enter a valid amount."),
            "min_value": _("A payment must be more than zero."),
            "max_decimal_places": _("Use at most two decimals (cents)."),
            "max_digits": _("That amount is too large."),
            "max_whole_digits": _("That amount is too large."),
        },
    )
    date = forms.DateField(
        label=_("Date received"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reference = forms.CharField(
        label=_("Reference"),
        max_length=100,
        required=False,
        help_text=_("Optional, e.g. the bank statement line. A reference is recorded only once."),
    )

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_date(self) -> dt.date:
        date: dt.date = self.cleaned_data["date"]
        if date > self.today:
            raise forms.ValidationError(_("A payment cannot be received in the future."))
        return date

    def clean_reference(self) -> str:
        return self.cleaned_data["reference"].strip()
