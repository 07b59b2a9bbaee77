"""With Redis down the cache answers like an empty cache, and rate limits let people through."""

import logging

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse

from petition import cache as degrading_cache
from petition.ratelimits import seconds_until_allowed
from tests.factories import confirm_token, make_campaign, make_signature

pytestmark = pytest.mark.slow


@pytest.fixture
def redis_down(redis_server, point_at_redis):
    point_at_redis(redis_server.url)
    redis_server.stop()
    return redis_server


def test_it_answers_misses_instead_of_raising_while_redis_is_down(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="petition.cache"):
        assert cache.get("key", "default") == "default"
        assert cache.add("key", 1) is True
        cache.set("key", 1)
        assert cache.get_many(["key"]) == {}
        with pytest.raises(ValueError):
            cache.incr("key")
        cache.delete("key")
    assert "cache unreachable during get (ConnectionError)" in caplog.text


def test_it_leaves_redis_alone_for_a_while_after_a_failure(redis_down):
    cache.get("key")
    redis_down.start()

    cache.set("key", "value")

    assert cache.get("key") is None
    assert redis_down.client().dbsize() == 0


def test_it_uses_redis_again_once_the_pause_is_over(redis_down):
    cache.get("key")
    redis_down.start()
    degrading_cache.forget_failures()  # REDIS_RETRY_AFTER has passed

    cache.set("key", "value")

    assert cache.get("key") == "value"
    assert redis_down.client().dbsize() == 1


def test_it_lets_visitors_through_rate_limits_while_redis_is_down(redis_down):
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")

    assert [seconds_until_allowed(request, "sign:1", ["1/m"]) for _ in range(5)] == [0] * 5


def test_it_still_limits_once_redis_is_back(redis_down):
    seconds_until_allowed(RequestFactory().post("/"), "sign:1", ["2/m"])
    redis_down.start()
    degrading_cache.forget_failures()
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")

    assert [bool(seconds_until_allowed(request, "sign:1", ["2/m"])) for _ in range(3)] == [False, False, True]


@pytest.mark.django_db
def test_a_confirmation_link_opens_and_confirms_while_redis_is_down(redis_down, client):
    # Its pages are kept per copy of the campaign in the cache (signatures.pages.kept_page): without Redis
    # there is no copy, and they are rendered each time.
    signature = make_signature(make_campaign())
    link = reverse("signatures:confirm", kwargs={"pk": signature.pk, "token": confirm_token(signature)})

    page = client.get(link)
    confirmed = client.post(link)

    assert page.status_code == 200 and "Confirm your signature" in page.text
    assert f'href="/de/s/confirm/{signature.pk}/{confirm_token(signature)}/"' in page.text
    assert confirmed.status_code == 200 and "your signature is confirmed" in confirmed.text
    assert "data-count>1</strong>" in confirmed.text
    signature.refresh_from_db()
    assert signature.status == "confirmed"
