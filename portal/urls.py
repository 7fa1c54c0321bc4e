"""The debtor portal under /p/<token>/ (included from outstanding.urls)."""

from django.urls import path

from portal.views import pages, pay

urlpatterns = [
    path("", pages.portal_home, name="portal_home"),
    path("statement.pdf", pages.portal_statement, name="portal_statement"),
    path("invoices/<uuid:invoice_id>/pdf/", pages.portal_invoice_pdf, name="portal_invoice_pdf"),
    path("pay/", pay.portal_pay, name="portal_pay"),
    path("paid/<uuid:payment_id>/", pay.portal_paid, name="portal_paid"),
]
