"""REST API for debtors, invoices and payments (/api/v1/debtors/, /invoices/, /payments/).

Views parse and call the intake services; nothing is written here. Creating is upserting: posting the
same debtor (external id, else name) or invoice (external id, else number) again updates it, so an
integration can retry or resend without making duplicates. Money is a string with two decimals.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import SuspiciousFileOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from invoices import selectors
from invoices.models import Debtor, DebtorKind, Invoice, InvoiceStatus, Payment, PaymentSource
from invoices.services import (
    PAUSE_REASON_MAX_LENGTH,
    DebtorData,
    InvoiceData,
    debtor_pause,
    debtor_resume,
    debtor_update,
    debtor_upsert,
    invoice_pause,
    invoice_resume,
    invoice_upsert,
    payment_record,
)
from invoices.services.upsert import invoice_data_errors
from invoices.ubl import UblError, UblImportResult, ubl_import
from outstanding.api.exceptions import Conflict
from outstanding.api.parsers import TextXmlBodyParser, XmlBodyParser, ZipBodyParser
from outstanding.api.serializers import (
    CountryField,
    CurrencyField,
    KvkField,
    MoneyField,
    QueryBooleanField,
    StrictSerializer,
    TextField,
    VatIdField,
)
from outstanding.api.views import TenantViewSet
from outstanding.calendar import local_today
from outstanding.identifiers import clean_kvk, clean_vat_id
from outstanding.models import Language, Organization


def _field_max(model: type[Any], name: str) -> int:
    return int(model._meta.get_field(name).max_length or 0)


def _clean_with(clean: Callable[[str], str], value: str) -> str:
    try:
        return clean(value)
    except DjangoValidationError as exc:
        raise serializers.ValidationError(exc.messages) from None


# --- Pauses -------------------------------------------------------------------------------------------


class PauseInputSerializer(StrictSerializer):
    """Pause reminders: why (required), and until when (optional; left out: until resumed)."""

    reason = TextField(
        max_length=PAUSE_REASON_MAX_LENGTH,
        help_text="Why no reminders go out, e.g. disputed by phone, payment arrangement.",
        error_messages={"blank": _("Give a reason for pausing."), "required": _("Give a reason for pausing.")},
    )
    until = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The last day of the pause; after today. Left out: paused until resumed.",
    )


PAUSE_FIELD_NAMES = {"pause_reason": "reason", "paused_until": "until"}


def _pause_input(request: Request, organization: Organization) -> dict[str, Any]:
    """The body as the pause services take it: reason, until, and the organization's today."""
    serializer = PauseInputSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    return {**serializer.validated_data, "today": local_today(organization.time_zone)}


@contextmanager
def _pause_errors() -> Iterator[None]:
    """The services' refusals (a past end date) under the names the input uses."""
    try:
        yield
    except DjangoValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise serializers.ValidationError(
            {PAUSE_FIELD_NAMES.get(key, key): value for key, value in errors.items()}
        ) from None


# --- Debtors ------------------------------------------------------------------------------------------


