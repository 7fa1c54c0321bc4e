"""REST API for collection dossiers (/api/v1/dossiers/): open one, list them, read one and its statement.

Views parse and call ``collection.services.dossier_open`` and the selectors; nothing is computed here.
The statement (``/{id}/statement/?on=YYYY-MM-DD``) is the claim specification of issue 10: per
invoice the principal left, the interest owed and its periods; for the dossier the costs, what was
paid and how it was imputed (costs, interest, principal: art. 6:44 BW), and what is outstanding.
Money is a string with two decimals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from collection.models import Dossier, DossierInvoice, DossierOrigin, DossierStage
from collection.selectors import dossier_list
from collection.selectors.statements import DossierStatement, dossier_statement_on
from collection.services import dossier_open
from collection.statements import PaymentImputation, StatementPeriod, dossier_settlement
from invoices.models import Debtor, DebtorKind, Invoice
from outstanding.api.serializers import ErrorSerializer, MoneyField, StrictSerializer
from outstanding.api.views import TenantViewSet, refuse_empty_parameters, refuse_unknown_parameters
from outstanding.calendar import local_today
from outstanding.models import Organization

OPENING_STAGES = [
    (DossierStage.PRE_COLLECTION, DossierStage.PRE_COLLECTION.label),
    (DossierStage.AMICABLE, DossierStage.AMICABLE.label),
]
MAX_INVOICES = 200
# A statement is asked for a calendar date; past these the interest years would run beyond any use.
STATEMENT_FIRST_DAY = dt.date(2000, 1, 1)
STATEMENT_LAST_DAY = dt.date(2099, 12, 31)


# --- Dossiers -----------------------------------------------------------------------------------------


class DossierInvoiceSerializer(serializers.Serializer):
    invoice = serializers.UUIDField(source="invoice.public_id", read_only=True, help_text="The invoice's id.")
    number = serializers.CharField(source="invoice.number", read_only=True)
    principal = MoneyField(read_only=True, help_text="What was open on the invoice when it joined the dossier.")
    due_date = serializers.DateField(read_only=True)
    interest_from = serializers.DateField(read_only=True, help_text="The first day of statutory interest.")
    active = serializers.BooleanField(read_only=True, help_text="False once the dossier is closed.")


class DossierSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    reference = serializers.CharField(read_only=True, help_text="E.g. D2026-00012.")
    debtor = serializers.UUIDField(source="debtor.public_id", read_only=True, help_text="The debtor's id.")
    debtor_kind = serializers.ChoiceField(choices=DebtorKind.choices, read_only=True)
    stage = serializers.ChoiceField(choices=DossierStage.choices, read_only=True)
    origin = serializers.ChoiceField(choices=DossierOrigin.choices, read_only=True)
    opened_on = serializers.DateField(read_only=True)
    is_paused = serializers.BooleanField(read_only=True)
    pause_reason = serializers.CharField(read_only=True)
    next_action_on = serializers.DateField(read_only=True, allow_null=True)
    costs = MoneyField(read_only=True, help_text="Statutory collection costs (WIK), set as amicable collection starts.")
    costs_vat = MoneyField(read_only=True, help_text="VAT on the costs; 0.00 when not charged.")
    costs_on = serializers.DateField(read_only=True, allow_null=True, help_text="The day the costs became due.")
    closure = serializers.CharField(read_only=True, help_text="How it closed (paid, withdrawn, ...); empty if open.")
    closed_on = serializers.DateField(read_only=True, allow_null=True)
    invoices = DossierInvoiceSerializer(source="items.all", many=True, read_only=True)
    created_at = serializers.DateTimeField(read_only=True)
    updated_at = serializers.DateTimeField(read_only=True)


class DossierInputSerializer(StrictSerializer):
    debtor = serializers.UUIDField(help_text="The id of the debtor.")
    invoices = serializers.ListField(
        child=serializers.UUIDField(),
        min_length=1,
        max_length=MAX_INVOICES,
        help_text="The ids of the debtor's open invoices to hand over.",
    )
    stage = serializers.ChoiceField(
        choices=OPENING_STAGES,
        required=False,
        help_text="Start with the free pre-collection letter or at once in amicable collection; left out: as "
        "the organization's settings say.",
    )

    def validate_debtor(self, value: UUID) -> Debtor:
        debtor = Debtor.objects.for_organization(self.context["organization"]).filter(public_id=value).first()
        if debtor is None:
            raise serializers.ValidationError(_("No debtor with this id."))
        return debtor

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        wanted = set(attrs["invoices"])
        invoices = list(
            Invoice.objects.for_organization(self.context["organization"]).filter(
                public_id__in=wanted, debtor=attrs["debtor"]
            )
        )
        if len(invoices) != len(wanted):
            raise serializers.ValidationError({"invoices": [_("Give the ids of invoices of this debtor.")]})
        return {**attrs, "invoices": invoices}


class DossierFilterSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=DossierStage.choices, required=False)
    debtor = serializers.UUIDField(required=False, help_text="The debtor's id.")


# --- Statement ----------------------------------------------------------------------------------------


class StatementQuerySerializer(serializers.Serializer):
    on = serializers.DateField(
        required=False,
        error_messages={"invalid": _("Give the date as YYYY-MM-DD, e.g. 2026-12-31.")},
        help_text="The statement at the end of this day (YYYY-MM-DD, 2000-01-01 to 2099-12-31); left out: today "
        "in your organization's time zone.",
    )

    def validate_on(self, value: dt.date) -> dt.date:
        if not STATEMENT_FIRST_DAY <= value <= STATEMENT_LAST_DAY:
            raise serializers.ValidationError(_("Give a date from 2000-01-01 to 2099-12-31."))
        return value


class InterestPeriodSerializer(serializers.Serializer):
    start = serializers.DateField(help_text="The first day of the period (inclusive).")
    end = serializers.DateField(help_text="The last day of the period (inclusive).")
    days = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=5, decimal_places=2, help_text="Percent per year.")
    basis = MoneyField(help_text="The principal the interest runs on in this period.")
    amount = MoneyField()


class CapitalisationSerializer(serializers.Serializer):
    on = serializers.DateField()
    amount = MoneyField(help_text="Unpaid interest of a full year added to the principal.")


class InvoiceStatementSerializer(serializers.Serializer):
    invoice = serializers.UUIDField(help_text="The invoice's id.")
    number = serializers.CharField()
    due_date = serializers.DateField()
    interest_from = serializers.DateField()
    principal = MoneyField(help_text="Principal left, capitalised interest included.")
    interest = MoneyField(help_text="Interest accrued and not paid (nor capitalised).")
    principal_original = MoneyField(help_text="Principal when the invoice joined the dossier.")
    credited = MoneyField(help_text="Credit notes taken off the principal.")
    paid_to_principal = MoneyField()
    paid_to_interest = MoneyField()
    interest_accrued = MoneyField(help_text="All interest up to the date, paid or not.")
    periods = InterestPeriodSerializer(many=True)
    capitalisations = CapitalisationSerializer(many=True)


class ImputationSerializer(serializers.Serializer):
    payment = serializers.UUIDField(help_text="The payment's id.")
    invoice = serializers.UUIDField(help_text="The invoice it was recorded on.")
    date = serializers.DateField()
    amount = MoneyField(help_text="Negative: money taken back (refund, charge-back).")
    credit_note = serializers.BooleanField(help_text="A credit note: lowers the principal, is no payment.")
    to_costs = MoneyField()
    to_interest = MoneyField()
    to_principal = MoneyField()
    overpayment = MoneyField()


class SettlementSerializer(serializers.Serializer):
    to_creditor = MoneyField(help_text="Principal and interest paid: the creditor's.")
    to_collector = MoneyField(help_text="Collection costs (and their VAT) paid: the collector's.")
    to_refund = MoneyField(help_text="Overpaid: the debtor's.")
    creditor_fee = MoneyField(help_text="No Cure No Pay: the creditor pays no fee; always 0.00.")


class StatementSerializer(serializers.Serializer):
    dossier = serializers.UUIDField(help_text="The dossier's id.")
    on = serializers.DateField()
    interest_kind = serializers.ChoiceField(
        choices=[("commercial", "commercial"), ("statutory", "statutory")],
        help_text="commercial: wettelijke handelsrente (art. 6:119a BW); statutory: wettelijke rente (6:119).",
    )
    invoices = InvoiceStatementSerializer(many=True)
    principal = MoneyField(help_text="Principal left, all invoices.")
    interest = MoneyField(help_text="Interest owed, all invoices.")
    costs = MoneyField(help_text="Collection costs due on the date (0.00 before they became due).")
    costs_vat = MoneyField()
    paid = MoneyField(help_text="paid_to_costs + paid_to_interest + paid_to_principal.")
    paid_to_costs = MoneyField()
    paid_to_interest = MoneyField()
    paid_to_principal = MoneyField()
    overpaid = MoneyField(help_text="Received beyond the debt: to be refunded.")
    credited = MoneyField()
    outstanding = MoneyField(help_text="principal + interest + costs + costs_vat - paid_to_costs.")
    rates_unconfirmed_from = serializers.DateField(
        allow_null=True,
        help_text="Interest from this day on uses a rate not yet in the published table: provisional.",
    )
    payments = ImputationSerializer(many=True, help_text="Each payment and where it went (art. 6:44 BW).")
    settlement = SettlementSerializer(help_text="Who the money received so far belongs to.")


def _statement_data(result: DossierStatement) -> dict[str, Any]:
    statement = result.statement
    return {
        "dossier": result.dossier.public_id,
        "on": statement.on,
        "interest_kind": "commercial" if statement.commercial else "statutory",
        "invoices": [
            {
                "invoice": result.invoice_public_ids[line.id],
                "number": line.number,
                "due_date": line.due_date,
                "interest_from": line.interest_from,
                "principal": line.principal,
                "interest": line.interest,
                "principal_original": line.principal_original,
                "credited": line.credited,
                "paid_to_principal": line.paid_to_principal,
                "paid_to_interest": line.paid_to_interest,
                "interest_accrued": line.interest_accrued,
                "periods": [_period_data(period) for period in line.periods],
                "capitalisations": [{"on": c.on, "amount": c.amount} for c in line.capitalisations],
            }
            for line in statement.invoices
        ],
        "principal": statement.principal_left,
        "interest": statement.interest_left,
        "costs": statement.costs,
        "costs_vat": statement.costs_vat,
        "paid": statement.paid,
        "paid_to_costs": statement.paid_to_costs,
        "paid_to_interest": statement.paid_to_interest,
        "paid_to_principal": statement.paid_to_principal,
        "overpaid": statement.overpaid,
        "credited": statement.credited,
        "outstanding": statement.outstanding,
        "rates_unconfirmed_from": statement.rates_unconfirmed_from,
        "payments": [_imputation_data(result, imputation) for imputation in statement.imputations],
        "settlement": asdict(dossier_settlement(statement)),
    }


def _period_data(period: StatementPeriod) -> dict[str, Any]:
    return {
        "start": period.first_day,
        "end": period.end,
        "days": period.days,
        "rate": period.rate,
        "basis": period.basis,
        "amount": period.amount,
    }


def _imputation_data(result: DossierStatement, imputation: PaymentImputation) -> dict[str, Any]:
    return {
        "payment": result.payment_public_ids[imputation.payment_id],
        "invoice": result.invoice_public_ids[imputation.invoice_id],
        "date": imputation.date,
        "amount": imputation.amount,
        "credit_note": imputation.credit_note,
        "to_costs": imputation.to_costs,
        "to_interest": imputation.to_interest,
        "to_principal": imputation.to_principal,
        "overpayment": imputation.overpayment,
    }


@extend_schema(tags=["dossiers"])
class DossierViewSet(mixins.CreateModelMixin, TenantViewSet):
    model = Dossier
    serializer_class = DossierSerializer
    filter_serializer_class = DossierFilterSerializer

    def scoped_queryset(self, organization: Organization) -> QuerySet[Dossier]:
        items = (
            DossierInvoice.objects.for_organization(organization).select_related("invoice").order_by("due_date", "pk")
        )
        return (
            dossier_list(organization=organization)
            .prefetch_related(Prefetch("items", queryset=items))
            .order_by("-opened_on", "-id")
        )

    def filter_list(self, queryset: QuerySet[Dossier], filters: dict[str, Any]) -> QuerySet[Dossier]:
        if "stage" in filters:
            queryset = queryset.filter(stage=filters["stage"])
        if "debtor" in filters:
            queryset = queryset.filter(debtor__public_id=filters["debtor"])
        return queryset

    @extend_schema(parameters=[DossierFilterSerializer])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="Open a collection dossier",
        description="Hands the debtor's invoices over to collection: they are held (no more reminders) and "
        "belong to the dossier. Refused (400, `details.problems` saying what is missing) when the debtor's "
        "name or address is incomplete, a consumer has no valid 14-day letter whose term has passed, or an "
        "invoice is not open, not overdue or already in a dossier.",
        request=DossierInputSerializer,
        responses={201: DossierSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        organization = self.organization
        serializer = DossierInputSerializer(data=request.data, context={"organization": organization})
        serializer.is_valid(raise_exception=True)
        attrs = serializer.validated_data
        try:
            dossier = dossier_open(
                organization=organization, debtor=attrs["debtor"], invoices=attrs["invoices"],
                today=local_today(organization.time_zone), origin=DossierOrigin.API, stage=attrs.get("stage"),
            )  # fmt: skip
        except DjangoValidationError as exc:
            problems = exc.message_dict if hasattr(exc, "error_dict") else {"problems": exc.messages}
            raise serializers.ValidationError(problems) from None
        return Response(self.get_serializer(self.get_queryset().get(pk=dossier.pk)).data, status.HTTP_201_CREATED)

    @extend_schema(
        summary="A dossier's statement on a day",
        description="Per invoice the principal left, the statutory interest owed and its periods (rate, "
        "basis, days); for the dossier the costs, the payments imputed to costs, interest and principal "
        "(art. 6:44 BW) and the outstanding total, which reconciles to the cent. Payments recorded on the "
        "dossier's invoices (POST /payments/) count from the day they were received.",
        parameters=[StatementQuerySerializer],
        responses={
            200: StatementSerializer,
            400: OpenApiResponse(
                ErrorSerializer, description="`on` is not a date in range, or a parameter is unknown."
            ),
        },
    )
    @action(detail=True, methods=["get"], url_path="statement")
    def statement(self, request: Request, id: str | None = None) -> Response:
        refuse_empty_parameters(request)
        refuse_unknown_parameters(request, {"on"})
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organization = self.organization
        on = query.validated_data.get("on") or local_today(organization.time_zone)
        result = dossier_statement_on(organization=organization, dossier=self.get_object(), on=on)
        return Response(StatementSerializer(_statement_data(result)).data)
