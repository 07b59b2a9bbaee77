"""The Redis cache keeps one redis-py client per connection pool instead of building one for every call, and parses with hiredis."""

from django.core.cache import caches
from redis._parsers import _HiredisParser

from petition.cache import DegradingRedisCache


def test_every_cache_call_goes_through_the_same_redis_client():
    cache = caches["default"]
    assert isinstance(cache, DegradingRedisCache), "the suite runs against Redis (REDIS_URL)"
    client = cache._cache.get_client(write=True)

    cache.set("client-reuse", "kept", 10)
    assert cache.get("client-reuse") == "kept"
    assert cache.add("client-reuse", "again", 10) is False

    assert cache._cache.get_client(write=True) is client
    assert cache._cache.get_client() is client


def test_replies_are_parsed_by_hiredis():
    # requirements.txt installs hiredis; redis-py falls back to its pure-Python parser without telling.
    cache = caches["default"]
    connection = cache._cache.get_client(write=True).connection_pool.get_connection()
    try:
        assert isinstance(connection._parser, _HiredisParser)
    finally:
        cache._cache.get_client(write=True).connection_pool.release(connection)
