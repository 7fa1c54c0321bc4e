from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, cast

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from outstanding.identifiers import clean_iban, clean_kvk, clean_vat_id
from outstanding.models import Organization, Role, User
from outstanding.text import validate_single_line

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise  # a dev dependency: annotations only


def role_choices_up_to(role: str) -> list[tuple[str, StrOrPromise]]:
    """The roles someone with ``role`` may hand out: their own and the ones below it."""
    return [(value, label) for value, label in Role.choices if Role.rank(value) <= Role.rank(role)]


class SignupForm(forms.Form):
    """Extra field on allauth's sign-up: every new account starts its own organization."""

    organization_name = forms.CharField(label=_("Company name"), max_length=200)

    # allauth orders its sign-up fields by this attribute when its form inherits from ours.
    field_order = ["organization_name", "email", "password1", "password2"]

    def signup(self, request: HttpRequest, user: User) -> None:
        from outstanding.services import organization_create

        organization_create(name=self.cleaned_data["organization_name"], owner=user)


class OrganizationForm(forms.ModelForm):
    # People type "1234 5678" or "NL91 ABNA 0417 1643 00"; the clean_* methods compact the value before the
    # model's (shorter) max length applies, so these fields accept the spaced-out form.
    kvk_number = forms.CharField(label=_("KvK number"), max_length=20, required=False)
    vat_id = forms.CharField(label=_("VAT id"), max_length=30, required=False)
    iban = forms.CharField(label=_("IBAN"), max_length=50, required=False)

    class Meta:
        model = Organization
        fields = [
            "name",
            "legal_name",
            "street",
            "postal_code",
            "city",
            "country",
            "kvk_number",
            "vat_id",
            "iban",
            "email",
            "phone",
            "logo",
            "default_language",
            "time_zone",
        ]

    # Printed on every letter and in the EPC QR code (the creditor's name): one line each.
    SINGLE_LINE_FIELDS = (
        "name",
        "legal_name",
        "street",
        "postal_code",
        "city",
        "country",
        "kvk_number",
        "vat_id",
        "iban",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in self.SINGLE_LINE_FIELDS:
            if name in self.fields:  # a form for a new organization asks for fewer
                self.fields[name].validators.append(validate_single_line)

    def clean_kvk_number(self) -> str:
        return clean_kvk(self.cleaned_data["kvk_number"])

    def clean_vat_id(self) -> str:
        return clean_vat_id(self.cleaned_data["vat_id"])

    def clean_iban(self) -> str:
        return clean_iban(self.cleaned_data["iban"])

    def clean_time_zone(self) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = self.cleaned_data["time_zone"]
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise forms.ValidationError(_("Unknown time zone.")) from exc
        return value


class OrganizationCreateForm(OrganizationForm):
    """A new organization needs little; address, bank details and logo follow in the settings."""

    class Meta(OrganizationForm.Meta):
        fields = ["name", "legal_name", "kvk_number", "vat_id", "default_language"]


# Mollie's API keys: "live_" or "test_" and at least 30 letters and digits (an OAuth "access_" token is
# not a key). Checked here so that the settings page and the API refuse a typo before any payment starts.
MOLLIE_API_KEY_FORMAT = re.compile(r"^(live|test)_[A-Za-z0-9]{30,}$")
MOLLIE_API_KEY_MAX_LENGTH = 100
MOLLIE_KEY_SHOWN_CHARACTERS = 4


MOLLIE_API_KEY_FORMAT_MESSAGE = _(
    "This is not a Mollie API key. It starts with live_ or test_ followed by at least 30 letters "
    "and digits; copy it from your Mollie dashboard (Developers, API keys)."
)


def clean_mollie_api_key(value: str) -> str:
    """The key without surrounding spaces; refused unless it looks like a Mollie API key."""
    value = (value or "").strip()
    if len(value) > MOLLIE_API_KEY_MAX_LENGTH or not MOLLIE_API_KEY_FORMAT.match(value):
        raise forms.ValidationError(MOLLIE_API_KEY_FORMAT_MESSAGE, code="mollie_api_key_format")
    return value


def mollie_api_key_ending(key: str) -> str:
    """The last characters of a stored key, so its owner can tell which one it is without seeing it."""
    return key[-MOLLIE_KEY_SHOWN_CHARACTERS:] if key else ""


class PortalPaymentSettingsForm(forms.ModelForm):
    """Settings page "Portal and payments" and ``PATCH /api/v1/organization/``: the Mollie key and the limits.

    The key is write-only: the field is never filled in from what is stored, an empty field keeps the
    stored key, and ``remove_mollie_api_key`` clears it (debtors can no longer pay online then).
    """

    mollie_api_key = forms.CharField(
        label=_("Mollie API key"),
        required=False,
        strip=True,  # the length is checked by clean_mollie_api_key, with its own clear message
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_(
            "From your Mollie dashboard (Developers, API keys): live_… to receive money, test_… to try it out. "
            "Debtors pay into your own Mollie account. Leave empty to keep the current key."
        ),
    )
    remove_mollie_api_key = forms.BooleanField(
        label=_("Remove the Mollie API key (debtors can no longer pay online)"), required=False
    )

    class Meta:
        model = Organization
        fields = [
            "online_payment_minimum",
            "payment_claim_hold_days",
            "arrangement_max_terms",
            "arrangement_min_term_amount",
            "arrangement_auto_approve",
        ]
        help_texts = {
            "online_payment_minimum": _("Empty: debtors pay whole invoices only."),
            "payment_claim_hold_days": _(
                'After a debtor says "I have paid", no reminders go out for this many days while you check.'
            ),
            "arrangement_max_terms": _("0: debtors cannot propose an arrangement in the portal."),
        }

    def clean_mollie_api_key(self) -> str:
        value = self.cleaned_data.get("mollie_api_key") or ""
        return clean_mollie_api_key(value) if value else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("remove_mollie_api_key") and cleaned.get("mollie_api_key"):
            raise forms.ValidationError(
                _("Enter a new Mollie API key or remove the current one, not both."), code="mollie_api_key_both"
            )
        return cleaned

    def save(self, commit: bool = True) -> Organization:
        organization = super().save(commit=False)
        if self.cleaned_data.get("remove_mollie_api_key"):
            organization.mollie_api_key = ""
        elif self.cleaned_data.get("mollie_api_key"):
            organization.mollie_api_key = self.cleaned_data["mollie_api_key"]
        if commit:
            organization.save()
        return organization


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args: Any, actor_role: str = Role.OWNER, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["role"]).choices = role_choices_up_to(actor_role)


