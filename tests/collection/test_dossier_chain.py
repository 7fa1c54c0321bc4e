"""The dossier's record cannot be changed through the application, and a change made around it shows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError

from collection.models import DossierEvent, DossierEventKind
from collection.services import dossier_chain_problems, dossier_event_append, dossier_open, dossier_pause
from tests.factories import DebtorFactory, InvoiceFactory

TODAY = dt.date(2026, 11, 26)


def _dossier(organization):  # type: ignore[no-untyped-def]
    debtor = DebtorFactory(organization=organization)
    invoice = InvoiceFactory(debtor=debtor, amount=Decimal("640.00"))
    dossier = dossier_open(organization=organization, debtor=debtor, invoices=[invoice], today=TODAY, origin="manual")
    dossier_pause(organization=organization, dossier=dossier, reason="Debtor asked for a week")
    dossier_event_append(
        organization=organization, dossier=dossier, kind=DossierEventKind.NOTE, summary="Called, no answer"
    )
    dossier.refresh_from_db()
    return dossier


def _verify(*args: str) -> tuple[str, str, bool]:
    out, err = StringIO(), StringIO()
    try:
        call_command("dossiers_verify", *args, stdout=out, stderr=err)
    except CommandError:
        return out.getvalue(), err.getvalue(), False
    return out.getvalue(), err.getvalue(), True


def _around_the_trigger(sql: str, params: list[object]) -> None:
    """What someone with the database owner's rights could do: switch the guard off and write."""
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # a superuser's switch: no triggers fire
        cursor.execute(sql, params)
        cursor.execute("SET session_replication_role = origin")


@pytest.fixture
def organization(org_a):  # type: ignore[no-untyped-def]
    org_a.organization.dossier_pre_collection = False
    org_a.organization.save()
    return org_a.organization


def test_an_intact_chain_verifies(organization, org_b) -> None:  # type: ignore[no-untyped-def]
    dossier = _dossier(organization)
    _dossier(org_b.organization)
    assert dossier.event_count == 4  # opened, costs, paused, note
    assert dossier_chain_problems(organization=organization, dossier=dossier) == []
    out, err, ok = _verify()
    assert ok and err == "" and out.strip().splitlines()[-1] == "dossiers checked: 2; broken: 0"
    out, _err, ok = _verify("--org", str(organization.public_id))
    assert ok and out.strip().splitlines()[-1] == "dossiers checked: 1; broken: 0"


def test_the_database_refuses_to_change_or_remove_an_event(organization) -> None:  # type: ignore[no-untyped-def]
    dossier = _dossier(organization)
    event = DossierEvent.objects.for_organization(organization).get(dossier=dossier, sequence=3)
    for statement in (
        "UPDATE collection_dossierevent SET summary = 'nothing happened' WHERE id = %s",
        "DELETE FROM collection_dossierevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])
    event.summary = "nothing happened"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.save()


def test_a_changed_event_is_found(organization) -> None:  # type: ignore[no-untyped-def]
    dossier = _dossier(organization)
    event = DossierEvent.objects.for_organization(organization).get(dossier=dossier, sequence=2)
    _around_the_trigger(
        "UPDATE collection_dossierevent SET data = jsonb_set(data, '{costs}', '\"0.00\"') WHERE id = %s", [event.pk]
    )
    assert dossier_chain_problems(organization=organization, dossier=dossier) == [
        "event 2 was changed after it was written"
    ]
    out, err, ok = _verify()
    assert not ok
    assert f"{dossier.reference}: event 2 was changed after it was written" in err
    assert out.strip().splitlines()[-1] == "dossiers checked: 1; broken: 1"


def test_a_changed_event_with_its_hash_recomputed_breaks_the_next_link(organization) -> None:  # type: ignore[no-untyped-def]
    """Rewriting an event and its own hash is not enough: the next event still points at the old hash."""
    from collection.services.dossier_chain import _stored_hash

    dossier = _dossier(organization)
    event = DossierEvent.objects.for_organization(organization).get(dossier=dossier, sequence=2)
    event.summary = "No costs"
    forged = _stored_hash(organization, dossier, event)
    _around_the_trigger(
        "UPDATE collection_dossierevent SET summary = %s, hash = %s WHERE id = %s", [event.summary, forged, event.pk]
    )
    assert dossier_chain_problems(organization=organization, dossier=dossier) == ["event 3 does not follow event 2"]


def test_a_removed_event_is_found(organization) -> None:  # type: ignore[no-untyped-def]
    dossier = _dossier(organization)
    middle = DossierEvent.objects.for_organization(organization).get(dossier=dossier, sequence=3)
    _around_the_trigger("DELETE FROM collection_dossierevent WHERE id = %s", [middle.pk])
    assert dossier_chain_problems(organization=organization, dossier=dossier) == ["event 3 is missing (found 4)"]


def test_removing_the_last_events_is_found(organization) -> None:  # type: ignore[no-untyped-def]
    dossier = _dossier(organization)
    last = DossierEvent.objects.for_organization(organization).get(dossier=dossier, sequence=4)
    _around_the_trigger("DELETE FROM collection_dossierevent WHERE id = %s", [last.pk])
    assert dossier_chain_problems(organization=organization, dossier=dossier) == [
        "the chain ends at event 3 but the dossier recorded 4"
    ]


def test_an_inserted_event_is_found(organization) -> None:  # type: ignore[no-untyped-def]
    dossier = _dossier(organization)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO collection_dossierevent (organization_id, dossier_id, sequence, kind, occurred_at, "
            "actor_label, summary, data, previous_hash, hash) SELECT organization_id, dossier_id, 5, 'payment', "
            "now(), 'system', 'Paid in full', '{}'::jsonb, hash, repeat('0', 64) FROM collection_dossierevent "
            "WHERE dossier_id = %s AND sequence = 4",
            [dossier.pk],
        )
    problems = dossier_chain_problems(organization=organization, dossier=dossier)
    assert "event 5 was changed after it was written" in problems
    assert "the chain ends at event 5 but the dossier recorded 4" in problems
