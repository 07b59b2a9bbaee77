"""petition.postgres: a kept connection is checked without a round trip, and one the server ended is still replaced.

Each test opens a connection of its own (a second DatabaseWrapper on the
test database, as each web or worker process has), ends a request on it as
Django does (close_old_connections), and watches its server process from
another session in pg_stat_activity.
"""

import time

import psycopg2
import pytest
from django.db import connection, connections
from django.db.utils import load_backend

from petition.postgres.base import DatabaseWrapper, nothing_to_read

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kept():
    """A kept connection with health checks on, as settings configure every process's."""
    settings_dict = {**connection.settings_dict, "CONN_MAX_AGE": 600, "CONN_HEALTH_CHECKS": True}
    wrapper = load_backend(settings_dict["ENGINE"]).DatabaseWrapper(settings_dict, alias="kept")
    yield wrapper
    wrapper.close()


@pytest.fixture
def observer():
    settings_dict = connection.settings_dict
    session = psycopg2.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        password=settings_dict["PASSWORD"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or None,
        connect_timeout=5,
    )
    session.autocommit = True
    yield session
    session.close()


def run(wrapper, sql: str):
    with wrapper.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone() if cursor.description else None


def last_query(observer, pid: int) -> str:
    with observer.cursor() as cursor:
        cursor.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", [pid])
        row = cursor.fetchone()
    return row[0] if row else ""


def wait_until_readable(wrapper, seconds: float = 5) -> None:
    deadline = time.monotonic() + seconds
    while nothing_to_read(wrapper.connection):
        if time.monotonic() > deadline:
            raise AssertionError("the server said nothing on the socket")
        time.sleep(0.01)


def next_request(wrapper) -> None:
    """What Django does between two requests (request_started, request_finished)."""
    wrapper.close_if_unusable_or_obsolete()


def test_settings_use_this_backend_for_postgresql():
    assert connection.settings_dict["ENGINE"] == "petition.postgres"
    assert isinstance(connections["default"], DatabaseWrapper)
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True


def test_a_quiet_kept_connection_is_used_without_a_select_1(kept, observer):
    pid = run(kept, "SELECT pg_backend_pid()")[0]
    run(kept, "SELECT 'the last query of a request'")
    next_request(kept)

    kept.close_if_health_check_failed()

    assert kept.health_check_done
    assert last_query(observer, pid) == "SELECT 'the last query of a request'"
    assert run(kept, "SELECT pg_backend_pid()")[0] == pid


def test_a_connection_the_server_ended_is_replaced_before_the_next_query(kept, observer):
    pid = run(kept, "SELECT pg_backend_pid()")[0]
    next_request(kept)
    with observer.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    wait_until_readable(kept)

    assert run(kept, "SELECT 40 + 2") == (42,)
    assert run(kept, "SELECT pg_backend_pid()")[0] != pid


def test_a_socket_with_something_to_read_gets_django_check_and_keeps_a_live_connection(kept, observer):
    pid = run(kept, "SELECT pg_backend_pid()")[0]
    run(kept, "LISTEN health_check_test")
    with observer.cursor() as cursor:
        cursor.execute("NOTIFY health_check_test")
    wait_until_readable(kept)
    next_request(kept)

    kept.close_if_health_check_failed()

    assert last_query(observer, pid) == "SELECT 1"
    assert run(kept, "SELECT pg_backend_pid()")[0] == pid
