import os
import socket
from urllib.parse import urlsplit

import pytest


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


def pytest_collection_finish(session):
    """Everything but unit tests needs the real services; `make test-fast` runs only the unit tests."""
    if any(item.get_closest_marker("unit") is None for item in session.items):
        require_services()


def require_services():
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    problems = []
    if not database_url.startswith("postgres"):
        problems.append("DATABASE_URL is not a PostgreSQL URL (run the suite with `make test`)")
    elif not _reachable(database_url, 5432):
        problems.append(
            f"PostgreSQL is not reachable at {urlsplit(database_url).netloc}: start it, e.g. "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start`"
        )
    if not redis_url:
        problems.append("REDIS_URL is not set (run the suite with `make test`)")
    elif not _reachable(redis_url, 6379):
        problems.append(
            f"Redis is not reachable at {urlsplit(redis_url).netloc}: start it, e.g. "
            '`redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`'
        )
    if problems:
        raise pytest.UsageError("The tests need real services.\n- " + "\n- ".join(problems))


@pytest.fixture(autouse=True)
def eager_celery(settings):
    """Tasks run in-process unless a test starts a real worker."""
    from petition.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = False
    yield app
    app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def rate_limit_clock(monkeypatch):
    """Hold the rate limits' clock still for the test: django-ratelimit's and the Retry-After arithmetic's.

    It counts in fixed windows (each minute, each hour, at an offset per key):
    a test whose requests straddled a boundary would see its count start over
    and its limit never trip. With the clock held, every request of a test
    falls in the window the test started in, and the wait it is told is
    counted from the same instant.
    """
    import time
    import types

    import django_ratelimit.core

    import petition.ratelimits

    started = time.time()
    held_clock = types.SimpleNamespace(time=lambda: started)
    monkeypatch.setattr(django_ratelimit.core, "time", held_clock)
    monkeypatch.setattr(petition.ratelimits, "time", held_clock)


@pytest.fixture(autouse=True)
def clean_cache():
    from django.core.cache import cache

    from petition.httpcache import LOCAL_PAGES

    cache.clear()
    LOCAL_PAGES.clear()
    yield
    cache.clear()
    LOCAL_PAGES.clear()


@pytest.fixture(autouse=True)
def test_settings(settings):
    settings.SITE_URL = "http://testserver"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.RECAPTCHA_ENABLED = False
    # Tests read pages right after changing what they show; the server-side page cache has its own tests.
    settings.PUBLIC_PAGE_CACHE_SECONDS = 0
    return settings


@pytest.fixture(autouse=True)
def english_by_default():
    """A request activates its language in the test's thread and leaves it there; start each test in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture
def admin_client(client, admin_user):
    """pytest-django's admin_client, past the two-factor step that superusers owe (tests/staff.py)."""
    from tests.staff import log_in_staff

    log_in_staff(client, admin_user)
    return client


@pytest.fixture
def round_trips(monkeypatch):
    """Commands written to any Redis connection, one entry per round trip (the commands still go through)."""
    from redis.connection import Connection

    sent = []
    send = Connection.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return send(self, command, check_health)

    monkeypatch.setattr(Connection, "send_packed_command", counting)
    return sent
