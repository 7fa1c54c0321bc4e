"""Forms for the creditor pages. They parse and validate input; the services do the writing."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from django import forms
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from collection.models import DossierStage
from invoices.imports.values import CellError, parse_amount
from invoices.models import Debtor, InvoiceStatus
from invoices.selectors import (
    DEBTOR_SORTS,
    DEFAULT_DEBTOR_SORT,
    DEFAULT_INVOICE_SORT,
    INVOICE_SORTS,
    NO_STEP,
    DebtorListFilters,
    DebtorStatus,
    InvoiceListFilters,
)
from outstanding.identifiers import clean_kvk, clean_phone, clean_vat_id
from outstanding.models import Organization
from outstanding.text import validate_multi_line, validate_single_line
from reminders.models import StepKind

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

    StrOrPromise = str | _StrPromise


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


DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DAYS = 36500  # a hundred years: any larger "days overdue" is a typing error


def _amount_field(label: StrOrPromise) -> AmountField:
    return AmountField(
        label=label,
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=Decimal("0"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 8}),
        error_messages={
            "invalid": _("Enter an amount such as 1.250,00."),
            "min_value": _("Enter an amount of zero or more."),
            "max_decimal_places": _("Use at most two decimals (cents)."),
            "max_digits": _("That amount is too large."),
            "max_whole_digits": _("That amount is too large."),
        },
    )


def _days_field(label: StrOrPromise) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_DAYS,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0, "size": 5}),
        error_messages={"invalid": _("Enter a whole number of days."), "min_value": _("Enter 0 days or more.")},
    )


class ListFilterForm(forms.Form):
    """Shared by the two lists: a bad value is reported and that one filter left out, never a 400."""

    RANGES: tuple[tuple[str, str], ...] = ()  # (from field, to field) that must not be reversed
    MORE: tuple[str, ...] = ()  # the fields behind "More filters", shown open when one is used

    def more_filters_used(self) -> bool:
        return any(self.data.get(name) for name in self.MORE)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for low, high in self.RANGES:
            if data.get(low) is not None and data.get(high) is not None and data[low] > data[high]:
                message = _("“%(low)s” is more than “%(high)s”; this filter was left out.") % {
                    "low": self.fields[low].label,
                    "high": self.fields[high].label,
                }
                self.add_error(high, message)
                data.pop(low, None)  # the whole range is left out, not half of it
        return data

    def error_messages_for_page(self) -> list[str]:
        """Each error with the filter's label, for the message above the list."""
        if not self.is_bound:
            return []
        self.is_valid()
        return [
            f"{self.fields[name].label}: {error}" if name in self.fields else str(error)
            for name, errors in self.errors.items()
            for error in errors
        ]


class InvoiceFilterForm(ListFilterForm):
    """The invoice list's filters, all from the query string. Every field is optional."""

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
    open_min = _amount_field(_("Open from"))
    open_max = _amount_field(_("Open up to"))
    due_from = forms.DateField(label=_("Due from"), required=False, widget=DATE_WIDGET)
    due_to = forms.DateField(label=_("Due up to"), required=False, widget=DATE_WIDGET)
    overdue_min = _days_field(_("Days overdue from"))
    overdue_max = _days_field(_("Days overdue up to"))
    step = forms.ChoiceField(
        label=_("Flow step"),
        required=False,
        choices=[("", _("Any step")), (NO_STEP, _("No reminder yet")), *StepKind.choices],
    )
    stage = forms.ChoiceField(
        label=_("Dossier stage"), required=False, choices=[("", _("Any or none")), *DossierStage.choices]
    )
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in INVOICE_SORTS], widget=forms.HiddenInput)

    RANGES = (("open_min", "open_max"), ("due_from", "due_to"), ("overdue_min", "overdue_max"))
    # The fields after the first row, behind "More filters".
    MORE = ("open_min", "open_max", "due_from", "due_to", "overdue_min", "overdue_max", "step", "stage")

    def filters(self) -> dict[str, Any]:
        """The valid filters, with defaults for whatever was missing or malformed."""
        self.is_valid()
        data = self.cleaned_data
        return {
            "filters": InvoiceListFilters(
                search=data.get("q") or "",
                status=data.get("status") or "",
                overdue=bool(data.get("overdue")),
                open_min=data.get("open_min"),
                open_max=data.get("open_max"),
                due_from=data.get("due_from"),
                due_to=data.get("due_to"),
                overdue_min=data.get("overdue_min"),
                overdue_max=data.get("overdue_max"),
                step=data.get("step") or "",
                stage=data.get("stage") or "",
            ),
            "sort": data.get("sort") or DEFAULT_INVOICE_SORT,
        }

    def query(self, **changes: str) -> str:
        """The query string of the valid filters (defaults and the page left out), with ``changes``."""
        self.is_valid()
        values = {name: self.data.get(name, "") for name in self.fields if name in self.cleaned_data}
        values["overdue"] = "on" if self.cleaned_data.get("overdue") else ""
        if values.get("sort") == DEFAULT_INVOICE_SORT:
            values["sort"] = ""
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value})


