"""Rate limits per API key, so one partner's runaway script cannot crowd out the others."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class PerKeyThrottle(SimpleRateThrottle):
    scope = "partner_api"

    def get_rate(self):
        return settings.PARTNER_API_RATE

    def get_cache_key(self, request, view):
        api_key = getattr(request.user, "api_key", None)
        if api_key is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": api_key.pk}
