"""The mail server refuses: the email is retried with backoff, marked failed after the last try, never lost."""

from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from signatures.models import Signature
from signatures.outbox import FAILED_RETRY_AFTER, OUTBOX_GRACE
from signatures.tasks import send_signature_email, sweep_outbox
from tests.factories import make_campaign, make_signature
from tests.realstack import free_port, wait_for


def owing_confirmation(campaign) -> Signature:
    return make_signature(campaign, email_due="confirm", email_requested_at=timezone.now())


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_it_retries_through_a_real_worker_until_the_mail_server_accepts(redis_server, point_at_redis, real_celery, smtp):
    point_at_redis(redis_server.url)
    signature = owing_confirmation(make_campaign())
    smtp.refuse_next = 1

    with start_worker(real_celery, perform_ping_check=False, shutdown_timeout=30):
        send_signature_email.delay(signature.pk)
        # The retry waits a random backoff of up to retry_backoff (5 s).
        wait_for(lambda: len(smtp.messages) == 1, timeout=60, message="the retried email")
        wait_for(lambda: redis_server.queued_and_unacked() == (0, 0), timeout=30, message="an idle queue")

    assert smtp.attempts == 2
    assert smtp.recipients() == [signature.email]
    signature.refresh_from_db()
    assert signature.emails_sent == 1
    assert signature.email_due == ""
    assert signature.email_claimed_at is None
    assert signature.send_failed_at is None


@pytest.mark.slow
@pytest.mark.django_db
def test_it_marks_the_signature_failed_after_the_last_try_and_the_sweep_sends_it_later(smtp):
    signature = owing_confirmation(make_campaign())
    smtp.refuse_next = send_signature_email.max_retries + 1

    # Eager: the retries run at once instead of after their backoff.
    send_signature_email.delay(signature.pk)

    assert smtp.attempts == send_signature_email.max_retries + 1
    assert smtp.messages == []
    signature.refresh_from_db()
    assert signature.send_failed_at is not None
    assert signature.email_due == "confirm"
    assert signature.email_claimed_at is None
    assert signature.emails_sent == 0

    # An hour and more passes.
    Signature.objects.filter(pk=signature.pk).update(
        send_failed_at=timezone.now() - FAILED_RETRY_AFTER - timedelta(minutes=1),
        email_requested_at=timezone.now() - FAILED_RETRY_AFTER - OUTBOX_GRACE,
    )
    sweep_outbox.delay()

    assert smtp.recipients() == [signature.email]
    signature.refresh_from_db()
    assert signature.emails_sent == 1
    assert signature.send_failed_at is None
    assert signature.email_due == ""


@pytest.mark.slow
@pytest.mark.django_db
def test_it_retries_when_the_mail_server_is_not_listening(settings, smtp):
    signature = owing_confirmation(make_campaign())
    settings.EMAIL_PORT = free_port()

    send_signature_email.delay(signature.pk)

    signature.refresh_from_db()
    assert signature.send_failed_at is not None
    assert signature.email_due == "confirm"
    assert signature.emails_sent == 0
