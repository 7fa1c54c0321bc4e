"""The base of every API endpoint: the tenant is the API key's organization, and nothing else.

:class:`TenantViewSet` reads the organization from ``request.auth`` (never from the body or the URL),
builds every queryset through :meth:`TenantViewSet.scoped_queryset`, and answers 404 for an id of
another organization exactly as for a missing one. Subclasses supply the scoped queryset and, for
lists, a serializer of query parameters.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, QuerySet
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from outstanding.models import ApiKey, Organization


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
        """The list's query parameters, validated (400 with details when malformed); unset ones left out."""
        if self.filter_serializer_class is None:
            return {}
        serializer = self.filter_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return {name: value for name, value in serializer.validated_data.items() if value not in (None, "")}

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        queryset = self.filter_list(self.get_queryset(), self.query_filters())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(self.get_serializer(self.get_object()).data)