class DebtorSerializer(StrictSerializer):
    """A debtor. ``email``/``phone`` are the first of ``emails``/``phones``; send either form."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    name = TextField(max_length=_field_max(Debtor, "name"))
    kind = serializers.ChoiceField(choices=DebtorKind.choices, required=False)
    email = serializers.EmailField(required=False, allow_blank=True, help_text="The first e-mail address.")
    phone = TextField(required=False, allow_blank=True, max_length=30, help_text="The first phone number.")
    emails = serializers.ListField(child=serializers.EmailField(), required=False, max_length=10)
    phones = serializers.ListField(child=TextField(max_length=30), required=False, max_length=10)
    external_id = TextField(
        required=False,
        allow_blank=True,
        max_length=_field_max(Debtor, "external_id"),
        help_text="Your system's id for this debtor, unique among your debtors: posting it again updates the "
        "same debtor; changing a debtor to another debtor's external id is refused (400).",
    )
    address = TextField(source="street", required=False, allow_blank=True, max_length=_field_max(Debtor, "street"))
    postal_code = TextField(required=False, allow_blank=True, max_length=_field_max(Debtor, "postal_code"))
    city = TextField(required=False, allow_blank=True, max_length=_field_max(Debtor, "city"))
    country = CountryField(required=False)
    contact_person = TextField(required=False, allow_blank=True, max_length=_field_max(Debtor, "contact_person"))
    language = serializers.ChoiceField(choices=Language.choices, required=False)
    kvk_number = KvkField(required=False)
    vat_id = VatIdField(required=False)
    is_paused = serializers.BooleanField(read_only=True)
    pause_reason = serializers.CharField(read_only=True)
    paused_until = serializers.DateField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def validate_name(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("The debtor's name is missing."))
        return value.strip()

    def validate_kvk_number(self, value: str) -> str:
        return _clean_with(clean_kvk, value)

    def validate_vat_id(self, value: str) -> str:
        value = _clean_with(clean_vat_id, value)
        if len(value) > _field_max(Debtor, "vat_id"):
            raise serializers.ValidationError(_("The VAT id is too long."))
        return value

    def validate_external_id(self, value: str) -> str:
        value = value.strip()
        instance = self.instance if isinstance(self.instance, Debtor) else None
        if value and instance is not None:
            organization: Organization = self.context["organization"]
            taken = Debtor.objects.for_organization(organization).filter(external_id=value).exclude(pk=instance.pk)
            if taken.exists():
                raise serializers.ValidationError(_("Another debtor has this external id."))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = self._merge_first("email", "emails", attrs, str.lower)
        return self._merge_first("phone", "phones", attrs, str)

    def _merge_first(
        self, single: str, plural: str, attrs: dict[str, Any], normal: Callable[[str], str]
    ) -> dict[str, Any]:
        """``email`` becomes the first of ``emails``; on an update the other addresses stay."""
        if single not in attrs:
            return attrs
        first = attrs.pop(single).strip()
        if plural in attrs:
            given = attrs[plural]
            if first and (not given or normal(given[0]) != normal(first)):
                raise serializers.ValidationError({single: [_("Send either %(a)s or %(b)s, not different values.")
                                                            % {"a": single, "b": plural}]})  # fmt: skip
            return attrs
        known = list(getattr(self.instance, plural, [])) if isinstance(self.instance, Debtor) else []
        rest = [value for value in known[1:] if normal(value) != normal(first)]
        attrs[plural] = ([first] if first else []) + rest
        return attrs


def _debtor_data(attrs: dict[str, Any]) -> DebtorData:
    return DebtorData(**{name: value for name, value in attrs.items() if name in DebtorData.__dataclass_fields__})


class DebtorFilterSerializer(serializers.Serializer):
    external_id = serializers.CharField(required=False, trim_whitespace=False, help_text="Exactly this external id.")
    name = serializers.CharField(required=False, trim_whitespace=False, help_text="Name contains this (any case).")
    kind = serializers.ChoiceField(choices=DebtorKind.choices, required=False)
    email = serializers.EmailField(required=False, help_text="Has this e-mail address.")


@extend_schema(tags=["debtors"])
class DebtorViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, TenantViewSet):
    model = Debtor
    serializer_class = DebtorSerializer
    filter_serializer_class = DebtorFilterSerializer

    def scoped_queryset(self, organization: Organization) -> QuerySet[Debtor]:
        return Debtor.objects.for_organization(organization).order_by("name", "id")

    def filter_list(self, queryset: QuerySet[Debtor], filters: dict[str, Any]) -> QuerySet[Debtor]:
        if "external_id" in filters:
            queryset = queryset.filter(external_id=filters["external_id"])
        if "name" in filters:
            queryset = queryset.filter(name__icontains=filters["name"])
        if "kind" in filters:
            queryset = queryset.filter(kind=filters["kind"])
        if "email" in filters:
            email = filters["email"]
            queryset = queryset.filter(Q(emails__contains=[email]) | Q(emails__contains=[email.lower()]))
        return queryset

    @extend_schema(parameters=[DebtorFilterSerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Create or update a debtor (upsert)",
        description="Matched on `external_id`, else on the name (any case): posting again updates the same "
        "debtor. Empty values do not erase what is known. 201 when created, 200 when it existed.",
        responses={201: DebtorSerializer, 200: DebtorSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        debtor, created = _retry_once_on_race(
            lambda: debtor_upsert(organization=self.organization, data=_debtor_data(serializer.validated_data))
        )
        return Response(self.get_serializer(debtor).data, status=status.HTTP_201_CREATED if created else 200)

    @extend_schema(description="PUT needs `name`; fields left out keep their value (also with PUT).")
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        debtor = self.get_object()
        serializer = self.get_serializer(debtor, data=request.data, partial=kwargs.get("partial", False))
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            debtor = debtor_update(debtor=debtor, **serializer.validated_data)
        return Response(self.get_serializer(debtor).data)

    @extend_schema(
        summary="Pause reminders to a debtor",
        description="No reminders go to this debtor until `until` (inclusive) or until resumed. Pausing a "
        "paused debtor again replaces the reason and end date.",
        request=PauseInputSerializer,
        responses=DebtorSerializer,
    )
    @action(detail=True, methods=["post"], url_path="pause")
    def pause(self, request: Request, id: str | None = None) -> Response:
        debtor = self.get_object()
        with _pause_errors():
            debtor_pause(debtor=debtor, **_pause_input(request, self.organization))
        return Response(self.get_serializer(debtor).data)

    @extend_schema(summary="Resume reminders to a debtor", request=None, responses=DebtorSerializer)
    @action(detail=True, methods=["post"], url_path="resume")
    def resume(self, request: Request, id: str | None = None) -> Response:
        debtor = self.get_object()
        if debtor.is_paused:
            debtor_resume(debtor=debtor)
        return Response(self.get_serializer(debtor).data)


def _retry_once_on_race(write: Callable[[], Any]) -> Any:
    """Two requests upserting the same new key at once: the loser's insert hits the unique constraint;
    run it again, and it finds the winner's row and updates it."""
    try:
        with transaction.atomic():
            return write()
    except IntegrityError:
        with transaction.atomic():
            return write()


