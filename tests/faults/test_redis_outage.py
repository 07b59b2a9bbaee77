"""Redis (cache, rate limits and broker) goes down while people sign: nothing is lost or sent twice."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.urls import reverse

from signatures.models import Signature
from signatures.tasks import drain_outbox
from tests.factories import make_campaign, sign_data
from tests.realstack import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SIGNERS = 50


def test_it_keeps_every_signature_made_while_redis_is_down_and_mails_each_exactly_once(
    client, redis_server, point_at_redis, real_celery, smtp
):
    point_at_redis(redis_server.url)
    campaign = make_campaign()
    url = reverse("signatures:sign", kwargs={"slug": campaign.slug})

    redis_server.stop()
    statuses = [client.post(url, sign_data(email=f"signer{n}@example.org")).status_code for n in range(SIGNERS)]

    assert statuses == [302] * SIGNERS
    assert Signature.objects.filter(campaign=campaign).count() == SIGNERS
    assert Signature.objects.filter(email_due="confirm", confirmation_sent_at__isnull=True).count() == SIGNERS
    assert smtp.messages == []

    redis_server.start()
    with start_worker(real_celery, perform_ping_check=False, shutdown_timeout=30):
        # What beat sends every OUTBOX_SWEEP_SECONDS: no grace period, the owed rows go at once.
        drain_outbox.delay()
        wait_for(lambda: len(smtp.messages) >= SIGNERS, timeout=120, message=f"{SIGNERS} emails")
        # A second drain finds nothing owed any more.
        drain_outbox.delay()
        wait_for(lambda: redis_server.queued_and_unacked() == (0, 0), timeout=60, message="an idle queue")

    expected = sorted(f"signer{n}@example.org" for n in range(SIGNERS))
    assert sorted(smtp.recipients()) == expected
    for signature in Signature.objects.filter(campaign=campaign):
        assert signature.emails_sent == 1
        assert signature.email_due == ""
        assert signature.confirmation_sent_at is not None
