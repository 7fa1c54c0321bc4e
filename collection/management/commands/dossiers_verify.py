from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from collection.services import dossiers_verify
from outstanding.models import Organization
from reminders.management.options import organization_option


class Command(BaseCommand):
    help = (
        "Check every collection dossier's chain of events (nothing changed, inserted or removed), for one "
        "or every organization. Prints each broken dossier, then the number checked and broken last; "
        "exits with an error when one is broken."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", type=organization_option, help="organization UUID; default: every organization")

    def handle(self, *args: Any, **options: Any) -> None:
        organizations = Organization.objects.order_by("pk")
        if options["org"]:
            organizations = organizations.filter(public_id=options["org"])
            if not organizations.exists():
                raise CommandError(f"no organization {options['org']}")
        checked, problems = dossiers_verify(organizations=organizations.iterator())
        for problem in problems:
            self.stderr.write(f"{problem.dossier_reference}: {problem.problem}")
        broken = len({problem.dossier_reference for problem in problems})
        self.stdout.write(f"dossiers checked: {checked}; broken: {broken}")
        if broken:
            raise CommandError(f"{broken} dossiers have a broken chain of events")
