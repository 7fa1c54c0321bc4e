"""Staff admin over all tenants: users, organizations, memberships and invitations, and the base
:class:`TenantAdmin` every tenant-owned model's admin builds on.

The admin is the one place that reads across organizations on purpose, so it uses ``Model.unscoped``
and always shows which organization a row belongs to. That is why staff come in through allauth's
login (rate limits, two factors) and, outside DEBUG, only with their second factor: see the end of
this module and :func:`outstanding.accounts.staff_may_use_admin`.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from allauth.account.decorators import secure_admin_login
from allauth.account.models import EmailAddress
from allauth.account.utils import get_next_redirect_url
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from outstanding.accounts import staff_has_second_factor, staff_may_use_admin
from outstanding.models import ApiKey, Invitation, Membership, Organization, User
from outstanding.tenancy import TenantModel

if TYPE_CHECKING:
    from django.contrib.admin.options import _FieldOpts, _FieldsetSpec

ORGANIZATION = "organization"


# --- Tenant models --------------------------------------------------------------------------------


class TenantAdminForm(forms.ModelForm):
    """Keeps an admin-edited row and everything it points to inside one organization.

    ``organization`` is not editable on tenant models, so a ModelForm neither shows nor validates it.
    On create the admin adds a declared ``organization`` field; on change the row's own organization
    applies. Either way the form then checks the tenant foreign keys (an invoice's debtor, a
    payment's invoice) and the unique constraints that include the organization, so a mistake is a
    form error instead of a database error.
    """

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned_data = self.cleaned_data
        organization = cleaned_data.get(ORGANIZATION) if self.instance.pk is None else self.instance.organization
        if organization is None:
            return cleaned_data
        self.instance.organization = organization
        for name, value in list(cleaned_data.items()):
            if isinstance(value, TenantModel) and value.organization_id != organization.pk:
                self.add_error(
                    name,
                    _("This belongs to another organization than %(organization)s.") % {"organization": organization},
                )
        return cleaned_data

    def _get_validation_exclusions(self) -> set[str]:
        # Django leaves fields that are not editable out of model validation; once the organization
        # is known, the constraints that include it (unique number per organization) must be checked.
        exclude: set[str] = super()._get_validation_exclusions()  # type: ignore[misc]
        if self.instance.organization_id is not None:
            exclude.discard(ORGANIZATION)
        return exclude


class PublicIdSearchMixin:
    """A pasted public id (from a URL, the API or a PDF) finds its row directly, using the index."""

    def get_search_results(self, request: HttpRequest, queryset: QuerySet[Any], search_term: str) -> Any:
        try:
            public_id = uuid.UUID(search_term.strip())
        except ValueError:
            return super().get_search_results(request, queryset, search_term)  # type: ignore[misc]
        return queryset.filter(public_id=public_id), False


class TenantAdmin(PublicIdSearchMixin, admin.ModelAdmin):
    """Base admin for models that subclass :class:`~outstanding.tenancy.TenantModel`.

    Reads go through ``Model.unscoped`` (staff see all tenants). The organization is always in the
    list, the list filter and the select_related, whatever a subclass declares; it is chosen once
    when a row is created and read-only afterwards.
    """

    form = TenantAdminForm
    show_facets = admin.ShowFacets.NEVER  # facet counts cost one query per filter on big tables

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # No select_related here: the changelist applies list_select_related only to a queryset without one.
        queryset = self.model.unscoped.all()
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_list_display(self, request: HttpRequest) -> list[Any]:
        columns = list(super().get_list_display(request))
        return columns if ORGANIZATION in columns else [*columns, ORGANIZATION]

    def get_list_filter(self, request: HttpRequest) -> list[Any]:
        filters = list(super().get_list_filter(request))
        return filters if ORGANIZATION in filters else [ORGANIZATION, *filters]

    def get_list_select_related(self, request: HttpRequest) -> list[str]:
        related = self.list_select_related
        related = list(related) if isinstance(related, list | tuple) else []
        return related if ORGANIZATION in related else [ORGANIZATION, *related]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and ORGANIZATION not in readonly:
            readonly.insert(0, ORGANIZATION)
        return readonly

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Not a model form field (it is not editable); on create the form declares its own.
        return [*(super().get_exclude(request, obj) or []), ORGANIZATION]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> _FieldsetSpec:
        """The organization first, on its own, whatever the fieldsets of a subclass say."""
        fieldsets: list[tuple[Any, _FieldOpts]] = [(None, {"fields": [ORGANIZATION]})]
        for name, options in super().get_fieldsets(request, obj):
            fields = [field for field in options["fields"] if field != ORGANIZATION]
            fieldsets.append((name, {**options, "fields": fields}))
        return fieldsets

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is None:
            organization = forms.ModelChoiceField(
                queryset=Organization.objects.order_by("name"),
                label=_("organization"),
                widget=AutocompleteSelect(self.model._meta.get_field(ORGANIZATION), self.admin_site),
            )
            kwargs["form"] = type(self.form.__name__, (self.form,), {ORGANIZATION: organization})
        return super().get_form(request, obj, change=change, **kwargs)


# --- Users ----------------------------------------------------------------------------------------


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class UserChangeForm(DjangoUserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class EmailAddressInline(admin.TabularInline):
    model = EmailAddress
    fields = ("email", "verified", "primary")
    extra = 0


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fields = ("organization", "role", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("organization",)
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Django's user admin with the e-mail address as the login (there is no username)."""

    form = UserChangeForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),)
    readonly_fields = ("last_login", "date_joined")
    list_display = ("email", "first_name", "last_name", "organization_count", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "first_name", "last_name", "memberships__organization__name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    inlines = (UserMembershipInline, EmailAddressInline)

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).annotate(organization_count=Count("memberships"))

    def get_inlines(self, request: HttpRequest, obj: User | None) -> Any:
        return self.inlines if obj is not None else ()

    @admin.display(description=_("organizations"), ordering="organization_count")
    def organization_count(self, user: User) -> int:
        return user.organization_count  # type: ignore[attr-defined]


