"""The base of every API endpoint: the tenant is the API key's organization, and nothing else.

:class:`TenantViewSet` reads the organization from ``request.auth`` (never from the body or the URL),
builds every queryset through :meth:`TenantViewSet.scoped_queryset`, and answers 404 for an id of
another organization exactly as for a missing one. Subclasses supply the scoped queryset and, for
lists, a serializer of query parameters.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from outstanding.models import ApiKey, Organization

EMPTY_PARAMETER_MESSAGE = _("Give a value, or leave the parameter out.")
UNKNOWN_PARAMETER_MESSAGE = _("Unknown parameter.")
PAGING_PARAMETERS = {"page", "page_size"}


def refuse_empty_parameters(request: Request) -> None:
    """400 for any query parameter given without a value (``?status=``, ``?page_size=``)."""
    empty = sorted({name for name, values in request.query_params.lists() if any(not v.strip() for v in values)})
    if empty:
        raise serializers.ValidationError({name: [EMPTY_PARAMETER_MESSAGE] for name in empty})


def refuse_unknown_parameters(request: Request, known: set[str]) -> None:
    """400 for a query parameter the list does not know (a typo would otherwise list everything)."""
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise serializers.ValidationError({name: [UNKNOWN_PARAMETER_MESSAGE] for name in unknown})


class TenantViewSet(viewsets.GenericViewSet):
    model: type[Model]
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    filter_serializer_class: type[serializers.Serializer] | None = None

    @property
    def organization(self) -> Organization:
        api_key = self.request.auth
        assert isinstance(api_key, ApiKey), "HasApiKey lets no request through without a key"
        return api_key.organization

    def get_serializer_context(self) -> dict[str, Any]:
        """Serializers that look up related objects (a debtor by id) do so inside this organization."""
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False):
            context["organization"] = self.organization
        return context

    def get_queryset(self) -> QuerySet[Any]:
        if getattr(self, "swagger_fake_view", False):
            return self.model.unscoped.none()  # type: ignore[attr-defined]  # schema generation: no request
        return self.scoped_queryset(self.organization)

    def scoped_queryset(self, organization: Organization) -> QuerySet[Any]:
        raise NotImplementedError

    def filter_list(self, queryset: QuerySet[Any], filters: dict[str, Any]) -> QuerySet[Any]:
        return queryset

    def query_filters(self) -> dict[str, Any]:
        """The list's query parameters, validated (400 with details when malformed or empty).

        ``?status=`` is refused like ``?status=late``: a parameter is either left out or has a
        value, so a client's empty variable is noticed instead of silently listing everything.
        """
        refuse_empty_parameters(self.request)
        if self.filter_serializer_class is None:
            return {}
        refuse_unknown_parameters(self.request, set(self.filter_serializer_class().fields) | PAGING_PARAMETERS)
        serializer = self.filter_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return {name: value for name, value in serializer.validated_data.items() if value is not None}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_list(self.get_queryset(), self.query_filters())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.get_object()).data)
