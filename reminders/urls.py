"""Creditor pages of the reminders app, mounted under /app/<org_id>/ (see outstanding/urls.py)."""

from django.urls import URLPattern, URLResolver, path

from reminders.views import calls as call_views
from reminders.views import flows as flow_views
from reminders.views import letters as letter_views
from reminders.views import messages as message_views
from reminders.views import overview as overview_views
from reminders.views import review as review_views
from reminders.views import settings as settings_views
from reminders.views import templates as template_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("debtors/<uuid:debtor_id>/flow/", flow_views.debtor_flow_choose, name="debtor_flow_choose"),
]

# Letters (print batches) and the call list.

urlpatterns += [
    path("letters/", letter_views.letter_list, name="letter_list"),
    path("letters/batches/create/", letter_views.letter_batch_create, name="letter_batch_create"),
    path("letters/batches/<uuid:batch_id>/", letter_views.letter_batch_detail, name="letter_batch_detail"),
    path("letters/batches/<uuid:batch_id>/pdf/", letter_views.letter_batch_download, name="letter_batch_download"),
    path("letters/batches/<uuid:batch_id>/posted/", letter_views.letter_batch_posted, name="letter_batch_posted"),
    path("letters/<uuid:reminder_id>/preview/", letter_views.letter_preview, name="letter_preview"),
    path("letters/<uuid:reminder_id>/registered/", letter_views.letter_registered, name="letter_registered"),
    path("calls/", call_views.call_list, name="call_list"),
    path("calls/export.csv", call_views.call_list_export, name="call_list_export"),
    path("calls/<uuid:debtor_id>/outcome/", call_views.call_outcome, name="call_outcome"),
]

# Overview, week ahead, dunning settings and the flow editor.

urlpatterns += [
    path("reminders/", overview_views.reminder_overview, name="reminder_overview"),
    path("reminders/week/", overview_views.week_ahead, name="week_ahead"),
    path("reminders/review/", review_views.review_list, name="review_list"),
    path("reminders/review/message/", review_views.review_message, name="review_message"),
    path("reminders/review/hold/", review_views.review_hold, name="review_hold"),
    path("reminders/review/resume/", review_views.review_resume, name="review_resume"),
    path("reminders/<uuid:reminder_id>/", message_views.reminder_detail, name="reminder_detail"),
    path("reminders/<uuid:reminder_id>/pdf/", message_views.reminder_pdf, name="reminder_pdf"),
    path("reminders/<uuid:reminder_id>/retry/", overview_views.reminder_retry, name="reminder_retry"),
    path("reminders/<uuid:reminder_id>/cancel/", overview_views.reminder_cancel, name="reminder_cancel"),
    path("settings/reminders/", settings_views.dunning_settings_edit, name="dunning_settings"),
    path("settings/reminders/switch-on/", settings_views.reminders_activation, name="reminders_activation"),
    path("settings/reminders/switch-off/", settings_views.reminders_deactivate, name="reminders_deactivate"),
    path("settings/flows/", flow_views.flow_list, name="flow_list"),
    path("settings/flows/<uuid:flow_id>/", flow_views.flow_detail, name="flow_detail"),
    path("settings/flows/<uuid:flow_id>/rename/", flow_views.flow_rename, name="flow_rename"),
    path("settings/flows/<uuid:flow_id>/steps/", flow_views.flow_step_add, name="flow_step_add"),
    path("settings/flows/<uuid:flow_id>/steps/<uuid:step_id>/", flow_views.flow_step_edit, name="flow_step_edit"),
    path(
        "settings/flows/<uuid:flow_id>/steps/<uuid:step_id>/delete/",
        flow_views.flow_step_delete,
        name="flow_step_delete",
    ),
]

# The words of reminders: message templates and their editor (kind, tone and language in the query string).

urlpatterns += [
    path("settings/templates/", template_views.message_template_list, name="message_template_list"),
    path("settings/templates/edit/", template_views.message_template_edit, name="message_template_edit"),
    path("settings/templates/preview/", template_views.message_template_preview, name="message_template_preview"),
    path("settings/templates/reset/", template_views.message_template_reset, name="message_template_reset"),
]
