"""Create an organization (a tenant) with its owner: ``create_organization "Name" --owner EMAIL``.

Optionally with its details (``--iban``, ``--address``, ...) and, with ``--activate``, reminders switched
on at once. Everything happens in one transaction: a refused value or a missing fact creates nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from outstanding.calendar import local_today
from outstanding.identifiers import clean_iban, clean_kvk, clean_vat_id
from outstanding.models import Organization, User
from outstanding.services import organization_create, user_get_or_create

# option → (Organization field, how to clean the value)
DETAILS: dict[str, tuple[str, Callable[[str], str]]] = {
    "legal_name": ("legal_name", str.strip),
    "address": ("street", str.strip),
    "postal_code": ("postal_code", str.strip),
    "city": ("city", str.strip),
    "kvk": ("kvk_number", clean_kvk),
    "vat_id": ("vat_id", clean_vat_id),
    "iban": ("iban", clean_iban),
    "email": ("email", str.strip),
}
OPTION_OF_FIELD = {field: option for option, (field, _clean) in DETAILS.items()}


class Command(BaseCommand):
    help = (
        "Create an organization owned by EMAIL (created with a verified address when new); prints its UUID last. "
        "With --activate, reminders are switched on (refused, and nothing created, when a fact is missing)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", help="the organization's name")
        parser.add_argument("--owner", required=True, metavar="EMAIL", help="e-mail address of the owner")
        parser.add_argument("--password", help="password for the owner (sets it also for an existing user)")
        parser.add_argument("--legal-name", help="legal name as registered at the KvK")
        parser.add_argument("--address", help="street and number")
        parser.add_argument("--postal-code")
        parser.add_argument("--city")
        parser.add_argument("--kvk", help="KvK number (8 digits)")
        parser.add_argument("--vat-id", help="VAT id, e.g. NL000099998B57")
        parser.add_argument("--iban")
        parser.add_argument("--email", help="contact e-mail address (replies to reminders go here)")
        parser.add_argument(
            "--activate",
            action="store_true",
            help="switch reminders on; needs --legal-name, --address, --postal-code, --city, --iban and --email",
        )

    def handle(self, *args: Any, name: str, owner: str, password: str | None, activate: bool, **options: Any) -> None:
        email = _valid_email(owner, "--owner")
        if not name.strip():
            raise CommandError("The organization needs a name.")
        details = _details(options)
        with transaction.atomic():  # a refusal below rolls back the user and the organization
            user, created = user_get_or_create(email=email, password=password)
            try:
                organization = organization_create(name=name, owner=user, **details)
            except ValidationError as exc:
                raise CommandError("; ".join(exc.messages)) from exc
            reminders = _activate(organization, user) if activate else "reminders: off (switch them on in Settings)"
        self.stdout.write(f"Owner: {user.email} ({'new' if created else 'existing'} user)")
        self.stdout.write(reminders)
        self.stdout.write(str(organization.public_id))


def _valid_email(value: str, option: str) -> str:
    email = value.strip().lower()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise CommandError(f"{option}: not a valid e-mail address: {value!r}") from exc
    return email


def _details(options: dict[str, Any]) -> dict[str, str]:
    """The given details, cleaned like the settings form does (compact IBAN, KvK, VAT id)."""
    details = {}
    for option, (field, clean) in DETAILS.items():
        value = options.get(option)
        if value is None:
            continue
        if option == "email":
            details[field] = _valid_email(value, "--email") if value.strip() else ""
            continue
        try:
            details[field] = clean(value)
        except ValidationError as exc:
            raise CommandError(f"--{option.replace('_', '-')}: {' '.join(exc.messages)}") from exc
    return details


def _activate(organization: Organization, user: User) -> str:
    from reminders.services import activation

    try:
        result = activation.reminders_activate(
            organization=organization, user=user, today=local_today(organization.time_zone)
        )
    except activation.MissingFactsError as exc:
        options = ", ".join(f"--{OPTION_OF_FIELD[fact.field].replace('_', '-')}" for fact in exc.missing)
        raise CommandError(f"Cannot switch reminders on; missing: {options}. Nothing was created.") from exc
    first_run = result.first_run
    return f"reminders: on (next run {first_run.date or 'not planned'}: {first_run.message_count} messages)"
