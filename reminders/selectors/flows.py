"""Reads for the reminders pages: timelines, what needs attention, the week ahead."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Q, QuerySet, Subquery

from invoices.models import Debtor, PaymentSource
from outstanding.models import Organization
from reminders.models import DunningSettings, Flow, FlowVariant
from reminders.scoring import GRACE_DAYS, PaymentHistory, flow_variant_reason_text


def flows_with_steps(*, organization: Organization) -> QuerySet[Flow]:
    return Flow.objects.for_organization(organization).prefetch_related("steps").order_by("debtor_kind", "variant")


HUNDREDTH = Decimal("0.01")


# One statement for all debtors of one organization. ``settled``: every fully paid invoice with the
# date of its last payment (part-payments count at the last one) turned into days late, never below 0.
# Credit notes are not payments by the debtor, so they give no payment date.
HISTORY_SQL = """
WITH settled AS (
    SELECT i.id AS invoice_id, GREATEST(MAX(p.date) - i.due_date, 0) AS days_late
    FROM invoices_invoice i
    JOIN invoices_payment p ON p.invoice_id = i.id AND p.organization_id = i.organization_id
    WHERE i.organization_id = %(org)s AND i.status = 'paid' AND p.source <> %(credit)s
    GROUP BY i.id
)
SELECT i.debtor_id,
       COUNT(*) AS invoice_count,
       MIN(i.issue_date) AS first_invoice_date,
       COUNT(s.invoice_id) AS paid_count,
       COUNT(s.invoice_id) FILTER (WHERE s.days_late > %(grace)s) AS late_count,
       COALESCE(AVG(s.days_late), 0) AS average_days_late,
       COALESCE(STDDEV_POP(s.days_late), 0) AS days_late_spread,
       COUNT(*) FILTER (
           WHERE i.status = 'open' AND i.is_paused AND btrim(i.pause_reason) <> ''
             AND (i.paused_until IS NULL OR i.paused_until >= %(today)s)
       ) AS disputed_count,
       COALESCE(SUM(i.open_amount) FILTER (WHERE i.status = 'open' AND i.currency = 'EUR'), 0) AS open_amount
FROM invoices_invoice i
LEFT JOIN settled s ON s.invoice_id = i.id
WHERE i.organization_id = %(org)s
GROUP BY i.debtor_id
"""


def debtor_payment_histories(*, organization: Organization, today: dt.date) -> dict[int, PaymentHistory]:
    """Every debtor's payment history, by debtor pk, in one query. A debtor without invoices is absent."""
    params: dict[str, int | str | dt.date] = {
        "org": organization.pk,
        "today": today,
        "grace": GRACE_DAYS,
        "credit": str(PaymentSource.CREDIT_NOTE),
    }
    with connection.cursor() as cursor:
        cursor.execute(HISTORY_SQL, params)
        rows = cursor.fetchall()
    return {row[0]: _history(*row[1:]) for row in rows}


def _history(
    invoice_count: int,
    first_invoice_date: dt.date,
    paid_count: int,
    late_count: int,
    average_days_late: Decimal,
    days_late_spread: Decimal,
    disputed_count: int,
    open_amount: Decimal,
) -> PaymentHistory:
    return PaymentHistory(
        invoice_count=invoice_count,
        first_invoice_date=first_invoice_date,
        paid_count=paid_count,
        late_count=late_count,
        average_days_late=Decimal(average_days_late).quantize(HUNDREDTH, rounding=ROUND_HALF_UP),
        days_late_spread=Decimal(days_late_spread).quantize(HUNDREDTH, rounding=ROUND_HALF_UP),
        disputed_count=disputed_count,
        open_amount=Decimal(open_amount).quantize(HUNDREDTH),
    )


class FlowSource:
    """Why a flow applies to a debtor."""

    CHOSEN = "chosen"  # the creditor chose it for this debtor (Debtor.flow)
    AUTOMATIC = "automatic"  # dynamic flows: the variant scored from the payment history
    STANDARD = "standard"  # dynamic flows are off, or the organization has no flow for the variant
    NONE = "none"  # no flow at all for this kind of debtor: no reminders


@dataclass(frozen=True)
class DebtorFlowState:
    """The flow that applies to a debtor now, why, and the flows the creditor may choose from."""

    applied: Flow | None
    source: str
    automatic: Flow | None  # what applies without an explicit choice (shown next to the choice)
    dynamic_flows: bool
    options: list[Flow]  # the organization's flows for this debtor's kind
    chosen_for_other_kind: bool  # Debtor.flow is a flow for another kind of debtor (it changed kind)


def debtor_flow_reason(*, debtor: Debtor, today: dt.date) -> str:
    """Why the debtor's variant was suggested, in one sentence in the active language (empty: not scored yet)."""
    return flow_variant_reason_text(debtor.flow_variant_reason or {}, today=today)


def debtor_flow_state(*, organization: Organization, debtor: Debtor) -> DebtorFlowState:
    """Which flow the engine uses for ``debtor``, in one query (the debtor page keeps a query budget).

    The organization's dunning setting ``dynamic_flows`` rides along on each flow row as a subquery; an
    organization without a settings row gets the model default, as the engine creates it so.
    """
    dynamic = DunningSettings.objects.for_organization(organization).values("dynamic_flows")[:1]
    flows = list(
        Flow.objects.for_organization(organization)
        .filter(Q(debtor_kind=debtor.kind) | Q(pk=debtor.flow_id))
        .annotate(dynamic_flows=Subquery(dynamic))
        .order_by("variant", "name")
    )
    dynamic_flows = _dynamic_flows(flows)
    options = [flow for flow in flows if flow.debtor_kind == debtor.kind]
    chosen = next((flow for flow in flows if flow.pk == debtor.flow_id), None)
    automatic, automatic_source = _automatic(debtor, options, dynamic_flows)
    return DebtorFlowState(
        applied=chosen or automatic,
        source=FlowSource.CHOSEN if chosen else automatic_source,
        automatic=automatic,
        dynamic_flows=dynamic_flows,
        options=options,
        chosen_for_other_kind=chosen is not None and chosen.debtor_kind != debtor.kind,
    )


def _dynamic_flows(flows: list[Flow]) -> bool:
    value = flows[0].dynamic_flows if flows else None  # type: ignore[attr-defined]
    if value is None:
        return bool(DunningSettings._meta.get_field("dynamic_flows").default)
    return bool(value)


def _automatic(debtor: Debtor, options: list[Flow], dynamic_flows: bool) -> tuple[Flow | None, str]:
    """The engine's fallback after an explicit choice: the scored variant (when on), then the standard flow."""
    by_variant = {flow.variant: flow for flow in options}
    if dynamic_flows and debtor.flow_variant in by_variant:
        return by_variant[debtor.flow_variant], FlowSource.AUTOMATIC
    if FlowVariant.STANDARD in by_variant:
        return by_variant[FlowVariant.STANDARD], FlowSource.STANDARD
    return None, FlowSource.NONE
