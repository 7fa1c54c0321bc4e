"""Creditor pages of the portal app, under /app/<org_id>/ (outstanding.urls)."""

from django.urls import path

from portal.views import creditor

urlpatterns = [
    path("debtors/<uuid:debtor_id>/portal/revoke/", creditor.debtor_portal_revoke, name="debtor_portal_revoke"),
]
