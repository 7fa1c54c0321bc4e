"""REST API for reminders (/api/v1/reminders/): read only, what the dunning engine planned and sent;
and switching reminders on and off (/api/v1/organization/reminders/activate/ and .../deactivate/).

One reminder is one message to one debtor on one channel and day; ``invoices`` lists the invoices it
is about. Items and invoices come in one prefetch per page, whatever the page size.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from outstanding.api.exceptions import error_body
from outstanding.api.organization import api_field_name
from outstanding.api.serializers import ErrorSerializer, StrictSerializer
from outstanding.api.views import TenantViewSet
from outstanding.calendar import local_today
from outstanding.models import ApiKey, Organization
from reminders.models import BacklogStart, Channel, DunningSettings, Reminder, ReminderItem, ReminderStatus, StepKind
from reminders.services import activation
from reminders.services.activation import FirstRun, MissingFact


class ReminderSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    debtor = serializers.UUIDField(source="debtor.public_id", read_only=True, help_text="The debtor's id.")
    invoices = serializers.SerializerMethodField(help_text="The ids of the invoices this reminder is about.")
    channel = serializers.ChoiceField(choices=Channel.choices, read_only=True)
    kind = serializers.ChoiceField(choices=StepKind.choices, read_only=True)
    date = serializers.DateField(source="planned_date", read_only=True, help_text="The day it is planned for.")
    status = serializers.ChoiceField(choices=ReminderStatus.choices, read_only=True)
    sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    error = serializers.CharField(read_only=True, help_text="Why sending failed, if it did.")

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_invoices(self, reminder: Reminder) -> list[str]:
        # items come prefetched with their invoices (ReminderViewSet.scoped_queryset): no query here.
        return [str(item.invoice.public_id) for item in reminder.items.all()]


class ReminderFilterSerializer(serializers.Serializer):
    debtor = serializers.UUIDField(required=False, help_text="The debtor's id.")
    invoice = serializers.UUIDField(required=False, help_text="Reminders about this invoice.")
    date = serializers.DateField(required=False, help_text="Planned for this day.")
    status = serializers.ChoiceField(choices=ReminderStatus.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


@extend_schema(tags=["reminders"])
class ReminderViewSet(TenantViewSet):
    model = Reminder
    serializer_class = ReminderSerializer
    filter_serializer_class = ReminderFilterSerializer

    def scoped_queryset(self, organization: Organization) -> QuerySet[Reminder]:
        items = ReminderItem.objects.for_organization(organization).select_related("invoice").order_by("id")
        return (
            Reminder.objects.for_organization(organization)
            .select_related("debtor")
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("-planned_date", "-id")
        )

    def filter_list(self, queryset: QuerySet[Reminder], filters: dict[str, Any]) -> QuerySet[Reminder]:
        lookups = {
            "debtor": "debtor__public_id",
            "invoice": "items__invoice__public_id",  # at most one item per invoice and reminder: no duplicates
            "date": "planned_date",
            "status": "status",
            "channel": "channel",
        }
        return queryset.filter(**{lookups[name]: value for name, value in filters.items()})

    @extend_schema(parameters=[ReminderFilterSerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)


# --- Switching reminders on and off (the go-live gate) -----------------------------------------------


class ReminderActivationInputSerializer(StrictSerializer):
    backlog_start = serializers.ChoiceField(
        choices=BacklogStart.choices,
        required=False,
        help_text="Where invoices that never had a message start: `gentle` (the first step of their flow, the "
        "default) or `by_age` (continue by age, never skipping a legal step). Only when switching on.",
    )


class NextRunLineSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices)
    kind = serializers.ChoiceField(choices=StepKind.choices, help_text="The step, as `kind` of a reminder.")
    messages = serializers.IntegerField()


class ReminderActivationSerializer(serializers.Serializer):
    reminders_active = serializers.BooleanField()
    activated_at = serializers.DateTimeField(allow_null=True)
    activated_by = serializers.EmailField(allow_null=True, help_text="The person who switched on; null for a key.")
    backlog_start = serializers.ChoiceField(choices=BacklogStart.choices)
    api_key = serializers.CharField(help_text="The name of the key that made this request.")
    next_run_date = serializers.DateField(allow_null=True, required=False, help_text="The day of the next run.")
    next_run_messages = serializers.IntegerField(required=False, help_text="How many messages the next run sends.")
    next_run = NextRunLineSerializer(many=True, required=False, help_text="Those messages per channel and step.")


def _activation_body(settings: DunningSettings, api_key: ApiKey, first_run: FirstRun | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "reminders_active": settings.reminders_active,
        "activated_at": settings.activated_at,
        "activated_by": settings.activated_by.email if settings.activated_by else None,
        "backlog_start": settings.backlog_start,
        "api_key": api_key.name,
    }
    if first_run is not None:
        body["next_run_date"] = first_run.date
        body["next_run_messages"] = first_run.message_count
        body["next_run"] = [
            {"channel": channel, "kind": kind, "messages": count}
            for channel, kind, count in first_run.per_channel_and_step()
        ]
    return ReminderActivationSerializer(body).data


class _KeyOrganizationView(APIView):
    @property
    def api_key(self) -> ApiKey:
        api_key = self.request.auth
        assert isinstance(api_key, ApiKey), "HasApiKey lets no request through without a key"
        return api_key

    @property
    def organization(self) -> Organization:
        return Organization.objects.get(pk=self.api_key.organization_id)  # fresh: the facts may just have changed


class ReminderActivateView(_KeyOrganizationView):
    @extend_schema(
        tags=["organization"],
        summary="Switch reminders on",
        description="Requires the legal name, address, postal code, city, IBAN and contact e-mail address. "
        "When one is missing: 409 with `details.missing_fields` (the fields of /api/v1/organization/ to fill in) "
        "and nothing changes. Else 200 with what the next run will send. Switching on again changes nothing.",
        request=ReminderActivationInputSerializer,
        responses={
            200: ReminderActivationSerializer,
            409: OpenApiResponse(ErrorSerializer, description="Facts are missing: `details.missing_fields`."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = ReminderActivationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        organization = self.organization
        try:
            result = activation.reminders_activate(
                organization=organization,
                user=None,  # a key acts for the organization, not for a person; its name goes to the log
                today=local_today(organization.time_zone),
                backlog_start=serializer.validated_data.get("backlog_start"),
                via=f"api_key:{self.api_key.public_id}",
            )
        except activation.MissingFactsError as exc:
            return _missing_facts_response(exc.missing)
        return Response(_activation_body(result.settings, self.api_key, result.first_run))


def _missing_facts_response(missing: list[MissingFact]) -> Response:
    fields = [api_field_name(fact.field) for fact in missing]
    details: dict[str, Any] = {"missing_fields": fields}
    details.update({api_field_name(fact.field): [_("%(fact)s is missing.") % {"fact": fact.label}] for fact in missing})
    message = _("Reminders cannot be switched on yet; fill in: %(fields)s.") % {"fields": ", ".join(fields)}
    return Response(error_body("missing_facts", message, details), status=status.HTTP_409_CONFLICT)


class ReminderDeactivateView(_KeyOrganizationView):
    @extend_schema(
        tags=["organization"],
        summary="Switch reminders off",
        description="The daily run plans nothing from now on; messages not sent yet wait in the attention list.",
        request=None,
        responses=ReminderActivationSerializer,
    )
    def post(self, request: Request) -> Response:
        settings = activation.reminders_deactivate(
            organization=self.organization, user=None, via=f"api_key:{self.api_key.public_id}"
        )
        return Response(_activation_body(settings, self.api_key))
