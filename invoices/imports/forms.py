"""Forms of the import pages: the upload and the column mapping. The services do the work."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from invoices.imports.fields import FIELDS, mapping_missing
from invoices.imports.reading import ACCEPT, ImportFileError, check_size, file_kind, file_too_large, max_upload_bytes
from outstanding.uploads import RefusedUploadForm, max_file_bytes

NOT_IN_FILE = ""
HELP = {
    "due_date": _(
        "Not in your file? Choose a payment term column: the due date is then the invoice date plus the term."
    ),
    "payment_term": _("Number of days; used for rows without a due date."),
    "open_amount": _("Without it, an invoice is open for its amount less the payments recorded here."),
    "debtor_external_id": _("Your own number for the customer; recognises them again next time."),
}


class ImportUploadForm(RefusedUploadForm):
    """The upload. ``refused`` (from ``outstanding.uploads.uploads_refused``) names a file that was
    dropped while streaming in for being too large, so the error says so instead of "choose a file"."""

    file = forms.FileField(
        label=_("File"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        help_text=_("CSV or Excel (.xlsx) with one invoice per row, or e-invoices (UBL .xml, or a .zip of them)."),
        error_messages={"required": _("Choose a file to upload."), "empty": _("The file is empty.")},
    )

    def clean_file(self) -> UploadedFile:
        upload: UploadedFile | None = self.cleaned_data["file"]
        try:
            if upload is None:  # dropped while streaming in: past the upload limit
                raise file_too_large(min(max_upload_bytes(), max_file_bytes()))
            file_kind(upload.name or "")
            check_size(upload.size or 0)
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class ImportMappingForm(forms.Form):
    """For each of our fields, the column of the file that holds it (or none)."""

    def __init__(self, *args: Any, headers: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(NOT_IN_FILE, _("— not in the file —")), *((header, header) for header in headers)]
        for field in FIELDS:
            label = _("%(field)s (required)") % {"field": field.label} if field.required else str(field.label)
            self.fields[field.key] = forms.ChoiceField(
                label=label, choices=choices, required=False, help_text=HELP.get(field.key, "")
            )

    def mapping(self) -> dict[str, str]:
        return {key: header for key, header in self.cleaned_data.items() if header}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        missing = mapping_missing({key: header for key, header in cleaned.items() if header})
        if missing:
            names = ", ".join(str(field.label) for field in missing)
            raise forms.ValidationError(_("Choose the column for: %(fields)s.") % {"fields": names})
        return cleaned
