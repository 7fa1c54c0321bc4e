"""The one place a portal token becomes an (organization, debtor)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from typing import Any, TypeVar

from django.db import connection
from django.db.models import Field, Model
from django.utils import timezone

from invoices.models import Debtor
from outstanding.models import Organization
from portal.models import PortalAccess, portal_token_hash

M = TypeVar("M", bound=Model)

# secrets.token_urlsafe output; anything else is not worth hashing (and cannot match).
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{20,64}")


def portal_access_for_token(token: str, *, now: dt.datetime | None = None) -> PortalAccess | None:
    """The valid link behind ``token``, with its organization and debtor; None for a wrong, expired or
    revoked token alike, so a caller cannot answer them differently.

    ``unscoped`` on purpose: the token is how the tenant is found (like an API key). Everything read
    after this goes through ``access.organization`` and ``access.debtor``.
    """
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    access = _access_with_organization_and_debtor(portal_token_hash(token))
    if access is None or not access.is_valid(now or timezone.now()):
        return None
    return access


def _access_with_organization_and_debtor(token_hash: str) -> PortalAccess | None:
    """``select_related("organization", "debtor").filter(token_hash=...)`` with its SQL written once.

    Every portal request starts here, and building that ORM query (three models, some 60 columns) cost
    most of a cached page's CPU time; the rows are turned into instances as the ORM does (``from_db``,
    each field's ``from_db_value``: the organization's Mollie key is decrypted like anywhere else).
    """
    with connection.cursor() as cursor:
        cursor.execute(_lookup_sql(), [token_hash])
        row = cursor.fetchone()
    if row is None:
        return None
    access_row, rest = row[: len(_ACCESS)], row[len(_ACCESS) :]
    organization_row, debtor_row = rest[: len(_ORGANIZATION)], rest[len(_ORGANIZATION) :]
    access = _instance(PortalAccess, _ACCESS, access_row)
    organization = _instance(Organization, _ORGANIZATION, organization_row)
    debtor = _instance(Debtor, _DEBTOR, debtor_row)
    debtor._state.fields_cache["organization"] = organization
    access._state.fields_cache["organization"] = organization
    access._state.fields_cache["debtor"] = debtor
    return access


def _fields(model: type[Model]) -> tuple[Field, ...]:
    return tuple(model._meta.concrete_fields)


_ACCESS, _ORGANIZATION, _DEBTOR = _fields(PortalAccess), _fields(Organization), _fields(Debtor)


@functools.cache
def _lookup_sql() -> str:
    def columns(model: type[Model], alias: str) -> str:
        return ", ".join(f'{alias}."{field.column}"' for field in _fields(model))

    return (
        f"SELECT {columns(PortalAccess, 'a')}, {columns(Organization, 'o')}, {columns(Debtor, 'd')} "  # noqa: S608 - names from the models
        f"FROM {PortalAccess._meta.db_table} a "
        f"JOIN {Organization._meta.db_table} o ON o.id = a.organization_id "
        f"JOIN {Debtor._meta.db_table} d ON d.id = a.debtor_id AND d.organization_id = a.organization_id "
        "WHERE a.token_hash = %s"
    )


def _instance(model: type[M], fields: tuple[Field, ...], values: tuple[Any, ...]) -> M:
    converted = [
        field.from_db_value(value, None, connection) if hasattr(field, "from_db_value") else value
        for field, value in zip(fields, values, strict=True)
    ]
    return model.from_db(connection.alias, [field.attname for field in fields], converted)
