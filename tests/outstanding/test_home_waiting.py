"""The home page lists what waits for the creditor, each with its count and a link to the list behind it,
and shows a debtor's new question, dispute or proposal at once although the home figures are stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from collection.services import arrangement_propose
from invoices.models import Invoice
from outstanding.calendar import local_today
from portal.services import dispute_open, thread_question_ask
from reminders.models import Reminder, ReminderStatus
from tests.conftest import Tenant, client_for
from tests.factories import DebtorFactory, InvoiceFactory
from tests.reminders.reminder_builders import reminder_with_invoices

pytestmark = pytest.mark.django_db(transaction=True)


def home(tenant: Tenant) -> tuple[dict[str, tuple[int, str]], str]:
    """({key: (count, link)}, the page's html)."""
    response = client_for(tenant.member).get(reverse("organization_home", args=[tenant.organization.public_id]))
    assert response.status_code == 200
    return {item.key: (item.count, item.url) for item in response.context["waiting"]}, response.content.decode()


@pytest.fixture
def invoices(org_a: Tenant) -> list[Invoice]:
    debtor = DebtorFactory(organization=org_a.organization, name="Bakkerij Jansen")
    due = local_today() - dt.timedelta(days=10)
    return [
        InvoiceFactory(debtor=debtor, amount=Decimal("300.00"), due_date=due, issue_date=due - dt.timedelta(30))
        for _ in range(3)
    ]


def test_nothing_waiting_shows_no_list(org_a: Tenant, invoices) -> None:
    waiting, html = home(org_a)
    assert waiting == {}
    assert 'data-testid="waiting"' not in html


def test_each_kind_of_waiting_item_is_counted_and_links_to_its_list(org_a: Tenant, invoices) -> None:
    organization = org_a.organization
    first, second, third = invoices
    debtor = first.debtor
    assert home(org_a)[0] == {}  # stored now: what follows must show at once all the same

    thread_question_ask(organization=organization, debtor=debtor, invoice=first, text="Klopt de btw?")
    dispute_open(organization=organization, debtor=debtor, invoice=second, reason="amount_wrong", text="Te hoog")
    arrangement_propose(
        organization=organization, debtor=debtor, invoices=[third], term_count=3, debtor_note="", today=local_today()
    )
    held = reminder_with_invoices(debtor, invoices=[first])
    Reminder.objects.for_organization(organization).filter(pk=held.pk).update(
        status=ReminderStatus.NEEDS_ATTENTION, error="Geen IBAN"
    )

    waiting, html = home(org_a)

    org_id = organization.public_id
    reactions = reverse("debtor_reactions", args=[org_id])
    assert waiting == {
        "disputes": (1, reactions),
        "questions": (1, reactions),
        "arrangement_proposals": (1, reverse("arrangement_list", args=[org_id]) + "?status=proposed"),
        "messages_needing_attention": (1, reverse("reminder_overview", args=[org_id]) + "?status=attention"),
    }
    assert f'href="{reactions}"' in html


def test_another_organizations_debtors_do_not_count(org_a: Tenant, org_b: Tenant, invoices) -> None:
    theirs = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization))
    thread_question_ask(organization=org_b.organization, debtor=theirs.debtor, invoice=theirs, text="Vraag")

    assert home(org_a)[0] == {}
    assert home(org_b)[0]["questions"][0] == 1


def test_collection_legal_checks_a_pause_and_the_rate_table_wait_too(org_a: Tenant, invoices) -> None:
    """Defences, broken arrangements, debtors ready for collection, invoices failing the legal check, an
    organization-wide pause and an interest table without the half-year's rate: each counted, each
    with its action."""
    from collection.models import Arrangement, ArrangementStatus
    from collection.services import dossier_open
    from collection.services.dossier_defences import dossier_defence_file
    from outstanding import attention
    from reminders.engine import dunning_settings
    from tests.collection.dossier_builders import hand_over

    organization = org_a.organization
    organization.dossier_pre_collection = False
    organization.save()
    today = local_today()
    first = invoices[0]
    dossier = dossier_open(
        organization=organization, debtor=first.debtor, invoices=[first], today=today, origin="manual"
    )
    dossier_defence_file(organization=organization, dossier=dossier, text="Nooit geleverd", today=today)
    Arrangement.objects.for_organization(organization).create(
        organization=organization, debtor=first.debtor, total=Decimal("300.00"), term_count=2, first_due_date=today,
        status=ArrangementStatus.BROKEN, source="creditor", decided_at=timezone.now(),
        ended_on=today - dt.timedelta(days=3),
    )  # fmt: skip
    ready = DebtorFactory(organization=organization, name="Klaar voor incasso")
    ready_invoice = InvoiceFactory(
        debtor=ready, issue_date=today - dt.timedelta(days=90), due_date=today - dt.timedelta(days=60)
    )
    hand_over(organization, ready, [ready_invoice], today - dt.timedelta(days=1))
    nameless = InvoiceFactory(debtor=DebtorFactory(organization=organization, name=" ", emails=["x@debtor.test"]))
    settings = dunning_settings(organization)
    settings.is_paused, settings.pause_reason = True, "Vakantie"
    settings.save()

    counts = attention.waiting_counts(organization=organization, today=today)
    assert (counts.defences, counts.arrangements_broken, counts.hand_overs) == (1, 1, 1)
    assert counts.invoices_failing_checks == 1 and nameless.debtor.name == " "
    assert counts.reminders_paused == 1 and counts.rate_table_missing_since is None
    items = {item.key: item for item in attention.waiting_items(organization=organization, counts=counts)}
    org_id = organization.public_id
    assert items["hand_overs"].url == reverse("dossier_ready", args=[org_id])
    assert items["reminders_paused"].url == reverse("dunning_settings", args=[org_id])
    assert items["arrangements_broken"].url.endswith("?status=broken")
    assert all(item.action for item in items.values())
    # a broken arrangement older than two weeks no longer waits; a half-year without a rate does
    later = today + dt.timedelta(days=15)
    assert attention.waiting_counts(organization=organization, today=later).arrangements_broken == 0
    january = dt.date(2027, 1, 2)
    missing = attention.waiting_counts(organization=organization, today=january).rate_table_missing_since
    assert missing == dt.date(2027, 1, 1)
    rate_item = attention.waiting_items(
        organization=organization, counts=attention.WaitingCounts(0, 0, 0, rate_table_missing_since=missing)
    )
    assert [item.key for item in rate_item] == ["rate_table"] and "01-01-2027" in rate_item[0].text
    waiting, html = home(org_a)
    assert waiting["hand_overs"][0] == 1 and f'href="{reverse("dossier_ready", args=[org_id])}"' in html
