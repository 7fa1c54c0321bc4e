"""Settings → API keys: everyone in the organization sees the keys; administrators create and revoke them.

A new key is shown once, in the answer to the POST that made it: it is never stored in clear, not
even in the session, so there is nothing to show later. The page is marked not to be cached.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from outstanding import api_keys
from outstanding.access import OrganizationRequest, organization_view, post_only
from outstanding.models import ApiKey, ApiKeyAccess, Role


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=api_keys.NAME_MAX_LENGTH,
        help_text=gettext_lazy("What uses the key, e.g. “Accounting sync”. Only you see it."),
        error_messages={"required": gettext_lazy("Give the key a name, e.g. the system that uses it.")},
    )
    access = forms.ChoiceField(
        label=gettext_lazy("Access"),
        choices=ApiKeyAccess.choices,
        initial=ApiKeyAccess.READ,
        help_text=gettext_lazy(
            "Read only: fetch debtors, invoices, payments and reminders. "
            "Read and write: also send invoices and payments."
        ),
    )


def _list_page(request: OrganizationRequest, form: ApiKeyForm | None = None, status: int = 200) -> HttpResponse:
    can_manage = request.membership.can_manage
    if can_manage and form is None:
        form = ApiKeyForm()
    # ApiKey is not a TenantModel (authentication finds the tenant through it); scope by hand here.
    keys = ApiKey.objects.filter(organization=request.organization).select_related("created_by")
    context = {"api_keys": keys.order_by("-created_at"), "form": form, "can_manage": can_manage}
    return render(request, "outstanding/api_keys.html", context, status=status)


@organization_view()
def api_key_list(request: OrganizationRequest) -> HttpResponse:
    return _list_page(request)


@organization_view(Role.ADMIN)
@require_POST
def api_key_create(request: OrganizationRequest) -> HttpResponse:
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return _list_page(request, form, status=400)
    try:
        api_key, raw_key = api_keys.api_key_create(
            organization=request.organization,
            name=form.cleaned_data["name"],
            access=form.cleaned_data["access"],
            created_by=request.user,  # type: ignore[arg-type]
        )
    except ValidationError as exc:
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
        return _list_page(request, form, status=400)
    response = render(request, "outstanding/api_keys_created.html", {"api_key": api_key, "raw_key": raw_key})
    add_never_cache_headers(response)  # the only copy of the key: no browser or proxy may keep it
    return response


@organization_view(Role.ADMIN)
def api_key_revoke(request: OrganizationRequest, api_key_id: str) -> HttpResponse:
    api_key = get_object_or_404(ApiKey, organization=request.organization, public_id=api_key_id)
    if refused := post_only(request):
        return refused
    api_keys.api_key_revoke(api_key=api_key)
    messages.success(request, _("API key %(name)s is revoked; it no longer works.") % {"name": api_key.name})
    return redirect("api_key_list", org_id=request.organization.public_id)
