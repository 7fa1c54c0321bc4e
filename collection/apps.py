from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollectionConfig(AppConfig):
    # Not "collections": a top-level package of that name shadows Python's standard library.
    name = "collection"
    verbose_name = _("Debt collection")
