"""Every window of a rate limit is counted in one round trip to Redis, and still counted exactly."""

import types

import django_ratelimit.core
import pytest
from django.test import RequestFactory

from petition import ratelimits
from petition.ratelimits import rate_windows, seconds_until_allowed

pytestmark = pytest.mark.django_db


def test_it_counts_the_burst_and_the_sustained_window_in_one_round_trip(round_trips):
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.7")
    seconds_until_allowed(request, "sign:1", ["10/m", "100/h"])  # connects; the pool keeps the connection
    round_trips.clear()

    seconds_until_allowed(request, "sign:1", ["10/m", "100/h"])

    assert len(round_trips) == 1


def test_it_counts_both_windows_even_after_the_burst_trips():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.8")

    burst = [seconds_until_allowed(request, "sign:1", ["2/m", "4/h"]) > 0 for _ in range(3)]
    # The burst window is full, yet the refused attempt counted in the sustained window too.
    sustained_only = [seconds_until_allowed(request, "sign:1", ["100/m", "4/h"]) > 0 for _ in range(2)]

    assert burst == [False, False, True]
    assert sustained_only == [False, True]


def test_it_says_how_long_until_the_longest_tripped_window_ends():
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.9")

    for _ in range(2):
        seconds_until_allowed(request, "sign:1", ["1/m", "1/h"])

    assert 1 <= seconds_until_allowed(request, "sign:1", ["1/m", "1/h"]) <= 3600


def test_it_lets_everyone_through_when_rate_limits_are_switched_off(settings):
    settings.RATELIMIT_ENABLE = False
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.10")

    assert [seconds_until_allowed(request, "sign:1", ["1/m"]) for _ in range(3)] == [0, 0, 0]


def test_it_counts_in_the_embedded_local_memory_cache_too(settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    request = RequestFactory().post("/", REMOTE_ADDR="203.0.113.11")

    assert [seconds_until_allowed(request, "sign:1", ["2/m", "100/h"]) > 0 for _ in range(3)] == [False, False, True]


@pytest.mark.parametrize("seconds_into_the_window", [0, 1, 29, 58, 59])
def test_a_client_that_waits_retry_after_is_let_in(monkeypatch, seconds_into_the_window):
    """Retry-After is honest to the second: a window named by its end still counts through that second."""
    request = RequestFactory().post("/", REMOTE_ADDR=f"203.0.113.{20 + seconds_into_the_window}")
    offset = rate_windows(request, "sign:1", ["1/m"])[0].ends % 60  # where this client's minutes begin
    clock = types.SimpleNamespace(time=None)
    monkeypatch.setattr(django_ratelimit.core, "time", clock)
    monkeypatch.setattr(ratelimits, "time", clock)
    now = 1_800_000_000 - 1_800_000_000 % 60 + offset + 1 + seconds_into_the_window
    clock.time = lambda: now + 0.25

    assert seconds_until_allowed(request, "sign:1", ["1/m"]) == 0
    wait = seconds_until_allowed(request, "sign:1", ["1/m"])
    assert wait == 60 - seconds_into_the_window
    now += wait
    assert seconds_until_allowed(request, "sign:1", ["1/m"]) == 0


def test_a_refusal_never_says_wait_zero_when_the_clock_ticks_past_the_window(monkeypatch):
    """The count and the wait are two readings of the clock; a second may pass between them."""
    window = ratelimits.Window(key="k", limit=1, seconds=61, ends=1_800_000_000)
    monkeypatch.setattr(ratelimits, "time", types.SimpleNamespace(time=lambda: 1_800_000_001.5))

    assert ratelimits.seconds_to_wait([window], [2]) == 1
    assert ratelimits.seconds_to_wait([window], [1]) == 0
