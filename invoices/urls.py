from django.urls import path

from invoices import views

urlpatterns = [
    path("debtors/", views.debtor_list, name="debtor_list"),
    path("debtors/<uuid:debtor_id>/", views.debtor_detail, name="debtor_detail"),
    path("debtors/<uuid:debtor_id>/pause/", views.debtor_pause, name="debtor_pause"),
    path("debtors/<uuid:debtor_id>/resume/", views.debtor_resume, name="debtor_resume"),
    path("invoices/", views.invoice_list, name="invoice_list"),
    path("invoices/<uuid:invoice_id>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<uuid:invoice_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<uuid:invoice_id>/payments/", views.payment_add, name="payment_add"),
]
