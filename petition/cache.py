"""A Redis cache that degrades to a cache that misses when Redis is unreachable.

Nothing the platform keeps in the cache is precious: rate-limit counters,
"a fold is already queued" marks and copies of data that live in PostgreSQL.
So when Redis is down or hangs, every operation answers as Django's DummyCache
does, a cache that keeps nothing: get returns the default, add returns True
(the key was absent), set does nothing, incr raises ValueError as for a missing
key, and the request goes on. django-ratelimit then counts every request as
the first and lets the visitor through; a fold is enqueued rather than assumed
queued. Nothing may rely on the cache for "at most once": that is the
database's job (conditional updates).

After a failure the cache does not touch Redis again for REDIS_RETRY_AFTER
seconds: a Redis that accepts but never answers costs one socket timeout per
process in that window, not one per cache call.

Django's Redis cache pickles what it stores (whole page responses among
them), and unpickling runs code. So every entry is signed with a key derived
from SECRET_KEY (SignedPickleSerializer) and an entry whose signature does not
match is a miss, never unpickled: whoever can write to Redis cannot run code
in the web process. Integers stay plain, as Django keeps them, so that counters
can be incremented in Redis; reading one runs nothing.
"""

import hashlib
import hmac
import logging
import pickle
import threading
import time

from django.conf import settings
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient, RedisSerializer
from redis.commands.core import Script
from redis.exceptions import NoPermissionError, RedisError, ResponseError

logger = logging.getLogger(__name__)

# Monotonic time until which each Redis location is left alone, per process.
_unavailable_until: dict[str, float] = {}
_lock = threading.Lock()


def forget_failures() -> None:
    """Try every Redis again at once (tests start and stop their own servers)."""
    with _lock:
        _unavailable_until.clear()


class TamperedCacheEntry(Exception):
    """A cache entry not signed with our key: written by someone else, so never unpickled."""


class SignedPickleSerializer(RedisSerializer):
    MAC_SIZE = hashlib.sha256().digest_size

    def __init__(self, protocol=None):
        super().__init__(protocol)
        self.key = hashlib.sha256(b"petition.cache.SignedPickleSerializer:" + settings.SECRET_KEY.encode()).digest()

    def mac(self, payload: bytes) -> bytes:
        return hmac.new(self.key, payload, hashlib.sha256).digest()

    def dumps(self, obj):
        if type(obj) is int:
            return obj
        payload = pickle.dumps(obj, self.protocol)
        return self.mac(payload) + payload

    def loads(self, data):
        try:
            return int(data)
        except ValueError:
            pass
        mac, payload = data[: self.MAC_SIZE], data[self.MAC_SIZE :]
        if not hmac.compare_digest(mac, self.mac(payload)):
            raise TamperedCacheEntry
        return pickle.loads(payload)


