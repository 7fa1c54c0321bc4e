"""The debtor portal under /p/<token>/ (included from outstanding.urls)."""

from django.urls import path

from portal.views import arrangement, invoice, pages, pay, reactions
from portal.views import dossier as dossier_views

urlpatterns = [
    path("", pages.portal_home, name="portal_home"),
    path("statement.pdf", pages.portal_statement, name="portal_statement"),
    path("invoices/<uuid:invoice_id>/pdf/", pages.portal_invoice_pdf, name="portal_invoice_pdf"),
    path("invoices/<uuid:invoice_id>/", invoice.portal_invoice_page, name="portal_invoice"),
    path("invoices/<uuid:invoice_id>/ask/", reactions.portal_invoice_ask, name="portal_invoice_ask"),
    path("invoices/<uuid:invoice_id>/dispute/", reactions.portal_invoice_dispute, name="portal_invoice_dispute"),
    path("invoices/<uuid:invoice_id>/paid/", reactions.portal_invoice_paid, name="portal_invoice_paid"),
    path("invoices/<uuid:invoice_id>/proofs/<uuid:proof_id>/", invoice.portal_proof_file, name="portal_invoice_proof"),
    path("pay/", pay.portal_pay, name="portal_pay"),
    path("paid/<uuid:payment_id>/", pay.portal_paid, name="portal_paid"),
    path("arrangement/", arrangement.portal_arrangement, name="portal_arrangement"),
    path("arrangement/propose/", arrangement.portal_arrangement_propose, name="portal_arrangement_propose"),
    path(
        "arrangement/<uuid:arrangement_id>/withdraw/",
        arrangement.portal_arrangement_withdraw,
        name="portal_arrangement_withdraw",
    ),
    path(
        "arrangement/<uuid:arrangement_id>/terms/<int:number>/",
        arrangement.portal_arrangement_term,
        name="portal_arrangement_term",
    ),
    path(
        "arrangement/<uuid:arrangement_id>/terms/<int:number>/pay/",
        arrangement.portal_arrangement_term_pay,
        name="portal_arrangement_term_pay",
    ),
    path("dossiers/<uuid:dossier_id>/defence/", dossier_views.portal_dossier_defence, name="portal_dossier_defence"),
]
