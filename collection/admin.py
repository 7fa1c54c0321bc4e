"""Staff's warning in the admin when the statutory interest table lacks the current half year's rates.

Both rates change on 1 January and 1 July (collection.legal.interest); until the new row is added,
interest over the new half year is computed at the last known rate and is only provisional.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import formats
from django.utils.translation import gettext as _

from collection.legal import rate_table_missing_since
from outstanding.calendar import local_today

_admin_index = admin.site.index


def admin_index_with_rate_warning(
    request: HttpRequest, extra_context: dict[str, Any] | None = None
) -> TemplateResponse:
    if missing_since := rate_table_missing_since(local_today()):
        messages.warning(request, rate_table_warning(missing_since))
    return _admin_index(request, extra_context)


def rate_table_warning(missing_since: Any) -> str:
    return _(
        "The statutory interest table has no rates for the half year from %(date)s: add the new "
        "wettelijke rente and handelsrente (collection/legal/interest.py, one row). Until then "
        "interest from that day on is computed at the last known rate and is provisional."
    ) % {"date": formats.date_format(missing_since, "j F Y")}


admin.site.index = admin_index_with_rate_warning  # type: ignore[method-assign]
