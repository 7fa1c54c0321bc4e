"""Staff's admin of the collection app: the warning when the statutory interest table lacks the current
half year's rates, and the dossiers (with staff's work list) and arrangements of every organization.

Both rates change on 1 January and 1 July (collection.legal.interest); until the new row is added,
interest over the new half year is computed at the last known rate and is only provisional.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import F
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import URLPattern, path
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from collection.legal import rate_table_missing_since
from collection.models import (
    Arrangement,
    ArrangementInvoice,
    ArrangementTerm,
    Dossier,
    DossierEvent,
    DossierInvoice,
    DossierStage,
)
from outstanding.admin import TenantAdmin
from outstanding.calendar import local_today

_admin_index = admin.site.index


def admin_index_with_rate_warning(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> TemplateResponse:
    if missing_since := rate_table_missing_since(local_today()):
        messages.warning(request, rate_table_warning(missing_since))
    return _admin_index(request, extra_context)


def rate_table_warning(missing_since: Any) -> str:
    return _(
        "The statutory interest table has no rates for the half year from %(date)s: add the new "
        "wettelijke rente and handelsrente (collection/legal/interest.py, one row). Until then "
        "interest from that day on is computed at the last known rate and is provisional."
    ) % {"date": formats.date_format(missing_since, "j F Y")}


admin.site.index = admin_index_with_rate_warning  # type: ignore[method-assign]


# -- dossiers and arrangements: staff work them across organizations ---------------------------------
#
# The admin reads across organizations on purpose (``TenantAdmin`` uses ``Model.unscoped``). A dossier
# is opened, moved and closed by ``collection.services`` only, each step an event in its hash chain, so
# staff change here only who works it and when its next action is; everything else is read-only, and
# events can be neither added, changed nor removed (a database trigger refuses it as well).


class DossierInvoiceInline(admin.TabularInline):
    model = DossierInvoice
    fields = ("invoice", "principal", "due_date", "interest_from", "active")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class DossierEventInline(admin.TabularInline):
    """The dossier's record, read-only: appended by ``dossier_event_append`` and never changed."""

    model = DossierEvent
    fields = ("sequence", "kind", "occurred_at", "actor_label", "summary", "data", "hash")
    readonly_fields = fields
    ordering = ("sequence",)
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


DOSSIER_EDITABLE = ("assigned_to", "next_action_on")


@admin.register(Dossier)
class DossierAdmin(TenantAdmin):
    list_display = ("reference", "debtor", "stage", "is_paused", "next_action_on", "assigned_to", "opened_on")
    list_filter = ("stage", "is_paused", "origin", "assigned_to")
    list_select_related = ("debtor", "assigned_to")
    search_fields = ("reference", "debtor__name")
    ordering = ("next_action_on", "opened_on", "pk")
    change_list_template = "collection/staff_dossier_change_list.html"
    inlines = (DossierInvoiceInline, DossierEventInline)
    raw_id_fields = ("assigned_to",)
    fieldsets = (
        (None, {"fields": ("reference", "public_id", "debtor", "debtor_kind", "origin", "opened_on", "opened_by")}),
        (gettext_lazy("Work"), {"fields": ("stage", "stage_since", "is_paused", "pause_reason", *DOSSIER_EDITABLE)}),
        (
            gettext_lazy("Amounts"),
            {"fields": ("costs", "costs_vat_charged", "costs_vat", "costs_on", "court_fee", "court_fee_paid_on")},
        ),
        (
            gettext_lazy("Legal dates"),
            {"fields": ("pre_collection_until", "fourteen_day_letter_sent_on", "fourteen_day_term_ends_on")},
        ),
        (gettext_lazy("Closure"), {"fields": ("closure", "closed_on")}),
        (gettext_lazy("Record"), {"fields": ("event_count", "last_event_hash", "created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        every = [str(name) for _title, options in self.fieldsets or () for name in options["fields"]]
        return [*super().get_readonly_fields(request, obj), *(n for n in every if n not in DOSSIER_EDITABLE)]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # opened by collection.services.dossier_open (checks, holds, the first events)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a dossier's record is kept; it closes instead

    def save_model(self, request: HttpRequest, obj: Dossier, form: Any, change: bool) -> None:
        # Only the editable columns: a full save would write back a chain head read before an event
        # appended meanwhile (the debtor filing a defence while staff had the page open).
        obj.save(update_fields=[*DOSSIER_EDITABLE, "updated_at"])

    def get_urls(self) -> list[URLPattern]:
        work_list = path(
            "work-list/", self.admin_site.admin_view(self.work_list_view), name="collection_dossier_work_list"
        )
        return [work_list, *super().get_urls()]

    def work_list_view(self, request: HttpRequest) -> TemplateResponse:
        """Staff's work list: their own open dossiers (or everyone's, or nobody's), next action first.

        Across every organization on purpose (``Dossier.unscoped``): staff of the operator work the
        dossiers of all creditors. Only staff reach it (``admin_site.admin_view``: the admin's own
        permission check, second factor included).
        """
        who = request.GET.get("who", "mine")
        if who not in WORK_LIST_CHOICES:
            who = "mine"
        dossiers = staff_work_list(user=request.user, who=who)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Dossier work list"),
            "opts": self.model._meta,
            "dossiers": dossiers[:WORK_LIST_SIZE],
            "count": len(dossiers),
            "who": who,
            "choices": [(key, label) for key, label in WORK_LIST_CHOICES.items()],
            "today": local_today(),
        }
        return TemplateResponse(request, "collection/staff_work_list.html", context)


WORK_LIST_SIZE = 500
WORK_LIST_CHOICES = {
    "mine": gettext_lazy("Mine"),
    "unassigned": gettext_lazy("Nobody's"),
    "all": gettext_lazy("Everyone's"),
}


def staff_work_list(*, user: Any, who: str) -> list[Dossier]:
    """Open dossiers of every organization, next action first (``Dossier.unscoped``: staff only)."""
    dossiers = (
        Dossier.unscoped.exclude(stage=DossierStage.CLOSED)
        .select_related("organization", "debtor", "assigned_to")
        .order_by(F("next_action_on").asc(nulls_last=True), "opened_on", "pk")
    )
    if who == "mine":
        dossiers = dossiers.filter(assigned_to=user)
    elif who == "unassigned":
        dossiers = dossiers.filter(assigned_to__isnull=True)
    return list(dossiers[: WORK_LIST_SIZE + 1])


class ArrangementInvoiceInline(admin.TabularInline):
    model = ArrangementInvoice
    fields = ("invoice", "open_amount", "holds")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ArrangementTermInline(admin.TabularInline):
    model = ArrangementTerm
    fields = ("number", "due_date", "amount", "paid_amount", "paid_on", "reminder_sent_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Arrangement)
class ArrangementAdmin(TenantAdmin):
    """Read-mostly: arrangements are proposed, decided and broken by ``collection.services``; staff read."""

    list_display = ("debtor", "total", "term_count", "first_due_date", "status", "source", "created_at")
    list_filter = ("status", "source")
    list_select_related = ("debtor",)
    search_fields = ("debtor__name",)
    date_hierarchy = "created_at"
    inlines = (ArrangementInvoiceInline, ArrangementTermInline)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        return [*readonly, *(f.name for f in self.model._meta.concrete_fields if f.name not in (*readonly, "id"))]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
