"""Forms of the collection app: the debtor's proposal in the portal and the creditor's decision."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from collection.services import NOTE_MAX_LENGTH


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
