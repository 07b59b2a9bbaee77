"""The provider's cap on messages per minute, honoured across every worker.

Each worker takes permits from one counter per minute in the shared cache
(petition.ratelimits.count_hits: one Redis round trip, expiring with the
minute) before it claims a batch. When Redis cannot be reached the
worker waits and asks again: it fails closed, so an outage never makes the
platform exceed the cap a provider would punish.
"""

import logging
import time

from django.conf import settings

from petition.ratelimits import count_hits

logger = logging.getLogger(__name__)

KEY = "update-throttle:{window}"
WINDOW_SECONDS = 60
WAIT_WHEN_UNREACHABLE = 1.0


def _count(window: int, wanted: int) -> int | None:
    """The window's total after adding wanted; None while the cache (Redis) cannot be reached."""
    counts = count_hits([(KEY.format(window=window), 2 * WINDOW_SECONDS)], amount=wanted)
    return None if counts is None else int(counts[0])


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
        total = _count(window, wanted)
        if total is None:
            logger.warning("throttle unreachable; waiting rather than exceeding the cap")
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
