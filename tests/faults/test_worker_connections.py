"""A real prefork worker keeps its PostgreSQL connection across tasks, as the web keeps a request's, and drops it after a failure."""

import subprocess
from pathlib import Path

import pytest
from django.db import connection

from signatures.tasks import drain_outbox, fold_all_counts, fold_counts
from tests.realstack import wait_for, worker_process

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def worker_backends() -> set[tuple]:
    """The client connections to the test database other than this one: (pid, started at) of each."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid, backend_start FROM pg_stat_activity"
            " WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
        )
        return set(cursor.fetchall())


def start_prefork_worker(redis_url: str, log_path: Path, conn_max_age: str) -> subprocess.Popen:
    # The production pool: one forked child runs the tasks.
    return worker_process({"REDIS_URL": redis_url, "CONN_MAX_AGE": conn_max_age}, log_path, "--concurrency=1")


def run_and_wait(redis_server, log_path: Path, task, *args, done: int) -> None:
    task.delay(*args)
    wait_for(
        lambda: log_path.read_text().count(" succeeded in ") + log_path.read_text().count(" raised unexpected") >= done,
        timeout=60,
        message=f"{done} tasks done:\n{log_path.read_text()}",
    )
    wait_for(lambda: redis_server.queued_and_unacked() == (0, 0), timeout=30, message="an idle queue")


@pytest.mark.parametrize("conn_max_age", ["60", "0"])
def test_tasks_keep_one_connection_for_conn_max_age_and_a_failed_task_drops_it(
    redis_server, point_at_redis, real_celery, tmp_path, conn_max_age
):
    point_at_redis(redis_server.url)
    log_path = tmp_path / "worker.log"
    # Connections opened before the worker started (other tests' threads) are not the worker's.
    earlier = worker_backends()
    worker = start_prefork_worker(redis_server.url, log_path, conn_max_age)
    try:
        wait_for(lambda: " ready." in log_path.read_text(), timeout=90, message="the worker")
        run_and_wait(redis_server, log_path, drain_outbox, done=1)
        after_one = worker_backends() - earlier
        for done in range(2, 7):
            run_and_wait(redis_server, log_path, fold_all_counts if done % 2 else drain_outbox, done=done)
        after_six = worker_backends() - earlier
        # Given no campaign id, the task fails in the child that holds the connection.
        run_and_wait(redis_server, log_path, fold_counts, "not-a-campaign", done=7)
        after_failure = worker_backends() - earlier
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    if conn_max_age == "0":
        # Closed after each task, as a request's connection is with CONN_MAX_AGE=0.
        assert after_one == after_six == set()
    else:
        assert len(after_one) == 1, after_one
        assert after_six == after_one
    assert after_failure == set()
