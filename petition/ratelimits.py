"""Client addresses, their keyed hash, and rate limits that fail open.

The client's address is the socket's peer unless that peer is one of our own
reverse proxies (TRUSTED_PROXIES, addresses or networks). Only then is
X-Forwarded-For read, from the right: each trusted proxy appends the address
it saw, so the first address from the right that is not a trusted proxy is
the client. Anything further left was written by the client and is ignored.

An IPv6 host usually holds a whole /64, so IPv6 addresses are limited and
hashed by their /64 network; IPv4 addresses one by one.
"""

import functools
import hashlib
import hmac
import ipaddress
import logging

from django.conf import settings
from django_ratelimit.core import get_usage
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

IPV6_PREFIX = 64
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.lru_cache(maxsize=8)
def trusted_networks(entries: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def parse_address(value: str) -> IPAddress | None:
    """An address as a proxy may write it: bare, "[v6]:port" or "v4:port"; None for anything else."""
    value = value.strip()
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def is_trusted_proxy(address: IPAddress | None) -> bool:
    if address is None:
        return False
    return any(address in network for network in trusted_networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request) -> IPAddress | None:
    """The client's address; None only when the socket's peer is not an IP address at all."""
    peer = parse_address(request.META.get("REMOTE_ADDR", ""))
    if not is_trusted_proxy(peer):
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    for entry in reversed(forwarded):
        address = parse_address(entry)
        if address is None:
            # A trusted proxy wrote something that is not an address, or the
            # header is shorter than the proxies in front of us: the socket's
            # peer is the nearest address we know to be real.
            return peer
        if not is_trusted_proxy(address):
            return address
    return peer


def client_ip(request) -> str:
    address = client_address(request)
    return str(address) if address is not None else ""


def address_group(address: IPAddress | None) -> str:
    """What a limit counts and a hash covers: an IPv4 address, or an IPv6 address's /64."""
    if address is None:
        return "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((address, IPV6_PREFIX), strict=False))
    return str(address)


def ip_hash(address: IPAddress | None) -> str:
    """Keyed hash of an address's group: stable enough to group abuse, useless to reverse."""
    return hmac.new(settings.IP_HASH_KEY.encode(), address_group(address).encode(), hashlib.sha256).hexdigest()


def request_ip_hash(request) -> str:
    return ip_hash(client_address(request))


def _key(group, request) -> str:
    return request_ip_hash(request)


def seconds_until_allowed(request, group: str, rates: list[str]) -> int:
    """0 while the client is under every rate of this group, else how long until it is again.

    Each call counts as one attempt. When the cache behind the limits is
    unreachable the request is let through with a warning: a visitor must
    never be refused because Redis is down.
    """
    try:
        wait = 0
        for rate in rates:
            # Every rate is counted, even after one has tripped, so that the
            # sustained window sees the burst.
            usage = get_usage(request, group=f"{group}:{rate}", key=_key, rate=rate, increment=True)
            if usage is not None and usage["should_limit"]:
                wait = max(wait, usage["time_left"], 1)
        return wait
    except (RedisError, OSError) as exc:
        logger.warning("rate limit cache unreachable (%s); allowing request for group %s", type(exc).__name__, group)
        return 0
