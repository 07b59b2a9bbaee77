"""A worker dies in the middle of a batch: what it sent stays sent, the rest goes once its lease runs out."""

import signal
import subprocess
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings as django_settings
from django.db.models import F

from signatures.models import Signature
from signatures.outbox import LEASE
from signatures.tasks import drain_outbox
from tests.factories import make_campaign, make_signature
from tests.realstack import wait_for, worker_process

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OWED = 6


def start_worker_process(redis_url: str, smtp, log_path: Path) -> subprocess.Popen:
    settings = {
        "REDIS_URL": redis_url,
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_LINK_KEY": django_settings.EMAIL_LINK_KEY,
    }
    return worker_process(settings, log_path, "--pool=solo", "--concurrency=1")


def test_it_sends_each_owed_email_exactly_once_after_a_worker_is_killed_mid_batch(
    redis_server, point_at_redis, real_celery, smtp, tmp_path
):
    point_at_redis(redis_server.url)
    campaign = make_campaign()
    signatures = [make_signature(campaign, email_due="confirm", email_requested_at=None) for _ in range(OWED)]
    Signature.objects.update(email_requested_at=F("created_at"))
    smtp.release.clear()
    smtp.hold_from = 3  # two go through, the third is held: the worker is stuck mid-batch

    worker = start_worker_process(redis_server.url, smtp, tmp_path / "worker.log")
    try:
        drain_outbox.delay()
        if not smtp.data_started.wait(timeout=90):
            raise AssertionError("the worker never reached the third message:\n" + (tmp_path / "worker.log").read_text())
        wait_for(
            lambda: Signature.objects.filter(email_due="").count() == 2, timeout=30, message="the first two marked sent"
        )
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.kill()
        worker.wait(timeout=30)
    smtp.release.set()

    assert len(smtp.messages) == 2
    assert Signature.objects.filter(email_due="confirm", email_claimed_at__isnull=False).count() == OWED - 2

    # The dead worker's lease runs out (LEASE, 30 s): wind the clock instead of waiting.
    Signature.objects.exclude(email_claimed_at=None).update(email_claimed_at=F("email_claimed_at") - LEASE)
    with start_worker(real_celery, perform_ping_check=False, shutdown_timeout=30):
        drain_outbox.delay()  # as beat does every OUTBOX_SWEEP_SECONDS
        wait_for(lambda: len(smtp.messages) == OWED, timeout=60, message="every owed email")
        # A second drain (the broker redelivering the dead worker's task, or beat) finds nothing.
        drain_outbox.delay()
        wait_for(lambda: redis_server.queued_and_unacked()[0] == 0, timeout=30, message="an idle queue")

    assert sorted(smtp.recipients()) == sorted(signature.email for signature in signatures)
    for signature in Signature.objects.all():
        assert signature.emails_sent == 1
        assert signature.email_due == ""
        assert signature.confirmation_sent_at is not None
    log = (tmp_path / "worker.log").read_text()
    for signature in signatures:
        assert signature.email not in log and signature.last_name not in log
