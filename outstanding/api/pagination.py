"""Page-number paging: ``?page=2&page_size=200`` (at most 500 a page).

Both parameters are whole numbers from 1; anything else (``page_size=null``, ``page=abc``,
``page=0``) is a 400 in the API's error format rather than silently the first page or the default
size. A ``page_size`` over 500 gives pages of 500, as the schema says; a page past the end is a 404.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
WHOLE_NUMBER = re.compile(r"^[1-9][0-9]{0,17}\Z")
NOT_A_PAGE_NUMBER = _("Give a whole number from 1.")


class ApiPagination(PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> Any:
        invalid = [
            name
            for name in (self.page_query_param, self.page_size_query_param)
            if name in request.query_params and not WHOLE_NUMBER.match(request.query_params[name])
        ]
        if invalid:
            raise serializers.ValidationError({name: [NOT_A_PAGE_NUMBER] for name in invalid})
        return super().paginate_queryset(queryset, request, view)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "The page, from 1. A page past the last one answers 404.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, from 1 (default {DEFAULT_PAGE_SIZE}); "
                f"more than {MAX_PAGE_SIZE} gives pages of {MAX_PAGE_SIZE}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": 10**18 - 1},
            },
        ]
