"""Delivering webhook events to organisations' CRMs: signed as Standard Webhooks describes, in order, retried.

Each organisation's events go out one at a time in id order (a session
advisory lock keeps a second worker away), so a signature's events arrive
in the order they happened. A failed event is retried with exponential
backoff and holds back the ones after it; after MAX_AGE it is given up and
the rest go on. webhook-id stays the same on every retry, so the receiver
can drop an event it already has.
"""

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.utils import timezone

from campaigns.models import Organisation
from campaigns.webhook_secrets import SECRET_PREFIX

from .models import WebhookDelivery, WebhookEvent

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
# A receiver down this long loses the event (it shows in the delivery log).
MAX_AGE = timedelta(days=3)
LOCK_NAMESPACE = 7_003
BATCH = 100


def signature_header(secret: str, message_id: str, timestamp: int, body: str) -> str:
    """webhook-signature: v1, then the base64 HMAC-SHA256 of "id.timestamp.body" under the decoded secret."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    digest = hmac.new(key, f"{message_id}.{timestamp}.{body}".encode(), hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signed_request(organisation: Organisation, event: WebhookEvent) -> urllib.request.Request:
    body = json.dumps(event.payload, ensure_ascii=False, separators=(",", ":"))
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "petition-webhooks/1",
        "webhook-id": event.message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature_header(organisation.webhook_secret, event.message_id, timestamp, body),
    }
    return urllib.request.Request(organisation.webhook_url, data=body.encode(), headers=headers, method="POST")


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min … then hourly, with up to a fifth of jitter."""
    wait = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)
    return wait + wait * secrets.randbelow(200) / 1000


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A receiver answers itself: a redirect is a failed delivery, never a request to somewhere else."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class PrivateAddress(Exception):
    """The webhook's host resolves to this machine or a private network."""


