from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from outstanding import views

# Every creditor page: /app/<org_id>/... resolved by outstanding.access.organization_view.
organization_patterns = [
    path("", views.organization_home, name="organization_home"),
    path("settings/", views.organization_settings, name="organization_settings"),
    path("members/", views.member_list, name="member_list"),
    path("members/invite/", views.member_invite, name="member_invite"),
    path("members/<uuid:membership_id>/role/", views.member_role, name="member_role"),
    path("members/<uuid:membership_id>/remove/", views.member_remove, name="member_remove"),
    path("invitations/<uuid:invitation_id>/revoke/", views.invitation_revoke, name="invitation_revoke"),
    path("", include("invoices.urls")),
    path("", include("reminders.urls")),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="app_home", permanent=False)),
    path("health/", views.health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("api/", include("outstanding.api_urls")),
    path("invite/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("app/", views.app_home, name="app_home"),
    path("app/new/", views.organization_new, name="organization_new"),
    path("app/<uuid:org_id>/", include(organization_patterns)),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
