"""/healthz for the load balancer: database, cache, broker and static files, each on its own.

200 when all four are fine, 503 otherwise, with a JSON body saying which one
failed. Only the class of an error is reported, never its message: messages
can carry host names and credentials.
"""

import functools
import logging
import os
import secrets
import threading

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

from petition.celery import app

logger = logging.getLogger(__name__)

OK = "ok"


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return OK


def check_cache() -> str:
    # The cache degrades to misses instead of raising, so a round trip is
    # the only honest question to ask it.
    key = "healthz:" + secrets.token_hex(8)
    cache.set(key, "1", 10)
    answered = cache.get(key) == "1"
    cache.delete(key)
    return OK if answered else "unavailable"


# The broker connection this process keeps for the next check, per broker URL.
_kept_broker_connections: dict[str, Connection] = {}
_broker_lock = threading.Lock()


def check_broker() -> str:
    """A round trip to the broker over a connection this process keeps between checks.

    A new connection for every check left a socket in TIME_WAIT per request:
    harmless at a load balancer's pace, but a flood of /healthz from outside
    ran the host out of local ports to Redis, and with them the cache and the
    broker. A kept connection that no longer answers (Redis restarted) is
    replaced once; only a fresh one failing reports the broker down.
    """
    url = app.conf.broker_url
    with _broker_lock:
        kept = _kept_broker_connections.pop(url, None)
        if kept is not None:
            try:
                return broker_round_trip(kept, url)
            except Exception:  # gone stale: a fresh connection decides
                kept.release()
        fresh = app.connection_for_write()
        try:
            return broker_round_trip(fresh, url)
        except Exception:
            fresh.release()
            raise


def broker_round_trip(connection: Connection, url: str) -> str:
    # One attempt, bounded by the broker's connect and socket timeouts.
    connection.ensure_connection(max_retries=0)
    client = getattr(connection.default_channel, "client", None)
    if client is not None:  # Redis; embedded mode's in-memory transport has no server to ask
        client.ping()
    _kept_broker_connections[url] = connection
    return OK


# What collectstatic leaves out by default.
STATIC_IGNORE_PATTERNS = ["CVS", ".*", "*~"]


@functools.cache
def shipped_static_files() -> frozenset[str]:
    """Every static file the code ships, named as collectstatic names it; fixed while the process runs."""
    return frozenset(
        path.replace(os.sep, "/") for finder in finders.get_finders() for path, _ in finder.list(STATIC_IGNORE_PATTERNS)
    )


def check_static() -> str:
    # In production pages name static files through the manifest that
    # collectstatic writes; the storage reads it once, when this process first
    # uses it. Without it (or without an entry) every page is a 500.
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return OK  # DEBUG: served from the source folders
    collected = staticfiles_storage.hashed_files
    if not collected:
        return "not collected: run collectstatic"
    missing = shipped_static_files() - collected.keys()
    if missing:
        return f"{len(missing)} files not collected: run collectstatic, then restart"
    return OK


CHECKS = {"database": check_database, "cache": check_cache, "broker": check_broker, "static": check_static}


def run_check(name: str, check) -> str:
    try:
        return check()
    except Exception as exc:  # a health check reports every failure, it never raises
        logger.warning("health check %s failed (%s)", name, type(exc).__name__)
        return f"error: {type(exc).__name__}"


@require_safe
@never_cache
def healthz(request):
    results = {name: run_check(name, check) for name, check in CHECKS.items()}
    healthy = all(result == OK for result in results.values())
    return JsonResponse({"status": OK if healthy else "unhealthy", **results}, status=200 if healthy else 503)
