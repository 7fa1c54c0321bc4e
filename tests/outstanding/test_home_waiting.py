"""The home page lists what waits for the creditor, each with its count and a link to the list behind it,
and shows a debtor's new question, dispute or proposal at once although the home figures are stored."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

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
        "arrangement_proposals": (1, reverse("arrangement_list", args=[org_id])),
        "messages_needing_attention": (1, reverse("reminder_overview", args=[org_id]) + "?status=attention"),
    }
    assert f'href="{reactions}"' in html


def test_another_organizations_debtors_do_not_count(org_a: Tenant, org_b: Tenant, invoices) -> None:
    theirs = InvoiceFactory(debtor=DebtorFactory(organization=org_b.organization))
    thread_question_ask(organization=org_b.organization, debtor=theirs.debtor, invoice=theirs, text="Vraag")

    assert home(org_a)[0] == {}
    assert home(org_b)[0]["questions"][0] == 1
