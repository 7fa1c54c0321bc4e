"""Forms of the collection app: the debtor's proposal in the portal, the creditor's decision, and an
arrangement the creditor makes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from collection.models import DossierClosure
from collection.services import NOTE_MAX_LENGTH
from collection.services.arrangements import CREDITOR_MAX_TERMS
from collection.services.dossier_defences import DEFENCE_TEXT_MAX_LENGTH
from collection.services.dossier_notes import DOSSIER_NOTE_MAX_LENGTH
from invoices.forms import AmountField
from invoices.models import DebtorKind, Invoice
from outstanding.identifiers import clean_kvk
from outstanding.text import validate_multi_line, validate_single_line
from portal.forms import SNIFF_BYTES, proof_content_type, proof_upload_type
from portal.models import DisputeReason


class ArrangementProposalForm(forms.Form):
    """Number of terms and a note; the ticked invoices come as ``invoice`` public ids beside it."""

    terms = forms.TypedChoiceField(label=_("Number of monthly terms"), coerce=int)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: object, term_counts: list[int], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["terms"]
        field.choices = [(count, str(count)) for count in term_counts]  # type: ignore[attr-defined]
        field.widget.attrs["id"] = "arrangement-terms"


class ArrangementDecisionForm(forms.Form):
    """A note to the debtor: optional when approving, required when rejecting (the service checks)."""

    note = forms.CharField(
        label=_("Note to the debtor"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ArrangementMakeForm(forms.Form):
    """A creditor's arrangement with a debtor: which open invoices, how many monthly terms, the first date."""

    invoices = forms.MultipleChoiceField(label=_("Invoices"), widget=forms.CheckboxSelectMultiple)
    term_count = forms.IntegerField(label=_("Number of monthly terms"), min_value=1, max_value=CREDITOR_MAX_TERMS)
    first_due_date = forms.DateField(label=_("First term due"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Note to the debtor (optional)"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: object, invoices: list[Invoice], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.offered = {str(invoice.public_id): invoice for invoice in invoices}
        field = self.fields["invoices"]
        field.choices = [  # type: ignore[attr-defined]
            (public_id, f"{invoice.number} · {invoice.open_amount}") for public_id, invoice in self.offered.items()
        ]

    def chosen_invoices(self) -> list[Invoice]:
        return [self.offered[public_id] for public_id in self.cleaned_data["invoices"]]


# -- a submitted claim (collection.views.claims) ------------------------------------------------------

CLAIM_PDF_MAX_BYTES = 10 * 1024 * 1024


class ClaimForm(forms.Form):
    """A claim the system does not know yet: the debtor, the invoice with its PDF, and for a consumer the
    14-day letter the creditor sent. The PDF is judged by its first bytes, never by its name or the
    type the browser declares (``portal.forms.proof_content_type``, the portal's proof check)."""

    debtor_kind = forms.ChoiceField(
        label=_("The debtor is"), choices=DebtorKind.choices, initial=DebtorKind.BUSINESS, widget=forms.RadioSelect
    )
    debtor_name = forms.CharField(label=_("Name"), max_length=200, validators=[validate_single_line])
    street = forms.CharField(label=_("Street and number"), max_length=200, validators=[validate_single_line])
    postal_code = forms.CharField(label=_("Postal code"), max_length=20, validators=[validate_single_line])
    city = forms.CharField(label=_("City"), max_length=100, validators=[validate_single_line])
    country = forms.CharField(label=_("Country (two letters)"), max_length=2, initial="NL", min_length=2)
    email = forms.EmailField(label=_("E-mail address (optional)"), required=False)
    kvk_number = forms.CharField(label=_("KvK number (businesses, optional)"), max_length=20, required=False)
    number = forms.CharField(label=_("Invoice number"), max_length=64, validators=[validate_single_line])
    issue_date = forms.DateField(label=_("Invoice date"), widget=forms.DateInput(attrs={"type": "date"}))
    due_date = forms.DateField(label=_("Due date"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = AmountField(
        label=_("Amount incl. VAT"), max_digits=14, decimal_places=2, min_value=Decimal("0.01"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )  # fmt: skip
    vat_amount = AmountField(
        label=_("VAT amount"), max_digits=14, decimal_places=2, min_value=Decimal("0"), initial=Decimal("0.00"),
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )  # fmt: skip
    pdf = forms.FileField(
        label=_("The invoice (PDF, at most 10 MB)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,application/pdf"}),
        error_messages={"required": _("Choose the invoice's PDF."), "empty": _("The file is empty.")},
    )
    letter_sent_on = forms.DateField(
        label=_("14-day letter sent on"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For a consumer: the day you sent the 14-day letter (veertiendagenbrief)."),
    )  # fmt: skip
    letter_channel = forms.ChoiceField(
        label=_("Sent by"), required=False, initial="post",
        choices=[("post", _("Post")), ("email", _("E-mail"))],
    )  # fmt: skip

    def __init__(self, *args: Any, today: dt.date, refused: Mapping[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today
        self.refused_size = (refused or {}).get("pdf")
        if self.refused_size is not None:  # dropped by the upload handler for its size: say so, not "choose one"
            self.fields["pdf"].required = False

    def clean_kvk_number(self) -> str:
        return clean_kvk(self.cleaned_data["kvk_number"])

    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()

    def clean_pdf(self) -> UploadedFile:
        upload: UploadedFile | None = self.cleaned_data.get("pdf")
        if upload is None or (upload.size or 0) > CLAIM_PDF_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s.") % {"size": filesizeformat(CLAIM_PDF_MAX_BYTES)},
                code="too_large",
            )
        upload.seek(0)
        content_type = proof_content_type(upload.read(SNIFF_BYTES))
        upload.seek(0)
        if content_type != "application/pdf":
            raise forms.ValidationError(_("This file is not a PDF. Choose the invoice as a PDF."), code="wrong_type")
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("issue_date") and data.get("due_date") and data["due_date"] < data["issue_date"]:
            self.add_error("due_date", _("The due date is before the invoice date."))
        amount, vat = data.get("amount"), data.get("vat_amount")
        if amount is not None and vat is not None and vat > amount:
            self.add_error("vat_amount", _("The VAT cannot be more than the amount."))
        if data.get("debtor_kind") == DebtorKind.CONSUMER:
            sent_on = data.get("letter_sent_on")
            if sent_on is None and "letter_sent_on" not in self.errors:
                self.add_error(
                    "letter_sent_on",
                    _("A consumer must have had a 14-day letter: enter the day you sent it."),
                )
            elif sent_on is not None and sent_on > self.today:
                self.add_error("letter_sent_on", _("That day has not come yet."))
            if not data.get("letter_channel"):
                self.add_error("letter_channel", _("Choose how the 14-day letter was sent."))
        return data


# -- collection dossiers ---------------------------------------------------------------------------

DOSSIER_REASON_MAX_LENGTH = 200  # the dossier's pause reason and the services' limit


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason"), max_length=DOSSIER_REASON_MAX_LENGTH, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )


class DossierStageForm(forms.Form):
    """Move a dossier forward: to which stage (the next one offered first) and why.

    ``confirm_guard`` is the explicit confirmation the judicial guard asks for when going to court
    costs more than it is expected to bring in; the view requires it only then.
    """

    stage = forms.ChoiceField(label=_("To stage"))
    reason = _reason_field()
    confirm_guard = forms.BooleanField(
        label=_("I have seen the expected recovery and want to go to court anyway"), required=False
    )

    def __init__(self, *args: object, stages: list[tuple[str, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["stage"].choices = stages  # type: ignore[attr-defined]


class DossierReasonForm(forms.Form):
    """Pause or resume a dossier: the reason goes on the timeline."""

    reason = _reason_field()


class DossierCourtFeeForm(forms.Form):
    """The creditor paid the court fee: when, and how much where the fee table had no amount."""

    paid_on = forms.DateField(label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}))
    amount = forms.DecimalField(
        label=_("Court fee paid"), required=False, min_value=Decimal("0.01"), max_digits=12, decimal_places=2
    )

    def __init__(self, *args: object, amount_needed: bool, today: dt.date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.today = today
        if amount_needed:
            self.fields["amount"].required = True
        else:
            del self.fields["amount"]

    def clean_paid_on(self) -> dt.date:
        paid_on: dt.date = self.cleaned_data["paid_on"]
        if paid_on > self.today:
            raise forms.ValidationError(_("The court fee cannot be paid in the future."))
        return paid_on


class DossierCloseForm(forms.Form):
    """Close a dossier: how it ended, a note, and an explicit confirmation (closing cannot be undone)."""

    closure = forms.ChoiceField(label=_("How did the dossier end?"), choices=DossierClosure.choices)
    note = forms.CharField(
        label=_("Note (optional)"), required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 3})
    )
    confirm = forms.BooleanField(
        label=_("Close the dossier. This cannot be undone."),
        error_messages={"required": _("Confirm that you want to close the dossier.")},
    )


class DossierNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Note"), max_length=DOSSIER_NOTE_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class DossierOpenForm(forms.Form):
    """Which of a debtor's open invoices go to collection."""

    invoices = forms.MultipleChoiceField(
        label=_("Invoices"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one invoice.")},
    )

    def __init__(self, *args: object, invoices: list[Invoice], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.offered = {str(invoice.public_id): invoice for invoice in invoices}
        self.fields["invoices"].choices = [  # type: ignore[attr-defined]
            (public_id, invoice.number) for public_id, invoice in self.offered.items()
        ]

    def chosen_invoices(self) -> list[Invoice]:
        return [self.offered[public_id] for public_id in self.cleaned_data["invoices"]]


# -- the debtor's defence in the portal and the creditor's answer (collection.views.defences) ---------


class DossierDefenceForm(forms.Form):
    """The debtor's defence (verweer): a reason, their explanation and, if they like, a file. The file is
    judged by its first bytes like a proof of payment (``portal.forms``): PDF, JPEG or PNG."""

    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason")), *DisputeReason.choices],
        error_messages={"required": _("Please choose a reason."), "invalid_choice": _("Please choose a reason.")},
    )
    text = forms.CharField(
        label=_("Explain why you dispute the claim"),
        max_length=DEFENCE_TEXT_MAX_LENGTH,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Please write your message.")},
    )
    file = forms.FileField(
        label=_("A file that supports your defence (optional; PDF, JPEG or PNG, at most 10 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args: Any, refused: Mapping[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused_size = (refused or {}).get("file")
        self.file_type = ""

    def clean_file(self) -> UploadedFile | None:
        upload: UploadedFile | None = self.cleaned_data.get("file")
        if upload is None and self.refused_size is None:
            return None
        self.file_type = proof_upload_type(upload, too_large=self.refused_size is not None)
        return upload


class DossierDefenceAnswerForm(forms.Form):
    defence = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    text = forms.CharField(
        label=_("Your answer to the debtor"),
        max_length=DEFENCE_TEXT_MAX_LENGTH,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The debtor sees this in the portal and gets it by e-mail."),
        error_messages={"required": _("Write your answer.")},
    )
    resume = forms.BooleanField(label=_("Resume collection (the defence does not hold)"), required=False)
