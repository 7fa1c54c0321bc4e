"""Dynamic flows: which flow variant suits a debtor, from their payment history, and why.

A pure function over a :class:`PaymentHistory` (computed for all debtors of an organization in one SQL
query by :func:`reminders.selectors.flows.debtor_payment_histories`) and ``today``. The rules, in order:

1. **careful** (new customers) — the first invoice is less than ``NEW_CUSTOMER_DAYS`` (90) days old, or
   fewer than ``MIN_PAID_INVOICES`` (3) invoices were paid so far: too little history to judge, so the
   flow starts early, friendly and with a phone call.
2. **firm** (chronic late payers) — of at least 3 paid invoices, at least ``CHRONIC_LATE_SHARE`` (50 %)
   were paid late and on average at least ``CHRONIC_AVERAGE_DAYS_LATE`` (10) days late.
3. **friendly** (punctual, long-standing customers) — a customer for at least ``LONG_STANDING_DAYS``
   (365) days who paid at least ``PUNCTUAL_ON_TIME_SHARE`` (90 %) on time; *unless* an invoice is disputed
   now, or more than ``FRIENDLY_MAX_AT_STAKE`` (€ 10,000) is open: then the standard flow, because a
   dispute or a large exposure should not wait for the mild schedule.
4. **standard** — everyone else.

Definitions. *Days late* of a paid invoice: its last payment date (an invoice paid in parts counts at
its last part) minus its due date, never below 0 — paying early does not make up for paying late
elsewhere. *Late*: paid more than ``GRACE_DAYS`` (2) days after the due date — a transfer made on the
due date is often booked a day or two later. *Disputes* are not modelled yet: invoices paused now with a
reason (a dispute, a question) stand in for them. *At stake*: the open amount in euros.

The reason is stored without a language, as a code with its numbers (``{"code": "average_late",
"days": 12, "count": 23}``, JSON on ``Debtor.flow_variant_reason``), and put into one sentence in the
reader's language when it is shown (:func:`flow_variant_reason_text`): the creditor's colleagues do
not all read the organization's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, ngettext

from outstanding.money import format_money
from reminders.models import FlowVariant

NEW_CUSTOMER_DAYS = 90
MIN_PAID_INVOICES = 3
GRACE_DAYS = 2
CHRONIC_LATE_SHARE = Decimal("0.5")
CHRONIC_AVERAGE_DAYS_LATE = Decimal("10")
LONG_STANDING_DAYS = 365
PUNCTUAL_ON_TIME_SHARE = Decimal("0.9")
FRIENDLY_MAX_AT_STAKE = Decimal("10000.00")

ZERO = Decimal("0")

# Why a variant was chosen: a code and its numbers, JSON-ready (dates as ISO strings, amounts as strings).
Reason = dict[str, Any]


@dataclass(frozen=True)
class PaymentHistory:
    """What one debtor's invoices and payments say about them. The defaults describe a debtor without invoices."""

    invoice_count: int = 0
    first_invoice_date: dt.date | None = None
    paid_count: int = 0  # fully paid invoices with a payment date
    late_count: int = 0  # of those, paid more than GRACE_DAYS after the due date
    average_days_late: Decimal = ZERO
    days_late_spread: Decimal = ZERO  # population standard deviation of the days late
    disputed_count: int = 0  # open invoices paused now with a reason: the stand-in for disputes
    open_amount: Decimal = ZERO  # at stake, in euros

    @property
    def late_share(self) -> Decimal:
        return Decimal(self.late_count) / self.paid_count if self.paid_count else ZERO

    @property
    def on_time_count(self) -> int:
        return self.paid_count - self.late_count

    @property
    def on_time_share(self) -> Decimal:
        return Decimal(self.on_time_count) / self.paid_count if self.paid_count else ZERO

    def customer_days(self, today: dt.date) -> int:
        return (today - self.first_invoice_date).days if self.first_invoice_date else 0


def flow_variant_for(history: PaymentHistory, *, today: dt.date) -> tuple[str, Reason]:
    """The flow variant for this history and why (a code with its numbers; see :func:`flow_variant_reason_text`)."""
    since = history.first_invoice_date
    if since is None:
        return FlowVariant.CAREFUL, {"code": "no_invoices"}
    if history.customer_days(today) < NEW_CUSTOMER_DAYS:
        return FlowVariant.CAREFUL, {"code": "new_customer", "since": since.isoformat(), "count": history.invoice_count}
    if history.paid_count < MIN_PAID_INVOICES:
        return FlowVariant.CAREFUL, {"code": "little_history", "since": since.isoformat(), "count": history.paid_count}
    if history.late_share >= CHRONIC_LATE_SHARE and history.average_days_late >= CHRONIC_AVERAGE_DAYS_LATE:
        days = _whole_days(history.average_days_late)
        return FlowVariant.FIRM, {"code": "average_late", "days": days, "count": history.paid_count}
    if history.customer_days(today) >= LONG_STANDING_DAYS and history.on_time_share >= PUNCTUAL_ON_TIME_SHARE:
        return _punctual(history, today)
    if history.late_count == 0:
        return FlowVariant.STANDARD, {"code": "all_on_time", "count": history.paid_count}
    return FlowVariant.STANDARD, {"code": "late", "late": history.late_count, "count": history.paid_count}


