"""The dashboard's figures ready for the page: each with its label, its text, the list behind it and
its chart (``outstanding.charts``). Plain values for the template; no queries here.

The links lead to the invoice list filtered to what a figure counts: the status, the due-date range
(``due_from``/``due_to``, ISO dates, both inclusive) of an aging bucket, the payment dates
(``paid_from``/``paid_to``) of this week's payments; the dossier stages to the dossier list.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import NoReverseMatch, reverse
from django.utils.formats import date_format
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from collection.models import DossierStage
from invoices.selectors.receivables import AgingBucket, ReceivablesSummary
from outstanding import charts
from outstanding.models import Organization
from outstanding.money import format_money


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    amount: Decimal
    count: int
    href: str
    tone: str = ""
    detail: str = ""  # e.g. the dates a week runs


def _money(amount: Decimal) -> str:
    return format_money(amount, "EUR", get_language() or "nl")


def _url(name: str, organization: Organization, **params: str) -> str:
    try:
        path = reverse(name, args=[organization.public_id])
    except NoReverseMatch:  # a list that does not exist (yet): the figure is shown without a link
        return ""
    query = urlencode({key: value for key, value in params.items() if value})
    return f"{path}?{query}" if query else path


def _aging_label(bucket: AgingBucket) -> str:
    if bucket.low is None:
        return _("Not yet due")
    if bucket.high is None:
        return _("Over %(days)s days") % {"days": bucket.low - 1}
    return _("%(low)s–%(high)s days") % {"low": bucket.low, "high": bucket.high}


def _aging_tone(bucket: AgingBucket) -> str:
    if bucket.low is None:
        return "ok"
    return "danger" if bucket.low > 60 else "warning"


def aging_figures(organization: Organization, summary: ReceivablesSummary) -> list[Figure]:
    figures = []
    for bucket in summary.aging.buckets:
        earliest, latest = bucket.due_dates(summary.today)
        href = _url(
            "invoice_list",
            organization,
            status="open",
            overdue="on" if bucket.low is not None else "",
            due_from=earliest.isoformat() if earliest else "",
            due_to=latest.isoformat() if latest else "",
            sort="due_date",
        )
        figures.append(
            Figure(bucket.key, _aging_label(bucket), bucket.amount, bucket.count, href, tone=_aging_tone(bucket))
        )
    return figures


def cash_in_figures(organization: Organization, summary: ReceivablesSummary) -> list[Figure]:
    href = _url("invoice_list", organization, status="open", sort="due_date")
    figures = []
    for week in summary.cash_in.weeks:
        number = week.starts_on.isocalendar()[1]
        dates = f"{date_format(week.starts_on, 'SHORT_DATE_FORMAT')} – {date_format(week.ends_on, 'SHORT_DATE_FORMAT')}"
        label = pgettext("ISO week number", "Week %(number)s") % {"number": number}
        figures.append(Figure(week.iso_week, label, week.amount, week.count, href, detail=dates))
    return figures


def home_figures(*, organization: Organization, summary: ReceivablesSummary) -> dict[str, object]:
    """Everything the dashboard's figures section shows, with its charts."""
    aging = aging_figures(organization, summary)
    cash_in = cash_in_figures(organization, summary)
    trend = [
        charts.ChartPoint(label=date_format(point.month_end, "M"), value=point.dso, text=str(point.dso))
        for point in summary.dso.trend
    ]
    payments = summary.payments_this_week
    dossier_labels = _dossier_stage_labels()
    dossiers = [
        Figure(
            stage, dossier_labels.get(stage, stage), Decimal(0), count, _url("dossier_list", organization, stage=stage)
        )
        for stage, count in summary.dossiers_by_stage.items()
    ]
    return {
        "aging": aging,
        "aging_chart": charts.bar_chart(
            [charts.ChartBar(f.label, f.amount, _money(f.amount), f.href, f.tone) for f in aging],
            title=_("Open amount by days overdue"),
        ),
        "dso_trend": list(zip(summary.dso.trend, trend, strict=True)),
        "dso_trend_chart": charts.line_chart(trend, title=_("DSO at each month end")),
        "cash_in": cash_in,
        "cash_in_chart": charts.column_chart(
            [charts.ChartBar(str(f.label).split()[-1], f.amount, _money(f.amount), f.href) for f in cash_in],
            title=_("Expected cash-in per week"),
        ),
        "open_href": _url("invoice_list", organization, status="open"),
        "overdue_href": _url("invoice_list", organization, overdue="on", sort="due_date"),
        "current_href": _url(
            "invoice_list", organization, status="open", due_from=summary.today.isoformat(), sort="due_date"
        ),
        "payments_href": _url(
            "invoice_list",
            organization,
            paid_from=payments.starts_on.isoformat(),
            paid_to=payments.ends_on.isoformat(),
        ),
        "dossiers": dossiers,
        "dossiers_href": _url("dossier_list", organization),
    }


def _dossier_stage_labels() -> dict[str, str]:
    return {str(value): str(label) for value, label in DossierStage.choices}
