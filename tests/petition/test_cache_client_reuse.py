"""The Redis cache keeps one redis-py client per connection pool instead of building one for every call."""

from django.core.cache import caches

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