# --- Invoices ---------------------------------------------------------------------------------------


class InvoiceSerializer(serializers.Serializer):
    """An invoice as the API shows it."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    number = serializers.CharField(read_only=True)
    external_id = serializers.CharField(read_only=True)
    debtor = serializers.UUIDField(source="debtor.public_id", read_only=True, help_text="The debtor's id.")
    issue_date = serializers.DateField(read_only=True)
    due_date = serializers.DateField(read_only=True)
    currency = serializers.CharField(read_only=True)
    amount = MoneyField(read_only=True, help_text="Including VAT.")
    vat_amount = MoneyField(read_only=True)
    open_amount = MoneyField(read_only=True, help_text="What is still to be paid.")
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, read_only=True)
    overdue = serializers.BooleanField(read_only=True, help_text="Open and past its due date (organization's today).")
    is_paused = serializers.BooleanField(read_only=True)
    pause_reason = serializers.CharField(read_only=True)
    paused_until = serializers.DateField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class DebtorReferenceField(serializers.Field):
    """Input only: an existing debtor's id, or a debtor object (upserted with the invoice)."""

    default_error_messages = {
        "invalid": _("Give the id of a debtor or a debtor object with at least a name."),
        "unknown": _("No debtor with this id."),
    }

    def to_internal_value(self, data: Any) -> Debtor | DebtorData:
        if isinstance(data, dict):
            nested = DebtorSerializer(data=data, context=self.context)
            if not nested.is_valid():
                raise serializers.ValidationError(nested.errors)
            return _debtor_data(nested.validated_data)
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            public_id = UUID(data)
        except ValueError:
            self.fail("invalid")
        debtor = Debtor.objects.for_organization(self.context["organization"]).filter(public_id=public_id).first()
        if debtor is None:
            self.fail("unknown")  # also for another organization's debtor: nothing to learn here
        return debtor

    def to_representation(self, value: Any) -> Any:
        raise NotImplementedError("input only")


class DebtorReferenceFieldSchema(OpenApiSerializerFieldExtension):
    """In the schema: a debtor id, or a debtor object (the same as POST /debtors/ takes)."""

    target_class = DebtorReferenceField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> dict[str, Any]:
        debtor = auto_schema.resolve_serializer(DebtorSerializer, direction)
        uuid_schema = {**(build_basic_type(OpenApiTypes.UUID) or {}), "description": "The id of an existing debtor."}
        return {"oneOf": [uuid_schema, debtor.ref]}


WRITABLE_STATUSES = [
    (InvoiceStatus.OPEN, InvoiceStatus.OPEN.label),
    (InvoiceStatus.PAID, InvoiceStatus.PAID.label),
    (InvoiceStatus.CREDITED, InvoiceStatus.CREDITED.label),
    (InvoiceStatus.WRITTEN_OFF, InvoiceStatus.WRITTEN_OFF.label),
]


