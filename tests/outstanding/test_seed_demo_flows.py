"""seed_demo scores the demo debtors' flow variants as the nightly job does, so the demo shows dynamic flows at once."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from invoices.models import Debtor
from outstanding import demo
from outstanding.calendar import local_today
from outstanding.models import Organization
from reminders.models import FlowVariant
from reminders.scoring import PaymentHistory, flow_variant_for
from reminders.selectors.flows import debtor_payment_histories

pytestmark = pytest.mark.django_db


def seed(*args: str) -> list[str]:
    stdout = StringIO()
    call_command("seed_demo", "--size", "small", *args, stdout=stdout)
    return stdout.getvalue().strip().splitlines()


def demo_debtors() -> tuple[Organization, list[Debtor]]:
    organization = Organization.objects.get(name=demo.DEMO_ORGANIZATION_NAME)
    return organization, list(Debtor.objects.for_organization(organization))


def test_after_seeding_each_debtor_has_the_variant_its_history_warrants_with_a_reason() -> None:
    seed()
    organization, debtors = demo_debtors()
    today = local_today(organization.time_zone)
    histories = debtor_payment_histories(organization=organization, today=today)
    for debtor in debtors:
        assert (debtor.flow_variant, debtor.flow_variant_reason) == flow_variant_for(
            histories.get(debtor.pk, PaymentHistory()), today=today
        )
        assert debtor.flow_variant_reason.get("code")
    variants = {debtor.flow_variant for debtor in debtors}
    assert variants != {FlowVariant.STANDARD}
    assert FlowVariant.FIRM in variants  # the demo has chronic late payers


def test_seeding_prints_how_many_debtors_were_scored_before_the_summary() -> None:
    lines = seed()
    _organization, debtors = demo_debtors()
    assert f"Scored the flow variant of {len(debtors)} debtors." in lines[:-1]
    assert lines[-1].startswith("Demo organization ")


def test_seeding_again_scores_nothing_new() -> None:
    seed()
    assert "Scored the flow variant of 0 debtors." in seed("--once")