class OneClientPerPool(RedisCacheClient):
    """Django's Redis cache client, keeping one redis.Redis per connection pool instead of one per call.

    Django wraps the pool in a new redis.Redis for every cache operation, and
    redis-py fills its table of response callbacks in each: 0.06 ms of CPU,
    twice the client's side of a GET, three times per sign POST. The client
    keeps no connection of its own (each command borrows one from the pool,
    which reconnects after a fork), so reusing it changes nothing but the
    cost.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class DegradingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = OneClientPerPool
        self._location = server if isinstance(server, str) else ",".join(server)
        self._scripts_refused = False

    def _available(self) -> bool:
        return time.monotonic() >= _unavailable_until.get(self._location, 0.0)

    def _failed(self, operation: str, exc: Exception) -> None:
        retry_after = settings.REDIS_RETRY_AFTER
        with _lock:
            _unavailable_until[self._location] = time.monotonic() + retry_after
        logger.warning(
            "cache unreachable during %s (%s); serving without it for %ss", operation, type(exc).__name__, retry_after
        )

    def _call(self, operation: str, fallback, *args, **kwargs):
        if not self._available():
            return fallback
        try:
            return getattr(super(), operation)(*args, **kwargs)
        except (RedisError, OSError) as exc:
            self._failed(operation, exc)
            return fallback
        except TamperedCacheEntry:
            # Redis itself answered: no pause, just a miss.
            logger.warning("cache entry with a wrong signature ignored during %s", operation)
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("add", True, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._call("set", None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def incr(self, key, delta=1, version=None):
        missing = object()
        value = self._call("incr", missing, key, delta, version)
        if value is missing:
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        failed = self._call("set_many", None, data, timeout, version)
        return list(data) if failed is None else failed

    def delete_many(self, keys, version=None):
        self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)

    def count_hits(self, windows: list[tuple[str, int]], version=None, amount: int = 1) -> list[int] | None:
        """`amount` more hits on each (key, seconds) counter, in one round trip; None while Redis is unreachable.

        A counter that does not exist yet starts at 0 and lives for its
        seconds (the window it counts), then counts these hits.
        """
        if not self._available():
            return None
        try:
            pipeline = self._cache.get_client(write=True).pipeline(transaction=False)
            for key, seconds in windows:
                made = self.make_and_validate_key(key, version=version)
                pipeline.set(made, 0, ex=seconds, nx=True)
                pipeline.incr(made, amount)
            replies = pipeline.execute()
        except (RedisError, OSError) as exc:
            self._failed("count_hits", exc)
            return None
        return replies[1::2]

    def get_and_count_hits(
        self, key: str, windows: list[tuple[str, int]], version=None, amount: int = 1
    ) -> tuple[object, list[int]] | None:
        """The value at key and, only when the key holds one, count_hits on windows, in one round trip.

        None, and nothing counted, when the key holds nothing or Redis is
        unreachable: the caller reads the value elsewhere and counts on its
        own. Counting only where something is found keeps a caller from
        making counters for keys that name nothing. An entry we did not sign
        is counted and read as None, a miss.
        """
        if not self._available() or self._scripts_refused:
            return None
        made_keys = [self.make_and_validate_key(k, version=version) for k in (key, *(k for k, _ in windows))]
        try:
            client = self._cache.get_client(write=True)
            replies = GET_AND_COUNT_HITS(keys=made_keys, args=[*(seconds for _, seconds in windows), amount], client=client)
        except ResponseError as exc:
            if not refuses_scripts(exc):
                self._failed("get_and_count_hits", exc)
                return None
            # A Redis that answers but allows no scripts (an ACL, or EVALSHA
            # renamed away): read and count apart from now on, and keep using
            # the cache.
            self._scripts_refused = True
            logger.warning("Redis refused a script (%s); reading and counting in separate round trips", type(exc).__name__)
            return None
        except (RedisError, OSError) as exc:
            self._failed("get_and_count_hits", exc)
            return None
        if not replies:
            return None
        counts = [int(count) for count in replies[1:]]
        try:
            return self._cache._serializer.loads(replies[0]), counts
        except TamperedCacheEntry:
            logger.warning("cache entry with a wrong signature ignored during get_and_count_hits")
            return None, counts


def refuses_scripts(exc: ResponseError) -> bool:
    return isinstance(exc, NoPermissionError) or str(exc).lower().startswith("unknown command")


# KEYS: the value's key, then each counter's; ARGV: each counter's seconds, then
# the amount. Counters start at 0 for their seconds, as in count_hits. Run by
# its SHA1 (loaded once per Redis server); given as bytes, the script needs no
# client of its own to be hashed.
GET_AND_COUNT_HITS = Script(
    None,
    b"""
local value = redis.call('GET', KEYS[1])
if not value then return {} end
local replies = {value}
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], 0, 'EX', ARGV[i - 1], 'NX')
  replies[i] = redis.call('INCRBY', KEYS[i], ARGV[#ARGV])
end
return replies
""",
)
