"""Tenant scoping made mechanical.

Every model that belongs to one creditor organization subclasses :class:`TenantModel`. Its
``objects`` manager refuses to run a query that has not been scoped with
``.for_organization(organization)``; an unscoped query raises :class:`UnscopedQueryError` when it is
evaluated. The rare code that really works across tenants (staff admin, the daily scheduler that
loops over organizations, data migrations) says so explicitly with ``Model.unscoped``.

``unscoped`` is declared first so it is Django's *default* manager: Django's own machinery (unique
validation in forms, related managers such as ``debtor.invoices``, the admin) keeps working, and
those paths are already scoped by their parent object or are staff-only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models

if TYPE_CHECKING:
    from outstanding.models import Organization


class UnscopedQueryError(RuntimeError):
    """A tenant-owned model was queried without choosing the organization first."""


class TenantQuerySet(models.QuerySet):
    _organization_scoped: bool = False

    def for_organization(self, organization: Organization) -> Self:
        if organization is None or organization.pk is None:
            raise UnscopedQueryError("for_organization() needs a saved organization")
        queryset = self.filter(organization=organization)
        queryset._organization_scoped = True
        return queryset

    def _require_scope(self) -> None:
        if not self._organization_scoped:
            raise UnscopedQueryError(
                f"{self.model.__name__}.objects was queried without .for_organization(...); "
                f"use {self.model.__name__}.unscoped only for staff and cross-tenant jobs"
            )

    def _clone(self) -> Self:
        clone = super()._clone()  # type: ignore[misc]  # private API the stubs do not declare
        clone._organization_scoped = self._organization_scoped
        return clone

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._require_scope()
        super()._fetch_all()

    def iterator(self, *args: Any, **kwargs: Any) -> Any:
        self._require_scope()
        return super().iterator(*args, **kwargs)

    def count(self) -> int:
        self._require_scope()
        return super().count()

    def exists(self) -> bool:
        self._require_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._require_scope()
        return super().aggregate(*args, **kwargs)

    def update(self, **kwargs: Any) -> int:
        self._require_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._require_scope()
        return super().delete()


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):  # type: ignore[misc]
    """``Model.objects``: every query starts with ``.for_organization(organization)``."""


class TenantModel(models.Model):
    """Base for every row that belongs to one organization (a creditor, the tenant)."""

    # Declared first: Django's default manager (see the module docstring).
    unscoped = models.Manager()
    objects = TenantManager()

    organization = models.ForeignKey(  # noqa: DJ012 - managers first on purpose (module docstring)
        "outstanding.Organization", on_delete=models.CASCADE, related_name="+", editable=False
    )

    class Meta:
        abstract = True