class InvoiceInputSerializer(StrictSerializer):
    """An invoice as an integration sends it. Read-only fields of a GET may be sent back; they are ignored."""

    number = TextField(max_length=_field_max(Invoice, "number"))
    external_id = TextField(
        required=False,
        allow_blank=True,
        max_length=_field_max(Invoice, "external_id"),
        help_text="Your system's id, unique among your invoices: posting it again updates the same invoice "
        "(else the number decides); changing an invoice to another invoice's external id is refused (400).",
    )
    debtor = DebtorReferenceField()
    issue_date = serializers.DateField()
    due_date = serializers.DateField()
    currency = CurrencyField(required=False, default="EUR")
    amount = MoneyField(help_text='Including VAT, e.g. "121.00".')
    vat_amount = MoneyField(required=False, default=Decimal("0.00"))
    open_amount = MoneyField(
        required=False,
        allow_null=True,
        default=None,
        help_text="What is still to be paid; left out: the amount minus what was paid here.",
    )
    status = serializers.ChoiceField(
        choices=WRITABLE_STATUSES,
        required=False,
        help_text="credited and written_off close the invoice; paid means nothing is open; "
        "open follows from open_amount.",
    )
    # Shown by GET and accepted back unchanged, so a read-edit-write round trip works.
    id = serializers.UUIDField(read_only=True)
    overdue = serializers.BooleanField(read_only=True)
    is_paused = serializers.BooleanField(read_only=True)
    pause_reason = serializers.CharField(read_only=True)
    paused_until = serializers.DateField(read_only=True, allow_null=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)

    def validate_number(self, value: str) -> str:
        if not value.strip():
            raise serializers.ValidationError(_("The invoice number is missing."))
        return value.strip()

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        status_given = attrs.pop("status", None)
        if status_given == InvoiceStatus.PAID:
            if attrs.get("open_amount") not in (None, 0):
                raise serializers.ValidationError({"status": [_("A paid invoice has nothing open.")]})
            attrs["open_amount"] = 0
        attrs["status"] = status_given if status_given in (InvoiceStatus.CREDITED, InvoiceStatus.WRITTEN_OFF) else None
        errors: dict[str, list[str]] = {}
        for field, reason in invoice_data_errors(_invoice_data(attrs, DebtorData(name="-"))):
            errors.setdefault(field, []).append(reason)
        if errors:
            raise serializers.ValidationError(errors)
        return attrs


def _invoice_data(attrs: dict[str, Any], debtor: DebtorData) -> InvoiceData:
    return InvoiceData(
        number=attrs["number"], debtor=debtor, issue_date=attrs["issue_date"], due_date=attrs["due_date"],
        amount=attrs["amount"], vat_amount=attrs["vat_amount"], open_amount=attrs["open_amount"],
        currency=attrs["currency"], external_id=attrs.get("external_id", ""), status=attrs["status"],
    )  # fmt: skip


def _described(debtor: Debtor) -> DebtorData:
    """An existing debtor as the upsert matches it (its key only, so nothing about it changes)."""
    return DebtorData(name=debtor.name, external_id=debtor.external_id)


def _patched(invoice: Invoice, changes: dict[str, Any]) -> dict[str, Any]:
    """A PATCH as a whole invoice: the current values in the input's terms, overlaid with ``changes``.

    The open amount is kept only when the amount does not change (a new amount recomputes it from what
    was paid here); the status is not carried over, as the upsert keeps a closed invoice closed and
    derives open/paid from the open amount.
    """
    current = {
        "number": invoice.number, "external_id": invoice.external_id, "debtor": str(invoice.debtor.public_id),
        "issue_date": invoice.issue_date.isoformat(), "due_date": invoice.due_date.isoformat(),
        "currency": invoice.currency, "amount": str(invoice.amount), "vat_amount": str(invoice.vat_amount),
    }  # fmt: skip
    if "amount" not in changes:
        current["open_amount"] = str(invoice.open_amount)
    return {**current, **changes}


