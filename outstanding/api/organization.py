"""REST API for the key's own organization (/api/v1/organization/): read it, and change its details.

There is no id in the URL: a key only ever sees the organization it belongs to. Changes are checked
by the same form as the company settings page (``outstanding.forms.OrganizationForm``), so a value the
web page refuses (an invalid IBAN, a KvK number of 7 digits) is refused here with the same message.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.forms import ModelForm
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from outstanding.api.exceptions import NON_FIELD_ERRORS
from outstanding.api.serializers import CountryField, KvkField, StrictSerializer, TextField, VatIdField
from outstanding.forms import OrganizationForm
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


def organization_form(organization: Organization, changes: dict[str, Any]) -> ModelForm:
    """The settings form, filled with what is stored and ``changes`` (API names) on top."""
    data = {name: getattr(organization, name) for name in OrganizationForm.Meta.fields if name != "logo"}
    data.update({API_TO_MODEL.get(name, name): value for name, value in changes.items()})
    return OrganizationForm(data=data, instance=organization)


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
        description="Checked like the company settings page: an invalid IBAN, KvK number, VAT id or e-mail "
        "address is refused (400) and nothing is changed. Fields left out keep their value. Read-and-write keys only.",
        request=OrganizationInputSerializer,
        responses=OrganizationSerializer,
    )
    def patch(self, request: Request) -> Response:
        serializer = OrganizationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = organization_form(self.organization, serializer.validated_data)
        if not form.is_valid():
            raise serializers.ValidationError(form_errors(form))
        with transaction.atomic():
            organization = form.save()
        return Response(OrganizationSerializer(organization).data)