class DebtorFilterForm(ListFilterForm):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.SearchInput(
            attrs={"placeholder": _("Name, contact, e-mail or KvK number"), "autocomplete": "off"}
        ),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("All debtors")),
            (DebtorStatus.OVERDUE, _("With something overdue")),
            (DebtorStatus.ACTIVE, _("Reminders on")),
            (DebtorStatus.PAUSED, _("Paused")),
        ],
    )
    open_min = _amount_field(_("Open from"))
    open_max = _amount_field(_("Open up to"))
    overdue_min = _days_field(_("Oldest overdue, days from"))
    sort = forms.ChoiceField(required=False, choices=[(key, key) for key in DEBTOR_SORTS], widget=forms.HiddenInput)

    RANGES = (("open_min", "open_max"),)
    MORE = ("open_min", "open_max", "overdue_min")

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "filters": DebtorListFilters(
                status=data.get("status") or "",
                open_min=data.get("open_min"),
                open_max=data.get("open_max"),
                overdue_min=data.get("overdue_min"),
            ),
            "sort": data.get("sort") or DEFAULT_DEBTOR_SORT,
        }

    def query(self, **changes: str) -> str:
        self.is_valid()
        values = {name: self.data.get(name, "") for name in self.fields if name in self.cleaned_data}
        if values.get("sort") == DEFAULT_DEBTOR_SORT:
            values["sort"] = ""
        values.update(changes)
        return urlencode({name: value for name, value in values.items() if value})


class BulkAction:
    HOLD = "hold"
    RESUME = "resume"
    FLOW = "flow"
    DOSSIER = "dossier"
    UNDO = "undo"  # resume what the last hold held


AUTOMATIC_FLOW = "automatic"


class UUIDListField(forms.Field):
    """Several public ids, one input each (the list's checkboxes); a malformed one is refused."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[uuid.UUID]:
        ids = []
        for text in value or []:
            try:
                ids.append(uuid.UUID(str(text)))
            except ValueError:
                raise forms.ValidationError(
                    _("The selection holds a row that is not known; tick the rows again."), code="invalid"
                ) from None
        return ids


class BulkForm(forms.Form):
    """One action on a selection of a list: the ticked rows, or everything matching the list's filters."""

    SCOPE_SELECTED = "selected"
    SCOPE_ALL = "all"

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            (BulkAction.HOLD, _("Hold reminders")),
            (BulkAction.RESUME, _("Resume reminders")),
            (BulkAction.FLOW, _("Move to a flow")),
        ],
    )
    scope = forms.ChoiceField(
        choices=[(SCOPE_SELECTED, _("The ticked rows")), (SCOPE_ALL, _("Everything matching the filters"))],
        initial=SCOPE_SELECTED,
        required=False,
    )
    selected = UUIDListField(required=False)
    filters = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=200,
        validators=[validate_single_line],
        widget=forms.TextInput(attrs={"placeholder": _("Why hold? e.g. disputed by phone")}),
    )
    until = forms.DateField(label=_("Until (optional)"), required=False, widget=DATE_WIDGET)
    flow = forms.ChoiceField(label=_("Flow"), required=False)

    def __init__(self, *args: Any, flows: list[Any], today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.flows = {str(flow.public_id): flow for flow in flows}
        self.fields["flow"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a flow")),
            (AUTOMATIC_FLOW, _("Automatic choice")),
            *((key, f"{flow.name} ({flow.get_debtor_kind_display()})") for key, flow in self.flows.items()),
        ]

    def clean_until(self) -> dt.date | None:
        until: dt.date | None = self.cleaned_data.get("until")
        if until is not None and until <= self.today:
            raise forms.ValidationError(_("The end date must be after today."))
        return until

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == BulkAction.HOLD and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give a reason for holding."))
        if action == BulkAction.FLOW and not data.get("flow"):
            self.add_error("flow", _("Choose the flow to move to."))
        if action != BulkAction.UNDO and data.get("scope") != self.SCOPE_ALL and not data.get("selected"):
            self.add_error(None, _("Tick at least one row, or choose everything matching the filters."))
        return data

    @property
    def chosen_flow(self) -> Any:
        """The chosen flow, or None for the automatic choice."""
        return self.flows.get(self.cleaned_data.get("flow") or "")


class InvoiceBulkForm(BulkForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [  # type: ignore[attr-defined]
            *self.fields["action"].choices,  # type: ignore[attr-defined]
            (BulkAction.DOSSIER, _("Open a dossier")),
            (BulkAction.UNDO, _("Undo the last hold")),
        ]


class DebtorBulkForm(BulkForm):
    """Hold, resume or move to a flow: the debtor list's actions."""


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
