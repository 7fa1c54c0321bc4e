"""``create_organization`` with the organization's details and ``--activate`` (the basics: test_commands.py)."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from outstanding.models import Membership, Organization, User
from reminders.models import DunningSettings

pytestmark = pytest.mark.django_db

COMPLETE = [
    "--legal-name", "Gamma Bouw B.V.", "--address", "Bouwstraat 3", "--postal-code", "3511 AB", "--city", "Utrecht",
    "--kvk", "3028 1757", "--vat-id", "nl004495445b01", "--iban", "NL91 ABNA 0417 1643 00",
    "--email", "Debiteuren@Gamma.test",
]  # fmt: skip


def run(*args: str) -> list[str]:
    stdout = StringIO()
    call_command("create_organization", "Gamma Bouw B.V.", "--owner", "eigenaar@gamma.test", *args, stdout=stdout)
    return stdout.getvalue().strip().splitlines()


def settings_of(organization: Organization) -> DunningSettings:
    return DunningSettings.objects.for_organization(organization).get()


def nothing_created() -> bool:
    return not Organization.objects.exists() and not User.objects.exists() and not Membership.objects.exists()


def test_without_details_it_creates_an_organization_with_reminders_off() -> None:
    lines = run()

    organization = Organization.objects.get(public_id=uuid.UUID(lines[-1]))
    assert settings_of(organization).reminders_active is False
    assert "reminders: off" in lines[-2]


def test_the_details_are_stored_cleaned_like_the_settings_form() -> None:
    lines = run(*COMPLETE)

    organization = Organization.objects.get(public_id=uuid.UUID(lines[-1]))
    assert (organization.legal_name, organization.street, organization.postal_code, organization.city) == (
        "Gamma Bouw B.V.",
        "Bouwstraat 3",
        "3511 AB",
        "Utrecht",
    )
    assert (organization.kvk_number, organization.vat_id, organization.iban) == (
        "30281757",
        "NL004495445B01",
        "NL91ABNA0417164300",
    )
    assert organization.email == "debiteuren@gamma.test"
    assert settings_of(organization).reminders_active is False


def test_activate_switches_reminders_on_with_the_owner_as_who() -> None:
    lines = run(*COMPLETE, "--activate")

    organization = Organization.objects.get(public_id=uuid.UUID(lines[-1]))
    settings = settings_of(organization)
    assert settings.reminders_active is True
    assert settings.activated_by == User.objects.get(email="eigenaar@gamma.test")
    assert settings.activated_at is not None
    assert lines[-2].startswith("reminders: on (next run ") and lines[-2].endswith(": 0 messages)")


def test_activate_with_missing_facts_refuses_lists_them_and_creates_nothing() -> None:
    with pytest.raises(CommandError) as refused:
        run("--iban", "NL91ABNA0417164300", "--city", "Utrecht", "--activate")

    assert "--legal-name, --address, --postal-code, --email" in str(refused.value)
    assert nothing_created()


@pytest.mark.parametrize(
    ("option", "value"),
    [("--iban", "NL00ABNA0000000000"), ("--kvk", "1234"), ("--vat-id", "NL123"), ("--email", "not-an-email")],
)
def test_a_bad_value_is_refused_naming_the_option_and_creates_nothing(option: str, value: str) -> None:
    with pytest.raises(CommandError, match=option):
        run(*COMPLETE, option, value)

    assert nothing_created()


def test_a_value_too_long_for_the_model_is_refused_and_creates_nothing() -> None:
    with pytest.raises(CommandError):
        run("--city", "x" * 101)

    assert nothing_created()
