from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet

from outstanding.calendar import local_today
from outstanding.models import Organization
from reminders.management.options import date_option, organization_option
from reminders.models import LetterBatch
from reminders.services import letters


class Command(BaseCommand):
    help = (
        "Make the day's print batch as beat does, for one or every organization; with --posted, mark it "
        "posted that day (the letters' legal dates count from it). Prints the number of letters last."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="YYYY-MM-DD; default: each organization's local today")
        parser.add_argument("--org", help="organization UUID; default: every organization")
        parser.add_argument("--posted", action="store_true", help="mark the day's batches posted on that day")

    def handle(self, *args: Any, **options: Any) -> None:
        day = date_option(options["date"])
        organizations = self._organizations(options["org"])
        if options["posted"]:
            self._refuse_future_posting(organizations, day)
        totals = {"organizations": 0, "failed": 0, "batches": 0, "letters": 0}
        for organization in organizations.iterator():
            date = day or local_today(organization.time_zone)
            try:
                batches = self._run(organization, date, posted=options["posted"])
            except Exception as exc:  # one organization's failure does not stop the others
                totals["failed"] += 1
                self.stderr.write(f"{organization.public_id}: failed: {exc}")
                continue
            count = sum(batch.letter_count for batch in batches)
            totals["organizations"] += 1
            totals["batches"] += len(batches)
            totals["letters"] += count
            if options["verbosity"] > 1:
                self.stdout.write(f"{organization.public_id}: {len(batches)} print batches, {count} letters")
        mode = "printed and posted" if options["posted"] else "printed"
        self.stdout.write(
            f"{mode} {totals['batches']} print batches in {totals['organizations']} organizations "
            f"({totals['failed']} failed)" + (f" as of {day}" if day else "") + f"; letters: {totals['letters']}"
        )
        if totals["failed"]:
            raise CommandError(f"{totals['failed']} organizations failed")

    def _run(self, organization: Organization, date: dt.date, *, posted: bool) -> list[LetterBatch]:
        """The batch made now and, when posting, every batch of the day not posted yet (beat's included)."""
        batch = letters.letter_batch_create(organization=organization, date=date)
        if not posted:
            return [batch] if batch else []
        unposted = LetterBatch.objects.for_organization(organization).filter(date=date, posted_date__isnull=True)
        return [
            letters.letter_batch_posted(batch=each, user=None, posted_date=date)
            for each in unposted.order_by("created_at")
        ]

    def _organizations(self, org: str | None) -> QuerySet[Organization]:
        organizations = Organization.objects.order_by("pk")
        if not org:
            return organizations
        organizations = organizations.filter(public_id=organization_option(org))
        if not organizations.exists():
            raise CommandError(f"No organization {org}")
        return organizations

    def _refuse_future_posting(self, organizations: QuerySet[Organization], day: dt.date | None) -> None:
        """Checked for every organization before anything is printed: a refused run writes nothing."""
        if day is None:
            return
        for organization in organizations.only("time_zone"):
            if day > local_today(organization.time_zone):
                raise CommandError(f"--posted: {day} lies in the future; letters cannot have been posted yet")
