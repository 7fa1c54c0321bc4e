"""REST API under /api/ (versioned: /api/v1/...), its OpenAPI schema and docs.

Every endpoint authenticates with an organization's API key (``outstanding.api``). Anything under
/api/ that matches nothing answers 404 in the API's error format, not with an HTML page.
"""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from invoices.api import DebtorViewSet, InvoiceViewSet, PaymentViewSet
from outstanding.api.exceptions import not_found_view
from outstanding.api.schema import ApiDocsView
from reminders.api import ReminderViewSet

router = SimpleRouter()
router.register("debtors", DebtorViewSet, basename="api-debtor")
router.register("invoices", InvoiceViewSet, basename="api-invoice")
router.register("payments", PaymentViewSet, basename="api-payment")
router.register("reminders", ReminderViewSet, basename="api-reminder")

urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"", not_found_view),
]
