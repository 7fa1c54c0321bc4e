"""Settings → Accounting package: connect through OAuth, choose the administration, sync now, disconnect.

Everyone in the organization reads the page; administrators and owners act on it. The OAuth callback
lives outside ``/app/`` because the redirect URI registered at the package is fixed; it finds the
organization in the signed ``state`` (:mod:`invoices.connectors.oauth`) and still requires the user to
be an administrator there (404 otherwise, like every creditor page). Tokens are stored, never shown and
never logged.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from invoices.connectors import UnknownProviderError, provider_get
from invoices.connectors import selectors as connector_selectors
from invoices.connectors import services as connector_services
from invoices.connectors.base import ConnectorError
from invoices.connectors.oauth import OAuthStateError, oauth_state_check, oauth_state_create
from invoices.models import AccountingConnection, ConnectionStatus
from outstanding.access import (
    OrganizationRequest,
    membership_for_user,
    organization_view,
    post_only,
    tenant_object_or_404,
)
from outstanding.models import Organization, Role

logger = logging.getLogger(__name__)


def callback_url(provider: str) -> str:
    """The redirect URI to register at the package: absolute and fixed."""
    return settings.SITE_URL + reverse("connector_oauth_callback", args=[provider])


def _settings_page(organization: Organization) -> HttpResponse:
    return redirect("accounting_settings", org_id=organization.public_id)


@organization_view(Role.VIEWER)
def accounting_settings(request: OrganizationRequest) -> HttpResponse:
    rows = connector_selectors.connector_rows(organization=request.organization)
    context = {"rows": rows, "can_manage": request.membership.can_manage}
    return render(request, "invoices/connectors/settings.html", context)


@organization_view(Role.ADMIN)
@require_POST
def accounting_connect(request: OrganizationRequest) -> HttpResponse:
    """Send the administrator to the package to grant access; the state remembers the organization."""
    try:
        provider = provider_get(request.POST.get("provider", ""))
    except UnknownProviderError:
        raise Http404 from None
    if not provider.oauth.is_configured():
        messages.error(request, _("%(package)s is not set up on this server yet.") % {"package": provider.label})
        return _settings_page(request.organization)
    state = oauth_state_create(session=request.session, organization=request.organization, provider=provider.name)
    return redirect(provider.oauth.authorize_url(state=state, redirect_uri=callback_url(provider.name)))


@login_required
@require_GET
def oauth_callback(request: HttpRequest, provider: str) -> HttpResponse:
    """Where the package sends the administrator back, with a code to trade for tokens."""
    try:
        package = provider_get(provider)
    except UnknownProviderError:
        raise Http404 from None
    try:
        org_id = oauth_state_check(session=request.session, state=request.GET.get("state", ""), provider=provider)
    except OAuthStateError as exc:
        logger.warning("connector.oauth_state_refused", extra={"provider": provider, "why": str(exc)})
        return render(request, "invoices/connectors/refused.html", {"package": package.label}, status=400)
    membership = membership_for_user(request.user, org_id)
    if not membership.can_manage:
        raise Http404
    organization = membership.organization
    code = request.GET.get("code", "")
    if request.GET.get("error") or not code:
        messages.warning(
            request, _("%(package)s was not connected: access was not granted.") % {"package": package.label}
        )
        return _settings_page(organization)
    try:
        tokens = package.oauth.exchange_code(code=code, redirect_uri=callback_url(provider))
    except ConnectorError as exc:
        logger.warning("connector.oauth_exchange_failed", extra={"provider": provider, "code": exc.code})
        messages.error(request, _(exc.message))
        return _settings_page(organization)
    connection = connector_services.accounting_connection_connect(
        organization=organization, provider=provider, tokens=tokens
    )
    if connection.account_id:
        # A reconnection: the administration chosen before still applies.
        connector_services.accounting_connection_sync_enqueue(connection=connection)
        messages.success(request, _("Reconnected to %(package)s. Importing resumes.") % {"package": package.label})
        return _settings_page(organization)
    return redirect("accounting_administration", org_id=organization.public_id, connection_id=connection.public_id)


@organization_view(Role.ADMIN)
def accounting_administration(request: OrganizationRequest, connection_id: str) -> HttpResponse:
    """Choose which of the package's administrations to import from."""
    connection = tenant_object_or_404(AccountingConnection, request.organization, public_id=connection_id)
    package = provider_get(connection.provider)
    if connection.status == ConnectionStatus.DISCONNECTED or not connection.access_token:
        messages.error(request, _("Connect %(package)s first.") % {"package": package.label})
        return _settings_page(request.organization)
    try:
        accounts = package.oauth.accounts(access_token=connection.access_token)
    except ConnectorError as exc:
        logger.warning("connector.accounts_failed", extra={"connection": connection.pk, "code": exc.code})
        messages.error(request, _(exc.message))
        return _settings_page(request.organization)
    status = 200
    if request.method == "POST":
        chosen = next((account for account in accounts if account.id == request.POST.get("account", "")), None)
        if chosen is not None:
            connector_services.accounting_connection_account_choose(connection=connection, account_id=chosen.id)
            connector_services.accounting_connection_sync_enqueue(connection=connection)
            messages.success(
                request,
                _("Connected to %(name)s. The first import has started; it may take a few minutes.")
                % {"name": chosen.name or package.label},
            )
            return _settings_page(request.organization)
        messages.error(request, _("Choose one of the administrations listed."))
        status = 400
    context = {"connection": connection, "package": package, "accounts": accounts}
    return render(request, "invoices/connectors/administration.html", context, status=status)


@organization_view(Role.ADMIN)
def accounting_sync_now(request: OrganizationRequest, connection_id: str) -> HttpResponse:
    connection = tenant_object_or_404(AccountingConnection, request.organization, public_id=connection_id)
    if refused := post_only(request):
        return refused
    if connector_selectors.connection_is_ready(connection):
        connector_services.accounting_connection_sync_enqueue(connection=connection)
        messages.success(request, _("Sync started. Refresh this page in a minute to see the result."))
    else:
        messages.error(request, _("This connection cannot sync: connect again and choose the administration."))
    return _settings_page(request.organization)


@organization_view(Role.ADMIN)
def accounting_disconnect(request: OrganizationRequest, connection_id: str) -> HttpResponse:
    connection = tenant_object_or_404(AccountingConnection, request.organization, public_id=connection_id)
    if refused := post_only(request):
        return refused
    connector_services.accounting_connection_disconnect(connection=connection)
    package = provider_get(connection.provider)
    messages.success(
        request,
        _("Disconnected from %(package)s. Imported debtors, invoices and payments stay.") % {"package": package.label},
    )
    return _settings_page(request.organization)
