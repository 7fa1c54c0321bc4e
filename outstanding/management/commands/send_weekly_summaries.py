from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from outstanding.calendar import local_today
from outstanding.models import Organization
from outstanding.weekly_summary import week_start, weekly_summaries_send
from reminders.management.options import date_option, organization_option


class Command(BaseCommand):
    help = (
        "Send the weekly summary e-mail of the week of --date (default: each organization's today) to every "
        "member who has not had it and has not opted out, for one or every organization. A member gets one "
        "per week however often this runs. Prints the number sent last."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD; the summary of that date's week")
        parser.add_argument("--org", type=organization_option, help="organization UUID; default: every organization")

    def handle(self, *args: Any, **options: Any) -> None:
        day = date_option(options["date"])
        organizations = Organization.objects.order_by("pk")
        if options["org"]:
            organizations = organizations.filter(public_id=options["org"])
            if not organizations.exists():
                raise CommandError(f"no organization {options['org']}")
        sent = 0
        for organization in organizations.iterator():
            today = day or local_today(organization.time_zone)
            count = weekly_summaries_send(organization=organization, today=today)
            if options["verbosity"] > 1:
                self.stdout.write(f"{organization.public_id}: week of {week_start(today)}: {count} sent")
            sent += count
        self.stdout.write(f"weekly summaries sent: {sent}")
