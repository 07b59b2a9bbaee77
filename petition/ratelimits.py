"""Client addresses, their keyed hash, and rate limits that fail open."""

import hashlib
import hmac
import logging

from django.conf import settings
from django_ratelimit.core import is_ratelimited
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def client_ip(request) -> str:
    """The client's address, trusting exactly TRUSTED_PROXY_COUNT proxies.

    Each trusted proxy appends the address it saw to X-Forwarded-For, so the
    client is that many entries from the right; anything further left was
    written by the client and cannot be trusted.
    """
    hops = settings.TRUSTED_PROXY_COUNT
    remote = request.META.get("REMOTE_ADDR", "")
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) >= hops:
        return forwarded[-hops]
    return forwarded[0] if forwarded else remote


def ip_hash(ip: str) -> str:
    """Keyed hash of an address: stable enough to group abuse, useless to reverse."""
    return hmac.new(settings.IP_HASH_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def request_ip_hash(request) -> str:
    return ip_hash(client_ip(request))


def _key(group, request) -> str:
    return request_ip_hash(request)


def over_limit(request, group: str, rates: list[str]) -> bool:
    """True when the client has passed any of the rates for this group.

    When the cache behind the limits is unreachable the request is let through
    with a warning: a visitor must never be refused because Redis is down.
    """
    try:
        limited = False
        for rate in rates:
            # Every rate is counted, even after one has tripped, so that the
            # sustained window sees the burst.
            limited |= is_ratelimited(request, group=f"{group}:{rate}", key=_key, rate=rate, increment=True)
        return limited
    except (RedisError, OSError) as exc:
        logger.warning("rate limit cache unreachable (%s); allowing request for group %s", type(exc).__name__, group)
        return False