def _punctual(history: PaymentHistory, today: dt.date) -> tuple[str, Reason]:
    if history.disputed_count:
        return FlowVariant.STANDARD, {"code": "disputed", "count": history.disputed_count}
    if history.open_amount > FRIENDLY_MAX_AT_STAKE:
        return FlowVariant.STANDARD, {"code": "at_stake", "amount": str(history.open_amount)}
    years = history.customer_days(today) // 365
    if history.late_count == 0:
        return FlowVariant.FRIENDLY, {"code": "always_on_time", "years": years}
    reason = {"code": "mostly_on_time", "on_time": history.on_time_count, "paid": history.paid_count, "years": years}
    return FlowVariant.FRIENDLY, reason


def flow_variant_reason_text(reason: Mapping[str, Any], *, today: dt.date) -> str:
    """``reason`` in one sentence in the active language; dates carry their year when it is not ``today``'s.

    A reason stored before reasons had codes is ``{"text": ...}`` and reads as it was written; an empty
    or unknown reason (not scored yet, or written by a newer version) reads as nothing.
    """
    if "code" not in reason:
        return str(reason.get("text", ""))
    sentence = _SENTENCES.get(str(reason["code"]))
    try:
        return sentence(reason, today) if sentence else ""
    except (KeyError, TypeError, ValueError):  # a malformed reason is not worth an error page
        return ""


def _no_invoices(reason: Mapping[str, Any], today: dt.date) -> str:
    return gettext("No invoices yet.")


def _new_customer(reason: Mapping[str, Any], today: dt.date) -> str:
    return ngettext(
        "New customer since %(date)s: %(count)d invoice so far.",
        "New customer since %(date)s: %(count)d invoices so far.",
        reason["count"],
    ) % {"date": _day(reason["since"], today), "count": reason["count"]}


def _little_history(reason: Mapping[str, Any], today: dt.date) -> str:
    return ngettext(
        "Little to go on: %(count)d invoice paid since %(date)s.",
        "Little to go on: %(count)d invoices paid since %(date)s.",
        reason["count"],
    ) % {"count": reason["count"], "date": _day(reason["since"], today)}


def _average_late(reason: Mapping[str, Any], today: dt.date) -> str:
    return ngettext(
        "Pays on average %(days)d day late over %(count)d invoices.",
        "Pays on average %(days)d days late over %(count)d invoices.",
        reason["days"],
    ) % {"days": reason["days"], "count": reason["count"]}


def _disputed(reason: Mapping[str, Any], today: dt.date) -> str:
    return ngettext(
        "Pays on time, but %(count)d invoice is disputed.",
        "Pays on time, but %(count)d invoices are disputed.",
        reason["count"],
    ) % {"count": reason["count"]}


def _at_stake(reason: Mapping[str, Any], today: dt.date) -> str:
    amount = format_money(Decimal(reason["amount"]), "EUR", get_language() or "nl")
    return gettext("Pays on time, but %(amount)s is at stake.") % {"amount": amount}


def _always_on_time(reason: Mapping[str, Any], today: dt.date) -> str:
    return ngettext(
        "Always paid on time over %(years)d year.", "Always paid on time over %(years)d years.", reason["years"]
    ) % {"years": reason["years"]}


def _mostly_on_time(reason: Mapping[str, Any], today: dt.date) -> str:
    return ngettext(
        "Paid %(on_time)d of %(paid)d invoices on time over %(years)d year.",
        "Paid %(on_time)d of %(paid)d invoices on time over %(years)d years.",
        reason["years"],
    ) % {"on_time": reason["on_time"], "paid": reason["paid"], "years": reason["years"]}


def _all_on_time(reason: Mapping[str, Any], today: dt.date) -> str:
    return ngettext(
        "Paid %(count)d invoice on time; a customer for less than a year.",
        "Paid all %(count)d invoices on time; a customer for less than a year.",
        reason["count"],
    ) % {"count": reason["count"]}


def _late(reason: Mapping[str, Any], today: dt.date) -> str:
    return ngettext(
        "Paid %(late)d of %(count)d invoice late.",
        "Paid %(late)d of %(count)d invoices late.",
        reason["count"],
    ) % {"late": reason["late"], "count": reason["count"]}


_SENTENCES: dict[str, Callable[[Mapping[str, Any], dt.date], str]] = {
    "no_invoices": _no_invoices,
    "new_customer": _new_customer,
    "little_history": _little_history,
    "average_late": _average_late,
    "disputed": _disputed,
    "at_stake": _at_stake,
    "always_on_time": _always_on_time,
    "mostly_on_time": _mostly_on_time,
    "all_on_time": _all_on_time,
    "late": _late,
}


def _whole_days(days: Decimal) -> int:
    return int(days.quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _day(iso_day: str, today: dt.date) -> str:
    """3 October (``today``'s year) or 3 October 2024 (another year), in the active language."""
    day = dt.date.fromisoformat(iso_day)
    return date_format(day, "j F" if day.year == today.year else "j F Y")
