"""Forms for the creditor pages. They parse and validate input; the services do the writing."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from invoices.imports.values import CellError, parse_amount
from invoices.models import Debtor, InvoiceStatus
from invoices.selectors import DEFAULT_INVOICE_SORT, INVOICE_SORTS
from outstanding.identifiers import clean_kvk, clean_phone, clean_vat_id
from outstanding.models import Organization
from outstanding.text import validate_multi_line, validate_single_line


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
        validators=[validate_single_line],
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


class AmountField(forms.DecimalField):
    """An amount typed the way the importer reads a spreadsheet cell: "1.000,00", "1000,00", "1,000.00",
    "€ 1.000,00" (:func:`invoices.imports.values.parse_amount`, the one parser of written amounts), so a
    creditor can type what their bank statement says. What it cannot read is refused with its reason."""

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]  # stubs: DecimalField < IntegerField
        if value in self.empty_values:
            return None
        try:
            return parse_amount(str(value).strip())
        except CellError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from None


class PaymentForm(forms.Form):
    amount = AmountField(
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


class MultiValueField(forms.CharField):
    """A list of values typed one per line (or separated by commas or semicolons)."""

    widget = forms.Textarea(attrs={"rows": 2})

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value) or ""
        return [part.strip() for part in re.split(r"[\n,;]+", text) if part.strip()]

    def prepare_value(self, value: Any) -> str:
        return "\n".join(value) if isinstance(value, list | tuple) else (value or "")


class DebtorForm(forms.ModelForm):
    """Debtor details typed by the creditor; identifiers checked the same way as in imports."""

    emails = MultiValueField(label=_("E-mail addresses"), required=False, help_text=_("One per line."))
    phones = MultiValueField(
        label=_("Phone numbers"), required=False, help_text=_("One per line; mobile first for SMS.")
    )
    # Longer than stored: "1234 5678" and "NL 0000.99998.B57" are compacted in clean_*.
    kvk_number = forms.CharField(label=_("KvK number"), max_length=20, required=False)
    vat_id = forms.CharField(label=_("VAT id"), max_length=30, required=False)

    class Meta:
        model = Debtor
        fields = [
            "kind", "name", "contact_person", "emails", "phones", "street", "postal_code", "city", "country",
            "language", "kvk_number", "vat_id", "external_id", "notes",
        ]  # fmt: skip
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    # Printed on letters and in the EPC QR code: one line each. The notes stay multi-line.
    SINGLE_LINE_FIELDS = (
        "name", "contact_person", "street", "postal_code", "city", "country", "kvk_number", "vat_id", "external_id",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.SINGLE_LINE_FIELDS:
            self.fields[name].validators.append(validate_single_line)
        self.fields["notes"].validators.append(validate_multi_line)

    def clean_emails(self) -> list[str]:
        emails = [email.lower() for email in self.cleaned_data["emails"]]
        for email in emails:
            validate_email(email)
        return emails

    def clean_phones(self) -> list[str]:
        country = self.data.get("country") or "NL"
        return [clean_phone(phone, country) for phone in self.cleaned_data["phones"]]

    def clean_kvk_number(self) -> str:
        return clean_kvk(self.cleaned_data["kvk_number"])

    def clean_vat_id(self) -> str:
        return clean_vat_id(self.cleaned_data["vat_id"])


class InvoiceForm(forms.Form):
    """An invoice entered by hand (most arrive by import, the API or the accounting package)."""

    debtor = forms.ModelChoiceField(label=_("Debtor"), queryset=Debtor.unscoped.none())
    number = forms.CharField(label=_("Invoice number"), max_length=64, validators=[validate_single_line])
    issue_date = forms.DateField(label=_("Invoice date"), widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(label=_("Amount incl. VAT"), max_digits=14, decimal_places=2, min_value=Decimal("0"))
    vat_amount = forms.DecimalField(
        label=_("VAT amount"), max_digits=14, decimal_places=2, min_value=Decimal("0"), initial=Decimal("0.00")
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["debtor"].queryset = Debtor.objects.for_organization(organization).order_by("name")  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("issue_date") and data.get("due_date") and data["due_date"] < data["issue_date"]:
            self.add_error("due_date", _("The due date is before the invoice date."))
        if (
            data.get("amount") is not None
            and data.get("vat_amount") is not None
            and data["vat_amount"] > data["amount"]
        ):
            self.add_error("vat_amount", _("The VAT cannot be more than the amount."))
        return data
