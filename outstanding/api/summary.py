"""GET /api/v1/summary/: the dashboard's receivables figures for the key's organization.

The same numbers as the organization's home page (both read ``outstanding.dashboard``): open and
overdue, aging in five buckets, DSO by the countback method, the best possible DSO and the
expected cash-in per ISO week. ``?on=YYYY-MM-DD`` is the day the figures are computed for (default:
today in the organization's time zone): what is open now, aged and forecast as of that day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from invoices.selectors.receivables import ReceivablesSummary
from outstanding import dashboard
from outstanding.api.serializers import MoneyField
from outstanding.api.views import refuse_empty_parameters, refuse_unknown_parameters
from outstanding.calendar import local_today
from outstanding.models import ApiKey, Organization

# How far ``on`` may lie from today: a forecast or an aging on a day years away means nothing.
ON_RANGE = dt.timedelta(days=366)


class SummaryQuerySerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], help_text="The day (YYYY-MM-DD); default today."
    )

    def validate_on(self, value: dt.date) -> dt.date:
        today = self.context["today"]
        if abs(value - today) > ON_RANGE:
            raise serializers.ValidationError(_("Give a day within a year of today."))
        return value


class AmountCountSerializer(serializers.Serializer):
    amount = MoneyField(read_only=True)
    count = serializers.IntegerField(read_only=True)


class AgingSerializer(serializers.Serializer):
    not_due = AmountCountSerializer(help_text="Not yet due (due on the day or later).")
    days_1_30 = AmountCountSerializer(help_text="1–30 days overdue.")
    days_31_60 = AmountCountSerializer(help_text="31–60 days overdue.")
    days_61_90 = AmountCountSerializer(help_text="61–90 days overdue.")
    over_90 = AmountCountSerializer(help_text="Over 90 days overdue.")


class CashInWeekSerializer(serializers.Serializer):
    week = serializers.CharField(help_text="ISO week, e.g. 2026-W50.")
    starts_on = serializers.DateField(help_text="Its Monday.")
    amount = MoneyField(read_only=True)
    count = serializers.IntegerField(help_text="Invoices and arrangement terms expected that week.")


class SummarySerializer(serializers.Serializer):
    on = serializers.DateField()
    currency = serializers.CharField(help_text="Every amount is in this currency; other currencies are left out.")
    open = AmountCountSerializer()
    overdue = AmountCountSerializer()
    aging = AgingSerializer()
    dso = serializers.DecimalField(
        max_digits=None, decimal_places=1, help_text="Days sales outstanding, countback method (as a string)."
    )
    best_possible_dso = serializers.DecimalField(
        max_digits=None,
        decimal_places=1,
        allow_null=True,
        help_text="Current receivables ÷ credit sales of the last 90 days × 90; null without sales.",
    )
    expected_cash_in = CashInWeekSerializer(many=True, help_text="This week and the 7 after it.")


AGING_KEYS = {"not_due": "not_due", "1_30": "days_1_30", "31_60": "days_31_60", "61_90": "days_61_90"}


def summary_data(summary: ReceivablesSummary) -> dict[str, Any]:
    """The response body (before serializing) of one summary."""
    aging = summary.aging
    return {
        "on": summary.today,
        "currency": "EUR",
        "open": {"amount": aging.open_amount, "count": aging.open_count},
        "overdue": {"amount": aging.overdue_amount, "count": aging.overdue_count},
        "aging": {
            AGING_KEYS.get(bucket.key, bucket.key): {"amount": bucket.amount, "count": bucket.count}
            for bucket in aging.buckets
        },
        "dso": summary.dso.dso,
        "best_possible_dso": summary.dso.best_possible_dso,
        "expected_cash_in": [
            {"week": week.iso_week, "starts_on": week.starts_on, "amount": week.amount, "count": week.count}
            for week in summary.cash_in.weeks
        ],
    }


class SummaryView(APIView):
    @property
    def organization(self) -> Organization:
        api_key = self.request.auth
        assert isinstance(api_key, ApiKey), "HasApiKey lets no request through without a key"
        return api_key.organization

    @extend_schema(
        tags=["summary"],
        summary="Receivables summary",
        description="Open and overdue, aging (not yet due, 1–30, 31–60, 61–90, over 90 days), DSO by the "
        "countback method, the best possible DSO and the expected cash-in per ISO week: the numbers of the "
        "dashboard. Money as strings with two decimals; DSO in days as a string with one decimal. Euro "
        "invoices only.",
        parameters=[
            OpenApiParameter(
                "on",
                type=str,
                pattern=r"^\d{4}-\d{2}-\d{2}$",
                description="The day (YYYY-MM-DD), within a year of today; default today.",
            )
        ],
        responses=SummarySerializer,
    )
    def get(self, request: Request) -> Response:
        refuse_empty_parameters(request)
        refuse_unknown_parameters(request, {"on"})
        organization = self.organization
        today = local_today(organization.time_zone)
        query = SummaryQuerySerializer(data=request.query_params, context={"today": today})
        query.is_valid(raise_exception=True)
        on = query.validated_data.get("on") or today
        summary = dashboard.receivables_summary_for(organization=organization, today=on)
        return Response(SummarySerializer(summary_data(summary)).data)
