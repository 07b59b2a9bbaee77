"""The email provider's tracking webhooks (django-anymail's views), and what handles their events.

Only the tracking webhooks of the providers the platform sends through
(settings.EMAIL_PROVIDERS) are served: anymail's own list also has inbound
mail and a dozen other providers, whose views raised a configuration error,
an HTTP 500 with a traceback in the log, for anyone who opened their address.
A provider whose settings are missing (Mailgun or Postal without a webhook
key) answers 404, as an address that serves nothing.
"""

import functools

from anymail.exceptions import AnymailConfigurationError
from anymail.urls import urlpatterns as anymail_urlpatterns
from django.conf import settings
from django.http import Http404
from django.urls import URLPattern

from . import bounces  # noqa: F401 - connects bounces.on_tracking_event to anymail's tracking signal


def unconfigured_is_not_found(view):
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError:
            raise Http404 from None

    return wrapped


TRACKING_WEBHOOKS = {f"{provider}_tracking_webhook" for provider in settings.EMAIL_PROVIDERS}

urlpatterns = [
    URLPattern(pattern.pattern, unconfigured_is_not_found(pattern.callback), pattern.default_args, pattern.name)
    for pattern in anymail_urlpatterns
    if pattern.name in TRACKING_WEBHOOKS
]
