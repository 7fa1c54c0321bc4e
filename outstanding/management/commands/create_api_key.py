"""Create an API key for an organization: ``create_api_key ORG_UUID [--write] [--name NAME]``.

The key is printed once, on the last line, so a script can take it with ``tail -n 1``.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from outstanding.api_keys import api_key_create
from outstanding.models import ApiKeyAccess, Organization

DEFAULT_NAME = "Command line"


class Command(BaseCommand):
    help = "Create an API key (read only unless --write) for the organization ORG_UUID; prints the key last."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("organization", metavar="ORG_UUID", help="the organization's public id")
        parser.add_argument("--write", action="store_true", help="a read-and-write key (default: read only)")
        parser.add_argument("--name", default=DEFAULT_NAME, help=f"what the key is for (default: {DEFAULT_NAME!r})")

    def handle(self, *args: Any, organization: str, write: bool, name: str, **options: Any) -> None:
        try:
            owner = Organization.objects.get(public_id=uuid.UUID(organization))
        except (ValueError, Organization.DoesNotExist):
            raise CommandError(f"No organization with id {organization!r}.") from None
        access = ApiKeyAccess.READ_WRITE if write else ApiKeyAccess.READ
        try:
            api_key, raw_key = api_key_create(organization=owner, name=name, access=access, created_by=None)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"API key {api_key.name!r} ({api_key.get_access_display()}) for {owner.name}.")
        self.stdout.write("Shown only now; store it safely:")
        self.stdout.write(raw_key)
