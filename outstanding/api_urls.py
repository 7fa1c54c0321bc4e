"""REST API under /api/ (versioned: /api/v1/...), its OpenAPI schema and docs.

Every endpoint authenticates with an organization's API key (``outstanding.api``). Anything under
/api/ that matches nothing answers 404 in the API's error format, not with an HTML page.
"""

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from collection.api import DossierViewSet
from invoices.api import DebtorViewSet, InvoiceViewSet, PaymentViewSet
from outstanding.api.exceptions import not_found_view
from outstanding.api.organization import OrganizationView
from outstanding.api.schema import ApiDocsView
from outstanding.api.summary import SummaryView
from reminders.api import ReminderActivateView, ReminderDeactivateView, ReminderViewSet


def without_slash(view: type[APIView]) -> type[APIView]:
    """The same endpoint also without its trailing slash (as the docs spell it), left out of the schema:
    a POST cannot follow Django's redirect to the slashed URL."""
    hidden = extend_schema(exclude=True)
    # Only the methods the view has: drf-spectacular warns (in `check --deploy`) about any other.
    methods = {method: hidden for method in ("get", "post", "patch") if hasattr(view, method)}
    return extend_schema_view(**methods)(type(f"{view.__name__}WithoutSlash", (view,), {}))


router = SimpleRouter()
router.register("debtors", DebtorViewSet, basename="api-debtor")
router.register("invoices", InvoiceViewSet, basename="api-invoice")
router.register("payments", PaymentViewSet, basename="api-payment")
router.register("reminders", ReminderViewSet, basename="api-reminder")
router.register("dossiers", DossierViewSet, basename="api-dossier")

urlpatterns = [
    path("v1/", include(router.urls)),
    # The key's own organization: no id in the URL, a key sees no other.
    path("v1/organization/", OrganizationView.as_view(), name="api-organization"),
    path("v1/organization/reminders/activate/", ReminderActivateView.as_view(), name="api-reminders-activate"),
    path("v1/organization/reminders/deactivate/", ReminderDeactivateView.as_view(), name="api-reminders-deactivate"),
    path("v1/organization", without_slash(OrganizationView).as_view()),
    path("v1/organization/reminders/activate", without_slash(ReminderActivateView).as_view()),
    path("v1/organization/reminders/deactivate", without_slash(ReminderDeactivateView).as_view()),
    path("v1/summary/", SummaryView.as_view(), name="api-summary"),
    path("v1/summary", without_slash(SummaryView).as_view()),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"", not_found_view),
]
