"""Rate limits per API key: a burst limit and a sustained limit, both from ``REST_FRAMEWORK`` settings.

Counted per key (not per address): an integration behind a shared egress IP is not punished for its
neighbours, and one key cannot use up another's allowance.
"""

from __future__ import annotations

from typing import Any, cast

from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from outstanding.models import ApiKey


class ApiKeyRateThrottle(SimpleRateThrottle):
    def get_rate(self) -> str | None:
        # Read at request time, not at import: DRF's class attribute would freeze the settings of the
        # moment the module was imported (and ignore a settings override in a test).
        rates = cast(dict[str, str | None], api_settings.DEFAULT_THROTTLE_RATES)
        return rates.get(str(self.scope))

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if not isinstance(request.auth, ApiKey):
            return None  # unauthenticated requests are refused before they cost anything
        return self.cache_format % {"scope": self.scope, "ident": request.auth.pk}


class ApiKeyBurstThrottle(ApiKeyRateThrottle):
    scope = "api_key_burst"


class ApiKeySustainedThrottle(ApiKeyRateThrottle):
    scope = "api_key_sustained"