class InvoiceFilterSerializer(serializers.Serializer):
    number = serializers.CharField(required=False, trim_whitespace=False, help_text="Exactly this invoice number.")
    external_id = serializers.CharField(required=False, trim_whitespace=False, help_text="Exactly this external id.")
    status = serializers.ChoiceField(choices=InvoiceStatus.choices, required=False)
    debtor = serializers.UUIDField(required=False, help_text="The debtor's id.")
    overdue = QueryBooleanField(
        required=False, help_text="true: only open invoices past their due date; false: all others."
    )
    due_before = serializers.DateField(required=False, help_text="Due strictly before this date.")
    due_after = serializers.DateField(required=False, help_text="Due strictly after this date.")


class UblMessageSerializer(serializers.Serializer):
    file = serializers.CharField()
    message = serializers.CharField()


class UblImportResultSerializer(serializers.Serializer):
    files = serializers.IntegerField(help_text="Documents read.")
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    credited = serializers.IntegerField(help_text="Credit notes applied to their invoices.")
    # DRF's metaclass moves declared fields off the class, so Serializer.errors is not shadowed.
    errors = UblMessageSerializer(many=True, help_text="Documents not imported, and why.")  # type: ignore[assignment]
    warnings = UblMessageSerializer(many=True)


def _ubl_result(result: UblImportResult) -> dict[str, Any]:
    def messages(pairs: list[tuple[str, str]]) -> list[dict[str, str]]:
        return [{"file": file, "message": message} for file, message in pairs]

    return {
        "files": getattr(result, "files", 0), "created": result.created, "updated": result.updated,
        "unchanged": result.unchanged, "credited": result.credited,
        "errors": messages(result.errors), "warnings": messages(result.warnings),
    }  # fmt: skip


UBL_DEFAULT_FILENAMES = {"application/zip": "upload.zip"}


