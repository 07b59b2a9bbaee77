"""The provider's cap on messages per minute, honoured across every worker.

Each worker takes permits from one Redis counter per minute (INCRBY, expiring
with the minute) before it claims a batch. When Redis cannot be reached the
worker waits and asks again: it fails closed, so an outage never makes the
platform exceed the cap a provider would punish.
"""

import logging
import threading
import time

import redis
from django.conf import settings
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

KEY = "update-throttle:{window}"
WINDOW_SECONDS = 60
WAIT_WHEN_UNREACHABLE = 1.0

_local_counts: dict[int, int] = {}
_local_lock = threading.Lock()


def _client() -> redis.Redis:
    return redis.Redis.from_url(
        settings.REDIS_URL,
        socket_timeout=settings.REDIS_SOCKET_TIMEOUT,
        socket_connect_timeout=settings.REDIS_SOCKET_TIMEOUT,
    )


def _count(window: int, wanted: int) -> int:
    """The window's total after adding wanted."""
    if not settings.REDIS_URL:
        # Embedded mode runs one process: a counter in memory is shared by all its workers.
        with _local_lock:
            _local_counts[window] = _local_counts.get(window, 0) + wanted
            return _local_counts[window]
    with _client() as client:
        pipeline = client.pipeline()
        pipeline.incrby(KEY.format(window=window), wanted)
        pipeline.expire(KEY.format(window=window), 2 * WINDOW_SECONDS)
        total, _ = pipeline.execute()
    return int(total)


def take(wanted: int, *, clock=time.time, sleep=time.sleep, give_up_at: float | None = None) -> int:
    """Wait until some of wanted may be sent this minute and return how many (at least 1).

    With give_up_at, return 0 once that time has come without a permit (it
    always asks at least once), so a waiting worker can look at its update.
    """
    cap = settings.UPDATE_SEND_PER_MINUTE
    if cap <= 0:
        return wanted
    while True:
        now = clock()
        window = int(now // WINDOW_SECONDS)
        try:
            total = _count(window, wanted)
        except (RedisError, OSError) as exc:
            logger.warning("throttle unreachable (%s); waiting rather than exceeding the cap", type(exc).__name__)
            total = None
        if total is not None:
            granted = min(wanted, cap - (total - wanted))
            if granted > 0:
                return granted
        if give_up_at is not None and now >= give_up_at:
            return 0
        wait = WAIT_WHEN_UNREACHABLE if total is None else (window + 1) * WINDOW_SECONDS - now
        if give_up_at is not None:
            wait = min(wait, give_up_at - now)
        sleep(max(0.05, wait))
