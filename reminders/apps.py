from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from outstanding.models import Organization


class RemindersConfig(AppConfig):
    name = "reminders"
    verbose_name = _("Reminders")

    def organization_created(self, organization: Organization) -> None:
        """Called by outstanding.services.organization_create: default settings, flows and templates."""
        from reminders.services.defaults import organization_defaults_create

        organization_defaults_create(organization)

    def ready(self) -> None:
        # Register the Celery tasks with the app in every process (web, worker, tests): dispatch
        # enqueues them by name, from below the task module.
        from reminders import tasks  # noqa: F401
