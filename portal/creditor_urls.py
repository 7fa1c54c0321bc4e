"""Creditor pages of the portal app, under /app/<org_id>/ (outstanding.urls)."""

from django.urls import path

from portal.views import creditor, threads_creditor

urlpatterns = [
    path("debtors/<uuid:debtor_id>/portal/revoke/", creditor.debtor_portal_revoke, name="debtor_portal_revoke"),
    path("reactions/", threads_creditor.debtor_reactions, name="debtor_reactions"),
    path(
        "invoices/<uuid:invoice_id>/thread/reply/", threads_creditor.invoice_thread_reply, name="invoice_thread_reply"
    ),
    path(
        "invoices/<uuid:invoice_id>/dispute/resolve/",
        threads_creditor.invoice_dispute_resolve,
        name="invoice_dispute_resolve",
    ),
    path(
        "invoices/<uuid:invoice_id>/payment-claim/check/",
        threads_creditor.invoice_payment_claim_check,
        name="invoice_payment_claim_check",
    ),
    path("invoices/<uuid:invoice_id>/proofs/<uuid:proof_id>/", threads_creditor.invoice_proof, name="invoice_proof"),
]
