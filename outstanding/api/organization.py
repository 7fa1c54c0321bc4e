"""REST API for the key's own organization (/api/v1/organization/): read it, and change its details.

There is no id in the URL: a key only ever sees the organization it belongs to. Changes are checked
by the same forms as the settings pages (``outstanding.forms.OrganizationForm`` for the company,
``PortalPaymentSettingsForm`` for the portal and payments), so a value a web page refuses (an invalid
IBAN, a KvK number of 7 digits, a malformed Mollie key) is refused here with the same message.

``mollie_api_key`` is write-only, as on the page: no response ever contains it, only
``mollie_api_key_set``. An empty string or ``null`` removes the key.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import RegexValidator
from django.db import transaction
from django.forms import ModelForm
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from outstanding.api.exceptions import NON_FIELD_ERRORS
from outstanding.api.serializers import CountryField, KvkField, MoneyField, StrictSerializer, TextField, VatIdField
from outstanding.forms import (
    MOLLIE_API_KEY_FORMAT,
    MOLLIE_API_KEY_FORMAT_MESSAGE,
    MOLLIE_API_KEY_MAX_LENGTH,
    DossierSettingsForm,
    OrganizationForm,
    PortalPaymentSettingsForm,
)
from outstanding.models import ApiKey, Organization

# API name → Organization field, where they differ.
API_TO_MODEL = {"address": "street", "kvk": "kvk_number"}
MODEL_TO_API = {model: api for api, model in API_TO_MODEL.items()}


def api_field_name(model_field: str) -> str:
    return MODEL_TO_API.get(model_field, model_field)


def _field_max(name: str) -> int:
    return int(getattr(Organization._meta.get_field(name), "max_length", None) or 0)


class OrganizationSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    name = serializers.CharField(read_only=True)
    legal_name = serializers.CharField(read_only=True, help_text="As registered at the KvK; signs your letters.")
    address = serializers.CharField(source="street", read_only=True, help_text="Street and number.")
    postal_code = serializers.CharField(read_only=True)
    city = serializers.CharField(read_only=True)
    country = serializers.CharField(read_only=True, help_text="ISO 3166 code, e.g. NL.")
    kvk = serializers.CharField(source="kvk_number", read_only=True, help_text="KvK number (8 digits).")
    vat_id = serializers.CharField(read_only=True)
    iban = serializers.CharField(read_only=True, help_text="Compact, e.g. NL91ABNA0417164300.")
    email = serializers.CharField(read_only=True, help_text="Contact address: replies to reminders go here; or empty.")
    phone = serializers.CharField(read_only=True)
    mollie_api_key_set = serializers.SerializerMethodField(
        help_text="Whether a Mollie API key is stored (debtors can pay online). The key itself is never shown."
    )
    online_payment_minimum = MoneyField(
        read_only=True, allow_null=True, help_text="Smallest part payment online; null: whole invoices only."
    )
    payment_claim_hold_days = serializers.IntegerField(
        read_only=True, help_text="Days without reminders after a debtor says 'I have paid'."
    )
    arrangement_max_terms = serializers.IntegerField(
        read_only=True, help_text="Most monthly terms a debtor may propose; 0: no proposals from the portal."
    )
    arrangement_min_term_amount = MoneyField(read_only=True, help_text="Smallest amount of one term.")
    arrangement_auto_approve = serializers.BooleanField(
        read_only=True, help_text="Proposals within the limits are approved without you."
    )
    dossier_auto_open = serializers.BooleanField(
        read_only=True,
        help_text="A flow's hand-over step opens a collection dossier by itself; false: it waits for your approval.",
    )
    dossier_pre_collection = serializers.BooleanField(
        read_only=True, help_text="A dossier starts with a free pre-collection letter in the collector's name."
    )
    pre_collection_days = serializers.IntegerField(
        read_only=True, help_text="Days of the pre-collection letter's term (7 to 60), then amicable collection."
    )

    def get_mollie_api_key_set(self, organization: Organization) -> bool:
        return bool(organization.mollie_api_key)


class OrganizationInputSerializer(StrictSerializer):
    """Every field optional (PATCH): what is left out keeps its value."""

    name = TextField(required=False, max_length=_field_max("name"))
    legal_name = TextField(required=False, allow_blank=True, max_length=_field_max("legal_name"))
    address = TextField(required=False, allow_blank=True, max_length=_field_max("street"))
    postal_code = TextField(required=False, allow_blank=True, max_length=_field_max("postal_code"))
    city = TextField(required=False, allow_blank=True, max_length=_field_max("city"))
    country = CountryField(required=False)
    # Longer than stored: "NL91 ABNA 0417 1643 00" and "1234 5678" are accepted and compacted.
    kvk = KvkField(required=False)
    vat_id = VatIdField(required=False)
    iban = TextField(required=False, allow_blank=True, max_length=50)
    email = serializers.EmailField(required=False, allow_blank=True, max_length=_field_max("email"))
    phone = TextField(required=False, allow_blank=True, max_length=_field_max("phone"))
    mollie_api_key = serializers.CharField(
        required=False,
        allow_blank=True,
        allow_null=True,
        write_only=True,
        max_length=MOLLIE_API_KEY_MAX_LENGTH,
        # The form's rule, stated in the schema too; the form checks it again with the same message.
        validators=[RegexValidator(MOLLIE_API_KEY_FORMAT, message=MOLLIE_API_KEY_FORMAT_MESSAGE)],
        help_text="Your Mollie API key (live_… or test_…). Write-only: never returned. Empty or null removes it.",
    )
    online_payment_minimum = MoneyField(required=False, allow_null=True, positive=True)
    payment_claim_hold_days = serializers.IntegerField(required=False, min_value=1, max_value=90)
    arrangement_max_terms = serializers.IntegerField(required=False, min_value=0, max_value=36)
    arrangement_min_term_amount = MoneyField(required=False, positive=True)
    arrangement_auto_approve = serializers.BooleanField(required=False)
    dossier_auto_open = serializers.BooleanField(required=False)
    dossier_pre_collection = serializers.BooleanField(required=False)
    pre_collection_days = serializers.IntegerField(required=False, min_value=7, max_value=60)


# The fields the portal-and-payments form checks; the rest go to the company form.
PAYMENT_FIELDS = (*PortalPaymentSettingsForm.Meta.fields, "mollie_api_key")
# The fields the collection settings form checks.
DOSSIER_FIELDS = tuple(DossierSettingsForm.Meta.fields)


def organization_form(organization: Organization, changes: dict[str, Any]) -> ModelForm:
    """The settings form, filled with what is stored and ``changes`` (API names) on top."""
    data = {name: getattr(organization, name) for name in OrganizationForm.Meta.fields if name != "logo"}
    data.update({API_TO_MODEL.get(name, name): value for name, value in changes.items()})
    return OrganizationForm(data=data, instance=organization)


def payment_settings_form(organization: Organization, changes: dict[str, Any]) -> PortalPaymentSettingsForm:
    """The portal-and-payments form, filled with what is stored and ``changes`` on top.

    The key is never filled in from what is stored (an empty field keeps it); sent empty or null it
    means "remove".
    """
    data: dict[str, Any] = {name: getattr(organization, name) for name in PortalPaymentSettingsForm.Meta.fields}
    data.update({name: value for name, value in changes.items() if name != "mollie_api_key"})
    if data.get("online_payment_minimum") is None:
        data["online_payment_minimum"] = ""
    if not data.get("arrangement_auto_approve"):
        data.pop("arrangement_auto_approve", None)  # a form reads an unchecked box as a missing one
    if "mollie_api_key" in changes:
        if changes["mollie_api_key"]:
            data["mollie_api_key"] = changes["mollie_api_key"]
        else:
            data["remove_mollie_api_key"] = "on"
    return PortalPaymentSettingsForm(data=data, instance=organization)


def dossier_settings_form(organization: Organization, changes: dict[str, Any]) -> DossierSettingsForm:
    """The collection settings form, filled with what is stored and ``changes`` on top."""
    data: dict[str, Any] = {name: getattr(organization, name) for name in DossierSettingsForm.Meta.fields}
    data.update(changes)
    for name in ("dossier_auto_open", "dossier_pre_collection"):
        if not data.get(name):
            data.pop(name, None)  # a form reads an unchecked box as a missing one
    return DossierSettingsForm(data=data, instance=organization)


def form_errors(form: ModelForm) -> dict[str, list[str]]:
    """The form's errors under the API's field names."""
    return {
        NON_FIELD_ERRORS if name == "__all__" else api_field_name(name): [str(message) for message in messages]
        for name, messages in form.errors.items()
    }


class OrganizationView(APIView):
    @property
    def organization(self) -> Organization:
        api_key = self.request.auth
        assert isinstance(api_key, ApiKey), "HasApiKey lets no request through without a key"
        # Fresh from the database: the key caches its organization, a PATCH must not work on stale data.
        return Organization.objects.get(pk=api_key.organization_id)

    @extend_schema(tags=["organization"], summary="Your organization", responses=OrganizationSerializer)
    def get(self, request: Request) -> Response:
        return Response(OrganizationSerializer(self.organization).data)

    @extend_schema(
        tags=["organization"],
        summary="Change your organization's details",
        description="Checked like the settings pages: an invalid IBAN, KvK number, VAT id, e-mail address or "
        "Mollie API key is refused (400) and nothing is changed. Fields left out keep their value. "
        "`mollie_api_key` is write-only (the response says `mollie_api_key_set`); an empty string or null "
        "removes it. Read-and-write keys only.",
        request=OrganizationInputSerializer,
        responses=OrganizationSerializer,
    )
    def patch(self, request: Request) -> Response:
        serializer = OrganizationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = serializer.validated_data
        organization = self.organization
        company = {name: value for name, value in changes.items() if name not in (*PAYMENT_FIELDS, *DOSSIER_FIELDS)}
        payments = {name: value for name, value in changes.items() if name in PAYMENT_FIELDS}
        dossiers = {name: value for name, value in changes.items() if name in DOSSIER_FIELDS}
        forms: list[ModelForm] = (
            [organization_form(organization, company)] if company or not (payments or dossiers) else []
        )
        if payments:
            forms.append(payment_settings_form(organization, payments))
        if dossiers:
            forms.append(dossier_settings_form(organization, dossiers))
        errors: dict[str, list[str]] = {}
        for form in forms:
            if not form.is_valid():
                errors.update(form_errors(form))
        if errors:
            raise serializers.ValidationError(errors)
        with transaction.atomic():
            for form in forms:
                organization = form.save()  # both forms hold the same instance: the second saves both
        return Response(OrganizationSerializer(organization).data)
