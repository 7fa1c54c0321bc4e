"""Creditor pages of the collection app, below /app/<org_id>/ (included from outstanding.urls)."""

from django.urls import path

from collection.views import arrangements

urlpatterns = [
    path("arrangements/", arrangements.arrangement_list, name="arrangement_list"),
    path("arrangements/<uuid:arrangement_id>/", arrangements.arrangement_detail, name="arrangement_detail"),
    path("arrangements/<uuid:arrangement_id>/approve/", arrangements.arrangement_approve, name="arrangement_approve"),
    path("arrangements/<uuid:arrangement_id>/reject/", arrangements.arrangement_reject, name="arrangement_reject"),
]
