"""A worker is killed in the middle of sending an update, another takes over: exact totals, nobody twice."""

import asyncio
import collections
import signal
import threading
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from campaigns.models import Update
from signatures.models import UpdateRecipient
from signatures.tasks import send_update, sweep_updates
from signatures.updates.starting import begin_sending
from tests.realstack import smtp_server, wait_for
from tests.signatures.updates.helpers import campaign_with_lead, consenting_signers, make_update, ready_to_send

from .test_worker_killed import start_worker_process

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SIGNERS = 150


class CountingHandler:
    """Accepts every message a little slowly, so a worker can be caught mid-send."""

    def __init__(self):
        self.rcpts = []
        self.lock = threading.Lock()
        self.twenty = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.01)
        with self.lock:
            self.rcpts.extend(envelope.rcpt_tos)
            if len(self.rcpts) >= 20:
                self.twenty.set()
        return "250 Message accepted for delivery"


def test_it_sends_everyone_at_most_once_when_a_worker_dies_mid_send(
    redis_server, point_at_redis, real_celery, settings, tmp_path
):
    point_at_redis(redis_server.url)
    settings.UPDATE_SEND_PER_MINUTE = 0
    campaign, organisation = campaign_with_lead()
    signers = consenting_signers(campaign, organisation, SIGNERS)
    update = ready_to_send(make_update(campaign, organisation))
    begin_sending(update.pk)
    handler = CountingHandler()
    with smtp_server(handler) as (controller, _):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
        controller.host = "127.0.0.1"
        worker = start_worker_process(redis_server.url, controller, tmp_path / "worker.log")
        try:
            send_update.delay(update.pk)
            if not handler.twenty.wait(timeout=120):
                raise AssertionError("the worker never sent:\n" + (tmp_path / "worker.log").read_text())
            worker.send_signal(signal.SIGKILL)
        finally:
            worker.kill()
            worker.wait(timeout=30)
        with handler.lock:
            before = len(handler.rcpts)
        assert 20 <= before < SIGNERS
        assert Update.objects.get(pk=update.pk).status == Update.Status.SENDING

        # Time passes: the dead worker's lease runs out and its update looks stalled to the sweep.
        past = timezone.now() - timedelta(seconds=settings.UPDATE_LEASE_SECONDS + 1)
        UpdateRecipient.objects.filter(update=update, claimed_until__isnull=False).update(claimed_until=past)
        Update.objects.filter(pk=update.pk).update(updated_at=past)
        with start_worker(real_celery, perform_ping_check=False, shutdown_timeout=30):
            sweep_updates.delay()
            wait_for(
                lambda: Update.objects.get(pk=update.pk).status == Update.Status.DONE, timeout=120, message="the update"
            )

    received = collections.Counter(handler.rcpts)
    assert max(received.values()) == 1, "somebody got the update twice"
    emails = {s.pk: s.email for s in signers}
    rows = dict(UpdateRecipient.objects.filter(update=update).values_list("signature_id", "status"))
    sent = {emails[pk] for pk, status in rows.items() if status == "sent"}
    uncertain = {emails[pk] for pk, status in rows.items() if status == "uncertain"}
    assert len(rows) == SIGNERS
    assert len(sent) + len(uncertain) == SIGNERS
    # At most the one message the worker held when it died is of unknown fate; it is never sent again.
    assert len(uncertain) <= 1
    assert sent <= set(received)
    assert set(received) - sent <= uncertain
    update.refresh_from_db()
    assert update.sent_count == len(sent)
    assert update.sent_count + update.failed_count == SIGNERS
