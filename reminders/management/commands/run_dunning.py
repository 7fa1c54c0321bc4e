from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from outstanding.calendar import local_today
from outstanding.models import Organization
from reminders import engine
from reminders.management.options import date_option, organization_option
from reminders.services import dunning as dunning_services


class Command(BaseCommand):
    help = "Run the dunning engine as of a date for one or every organization; prints a summary last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD; default: each organization's local today")
        parser.add_argument("--org", help="organization UUID; default: every organization")
        parser.add_argument("--dry-run", action="store_true", help="write nothing; tell what would go out")
        parser.add_argument("--send", action="store_true", help="send e-mails and SMS now, in this process")

    def handle(self, *args: Any, **options: Any) -> None:
        day = date_option(options["date"])
        organizations = Organization.objects.order_by("pk")
        if options["org"]:
            organizations = organizations.filter(public_id=organization_option(options["org"]))
            if not organizations.exists():
                raise CommandError(f"No organization {options['org']}")
        totals = {"organizations": 0, "failed": 0, "messages": 0, "invoices": 0, "off": 0}
        for organization in organizations.iterator():
            today = day or local_today(organization.time_zone)
            try:
                if options["dry_run"]:
                    result = engine.plan(organization, today, dry_run=True)
                else:
                    result = dunning_services.dunning_run(
                        organization=organization, today=today, send_now=options["send"]
                    )
            except Exception as exc:  # one organization's failure does not stop the others
                totals["failed"] += 1
                self.stderr.write(f"{organization.public_id}: failed: {exc}")
                continue
            totals["organizations"] += 1
            totals["off"] += not result.active  # not gone live: a real run plans nothing for it
            totals["messages"] += len(result.messages)
            totals["invoices"] += result.invoice_count
            if options["verbosity"] > 1:
                self.stdout.write(f"{organization.public_id}: {result.summary()}")
        mode = "would plan" if options["dry_run"] else "planned"
        self.stdout.write(
            f"{mode} {totals['messages']} messages for {totals['invoices']} invoices in "
            f"{totals['organizations']} organizations ({totals['failed']} failed)"
            + (f"; {totals['off']} with reminders switched off" if totals["off"] else "")
            + (f" as of {day}" if day else "")
        )
        if totals["failed"]:
            raise CommandError(f"{totals['failed']} organizations failed")
