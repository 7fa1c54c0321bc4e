"""Creditor pages of the collection app, below /app/<org_id>/ (included from outstanding.urls)."""

from django.urls import path

from collection.views import arrangements, dossier_export, dossier_opening, dossier_settings, dossiers
from collection.views import claims as claim_views
from collection.views import defences as defence_views

urlpatterns = [
    path("arrangements/", arrangements.arrangement_list, name="arrangement_list"),
    path("arrangements/<uuid:arrangement_id>/", arrangements.arrangement_detail, name="arrangement_detail"),
    path("arrangements/<uuid:arrangement_id>/approve/", arrangements.arrangement_approve, name="arrangement_approve"),
    path("arrangements/<uuid:arrangement_id>/reject/", arrangements.arrangement_reject, name="arrangement_reject"),
    path("debtors/<uuid:debtor_id>/arrangements/new/", arrangements.arrangement_new, name="arrangement_new"),
    path("dossiers/claim/", claim_views.dossier_claim, name="dossier_claim"),
    path("dossiers/", dossiers.dossier_list, name="dossier_list"),
    path("dossiers/ready/", dossier_opening.dossier_ready, name="dossier_ready"),
    path("dossiers/ready/<uuid:debtor_id>/open/", dossier_opening.dossier_ready_open, name="dossier_ready_open"),
    path("dossiers/<uuid:dossier_id>/", dossiers.dossier_detail, name="dossier_detail"),
    path("dossiers/<uuid:dossier_id>/stage/", dossiers.dossier_stage, name="dossier_stage"),
    path("dossiers/<uuid:dossier_id>/pause/", dossiers.dossier_pause, name="dossier_pause"),
    path("dossiers/<uuid:dossier_id>/resume/", dossiers.dossier_resume, name="dossier_resume"),
    path("dossiers/<uuid:dossier_id>/court-fee/", dossiers.dossier_court_fee, name="dossier_court_fee"),
    path("dossiers/<uuid:dossier_id>/note/", dossiers.dossier_note, name="dossier_note"),
    path("dossiers/<uuid:dossier_id>/close/", dossiers.dossier_close, name="dossier_close"),
    path("dossiers/<uuid:dossier_id>/export.pdf", dossier_export.dossier_export_pdf, name="dossier_export_pdf"),
    path("dossiers/<uuid:dossier_id>/export.json", dossier_export.dossier_export_json, name="dossier_export_json"),
    path("debtors/<uuid:debtor_id>/dossiers/new/", dossier_opening.dossier_new, name="dossier_new"),
    path("settings/collection/", dossier_settings.dossier_settings, name="dossier_settings"),
    path(
        "dossiers/<uuid:dossier_id>/defence/answer/",
        defence_views.dossier_defence_answer_view,
        name="dossier_defence_answer",
    ),
    path("dossiers/<uuid:dossier_id>/defence/file/", defence_views.dossier_defence_file, name="dossier_defence_file"),
]
