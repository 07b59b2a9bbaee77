"""The email provider's tracking webhooks (django-anymail's views), and what handles their events.

Only the tracking webhooks of the providers the platform sends through
(settings.EMAIL_PROVIDERS) are served: anymail's own list also has inbound
mail and a dozen other providers, whose views raised a configuration error,
an HTTP 500 with a traceback in the log, for anyone who opened their address.
A provider whose settings are missing (Mailgun or Postal without a webhook
key) answers 404, as an address that serves nothing; a body its parser cannot
read, 400.
"""

import functools
import logging

from anymail.exceptions import AnymailConfigurationError
from anymail.urls import urlpatterns as anymail_urlpatterns
from django.conf import settings
from django.http import Http404, HttpResponseBadRequest
from django.urls import URLPattern

from . import bounces  # noqa: F401 - connects bounces.on_tracking_event to anymail's tracking signal

logger = logging.getLogger(__name__)


# What anymail's parsers raise on a body of the wrong shape: not JSON, a list
# where an object belongs, a number where a date does, arrays nested beyond
# the decoder's recursion. Anymail checks the webhook secret before it parses
# anything, so only a post with the secret gets this far.
MALFORMED = (ValueError, TypeError, KeyError, AttributeError, IndexError, RecursionError)


def unconfigured_is_not_found(view):
    """The provider's view; 404 while its settings are missing, 400 for a body it cannot read (never a 500)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except AnymailConfigurationError:
            raise Http404 from None
        except MALFORMED as exc:
            logger.warning("a tracking webhook post could not be read (%s); answered 400", type(exc).__name__)
            return HttpResponseBadRequest()

    return wrapped


TRACKING_WEBHOOKS = {f"{provider}_tracking_webhook" for provider in settings.EMAIL_PROVIDERS}

urlpatterns = [
    URLPattern(pattern.pattern, unconfigured_is_not_found(pattern.callback), pattern.default_args, pattern.name)
    for pattern in anymail_urlpatterns
    if pattern.name in TRACKING_WEBHOOKS
]
