from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutstandingConfig(AppConfig):
    name = "outstanding"
    verbose_name = _("Organizations and accounts")