# IPv6 addresses that carry an IPv4 address the network delivers to: NAT64's
# well-known prefix (a NAT64 gateway connects to the IPv4 address in its last
# 32 bits) and the old IPv4-compatible form. Python counts both as global.
IPV4_IN_LAST_32_BITS = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("::/96"))


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Global, and so is every IPv4 address it carries (mapped, 6to4, Teredo, NAT64)."""
    if not ip.is_global:
        return False
    if ip.version == 4:
        return True
    carried = [ip.ipv4_mapped, ip.sixtofour, *(ip.teredo or ())]
    if any(ip in network for network in IPV4_IN_LAST_32_BITS):
        carried.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return all(address.is_global for address in carried if address is not None)


def public_addresses(host: str, port: int) -> list[tuple]:
    """getaddrinfo's answers for the host; PrivateAddress if any of them is not global (outside development)."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    # Outside development, a webhook may not reach the platform's own network (Redis, PostgreSQL,
    # cloud metadata): staff type these URLs, and the delivery log shows what answered.
    if not settings.DEBUG:
        for *_ignored, address in answers:
            if not is_public(ipaddress.ip_address(address[0])):
                raise PrivateAddress
    return answers


def refuse_private_hosts(url: str) -> None:
    if settings.DEBUG:
        return
    parts = urllib.parse.urlsplit(url)
    public_addresses(parts.hostname or "", parts.port or 443)


def connect_to_checked_address(address, timeout=socket._GLOBAL_DEFAULT_TIMEOUT, source_address=None):
    """socket.create_connection, but to the very addresses just checked.

    Checking the name and then letting the connection look it up again would let
    a name that answers with a public address once and 127.0.0.1 the next time
    (DNS rebinding, a TTL of 0) through; the TLS handshake still checks the
    certificate against the name.
    """
    host, port = address
    error = None
    for family, kind, proto, _name, target in public_addresses(host, port):
        sock = socket.socket(family, kind, proto)
        try:
            if timeout is not socket._GLOBAL_DEFAULT_TIMEOUT:
                sock.settimeout(timeout)
            if source_address:
                sock.bind(source_address)
            sock.connect(target)
            return sock
        except OSError as exc:
            error = exc
            sock.close()
    raise error or OSError(f"no address for {host}")


class CheckedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = connect_to_checked_address


class CheckedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._create_connection = connect_to_checked_address


class CheckedHTTPHandler(urllib.request.HTTPHandler):
    def http_open(self, req):
        return self.do_open(CheckedHTTPConnection, req)


class CheckedHTTPSHandler(urllib.request.HTTPSHandler):
    def https_open(self, req):
        return self.do_open(CheckedHTTPSConnection, req, context=self._context)


OPENER = urllib.request.build_opener(NoRedirects, CheckedHTTPHandler, CheckedHTTPSHandler)


def post(request: urllib.request.Request) -> tuple[int | None, str]:
    """The status code, or None and why not; never raises, never says the URL or the body."""
    try:
        refuse_private_hosts(request.full_url)
        with OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status, ""
    except PrivateAddress:
        return None, "PrivateAddress"
    except urllib.error.HTTPError as error:
        return error.code, ""
    except (urllib.error.URLError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        return None, type(reason).__name__


def allowed_url(url: str) -> bool:
    return url.startswith("https://") or (settings.DEBUG and url.startswith("http://"))


def deliver_due(organisation_id: int) -> int:
    """Send this organisation's due events in order until one fails; returns how many were delivered."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, organisation_id])
        if not cursor.fetchone()[0]:
            return 0
    try:
        return deliver_in_order(organisation_id)
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, organisation_id])


def deliver_in_order(organisation_id: int) -> int:
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        return 0
    delivered = 0
    while True:
        events = list(
            WebhookEvent.objects.filter(
                organisation_id=organisation_id, delivered_at__isnull=True, given_up_at__isnull=True
            ).order_by("pk")[:BATCH]
        )
        if not events:
            return delivered
        for event in events:
            now = timezone.now()
            if event.next_attempt_at > now:
                return delivered
            if not deliver_one(organisation, event, now):
                return delivered
            delivered += 1


def deliver_one(organisation: Organisation, event: WebhookEvent, now) -> bool:
    """One attempt; True when the event is settled (delivered, or given up) and the next may go."""
    if not organisation.webhook_url or not organisation.webhook_secret or not allowed_url(organisation.webhook_url):
        status, error = None, "no usable URL"
    else:
        status, error = post(signed_request(organisation, event))
    succeeded = status is not None and 200 <= status < 300
    WebhookDelivery.objects.create(event=event, status_code=status, error=error[:200], succeeded=succeeded)
    attempts = event.attempts + 1
    if succeeded:
        WebhookEvent.objects.filter(pk=event.pk).update(attempts=attempts, delivered_at=now, payload=settled(event))
        return True
    if now - event.created_at > MAX_AGE:
        WebhookEvent.objects.filter(pk=event.pk).update(attempts=attempts, given_up_at=now, payload=settled(event))
        logger.warning("webhook event %s of organisation %s given up after %s attempts", event.pk,
                       organisation.pk, attempts)
        return True
    WebhookEvent.objects.filter(pk=event.pk).update(attempts=attempts, next_attempt_at=now + backoff(attempts))
    logger.info("webhook event %s of organisation %s failed (%s); retrying later", event.pk, organisation.pk,
                status or error)
    return False


def settled(event: WebhookEvent) -> dict:
    """What the log keeps of an event once it is settled: its type and signature, no personal data."""
    data = event.payload.get("data", {})
    return {"type": event.payload.get("type"), "data": {"signature_id": data.get("signature_id")}}


def organisations_with_due_events() -> list[int]:
    return sorted(
        set(
            WebhookEvent.objects.filter(
                delivered_at__isnull=True, given_up_at__isnull=True, next_attempt_at__lte=timezone.now()
            ).values_list("organisation_id", flat=True)
        )
    )
