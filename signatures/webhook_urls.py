"""The email provider's tracking webhooks (django-anymail's views), and what handles their events."""

from anymail.urls import urlpatterns

from . import bounces  # noqa: F401 - connects bounces.on_tracking_event to anymail's tracking signal

__all__ = ["urlpatterns"]
