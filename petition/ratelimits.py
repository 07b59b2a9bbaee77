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
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django_ratelimit import ALL
from django_ratelimit.core import EXPIRATION_FUDGE, _get_window, _make_cache_key, _split_rate
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
    peer = parse_address(request.META.get("REMOTE_ADDR") or "")
    if not is_trusted_proxy(peer):
        return peer
    forwarded = (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
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
    """The hash of the request's client, worked out once per request: the rate limits and the signature both need it."""
    known = getattr(request, "_client_ip_hash", None)
    if known is None:
        known = request._client_ip_hash = ip_hash(client_address(request))
    return known


def count_hits(windows: list[tuple[str, int]], amount: int = 1) -> list[int] | None:
    """`amount` more hits on each (key, seconds) counter; None when the cache cannot say.

    The Redis cache counts them all in one round trip; the embedded
    local-memory cache one by one.
    """
    cache = caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")]
    if hasattr(cache, "count_hits"):
        return cache.count_hits(windows, amount=amount)
    counts = []
    for key, seconds in windows:
        if cache.add(key, amount, seconds):
            counts.append(amount)
        else:
            counts.append(cache.incr(key, amount))
    return counts


@dataclass(frozen=True)
class Window:
    """One rate's fixed window for one client: its counter's key, the limit, how long the counter lives, when it ends."""

    key: str
    limit: int
    seconds: int
    ends: int


def rate_windows(request, group: str, rates: list[str]) -> list[Window]:
    """django-ratelimit's windows (fixed, offset per client) and keys for this client and group."""
    client = request_ip_hash(request)
    windows = []
    for rate in rates:
        limit, period = _split_rate(rate)
        window_end = _get_window(client, period)
        key = _make_cache_key(f"{group}:{rate}", window_end, rate, client, ALL)
        windows.append(Window(key, limit, period + EXPIRATION_FUDGE, window_end))
    return windows


def seconds_to_wait(windows: list[Window], counts: list[int]) -> int:
    """Seconds until every tripped window has passed: a window named by its end still counts through that second.

    At least 1 once a window has tripped: the clock may tick past the window's
    end between counting and this sum, and a refusal must never say "wait 0".
    """
    wait = 0
    now = int(time.time())
    for count, window in zip(counts, windows, strict=True):
        if count > window.limit:
            wait = max(wait, window.ends + 1 - now, 1)
    return wait


def seconds_until_allowed(request, group: str, rates: list[str]) -> int:
    """0 while the client is under every rate of this group, else how long until it is again.

    Each call counts as one attempt on every rate, even after one has tripped,
    so that the sustained window sees the burst. The windows are counted in
    one round trip. When the cache behind the limits is unreachable the
    request is let through with a warning: a visitor must never be refused
    because Redis is down.
    """
    if not settings.RATELIMIT_ENABLE:
        return 0
    windows = rate_windows(request, group, rates)
    try:
        counts = count_hits([(window.key, window.seconds) for window in windows])
    except (RedisError, OSError, ValueError) as exc:
        counts = None
        logger.warning("rate limit cache unreachable (%s); allowing request for group %s", type(exc).__name__, group)
    return 0 if counts is None else seconds_to_wait(windows, counts)


def get_and_seconds_until_allowed(request, key: str, group: str, rates: list[str]) -> tuple[object, int] | None:
    """The default cache's value at key (None for an entry we did not sign) and seconds_until_allowed, in one round trip to Redis.

    Counts only when the key holds a value. None when it does not, when the
    limits are off or kept in another cache, or when the cache cannot do both
    at once (the embedded one, or Redis unreachable): nothing was counted
    then, and the caller reads the value and calls seconds_until_allowed.
    """
    cache = caches["default"]
    if (
        not settings.RATELIMIT_ENABLE
        or getattr(settings, "RATELIMIT_USE_CACHE", "default") != "default"
        or not hasattr(cache, "get_and_count_hits")
    ):
        return None
    windows = rate_windows(request, group, rates)
    found = cache.get_and_count_hits(key, [(window.key, window.seconds) for window in windows])
    if found is None:
        return None
    value, counts = found
    return value, seconds_to_wait(windows, counts)
