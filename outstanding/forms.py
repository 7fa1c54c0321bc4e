from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from outstanding.identifiers import clean_iban, clean_kvk, clean_vat_id
from outstanding.models import Organization, Role, User


class SignupForm(forms.Form):
    """Extra field on allauth's sign-up: every new account starts its own organization."""

    organization_name = forms.CharField(label=_("Company name"), max_length=200)

    def signup(self, request: HttpRequest, user: User) -> None:
        from outstanding.services import organization_create

        organization_create(name=self.cleaned_data["organization_name"], owner=user)


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "name", "legal_name", "street", "postal_code", "city", "country", "kvk_number", "vat_id",
            "iban", "email", "phone", "logo", "default_language", "time_zone",
        ]

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


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.MEMBER)

    def __init__(self, *args: Any, actor_role: str = Role.OWNER, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [
            (value, label) for value, label in Role.choices if Role.rank(value) <= Role.rank(actor_role)
        ]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class AcceptInvitationForm(forms.Form):
    """For an invitee without an account: the invitation token proves the e-mail address."""

    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password (again)"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        from django.contrib.auth.password_validation import validate_password

        data = super().clean() or {}
        if data.get("password1") != data.get("password2"):
            raise forms.ValidationError(_("The two passwords differ."))
        if data.get("password1"):
            validate_password(data["password1"])
        return data
