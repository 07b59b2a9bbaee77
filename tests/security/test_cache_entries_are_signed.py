"""Whoever can write to Redis cannot make the web process unpickle their bytes: cache entries are signed."""

import pickle
import uuid
from pathlib import Path

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache

from petition.cache import SignedPickleSerializer, TamperedCacheEntry
from tests.factories import make_campaign

pytestmark = pytest.mark.django_db


class CreatesAFile:
    """A pickle that runs code when loaded: here, it creates a file."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def raw_redis() -> redis.Redis:
    return redis.Redis.from_url(django_settings.REDIS_URL, socket_timeout=2)


def test_a_pickle_planted_in_the_page_cache_is_never_loaded(client, settings, tmp_path):
    settings.PUBLIC_PAGE_CACHE_SECONDS = 60
    campaign = make_campaign(title="Ban biometric mass surveillance")
    assert client.get(campaign.get_absolute_url()).status_code == 200
    keys = raw_redis().keys("*public-page:*")
    assert keys, "the page was not kept in Redis"
    marker = tmp_path / f"pwned-{uuid.uuid4().hex}"
    for key in keys:
        raw_redis().set(key, pickle.dumps(CreatesAFile(str(marker))))

    response = client.get(campaign.get_absolute_url())

    assert not marker.exists()
    assert response.status_code == 200
    assert "Ban biometric mass surveillance" in response.text


def test_an_entry_signed_with_another_key_is_a_miss(settings):
    cache.set("greeting", {"text": "hello"})
    key = cache.make_key("greeting")
    payload = pickle.dumps({"text": "forged"})
    raw_redis().set(key, b"\0" * 32 + payload)

    assert cache.get("greeting") is None
    assert cache.get("greeting", "default") == "default"


def test_entries_round_trip_and_counters_stay_plain_integers_redis_can_increment():
    cache.set("structure", {"a": [1, 2, {"b": "c"}]})
    cache.set("counter", 5)

    assert cache.get("structure") == {"a": [1, 2, {"b": "c"}]}
    assert cache.incr("counter") == 6
    assert raw_redis().get(cache.make_key("counter")) == b"6"


def test_the_serializer_refuses_unsigned_pickles_and_loads_its_own(settings):
    serializer = SignedPickleSerializer()
    marker = Path(f"/tmp/pwned-{uuid.uuid4().hex}")

    with pytest.raises(TamperedCacheEntry):
        serializer.loads(pickle.dumps(CreatesAFile(str(marker))))
    assert not marker.exists()
    assert serializer.loads(serializer.dumps(["ok"])) == ["ok"]
    assert serializer.loads(b"42") == 42