@extend_schema(tags=["invoices"])
class InvoiceViewSet(mixins.CreateModelMixin, mixins.UpdateModelMixin, TenantViewSet):
    model = Invoice
    serializer_class = InvoiceSerializer
    filter_serializer_class = InvoiceFilterSerializer

    def today(self) -> dt.date:
        return local_today(self.organization.time_zone)

    def scoped_queryset(self, organization: Organization) -> QuerySet[Invoice]:
        return selectors.invoice_list(organization=organization, today=self.today(), sort="-issue_date")

    def filter_list(self, queryset: QuerySet[Invoice], filters: dict[str, Any]) -> QuerySet[Invoice]:
        exact = {"number": "number", "external_id": "external_id", "status": "status", "debtor": "debtor__public_id"}
        queryset = queryset.filter(**{exact[name]: filters[name] for name in exact if name in filters})
        if "overdue" in filters:
            overdue = selectors.overdue_q(self.today())
            queryset = queryset.filter(overdue) if filters["overdue"] else queryset.exclude(overdue)
        if "due_before" in filters:
            queryset = queryset.filter(due_date__lt=filters["due_before"])
        if "due_after" in filters:
            queryset = queryset.filter(due_date__gt=filters["due_after"])
        return queryset

    @extend_schema(parameters=[InvoiceFilterSerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Create or update an invoice (upsert)",
        description="Matched on `external_id`, else on `number`: sending the same invoice again updates it and "
        "never makes a second one. `debtor` is an existing debtor's id or a debtor object (matched on its "
        "`external_id`, else its name, and created or updated). 201 when created, 200 when it existed.",
        request=InvoiceInputSerializer,
        responses={201: InvoiceSerializer, 200: InvoiceSerializer},
        examples=[
            OpenApiExample(
                "With an inline debtor",
                request_only=True,
                value={
                    "number": "2026-0042",
                    "external_id": "INV-42",
                    "issue_date": "2026-11-01",
                    "due_date": "2026-12-01",
                    "amount": "121.00",
                    "vat_amount": "21.00",
                    "debtor": {"external_id": "CUST-7", "name": "Bakkerij De Vries", "email": "info@devries.test"},
                },
            )
        ],
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = InvoiceInputSerializer(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        invoice, outcome = _retry_once_on_race(lambda: self._upsert(serializer.validated_data))
        created = outcome == "created"
        return Response(self._shown(invoice), status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        description="PUT sends the whole invoice, PATCH only what changes. The number cannot change.",
        request=InvoiceInputSerializer,
        responses=InvoiceSerializer,
    )
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        invoice = self.get_object()
        data = request.data
        if kwargs.get("partial") and isinstance(data, dict):
            data = _patched(invoice, data)
        serializer = InvoiceInputSerializer(data=data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        attrs = serializer.validated_data
        self._refuse_changed_identity(invoice, attrs)
        with transaction.atomic():
            updated, _outcome = self._upsert(attrs)
            if updated.pk != invoice.pk:  # defensive: the upsert must land on the invoice in the URL
                raise DjangoValidationError({"number": [_("This would change another invoice.")]})
        return Response(self._shown(updated))

    def _refuse_changed_identity(self, invoice: Invoice, attrs: dict[str, Any]) -> None:
        """The number and the external id are what the upsert matches on: they must keep pointing here."""
        if attrs["number"] != invoice.number:
            raise serializers.ValidationError({"number": [_("The number of an invoice cannot change.")]})
        external_id = attrs.get("external_id", "")
        if external_id and external_id != invoice.external_id:
            others = Invoice.objects.for_organization(self.organization).filter(external_id=external_id)
            if others.exclude(pk=invoice.pk).exists():
                raise serializers.ValidationError({"external_id": [_("Another invoice has this external id.")]})

    @extend_schema(request=InvoiceInputSerializer, responses=InvoiceSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().partial_update(request, *args, **kwargs)

    @extend_schema(
        summary="Pause reminders about an invoice",
        description="No reminders mention this invoice until `until` (inclusive) or until resumed; the "
        "debtor's other invoices go on. Pausing a paused invoice again replaces the reason and end date.",
        request=PauseInputSerializer,
        responses=InvoiceSerializer,
    )
    @action(detail=True, methods=["post"], url_path="pause")
    def pause(self, request: Request, id: str | None = None) -> Response:
        invoice = self.get_object()
        with _pause_errors():
            invoice_pause(invoice=invoice, **_pause_input(request, self.organization))
        return Response(self._shown(invoice))

    @extend_schema(summary="Resume reminders about an invoice", request=None, responses=InvoiceSerializer)
    @action(detail=True, methods=["post"], url_path="resume")
    def resume(self, request: Request, id: str | None = None) -> Response:
        invoice = self.get_object()
        if invoice.is_paused:
            invoice_resume(invoice=invoice)
        return Response(self._shown(invoice))

    def _upsert(self, attrs: dict[str, Any]) -> tuple[Invoice, str]:
        debtor = attrs["debtor"]
        described = _described(debtor) if isinstance(debtor, Debtor) else debtor
        invoice, outcome = invoice_upsert(organization=self.organization, data=_invoice_data(attrs, described))
        if isinstance(debtor, Debtor) and invoice.debtor_id != debtor.pk:
            # The upsert matches a debtor without external id by name; another debtor of the same name won.
            raise DjangoValidationError(
                {"debtor": [_("Several debtors have this name; give this debtor an external id first.")]}
            )
        return invoice, outcome

    def _shown(self, invoice: Invoice) -> dict[str, Any]:
        """The invoice read back through the list's queryset, so ``overdue`` is computed the same way."""
        return InvoiceSerializer(self.get_queryset().get(pk=invoice.pk)).data

    @extend_schema(
        summary="Import UBL e-invoices (XML, or a zip of XML files)",
        description="Send the file as the request body with Content-Type application/xml, text/xml or "
        "application/zip; `?filename=` names it in messages. Invoices come in through the same upsert as "
        "everything else; credit notes are applied to the invoices they correct. An unreadable file "
        "answers 400 and changes nothing.",
        request={
            "application/xml": OpenApiTypes.BINARY,
            "text/xml": OpenApiTypes.BINARY,
            "application/zip": OpenApiTypes.BINARY,
        },
        responses={200: UblImportResultSerializer, 413: OpenApiResponse(description="The body is too large.")},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="ubl",
        parser_classes=[XmlBodyParser, TextXmlBodyParser, ZipBodyParser],
    )
    def ubl(self, request: Request) -> Response:
        body = request.data
        if not isinstance(body, bytes) or not body:
            raise UblError(_("Send the UBL XML or zip file as the request body."))
        result = ubl_import(organization=self.organization, data=body, filename=self._upload_filename(request))
        return Response(UblImportResultSerializer(_ubl_result(result)).data)

    def _upload_filename(self, request: Request) -> str:
        try:
            given = get_valid_filename(request.query_params.get("filename", "").strip())[:255]
        except SuspiciousFileOperation:  # empty, "." or ".." after cleaning
            given = ""
        return given or UBL_DEFAULT_FILENAMES.get(request.content_type.split(";")[0].strip(), "upload.xml")


# --- Payments ---------------------------------------------------------------------------------------


class PaymentSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    invoice = serializers.UUIDField(source="invoice.public_id", read_only=True, help_text="The invoice's id.")
    amount = MoneyField(read_only=True)
    date = serializers.DateField(read_only=True)
    reference = serializers.CharField(read_only=True)
    source = serializers.ChoiceField(choices=PaymentSource.choices, read_only=True)  # type: ignore[assignment]
    created_at = serializers.DateTimeField(read_only=True)


class PaymentInputSerializer(StrictSerializer):
    invoice = serializers.UUIDField(help_text="The id of the invoice paid.")
    amount = MoneyField(positive=True, help_text='More than zero, e.g. "60.50".')
    date = serializers.DateField(help_text="The day the money was received; not in the future.")
    reference = TextField(
        required=False,
        allow_blank=True,
        default="",
        max_length=_field_max(Payment, "reference"),
        help_text="E.g. the bank transaction id. A reference is recorded once: sending it again returns "
        "the first payment (200), so a retry is safe.",
    )

    def validate_invoice(self, value: UUID) -> Invoice:
        invoice = Invoice.objects.for_organization(self.context["organization"]).filter(public_id=value).first()
        if invoice is None:
            raise serializers.ValidationError(_("No invoice with this id."))
        return invoice

    def validate_amount(self, value: Any) -> Any:
        if value <= 0:
            raise serializers.ValidationError(_("A payment must be more than zero."))
        return value

    def validate_date(self, value: dt.date) -> dt.date:
        if value > local_today(self.context["organization"].time_zone):
            raise serializers.ValidationError(_("A payment cannot be received in the future."))
        return value

    def validate_reference(self, value: str) -> str:
        return value.strip()


class PaymentFilterSerializer(serializers.Serializer):
    invoice = serializers.UUIDField(required=False, help_text="The invoice's id.")


@extend_schema(tags=["payments"])
class PaymentViewSet(mixins.CreateModelMixin, TenantViewSet):
    model = Payment
    serializer_class = PaymentSerializer
    filter_serializer_class = PaymentFilterSerializer

    def scoped_queryset(self, organization: Organization) -> QuerySet[Payment]:
        return Payment.objects.for_organization(organization).select_related("invoice").order_by("-date", "-id")

    def filter_list(self, queryset: QuerySet[Payment], filters: dict[str, Any]) -> QuerySet[Payment]:
        if "invoice" in filters:
            queryset = queryset.filter(invoice__public_id=filters["invoice"])
        return queryset

    @extend_schema(parameters=[PaymentFilterSerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Record a payment",
        description="Lowers the invoice's open amount (paid in full: status paid). Idempotent per `reference`: "
        "the same reference again answers 200 with the payment recorded first; a reference already used "
        "for a different invoice, amount or date answers 409.",
        request=PaymentInputSerializer,
        responses={201: PaymentSerializer, 200: PaymentSerializer, 409: OpenApiResponse(description="Conflict.")},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organization = self.organization
        serializer = PaymentInputSerializer(data=request.data, context={"organization": organization})
        serializer.is_valid(raise_exception=True)
        attrs = serializer.validated_data
        existing = selectors.payment_by_reference(
            organization=organization, source=PaymentSource.API, reference=attrs["reference"]
        )
        if existing is not None:
            _refuse_different_payment(existing, attrs)
            return Response(PaymentSerializer(existing).data, status=status.HTTP_200_OK)
        payment = payment_record(organization=organization, source=PaymentSource.API, **attrs)
        return Response(PaymentSerializer(payment).data, status=status.HTTP_201_CREATED)


def _refuse_different_payment(existing: Payment, attrs: dict[str, Any]) -> None:
    same_payment = (existing.invoice_id, existing.amount, existing.date)
    if same_payment != (attrs["invoice"].pk, attrs["amount"], attrs["date"]):
        raise Conflict(
            _("Reference %(reference)s was already recorded for another payment (id %(id)s).")
            % {"reference": existing.reference, "id": existing.public_id}
        )
