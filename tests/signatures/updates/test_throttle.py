"""The provider's cap per minute holds across every worker, and when Redis is away workers wait."""

import threading
import time

import pytest
from django.db import connection

from signatures.updates import sending, throttle
from signatures.updates.starting import begin_sending
from tests.realstack import free_port, wait_for

from .conftest import recipients
from .helpers import campaign_with_lead, consenting_signers, make_update, ready_to_send


def test_permits_within_a_minute_never_exceed_the_cap(settings):
    settings.UPDATE_SEND_PER_MINUTE = 50
    # A window of its own in the shared Redis; the clock stands still, so every take is in it.
    clock = (int(time.time() // 60) + 1_000_000) * 60.0
    granted = []
    lock = threading.Lock()

    def worker():
        for _ in range(5):
            # give_up_at == the clock: when the minute's permits are gone, return 0 instead of waiting.
            permits = throttle.take(7, clock=lambda: clock, sleep=lambda s: None, give_up_at=clock)
            with lock:
                granted.append(permits)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == 50


def test_it_waits_rather_than_exceeds_when_redis_is_unreachable(settings):
    settings.UPDATE_SEND_PER_MINUTE = 50
    # The shared cache the throttle counts in, pointed at a port where no Redis listens.
    settings.CACHES = {
        "default": {
            "BACKEND": "petition.cache.DegradingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{free_port()}/0",
            "OPTIONS": {"socket_timeout": 0.5, "socket_connect_timeout": 0.5},
        }
    }
    now = [time.time()]
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    assert throttle.take(10, clock=lambda: now[0], sleep=sleep, give_up_at=now[0] + 5) == 0
    assert len(sleeps) >= 4


@pytest.mark.django_db(transaction=True)
def test_two_workers_together_send_no_more_than_the_cap(smtp, settings, monkeypatch):
    # An hour-long window: the test cannot straddle two.
    monkeypatch.setattr(throttle, "WINDOW_SECONDS", 3600)
    monkeypatch.setattr(sending, "THROTTLE_RECHECK_SECONDS", 0.5)
    settings.UPDATE_SEND_PER_MINUTE = 5
    settings.UPDATE_BATCH_SIZE = 2
    campaign, organisation = campaign_with_lead()
    consenting_signers(campaign, organisation, 12)
    update = ready_to_send(make_update(campaign, organisation))
    begin_sending(update.pk)

    def worker():
        try:
            sending.run(update.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(recipients(smtp)) >= 5, timeout=30, message="the first five")
    time.sleep(2)
    assert len(recipients(smtp)) == 5
    update.refresh_from_db()
    update.status = "cancelled"
    update.save(update_fields=["status"])
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads)
    assert len(recipients(smtp)) == 5
