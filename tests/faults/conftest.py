import pytest

from petition import cache as degrading_cache
from petition.celery import app

from .servers import BlackholeServer, RedisServer, recording_smtp_server


def reset_celery_connections() -> None:
    """Make the Celery app take its connections from the pool of whatever broker_url says now.

    The pools themselves are kombu's, shared per URL, and stay open for the
    tests that use that URL next.
    """
    app._pool = None
    app.amqp._producer_pool = None


@pytest.fixture
def point_at_redis(settings):
    """Point Django's cache and Celery's broker at another Redis for this test."""
    original_broker = app.conf.broker_url

    def point(url: str) -> None:
        settings.CACHES = {
            "default": {
                "BACKEND": "petition.cache.DegradingRedisCache",
                "LOCATION": url,
                "OPTIONS": {
                    "socket_timeout": settings.REDIS_SOCKET_TIMEOUT,
                    "socket_connect_timeout": settings.REDIS_SOCKET_TIMEOUT,
                },
            }
        }
        settings.CELERY_BROKER_URL = url
        app.conf.broker_url = url
        reset_celery_connections()
        degrading_cache.forget_failures()

    yield point
    app.conf.broker_url = original_broker
    reset_celery_connections()
    degrading_cache.forget_failures()


@pytest.fixture
def real_celery(eager_celery):
    """Tasks go through the broker to a worker, and the worker leaves the test's logging alone."""
    app.conf.task_always_eager = False
    app.conf.worker_hijack_root_logger = False
    yield app
    app.conf.task_always_eager = True


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def blackhole():
    server = BlackholeServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def smtp(settings):
    """A local SMTP server that the platform sends through; yields its handler."""
    with recording_smtp_server() as (controller, handler):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = controller.hostname
        settings.EMAIL_PORT = controller.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5
        handler.host, handler.port = controller.hostname, controller.port
        yield handler
