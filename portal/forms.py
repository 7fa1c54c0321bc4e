"""Forms of the conversation per invoice: the debtor's three (portal) and the creditor's three (invoice page).

The proof of payment is judged by its first bytes, never by its name or the content type the browser
declares: a page or a program renamed to ``.pdf`` is refused. A file past :data:`PROOF_MAX_BYTES` is
refused with a message saying so, and the text the debtor typed stays in the form.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from outstanding.text import validate_multi_line
from portal.models import THREAD_TEXT_MAX_LENGTH, DisputeReason, DisputeResolution

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a dev dependency: annotations only

PROOF_MAX_BYTES = 10 * 1024 * 1024
# Magic bytes of the kinds we accept, with the content type the file is served as.
PROOF_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
PROOF_SUFFIXES = {"application/pdf": ".pdf", "image/png": ".png", "image/jpeg": ".jpg"}
SNIFF_BYTES = 16


def proof_content_type(head: bytes) -> str | None:
    """The content type the first bytes of a file show (PDF, PNG, JPEG); None for anything else."""
    for signature, content_type in PROOF_SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None


TOO_LARGE = _("The file is larger than %(size)s. Please choose a smaller file.")


def proof_upload_type(
    upload: UploadedFile | None, *, too_large: bool = False, too_large_message: StrOrPromise = TOO_LARGE
) -> str:
    """The content type of an uploaded proof (read from its first bytes), or a ValidationError saying what
    is wrong: larger than :data:`PROOF_MAX_BYTES` (or ``too_large``: refused while streaming), or not a
    PDF, JPEG or PNG whatever its name."""
    if too_large or upload is None or (upload.size or 0) > PROOF_MAX_BYTES:
        raise forms.ValidationError(too_large_message % {"size": filesizeformat(PROOF_MAX_BYTES)}, code="too_large")
    upload.seek(0)
    content_type = proof_content_type(upload.read(SNIFF_BYTES))
    upload.seek(0)
    if content_type is None:
        raise forms.ValidationError(
            _("This file is not a PDF, JPEG or PNG. Please choose a PDF, a photo or a screenshot."), code="wrong_type"
        )
    return content_type


def _text_field(*, required: bool, label: StrOrPromise, **attrs: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=THREAD_TEXT_MAX_LENGTH,
        strip=True,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 4, **attrs}),
        error_messages={"required": _("Please write your message.")},
    )


class QuestionForm(forms.Form):
    text = _text_field(required=True, label=_("Your question or remark"), id="ask-text")


class DisputeForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", _("Choose a reason")), *DisputeReason.choices],
        widget=forms.Select(attrs={"id": "dispute-reason"}),
        error_messages={"required": _("Please choose a reason."), "invalid_choice": _("Please choose a reason.")},
    )
    text = _text_field(required=True, label=_("Explain what is wrong"), id="dispute-text")


class PaidForm(forms.Form):
    """ "I have paid" with the proof. ``refused``: what ``outstanding.uploads.uploads_refused`` reports
    (a file the upload handler dropped for its size); the form then says it was too large."""

    text = _text_field(required=False, label=_("When and how did you pay? (optional)"), id="paid-text")
    proof = forms.FileField(
        label=_("Proof of payment (PDF, JPEG or PNG, at most 10 MB)"),
        required=True,
        widget=forms.ClearableFileInput(attrs={"id": "paid-proof", "accept": ".pdf,.jpg,.jpeg,.png"}),
        error_messages={
            "required": _("Please choose the file with your proof of payment."),
            "empty": _("The file is empty."),
        },
    )

    def __init__(self, *args: Any, refused: Mapping[str, int] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refused_size = (refused or {}).get("proof")
        if self.refused_size is not None:
            self.fields["proof"].required = False
        self.proof_type = ""

    def clean_proof(self) -> UploadedFile:
        upload: UploadedFile | None = self.cleaned_data.get("proof")
        self.proof_type = proof_upload_type(
            upload,
            too_large_message=_(
                "The file is larger than %(size)s. Please choose a smaller file (a photo or a PDF export)."
            ),
        )
        assert upload is not None  # proof_upload_type refused a missing file
        return upload


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"),
        max_length=THREAD_TEXT_MAX_LENGTH,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The debtor sees this on their portal page and gets it by e-mail."),
        error_messages={"required": _("Write your reply.")},
    )


class DisputeResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("Resolution"), choices=DisputeResolution.choices, widget=forms.RadioSelect, initial="resume"
    )
    credit_note_number = forms.CharField(
        label=_("Credit note number"),
        max_length=64,
        required=False,
        help_text=_("Only for a credit note; the whole open amount is credited."),
    )
    text = forms.CharField(
        label=_("Your reply to the debtor"),
        max_length=THREAD_TEXT_MAX_LENGTH,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the debtor a reply: they see it with the resolution.")},
    )


class PaymentClaimCheckForm(forms.Form):
    found = forms.TypedChoiceField(
        label=_("Result"),
        choices=[("yes", _("Payment found")), ("no", _("Payment not found"))],
        coerce=lambda value: value == "yes",
        widget=forms.HiddenInput,
    )
    text = forms.CharField(
        label=_("Message to the debtor (optional)"),
        max_length=THREAD_TEXT_MAX_LENGTH,
        required=False,
        validators=[validate_multi_line],
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def creditor_thread_forms(bound: Mapping[str, forms.Form] | None = None) -> dict[str, forms.Form]:
    """The invoice page's three thread forms; one that failed comes back bound, with its errors and text."""
    return {
        "reply": ReplyForm(),
        "resolve": DisputeResolveForm(),
        "check": PaymentClaimCheckForm(),
        **(bound or {}),
    }
