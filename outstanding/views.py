"""Organization home, settings and members. Every creditor view starts with ``organization_view``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from invoices import checks
from invoices import selectors as invoice_selectors
from outstanding import attention, dashboard, dashboard_figures, services, weekly_summary
from outstanding.access import OrganizationRequest, organization_view, post_only
from outstanding.calendar import local_today
from outstanding.forms import (
    AcceptInvitationForm,
    InvitationForm,
    InvitationTokenForm,
    OrganizationCreateForm,
    OrganizationForm,
    PortalPaymentSettingsForm,
    RoleForm,
    mollie_api_key_ending,
    role_choices_up_to,
)
from outstanding.models import Invitation, Membership, Organization, Role, User
from reminders.engine import dunning_settings
from reminders.selectors import changes
from reminders.services import activation


class AuthenticatedRequest(HttpRequest):
    """What a ``login_required`` view receives (for type checkers)."""

    user: User


@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 once the database answers. Also reached over plain http and by any host
    name (``outstanding.middleware.HealthCheckMiddleware``)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def app_home(request: AuthenticatedRequest) -> HttpResponse:
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
def organization_new(request: AuthenticatedRequest) -> HttpResponse:
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {key: value for key, value in form.cleaned_data.items() if key != "name"}
        organization = services.organization_create(name=form.cleaned_data["name"], owner=request.user, **data)
        messages.success(request, _("Organization %(name)s created.") % {"name": organization.name})
        return redirect("organization_home", org_id=organization.public_id)
    return render(request, "outstanding/organization_new.html", {"form": form})


@organization_view()
def organization_home(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    today = local_today(organization.time_zone)
    # Two aggregates over every open invoice (tens of milliseconds for 200,000 invoices): stored until
    # an invoice or debtor of the organization changes (the change log the triggers keep).
    totals, finding_counts, waiting = changes.cached_while_unchanged(
        organization,
        f"home:{today.isoformat()}",
        lambda: (
            invoice_selectors.receivables_totals(organization=organization, today=today),
            invoice_selectors.invoice_finding_counts(organization=organization),
            attention.waiting_counts(organization=organization, today=today),
        ),
    )
    most_overdue = invoice_selectors.invoice_list(
        organization=organization, today=today, overdue=True, sort="due_date"
    )[:10]
    summary = dashboard.receivables_summary_for(organization=organization, today=today)
    return render(
        request,
        "outstanding/organization_home.html",
        {
            "totals": totals,
            "waiting": attention.waiting_items(organization=organization, counts=waiting),
            "most_overdue": most_overdue,
            "today": today,
            "summary": summary,
            "figures": dashboard_figures.home_figures(organization=organization, summary=summary),
            # What to fix so invoices hold up in a collection case: the organization's own data first.
            "organization_findings": checks.organization_findings(organization),
            "invoice_finding_summaries": checks.finding_summaries(finding_counts),
            "go_live": _go_live_checklist(organization),
        },
    )


def _go_live_checklist(organization: Organization) -> dict[str, object] | None:
    """Until reminders are on: the facts they need (done or missing) and the way to switch them on."""
    if dunning_settings(organization).reminders_active:
        return None
    missing = activation.organization_missing_facts(organization)
    return {"facts": activation.REQUIRED_FACTS, "missing_fields": {fact.field for fact in missing}}


@organization_view(Role.VIEWER, write=True)
def organization_settings(request: OrganizationRequest) -> HttpResponse:
    """Everyone reads the settings; only administrators change them (members get 403 on POST too)."""
    organization = request.organization
    can_manage = request.membership.can_manage
    if request.method == "POST" and not can_manage:
        raise PermissionDenied
    # Of the saved data, before the form copies unsaved input onto the instance.
    findings = checks.organization_findings(organization)
    form = OrganizationForm(request.POST or None, request.FILES or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect("organization_settings", org_id=organization.public_id)
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    context = {"form": form, "can_manage": can_manage, "findings": findings, "findings_by_field": _by_field(findings)}
    return render(request, "outstanding/organization_settings.html", context)


@organization_view(Role.ADMIN)
def portal_payment_settings(request: OrganizationRequest) -> HttpResponse:
    """ "Portal and payments": the organization's Mollie key (write-only) and its portal limits; admins only.

    The key is a secret that moves money: members and viewers do not even read this page (403), and
    nobody sees the key again after saving it, only its last characters.
    """
    organization = request.organization
    form = PortalPaymentSettingsForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect("portal_payment_settings", org_id=organization.public_id)
    stored_key = Organization.objects.filter(pk=organization.pk).values_list("mollie_api_key", flat=True).get()
    context = {"form": form, "mollie_key_ending": mollie_api_key_ending(stored_key)}
    return render(request, "outstanding/portal_payment_settings.html", context)


def _by_field(findings: list[checks.Finding]) -> dict[str, list[checks.Finding]]:
    """Findings keyed by the settings field they belong next to."""
    grouped: dict[str, list[checks.Finding]] = {}
    for finding in findings:
        grouped.setdefault(finding.field, []).append(finding)
    return grouped


@dataclass(frozen=True)
class MemberRow:
    """One line of the member list, with what the person looking at it may do there."""

    membership: Membership
    is_self: bool
    manageable: bool


@organization_view()
def member_list(request: OrganizationRequest) -> HttpResponse:
    organization = request.organization
    actor = request.membership
    members = list(organization.memberships.select_related("user").order_by("user__email"))
    owner_count = sum(member.role == Role.OWNER for member in members)
    rows = [
        MemberRow(
            membership=member,
            is_self=member.pk == actor.pk,
            manageable=member.pk != actor.pk and services.membership_may_manage(actor=actor, role=member.role),
        )
        for member in members
    ]
    context = {
        "rows": rows,
        "can_manage": actor.can_manage,
        "can_leave": not (actor.role == Role.OWNER and owner_count == 1),
        "assignable_roles": role_choices_up_to(actor.role),
    }
    if actor.can_manage:
        # After a removal the form comes back filled in, so undoing it is one click.
        initial = {"email": request.GET.get("email", ""), "role": request.GET.get("role", Role.MEMBER)}
        context["invite_form"] = InvitationForm(actor_role=actor.role, initial=initial)
        context["invitations"] = organization.invitations.filter(accepted_at__isnull=True).order_by("-created_at")
    return render(request, "outstanding/member_list.html", context)


def _membership_or_404(request: OrganizationRequest, membership_id: str) -> Membership:
    return get_object_or_404(
        Membership.objects.select_related("user", "organization"),
        organization=request.organization,
        public_id=membership_id,
    )


def _members_page(request: OrganizationRequest) -> HttpResponse:
    return redirect("member_list", org_id=request.organization.public_id)


@organization_view(Role.ADMIN)
@require_POST
def member_invite(request: OrganizationRequest) -> HttpResponse:
    form = InvitationForm(request.POST, actor_role=request.membership.role)
    if not form.is_valid():
        messages.error(request, _("Check the e-mail address and role."))
        return _members_page(request)
    try:
        invitation = services.invitation_create(
            actor=request.membership, email=form.cleaned_data["email"], role=form.cleaned_data["role"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Invitation sent to %(email)s.") % {"email": invitation.email})
    return _members_page(request)


@organization_view(Role.ADMIN)
def member_role(request: OrganizationRequest, membership_id: str) -> HttpResponse:
    membership = _membership_or_404(request, membership_id)
    if refused := post_only(request):
        return refused
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a role."))
        return _members_page(request)
    try:
        services.membership_change_role(actor=request.membership, membership=membership, role=form.cleaned_data["role"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(email)s is now %(role)s.") % {"email": membership.user.email, "role": membership.get_role_display()},
        )
    return _members_page(request)


@organization_view()
def member_remove(request: OrganizationRequest, membership_id: str) -> HttpResponse:
    """Admins remove others; anyone may leave. The last owner cannot go."""
    membership = _membership_or_404(request, membership_id)
    if refused := post_only(request):
        return refused
    leaving = membership.pk == request.membership.pk
    try:
        services.membership_remove(actor=request.membership, membership=membership)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _members_page(request)
    if leaving:
        messages.success(request, _("You left %(name)s.") % {"name": request.organization.name})
        return redirect("app_home")
    messages.success(
        request,
        _("%(email)s no longer has access. To undo, send the invitation below.") % {"email": membership.user.email},
    )
    query = urlencode({"email": membership.user.email, "role": membership.role})
    return redirect(f"{reverse('member_list', args=[request.organization.public_id])}?{query}#invite")


@organization_view(Role.ADMIN)
def invitation_revoke(request: OrganizationRequest, invitation_id: str) -> HttpResponse:
    invitation = get_object_or_404(
        Invitation, organization=request.organization, public_id=invitation_id, accepted_at__isnull=True
    )
    if refused := post_only(request):
        return refused
    services.invitation_revoke(actor=request.membership, invitation=invitation)
    messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return _members_page(request)


# The invitation whose token this browser posted to /invite/ (its public id, never the token).
INVITATION_SESSION_KEY = "outstanding_invitation"


@require_http_methods(["GET", "POST"])
def invitation_open(request: HttpRequest) -> HttpResponse:
    """``/invite/#<token>``, the link in an invitation e-mail.

    The token sits in the fragment, which browsers never send, so it appears in no access log or
    Referer; ``static/js/invitation.js`` posts it here (a person without JavaScript pastes it). A
    valid token puts the invitation in the session and goes on to :func:`invitation_accept`.
    """
    form = InvitationTokenForm(request.POST or None)
    if request.method == "GET":
        return render(request, "outstanding/invitation_open.html", {"form": form})
    invitation = services.invitation_by_token(token=form.cleaned_data["token"]) if form.is_valid() else None
    if invitation is None:
        return _invitation_refused(request, form)
    request.session[INVITATION_SESSION_KEY] = str(invitation.public_id)
    return redirect("invitation_accept")


def _invitation_refused(request: HttpRequest, form: InvitationTokenForm | None = None) -> HttpResponse:
    context = {"form": form or InvitationTokenForm(), "refused": True}
    return render(request, "outstanding/invitation_open.html", context, status=404)


def _session_invitation(request: HttpRequest) -> Invitation | None:
    """The open invitation this session proved it holds the token of (None when used, withdrawn, expired)."""
    public_id = request.session.get(INVITATION_SESSION_KEY)
    if not public_id:
        return None
    invitation = Invitation.objects.select_related("organization", "invited_by").filter(public_id=public_id).first()
    return invitation if invitation is not None and invitation.is_open else None


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest) -> HttpResponse:
    """Join with an existing account or make one here, for the invitation of this session.

    The token proves the invitee reads that mailbox, so a new account made here starts with a
    verified address. Someone who already has an account logs in first (the session keeps the
    invitation across the login).
    """
    invitation = _session_invitation(request)
    if invitation is None:
        request.session.pop(INVITATION_SESSION_KEY, None)
        return _invitation_refused(request)
    if request.user.is_authenticated:
        return _invitation_accept_logged_in(cast(AuthenticatedRequest, request), invitation)
    if User.objects.filter(email__iexact=invitation.email).exists():
        return redirect_to_login(reverse("invitation_accept"))
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        user = _invited_user_create(invitation, form)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.pop(INVITATION_SESSION_KEY, None)
        return redirect("organization_home", org_id=invitation.organization.public_id)
    return render(request, "outstanding/invitation_accept.html", {"invitation": invitation, "form": form})


def _invitation_accept_logged_in(request: AuthenticatedRequest, invitation: Invitation) -> HttpResponse:
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("app_home")
        request.session.pop(INVITATION_SESSION_KEY, None)
        messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.organization.name})
        return redirect("organization_home", org_id=invitation.organization.public_id)
    context = {"invitation": invitation, "email_matches": request.user.email.lower() == invitation.email.lower()}
    return render(request, "outstanding/invitation_accept.html", context)


@transaction.atomic
def _invited_user_create(invitation: Invitation, form: AcceptInvitationForm) -> User:
    user, _created = services.user_get_or_create(email=invitation.email, password=form.cleaned_data["password1"])
    user.first_name, user.last_name = form.cleaned_data["first_name"], form.cleaned_data["last_name"]
    user.save(update_fields=["first_name", "last_name"])
    services.invitation_accept(invitation=invitation, user=user)
    return user


@require_http_methods(["GET", "POST"])
def weekly_summary_stop(request: HttpRequest, token: str) -> HttpResponse:
    """The stop link in the Monday e-mail: no login needed (the signed token names the membership);
    GET asks, POST switches it off, and the page offers to switch it on again (undo)."""
    membership = weekly_summary.unsubscribe_membership(token)
    if membership is None:
        raise Http404
    if request.method == "POST":
        on = request.POST.get("weekly_summary") == "on"
        weekly_summary.weekly_summary_set(membership=membership, on=on)
        return redirect("weekly_summary_stop", token=token)
    return render(request, "outstanding/weekly_summary_stop.html", {"membership": membership})