# --- Organizations and access ---------------------------------------------------------------------


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "weekly_summary", "language", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(PublicIdSearchMixin, admin.ModelAdmin):
    list_display = ("name", "legal_name", "city", "kvk_number", "member_count", "created_at")
    search_fields = ("name", "legal_name", "kvk_number", "vat_id", "email", "city")
    list_filter = ("country", "default_language")
    date_hierarchy = "created_at"
    readonly_fields = ("public_id", "created_at")
    fieldsets = (
        (None, {"fields": ("public_id", "name", "legal_name", "logo")}),
        (_("Address"), {"fields": ("street", "postal_code", "city", "country")}),
        (_("Registration"), {"fields": ("kvk_number", "vat_id", "iban")}),
        (_("Contact"), {"fields": ("email", "phone")}),
        (_("Preferences"), {"fields": ("time_zone", "default_language", "created_at")}),
        (
            _("Portal and payments"),
            {
                "fields": (
                    "online_payment_minimum",
                    "payment_claim_hold_days",
                    "arrangement_max_terms",
                    "arrangement_min_term_amount",
                    "arrangement_auto_approve",
                )
            },
        ),
        (_("Collection"), {"fields": ("dossier_auto_open", "dossier_pre_collection", "pre_collection_days")}),
    )
    # The organization's Mollie key is a secret: never shown, not even to staff (set in the settings).
    exclude = ("mollie_api_key",)
    inlines = (MembershipInline,)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organization]:
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    @admin.display(description=_("members"), ordering="member_count")
    def member_count(self, organization: Organization) -> int:
        return organization.member_count  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:  # the same defaults as a sign-up: flows, templates, settings
            from outstanding.services import organization_defaults_install

            organization_defaults_install(obj)


@admin.register(Membership)
class MembershipAdmin(PublicIdSearchMixin, admin.ModelAdmin):
    list_display = ("user", "organization", "role", "created_at")
    list_filter = ("role", "organization")
    list_select_related = ("user", "organization")
    search_fields = ("user__email", "user__first_name", "user__last_name", "organization__name")
    autocomplete_fields = ("user", "organization")
    readonly_fields = ("public_id", "created_at")
    date_hierarchy = "created_at"
    show_facets = admin.ShowFacets.NEVER


class InvitationOpenFilter(admin.SimpleListFilter):
    title = _("accepted")
    parameter_name = "accepted"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> list[tuple[str, Any]]:
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> QuerySet[Invitation]:
        if self.value() in ("yes", "no"):
            return queryset.filter(accepted_at__isnull=self.value() == "no")
        return queryset


@admin.register(Invitation)
class InvitationAdmin(PublicIdSearchMixin, admin.ModelAdmin):
    """Read and revoke only: an invitation is created by ``invitation_create``, which also e-mails it.

    Only a hash of the token is stored; it is never shown.
    """

    list_display = ("email", "organization", "role", "invited_by", "created_at", "accepted_at", "is_open")
    list_filter = (InvitationOpenFilter, "role", "organization")
    list_select_related = ("organization", "invited_by")
    search_fields = ("email", "organization__name")
    fields = ("public_id", "organization", "email", "role", "invited_by", "created_at", "accepted_at")
    readonly_fields = fields
    date_hierarchy = "created_at"
    show_facets = admin.ShowFacets.NEVER

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False

    @admin.display(description=_("open"), boolean=True)
    def is_open(self, invitation: Invitation) -> bool:
        return invitation.is_open


@admin.register(ApiKey)
class ApiKeyAdmin(PublicIdSearchMixin, admin.ModelAdmin):
    """Staff may see and revoke keys; the key itself is only ever shown once, to its creator."""

    list_display = ("name", "organization", "prefix", "access", "created_at", "last_used_at", "revoked_at")
    list_filter = ("access", "organization")
    search_fields = ("name", "prefix", "organization__name")
    list_select_related = ("organization",)
    readonly_fields = ("public_id", "organization", "prefix", "created_by", "created_at", "last_used_at")
    exclude = ("hashed_key",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # keys are made in the settings page or with `manage.py create_api_key`


# --- Who may enter --------------------------------------------------------------------------------


def _second_factor_redirect(request: HttpRequest, next_url: str) -> HttpResponse:
    """Staff without a second factor in this session: set one up, or confirm the one they have."""
    if not staff_has_second_factor(request.user):
        messages.warning(
            request,
            gettext(
                "The staff admin needs two-factor authentication. Set up an authenticator app here, "
                "then open the admin again."
            ),
        )
        return redirect("mfa_activate_totp")
    messages.info(request, gettext("Enter a code from your authenticator app to open the staff admin."))
    return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': next_url})}")


@secure_admin_login
def staff_admin_login(request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
    """``/admin/login/``. Visitors go to allauth's login (``secure_admin_login``); logged-in staff on."""
    next_url = get_next_redirect_url(request) or reverse("admin:index")
    if staff_may_use_admin(request):
        return redirect(next_url)
    return _second_factor_redirect(request, next_url)


# Never Django's own password-only login form: that skipped allauth's rate limits and two factors.
admin.site.login = staff_admin_login  # type: ignore[method-assign]
admin.site.has_permission = staff_may_use_admin  # type: ignore[method-assign]
