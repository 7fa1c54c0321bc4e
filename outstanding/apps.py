from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class OutstandingConfig(AppConfig):
    name = "outstanding"
    verbose_name = _("Organizations and accounts")

    def ready(self) -> None:
        from outstanding import checks as outstanding_checks

        checks.register(outstanding_checks.check_file_names_unguessable, checks.Tags.models)
        checks.register(outstanding_checks.check_public_address, checks.Tags.security, deploy=True)
