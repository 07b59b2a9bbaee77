"""/healthz tells the load balancer about the database, the cache and the broker, one by one."""

import pytest

from petition import cache as degrading_cache

pytestmark = pytest.mark.django_db


def test_it_reports_every_service_ok(client, real_celery):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok", "static": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_it_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.slow
def test_it_reports_redis_down_as_cache_and_broker_failures_with_503(client, redis_server, point_at_redis, real_celery):
    point_at_redis(redis_server.url)
    redis_server.stop()

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unhealthy",
        "database": "ok",
        "cache": "unavailable",
        "broker": "error: OperationalError",
        "static": "ok",
    }


def test_it_reports_a_database_failure(client, monkeypatch):
    from petition import health

    def database_down():
        from django.db import OperationalError

        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", database_down)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"
    assert response.json()["cache"] == "ok"


def connections_received(redis_server) -> int:
    return redis_server.client().info("stats")["total_connections_received"]


@pytest.mark.slow
def test_checks_reuse_their_connections_instead_of_opening_one_per_request(
    client, redis_server, point_at_redis, real_celery
):
    # Each new connection leaves a socket in TIME_WAIT: a flood of /healthz would run the host out of ports.
    point_at_redis(redis_server.url)
    assert client.get("/healthz").status_code == 200
    before = connections_received(redis_server)

    for _ in range(40):
        assert client.get("/healthz").status_code == 200

    # The counting client's own connection is the one more.
    assert connections_received(redis_server) - before <= 1


@pytest.mark.slow
def test_a_restarted_redis_is_healthy_again_at_the_next_check(client, redis_server, point_at_redis, real_celery):
    point_at_redis(redis_server.url)
    assert client.get("/healthz").status_code == 200

    # The connection kept from that check is dead now; the next check must not report that.
    redis_server.stop()
    redis_server.start()
    degrading_cache.forget_failures()

    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
