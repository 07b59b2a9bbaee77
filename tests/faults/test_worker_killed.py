"""A worker dies in the middle of sending: the email is sent later, exactly once."""

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import kombu
import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_prerun
from django.conf import settings as django_settings
from django.utils import timezone

from signatures.models import Signature
from signatures.outbox import CLAIM_TIMEOUT
from signatures.tasks import send_signature_email, sweep_outbox
from tests.factories import make_campaign, make_signature
from tests.realstack import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PROJECT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    db = django_settings.DATABASES["default"]
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


test_database_url.__test__ = False


def start_worker_process(redis_url: str, smtp, log_path: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "petition.settings",
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
    }
    command = [sys.executable, "-m", "celery", "-A", "petition", "worker", "--pool=solo", "--concurrency=1"]
    command += ["--without-heartbeat", "--without-mingle", "--without-gossip", "--loglevel=WARNING"]
    with open(log_path, "wb") as log:
        return subprocess.Popen(command, cwd=PROJECT, env=env, stdout=log, stderr=subprocess.STDOUT)


def restore_unacked_messages(redis_url: str) -> None:
    """Put delivered-but-unacknowledged messages back in the queue, as Redis does after the visibility timeout."""
    with kombu.Connection(redis_url, transport_options={"visibility_timeout": 0}) as conn:
        conn.default_channel.qos.restore_visible(num=100)


def test_it_sends_exactly_once_after_a_worker_is_killed_while_sending(
    redis_server, point_at_redis, real_celery, smtp, tmp_path
):
    point_at_redis(redis_server.url)
    signature = make_signature(make_campaign(), email_due="confirm", email_requested_at=timezone.now())
    smtp.release.clear()  # the mail server holds the message: the worker is stuck mid-send

    worker = start_worker_process(redis_server.url, smtp, tmp_path / "worker.log")
    try:
        send_signature_email.delay(signature.pk)
        if not smtp.data_started.wait(timeout=90):
            raise AssertionError("the worker never started sending:\n" + (tmp_path / "worker.log").read_text())
        signature.refresh_from_db()
        assert signature.email_claimed_at is not None
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(timeout=30)
    smtp.release.set()

    assert smtp.messages == []
    signature.refresh_from_db()
    assert signature.email_due == "confirm" and signature.emails_sent == 0
    # acks_late: the message of the task that died is still held by the broker.
    assert redis_server.queued_and_unacked() == (0, 1)

    # The dead worker's claim expires.
    Signature.objects.filter(pk=signature.pk).update(
        email_claimed_at=timezone.now() - CLAIM_TIMEOUT - timedelta(minutes=1),
        email_requested_at=timezone.now() - CLAIM_TIMEOUT - timedelta(minutes=1),
    )
    runs = []

    def count_sends(task=None, args=(), **kwargs):
        if task.name == send_signature_email.name:
            runs.append(tuple(args))

    task_prerun.connect(count_sends)
    try:
        with start_worker(real_celery, perform_ping_check=False, shutdown_timeout=30):
            sweep_outbox.delay()
            wait_for(lambda: len(smtp.messages) == 1, timeout=60, message="the swept email")
            wait_for(lambda: redis_server.queued_and_unacked() == (0, 1), timeout=30, message="the sweep to finish")
            # Later the broker hands the dead worker's message out again.
            restore_unacked_messages(redis_server.url)
            wait_for(lambda: redis_server.queued_and_unacked() == (0, 0), timeout=30, message="the redelivery")
    finally:
        task_prerun.disconnect(count_sends)

    assert runs == [(signature.pk,), (signature.pk,)]  # both the sweep's task and the redelivered one ran
    assert smtp.recipients() == [signature.email]
    signature.refresh_from_db()
    assert signature.emails_sent == 1
    assert signature.email_due == ""
    assert signature.confirmation_sent_at is not None
