"""A sign POST reads its campaign and counts the client's limits in one round trip to Redis, and counts only for campaigns that exist."""

import pickle

import pytest
import redis
from django.conf import settings as django_settings
from django.core.cache import cache
from django.urls import reverse

from campaigns.selectors import campaign_cache_key
from signatures.models import Signature
from tests.factories import make_campaign, sign_data

pytestmark = pytest.mark.django_db


def raw_redis() -> redis.Redis:
    return redis.Redis.from_url(django_settings.REDIS_URL, socket_timeout=2)


def counters() -> list[bytes]:
    return raw_redis().keys("*rl:*")


def test_with_the_campaign_cached_the_campaign_and_the_limits_are_one_round_trip(client, round_trips):
    campaign = make_campaign()
    url = reverse("signatures:sign", kwargs={"slug": campaign.slug})
    assert client.post(url, sign_data(email="first@example.org")).status_code == 302  # caches the campaign
    round_trips.clear()

    assert client.post(url, sign_data(email="second@example.org")).status_code == 302

    # The campaign and its limits. (The outbox's nudge follows the commit,
    # which a django_db test never makes.)
    assert len(round_trips) == 1 and b"EVALSHA" in b"".join(round_trips[0])
    assert Signature.objects.filter(email="second@example.org").exists()


def test_the_limits_still_trip_when_read_with_the_campaign(client, settings):
    settings.SIGN_RATE_BURST = "2/m"
    campaign = make_campaign()
    url = reverse("signatures:sign", kwargs={"slug": campaign.slug})
    statuses = [client.post(url, sign_data(email=f"s{n}@example.org")).status_code for n in range(4)]
    assert statuses == [302, 302, 429, 429]
    assert Signature.objects.count() == 2


def test_posts_to_a_petition_that_does_not_exist_make_no_counters(client):
    before = counters()
    for number in range(20):
        response = client.post(f"/en/no-such-petition-{number}/sign/", sign_data())
        assert response.status_code == 404
    assert counters() == before


def test_a_forged_campaign_entry_is_never_loaded_and_the_post_still_counts(client, settings, tmp_path):
    settings.SIGN_RATE_BURST = "2/m"
    campaign = make_campaign()
    url = reverse("signatures:sign", kwargs={"slug": campaign.slug})
    client.post(url, sign_data(email="one@example.org"))
    marker = tmp_path / "loaded"
    key = cache.make_key(campaign_cache_key(campaign.slug))
    raw_redis().set(key, b"\0" * 32 + pickle.dumps(marker.open))  # unsigned: must be a miss

    assert client.post(url, sign_data(email="two@example.org")).status_code == 302
    assert client.post(url, sign_data(email="three@example.org")).status_code == 429
    assert not marker.exists()
    assert Signature.objects.count() == 2
