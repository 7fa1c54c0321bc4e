from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from django.views.generic import RedirectView

from invoices import connector_views
from invoices.payments import views as payment_views
from outstanding import api_key_views, asset_views, views
from reminders.views import hooks as reminder_hooks

# Every creditor page: /app/<org_id>/... resolved by outstanding.access.organization_view.
organization_patterns: list[URLPattern | URLResolver] = [
    path("", views.organization_home, name="organization_home"),
    path("settings/", views.organization_settings, name="organization_settings"),
    path("settings/portal-and-payments/", views.portal_payment_settings, name="portal_payment_settings"),
    path("members/", views.member_list, name="member_list"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<uuid:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<uuid:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("settings/api-keys/", api_key_views.api_key_list, name="api_key_list"),
    path("settings/api-keys/new/", api_key_views.api_key_create, name="api_key_create"),
    path("settings/api-keys/<uuid:api_key_id>/revoke/", api_key_views.api_key_revoke, name="api_key_revoke"),
    path("settings/accounting/", include("invoices.connector_urls")),
    path("", include("invoices.urls")),
    path("", include("reminders.urls")),
    path("", include("portal.creditor_urls")),
    path("", include("collection.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="app_home", permanent=False)),
    path("health/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("outstanding.api_urls")),
    # Reports from outside services, authenticated by a shared secret (no session, no CSRF).
    path("hooks/email-bounce/", reminder_hooks.email_bounce, name="email_bounce_hook"),
    # Mollie posts only a payment id; the payment is fetched from Mollie (invoices.payments.views).
    path("hooks/mollie/", payment_views.mollie_webhook, name="mollie_webhook"),
    # The token comes in the link's fragment and is posted; it is never part of a (logged) URL.
    path("invite/", views.invitation_open, name="invitation_open"),
    path("weekly-summary/stop/<str:token>/", views.weekly_summary_stop, name="weekly_summary_stop"),
    path("invite/accept/", views.invitation_accept, name="invitation_accept"),
    # Fixed OAuth redirect URI for accounting packages; the organization travels in the signed state.
    path("connect/<slug:provider>/callback/", connector_views.oauth_callback, name="connector_oauth_callback"),
    path("app/", views.app_home, name="app_home"),
    path("app/new/", views.organization_new, name="organization_new"),
    path("app/<uuid:org_id>/", include(organization_patterns)),
    # The debtor portal: the token is the credential (portal.views.guard); no account, no session.
    path("p/<str:token>/", include("portal.urls")),
]

# Files (outstanding.files): MEDIA_URL is served by nothing, in DEBUG neither. Private files go out only
# through the membership-checked views; public assets (logos in e-mails) at /public/, without a login.
urlpatterns += [
    path("public/logos/<str:name>", asset_views.public_logo, name="public_logo"),
]
