from django.urls import path

from invoices import import_views, views
from invoices.bank import views as bank_views
from invoices.views import lists as list_views

urlpatterns = [
    path("debtors/", list_views.debtor_list, name="debtor_list"),
    path("debtors/export.csv", list_views.debtor_export, {"file_format": "csv"}, name="debtor_export_csv"),
    path("debtors/export.xlsx", list_views.debtor_export, {"file_format": "xlsx"}, name="debtor_export_xlsx"),
    path("debtors/bulk/", list_views.debtor_bulk, name="debtor_bulk"),
    path("debtors/new/", views.debtor_new, name="debtor_new"),
    path("debtors/<uuid:debtor_id>/edit/", views.debtor_edit, name="debtor_edit"),
    path("debtors/<uuid:debtor_id>/", views.debtor_detail, name="debtor_detail"),
    path("debtors/<uuid:debtor_id>/pause/", views.debtor_pause, name="debtor_pause"),
    path("debtors/<uuid:debtor_id>/resume/", views.debtor_resume, name="debtor_resume"),
    path("invoices/", list_views.invoice_list, name="invoice_list"),
    path("invoices/export.csv", list_views.invoice_export, {"file_format": "csv"}, name="invoice_export_csv"),
    path("invoices/export.xlsx", list_views.invoice_export, {"file_format": "xlsx"}, name="invoice_export_xlsx"),
    path("invoices/bulk/", list_views.invoice_bulk, name="invoice_bulk"),
    path("invoices/new/", views.invoice_new, name="invoice_new"),
    path("invoices/<uuid:invoice_id>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<uuid:invoice_id>/pdf/", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<uuid:invoice_id>/pause/", views.invoice_pause, name="invoice_pause"),
    path("invoices/<uuid:invoice_id>/resume/", views.invoice_resume, name="invoice_resume"),
    path("invoices/<uuid:invoice_id>/payments/", views.payment_add, name="payment_add"),
    path("imports/", import_views.import_list, name="import_list"),
    path("imports/<uuid:import_id>/", import_views.import_detail, name="import_detail"),
    path("imports/<uuid:import_id>/mapping/", import_views.import_mapping, name="import_mapping"),
    path("imports/<uuid:import_id>/confirm/", import_views.import_confirm, name="import_confirm"),
    path("imports/<uuid:import_id>/progress/", import_views.import_progress, name="import_progress"),
    path("imports/<uuid:import_id>/rejected.csv", import_views.import_rejected, name="import_rejected"),
    path("bank/", bank_views.bank_statement_list, name="bank_statement_list"),
    path("bank/lines/", bank_views.bank_line_list, name="bank_line_list"),
    path("bank/lines/<uuid:line_id>/assign/", bank_views.bank_line_assign, name="bank_line_assign"),
    path("bank/lines/<uuid:line_id>/dismiss/", bank_views.bank_line_dismiss, name="bank_line_dismiss"),
    path("bank/lines/<uuid:line_id>/restore/", bank_views.bank_line_restore, name="bank_line_restore"),
]
