"""Create an organization (a tenant) with its owner: ``create_organization "Name" --owner EMAIL``."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from outstanding.services import organization_create, user_get_or_create


class Command(BaseCommand):
    help = "Create an organization owned by EMAIL (created with a verified address when new); prints its UUID."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the organization's name")
        parser.add_argument("--owner", required=True, metavar="EMAIL", help="e-mail address of the owner")
        parser.add_argument("--password", help="password for the owner (sets it also for an existing user)")

    def handle(self, *args: Any, name: str, owner: str, password: str | None, **options: Any) -> None:
        email = owner.strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Not a valid e-mail address: {owner!r}") from exc
        if not name.strip():
            raise CommandError("The organization needs a name.")
        with transaction.atomic():
            user, created = user_get_or_create(email=email, password=password)
            try:
                organization = organization_create(name=name, owner=user)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
        self.stdout.write(f"Owner: {user.email} ({'new' if created else 'existing'} user)")
        self.stdout.write(str(organization.public_id))
