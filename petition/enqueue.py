"""Enqueue Celery tasks after commit without ever failing the request.

The rows themselves record what is owed (the signature is its own outbox), so
when the broker is unreachable the work is found again by a beat task.
"""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


def enqueue_now(task, *args, countdown: float | None = None) -> bool:
    """Publish the task now (to start at once, or countdown seconds later); False when the broker is unreachable."""
    try:
        task.apply_async(args, countdown=countdown)
        return True
    except (OperationalError, RedisError, OSError) as exc:
        logger.warning("could not enqueue %s (%s); a periodic task will catch up", task.name, type(exc).__name__)
        return False


def enqueue_after_commit(task, *args) -> None:
    transaction.on_commit(lambda: enqueue_now(task, *args))
