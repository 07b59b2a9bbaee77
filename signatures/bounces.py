"""What the email provider tells us after sending: hard bounces and spam complaints suppress the address.

django-anymail turns each provider's webhook payload into a normalised
tracking event; signatures.webhook_urls mounts its views and connects
on_tracking_event. A pending signature whose confirmation bounced is marked
undeliverable, so staff see it in the admin and on the campaign dashboard.
"""

import logging

from anymail.signals import EventType, tracking
from django.dispatch import receiver
from django.utils import timezone

from .emailaddr import UndeliverableAddress, canonical_email
from .models import Signature, Suppression
from .suppression import suppress

logger = logging.getLogger(__name__)

# Raw bounce kinds that are temporary however the provider's event is normalised:
# anymail reports each of these as "bounced", like a hard bounce. Postmark names
# the kind in Type, Brevo in event, and Mailjet's bounce says hard_bounce false.
SOFT_BOUNCES = {("postmark", "SoftBounce"), ("postmark", "Transient"), ("sendgrid", "blocked"), ("brevo", "soft_bounce")}


def is_soft_bounce(raw: dict, esp_name: str) -> bool:
    provider = esp_name.lower()
    if provider == "mailjet":
        return raw.get("event") == "bounce" and raw.get("hard_bounce") is False
    kind = raw.get("event") if provider == "brevo" else raw.get("Type") or raw.get("type")
    return (provider, kind or "") in SOFT_BOUNCES


def suppression_reason(event, esp_name: str) -> str:
    """The suppression reason this tracking event calls for, or "" when it calls for none."""
    if event.event_type == EventType.COMPLAINED:
        return Suppression.Reason.COMPLAINT
    if event.event_type not in (EventType.BOUNCED, EventType.REJECTED):
        return ""
    raw = event.esp_event if isinstance(event.esp_event, dict) else {}
    if is_soft_bounce(raw, esp_name):
        return ""
    return Suppression.Reason.BOUNCE


# What Suppression.email_canonical (and every address column) holds.
MAX_ADDRESS_LENGTH = 254


def plausible_text(value) -> bool:
    """Whether a recipient the provider names could be an address of ours at all.

    The post is authenticated, but what it carries is parsed as it comes: a
    list, a NUL (which PostgreSQL refuses) or half of a UTF-16 pair (which
    UTF-8 cannot encode) was an HTTP 500, and the provider retries those.
    """
    if not isinstance(value, str) or not value or "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


@receiver(tracking, dispatch_uid="signatures.bounces.on_tracking_event")
def on_tracking_event(sender, event, esp_name: str, **kwargs) -> None:
    reason = suppression_reason(event, esp_name)
    if not reason or not plausible_text(event.recipient):
        return
    try:
        address = canonical_email(event.recipient)
    except UndeliverableAddress:
        return
    if len(address) > MAX_ADDRESS_LENGTH:  # no signature can have it, and the column cannot hold it
        return
    suppress(address, reason)
    marked = Signature.objects.filter(
        email_canonical=address,
        status=Signature.Status.PENDING,
        confirmation_sent_at__isnull=False,
        undeliverable_at__isnull=True,
    ).update(undeliverable_at=timezone.now())
    logger.info("%s reported a %s; %s pending confirmation(s) undeliverable", esp_name, reason, marked)
