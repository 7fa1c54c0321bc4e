"""Forms of the bank statement pages: the upload and the choice of invoice in review."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from outstanding.uploads import RefusedUploadForm, max_file_bytes


class BankStatementUploadForm(RefusedUploadForm):
    """The upload. ``refused`` (``outstanding.uploads.uploads_refused``) names a file dropped for its size."""

    file = forms.FileField(
        label=_("Bank statement"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xml,application/xml,text/xml"}),
        help_text=_("The CAMT.053 file (XML) your bank's internet banking exports."),
        error_messages={"required": _("Choose a file to upload."), "empty": _("The file is empty.")},
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile | None = self.cleaned_data["file"]
        if upload is None or (upload.size or 0) > max_file_bytes():
            raise forms.ValidationError(
                _("The file is larger than %(size)s; upload the statement of a shorter period.")
                % {"size": filesizeformat(max_file_bytes())}
            )
        return upload


class BankLineAssignForm(forms.Form):
    """One of the suggested invoices, or an invoice number typed in."""

    invoice = forms.UUIDField(required=False, widget=forms.HiddenInput)
    number = forms.CharField(label=_("Invoice number"), max_length=64, required=False)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("invoice") and not (cleaned.get("number") or "").strip():
            raise forms.ValidationError(_("Choose an invoice or enter its number."))
        return cleaned
