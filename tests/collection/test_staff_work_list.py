"""Staff work dossiers across organizations: the work list by next action date and the admin."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from collection.models import Dossier, DossierEvent, DossierOrigin
from collection.services import dossier_open
from outstanding.models import Organization, User
from tests.conftest import Tenant
from tests.factories import TODAY, DebtorFactory, InvoiceFactory, UserFactory
from tests.two_factor import login_with_totp, totp_activate

pytestmark = pytest.mark.django_db

WORK_LIST = "admin:collection_dossier_work_list"


@pytest.fixture
def staff() -> User:
    return UserFactory(email="agent@operator.test", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(staff: User) -> Client:
    client = Client()
    login_with_totp(client, staff, totp_activate(staff))
    return client


def opened(organization: Organization, name: str, next_action: dt.date, assigned_to: User | None = None) -> Dossier:
    debtor = DebtorFactory(organization=organization, name=name)
    invoice = InvoiceFactory(debtor=debtor, issue_date=TODAY - dt.timedelta(days=90))
    dossier = dossier_open(
        organization=organization, debtor=debtor, invoices=[invoice], today=TODAY, origin=DossierOrigin.MANUAL
    )
    Dossier.objects.for_organization(organization).filter(pk=dossier.pk).update(
        next_action_on=next_action, assigned_to=assigned_to
    )
    return dossier


@pytest.fixture
def dossiers(org_a: Tenant, org_b: Tenant, staff: User) -> list[Dossier]:
    return [
        opened(org_a.organization, "Alfa later", TODAY + dt.timedelta(days=9), staff),
        opened(org_b.organization, "Beta first", TODAY - dt.timedelta(days=2), staff),
        opened(org_a.organization, "Alfa nobody", TODAY, None),
        opened(org_b.organization, "Beta middle", TODAY + dt.timedelta(days=1), staff),
    ]


def shown(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [dossier.debtor.name for dossier in response.context["dossiers"]]


def test_staff_see_their_dossiers_of_every_organization_by_next_action(staff_client: Client, dossiers) -> None:
    response = staff_client.get(reverse(WORK_LIST))
    assert response.status_code == 200
    assert shown(response) == ["Beta first", "Beta middle", "Alfa later"]
    html = response.content.decode()
    assert html.index("Beta first") < html.index("Beta middle") < html.index("Alfa later")


def test_staff_can_see_everyones_or_nobodys_dossiers(staff_client: Client, dossiers) -> None:
    everyone = staff_client.get(reverse(WORK_LIST), {"who": "all"})
    assert shown(everyone) == ["Beta first", "Alfa nobody", "Beta middle", "Alfa later"]
    assert shown(staff_client.get(reverse(WORK_LIST), {"who": "unassigned"})) == ["Alfa nobody"]


def test_a_user_who_is_not_staff_cannot_see_the_work_list(owner_client: Client, dossiers) -> None:
    response = owner_client.get(reverse(WORK_LIST))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_an_anonymous_visitor_is_sent_to_the_login(client: Client, dossiers) -> None:
    response = client.get(reverse(WORK_LIST))
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))


def test_the_dossier_changelist_filters_orders_and_searches(staff_client: Client, dossiers, org_b: Tenant) -> None:
    url = reverse("admin:collection_dossier_changelist")
    everything = staff_client.get(url)
    assert [d.debtor.name for d in everything.context["cl"].result_list] == [
        "Beta first", "Alfa nobody", "Beta middle", "Alfa later",
    ]  # fmt: skip
    only_b = staff_client.get(url, {"organization__id__exact": org_b.organization.pk})
    assert {d.organization for d in only_b.context["cl"].result_list} == {org_b.organization}
    assert staff_client.get(url, {"q": "nobody"}).context["cl"].result_count == 1
    assert staff_client.get(url, {"q": dossiers[1].reference}).context["cl"].result_count >= 1
    assert staff_client.get(url, {"is_paused__exact": "1"}).context["cl"].result_count == 0


def test_staff_assign_a_dossier_and_nothing_else_changes(
    staff_client: Client, dossiers, staff: User, org_a: Tenant
) -> None:
    dossier = dossiers[2]
    other = UserFactory(email="colleague@operator.test", is_staff=True)
    page = staff_client.get(reverse("admin:collection_dossier_change", args=[dossier.pk]))
    assert page.status_code == 200
    form = page.context["adminform"].form
    assert set(form.fields) == {"assigned_to", "next_action_on"}
    data = _inline_management(page) | {
        "assigned_to": other.pk, "next_action_on": (TODAY + dt.timedelta(days=3)).isoformat(), "stage": "closed",
        "costs": "0.01",
    }  # fmt: skip
    response = staff_client.post(reverse("admin:collection_dossier_change", args=[dossier.pk]), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    before = dossier
    dossier = Dossier.objects.for_organization(org_a.organization).get(pk=dossier.pk)
    assert dossier.assigned_to == other and dossier.next_action_on == TODAY + dt.timedelta(days=3)
    assert (dossier.stage, dossier.costs, dossier.event_count) == (before.stage, before.costs, before.event_count)


def _inline_management(page) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """The inline formsets' management forms as the page rendered them (read-only inlines still post them)."""
    data: dict[str, object] = {}
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            value = management[name].value()
            data[f"{management.prefix}-{name}"] = "" if value is None else value
    return data


def test_events_cannot_be_added_changed_or_removed_in_the_admin(staff_client: Client, dossiers, org_a: Tenant) -> None:
    dossier = dossiers[0]
    page = staff_client.get(reverse("admin:collection_dossier_change", args=[dossier.pk]))
    events = next(f for f in page.context["inline_admin_formsets"] if f.formset.model is DossierEvent)
    assert not events.has_add_permission and not events.has_change_permission and not events.has_delete_permission
    event = DossierEvent.objects.for_organization(org_a.organization).filter(dossier=dossier).order_by("sequence")[0]
    prefix = events.formset.prefix
    data = _inline_management(page) | {
        f"{prefix}-0-id": event.pk, f"{prefix}-0-summary": "rewritten", f"{prefix}-0-DELETE": "on",
        f"{prefix}-0-dossier": dossier.pk,
    }  # fmt: skip
    staff_client.post(reverse("admin:collection_dossier_change", args=[dossier.pk]), data)
    stored = DossierEvent.objects.for_organization(org_a.organization).get(pk=event.pk)
    assert stored.summary == event.summary and stored.hash == event.hash
    with pytest.raises(Exception):  # noqa: B017  (NoReverseMatch: events have no admin page of their own)
        reverse("admin:collection_dossierevent_change", args=[event.pk])
    assert staff_client.get(reverse("admin:collection_dossier_add")).status_code == 403
    assert (
        staff_client.post(reverse("admin:collection_dossier_delete", args=[dossier.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert Dossier.objects.for_organization(org_a.organization).filter(pk=dossier.pk).exists()


def test_arrangements_are_read_only_in_the_admin(staff_client: Client) -> None:
    assert staff_client.get(reverse("admin:collection_arrangement_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:collection_arrangement_add")).status_code == 403