class RoleForm(forms.Form):
    """All roles: whether this actor may hand out the chosen one is the service's decision."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class InvitationTokenForm(forms.Form):
    """The token from an invitation link, posted by ``static/js/invitation.js`` (or pasted by hand)."""

    token = forms.CharField(
        label=_("Invitation code"),
        max_length=128,
        help_text=_("The part of the link in your e-mail after the # sign."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


class AcceptInvitationForm(forms.Form):
    """For an invitee without an account: the invitation token proves the e-mail address."""

    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password1 = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )
    password2 = forms.CharField(
        label=_("Password (again)"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}), strip=False
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth.password_validation import validate_password

        data = super().clean() or {}
        password = data.get("password1")
        if password and password != data.get("password2"):
            self.add_error("password2", _("The two passwords differ."))
        elif password:
            # An unsaved user, so the validators can refuse a password that resembles the name or e-mail.
            person = User(email=self.email, first_name=data.get("first_name", ""), last_name=data.get("last_name", ""))
            try:
                validate_password(password, user=person)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class DossierSettingsForm(forms.ModelForm):
    """The organization's collection settings (page "Collection" and ``PATCH /api/v1/organization/``):
    whether a flow's hand-over step opens a dossier by itself or waits for approval, and the free
    pre-collection letter with its term."""

    class Meta:
        model = Organization
        fields = ["dossier_auto_open", "dossier_pre_collection", "pre_collection_days"]
        help_texts = {
            "dossier_auto_open": _(
                "Off: debtors whose invoices reach the hand-over step wait for your approval under Dossiers, "
                "Ready to hand over."
            ),
            "dossier_pre_collection": _(
                "A last letter in the collector's name, free of charge for the debtor; after its term the "
                "dossier moves to amicable collection with costs and interest by itself."
            ),
            "pre_collection_days": _("Between 7 and 60 days."),
        }
