"""Settings → Accounting package, below /app/<org_id>/settings/accounting/ (see invoices.connector_views)."""

from django.urls import path

from invoices import connector_views

urlpatterns = [
    path("", connector_views.accounting_settings, name="accounting_settings"),
    path("connect/", connector_views.accounting_connect, name="accounting_connect"),
    path(
        "<uuid:connection_id>/administration/",
        connector_views.accounting_administration,
        name="accounting_administration",
    ),
    path("<uuid:connection_id>/sync/", connector_views.accounting_sync_now, name="accounting_sync_now"),
    path("<uuid:connection_id>/disconnect/", connector_views.accounting_disconnect, name="accounting_disconnect"),
]
