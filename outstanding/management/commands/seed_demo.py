"""Seed the demo organization (``make run`` uses ``seed_demo --once``). The work is in outstanding.demo."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from outstanding.calendar import local_today
from outstanding.demo import DEMO_ORGANIZATION_NAME, SIZES, demo_seed
from outstanding.models import Organization
from reminders.services.flows import debtor_flow_variants_update


class Command(BaseCommand):
    help = (
        f"Seed {DEMO_ORGANIZATION_NAME!r} (or --org) with two years of debtors, invoices and payments. "
        "Idempotent: existing rows are skipped."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", metavar="ORG_UUID", help="seed this existing organization instead")
        parser.add_argument("--size", choices=sorted(SIZES), default="full", help="full (default) or small")
        parser.add_argument("--once", action="store_true", help="do nothing if the organization has invoices")
        parser.add_argument("--force", action="store_true", help="create the demo login even with DEBUG off")

    def handle(self, *args: Any, org: str | None, size: str, once: bool, **options: Any) -> None:
        organization = self._organization(org) if org else None
        if organization is None and not (settings.DEBUG or settings.TESTING or options["force"]):
            # The demo login has a published password: never create it on a production site by accident.
            raise CommandError("DEBUG is off: refusing to create the demo login. Use --org, or --force.")
        result = demo_seed(organization=organization, size=size, once=once)
        self.stdout.write(
            f"Created {result.created_debtors} debtors, {result.created_invoices} invoices "
            f"and {result.created_payments} payments."
        )
        # As the nightly job does (reminders.tasks.flow_variants_update_all): the demo shows dynamic flows at once.
        today = local_today(result.organization.time_zone)
        scored = debtor_flow_variants_update(organization=result.organization, today=today)
        self.stdout.write(f"Scored the flow variant of {scored} debtors.")
        summary = f"{result.debtors} debtors, {result.invoices} invoices"
        if organization is None:
            login = f"log in as {settings.DEMO_USER_EMAIL} / {settings.DEMO_USER_PASSWORD}"
            self.stdout.write(f"Demo organization {result.organization.public_id}: {summary} — {login}")
        else:
            self.stdout.write(f"Organization {result.organization.public_id}: {summary}")

    def _organization(self, public_id: str) -> Organization:
        try:
            return Organization.objects.get(public_id=uuid.UUID(public_id))
        except (ValueError, Organization.DoesNotExist) as exc:
            raise CommandError(f"No organization with id {public_id!r}.") from exc
