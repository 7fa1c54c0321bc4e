"""Organization home, settings and members. Every creditor view starts with ``organization_view``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from invoices import selectors as invoice_selectors
from outstanding import services
from outstanding.access import OrganizationRequest, organization_view
from outstanding.calendar import local_today
from outstanding.forms import AcceptInvitationForm, InvitationForm, OrganizationForm, RoleForm
from outstanding.models import Invitation, Membership, Role, User


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def app_home(request: HttpRequest) -> HttpResponse:
    """One organization: go there. Several (an accountancy): choose. None: start one."""
    memberships = list(
        Membership.objects.filter(user=request.user).select_related("organization").order_by("organization__name")
    )
    if len(memberships) == 1:
        return redirect("organization_home", org_id=memberships[0].organization.public_id)
    if not memberships:
        return redirect("organization_new")
    return render(request, "outstanding/app_home.html", {"memberships": memberships})


@login_required
def organization_new(request: HttpRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("name", "logo")}
        organization = services.organization_create(name=form.cleaned_data["name"], owner=request.user, **data)
        messages.success(request, _("Organization %(name)s created.") % {"name": organization.name})
        return redirect("organization_home", org_id=organization.public_id)
    return render(request, "outstanding/organization_new.html", {"form": form})


@organization_view()
def organization_home(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    today = local_today(organization.time_zone)
    totals = invoice_selectors.receivables_totals(organization=organization, today=today)
    most_overdue = invoice_selectors.invoice_list(
        organization=organization, today=today, overdue=True, sort="due_date"
    )[:10]
    return render(
        request, "outstanding/organization_home.html",
        {"totals": totals, "most_overdue": most_overdue, "today": today},
    )


@organization_view(Role.VIEWER, write=True)
def organization_settings(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    can_manage = request.membership.can_manage
    form = OrganizationForm(request.POST or None, request.FILES or None, instance=organization)
    if request.method == "POST":
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            form.save()
            messages.success(request, _("Settings saved."))
            return redirect("organization_settings", org_id=organization.public_id)
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    return render(request, "outstanding/organization_settings.html", {"form": form, "can_manage": can_manage})


@organization_view()
def member_list(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    members = organization.memberships.select_related("user").order_by("user__email")
    invitations = organization.invitations.filter(accepted_at__isnull=True).order_by("-created_at")
    return render(
        request, "outstanding/member_list.html",
        {
            "members": members,
            "invitations": invitations,
            "invite_form": InvitationForm(actor_role=request.membership.role),
            "roles": Role.choices,
        },
    )


def _membership_or_404(request: OrganizationRequest, membership_id: str) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user"), organization=request.organization, public_id=membership_id
    )


@require_POST
@organization_view(Role.ADMIN)
def member_invite(request: OrganizationRequest) -> HttpResponse:
    form = InvitationForm(request.POST, actor_role=request.membership.role)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.membership, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    else:
        messages.error(request, _("Check the e-mail address and role."))
    return redirect("member_list", org_id=request.organization.public_id)


@require_POST
@organization_view(Role.ADMIN)
def member_role(request: OrganizationRequest, membership_id: str) -> HttpResponse:
    membership = _membership_or_404(request, membership_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.membership_change_role(actor=request.membership, membership=membership, role=form.cleaned_data["role"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Role of %(email)s changed.") % {"email": membership.user.email})
    return redirect("member_list", org_id=request.organization.public_id)


@require_POST
@organization_view()
def member_remove(request: OrganizationRequest, membership_id: str) -> HttpResponse:
    """Admins remove others; anyone may leave. The last owner cannot go."""
    membership = _membership_or_404(request, membership_id)
    try:
        services.membership_remove(actor=request.membership, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("member_list", org_id=request.organization.public_id)
    if membership.pk == request.membership.pk:
        messages.success(request, _("You left %(name)s.") % {"name": request.organization.name})
        return redirect("app_home")
    messages.success(request, _("%(email)s no longer has access.") % {"email": membership.user.email})
    return redirect("member_list", org_id=request.organization.public_id)


@require_POST
@organization_view(Role.ADMIN)
def invitation_revoke(request: OrganizationRequest, invitation_id: str) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation, organization=request.organization, public_id=invitation_id, accepted_at__isnull=True
    )
    invitation.delete()
    messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect("member_list", org_id=request.organization.public_id)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The link in an invitation e-mail: join with an existing account or make one here."""
    invitation = Invitation.objects.select_related("organization").filter(token=token).first()
    if invitation is None or not invitation.is_open:
        raise Http404
    existing = User.objects.filter(email__iexact=invitation.email).first()
    if request.user.is_authenticated:
        if request.method == "POST":
            try:
                services.invitation_accept(invitation=invitation, user=request.user)
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
                return redirect("app_home")
            return redirect("organization_home", org_id=invitation.organization.public_id)
        return render(request, "outstanding/invitation_accept.html", {"invitation": invitation})
    if existing is not None:
        return redirect(f"{reverse('account_login')}?next={request.path}")
    form = AcceptInvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user, _created = services.user_get_or_create(email=invitation.email, password=form.cleaned_data["password1"])
        user.first_name, user.last_name = form.cleaned_data["first_name"], form.cleaned_data["last_name"]
        user.save(update_fields=["first_name", "last_name"])
        services.invitation_accept(invitation=invitation, user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("organization_home", org_id=invitation.organization.public_id)
    return render(request, "outstanding/invitation_accept.html", {"invitation": invitation, "form": form})
