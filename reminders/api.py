"""REST API for reminders (/api/v1/reminders/): read only, what the dunning engine planned and sent.

One reminder is one message to one debtor on one channel and day; ``invoices`` lists the invoices it
is about. Items and invoices come in one prefetch per page, whatever the page size.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from outstanding.api.views import TenantViewSet
from outstanding.models import Organization
from reminders.models import Channel, Reminder, ReminderItem, ReminderStatus, StepKind


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
