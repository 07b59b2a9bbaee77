"""The mail server refuses or drops: temporary failures back off and retry, permanent ones suppress, nothing leaks."""

import logging

import pytest
from celery.contrib.testing.worker import start_worker
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from signatures import links
from signatures.models import Signature, Suppression
from signatures.outbox import FAILED_AFTER, drain
from signatures.tasks import drain_outbox
from tests.factories import make_campaign, make_signature, sign_data
from tests.realstack import free_port, wait_for

pytestmark = pytest.mark.slow


def owing_confirmation(campaign, **fields) -> Signature:
    return make_signature(campaign, email_due="confirm", email_requested_at=timezone.now(), **fields)


def time_for_the_next_try() -> None:
    Signature.objects.exclude(email_not_before=None).update(email_not_before=timezone.now())


@pytest.mark.django_db(transaction=True)
def test_it_retries_through_a_real_worker_until_the_mail_server_accepts(redis_server, point_at_redis, real_celery, smtp):
    point_at_redis(redis_server.url)
    signature = owing_confirmation(make_campaign())
    smtp.refuse_next = 1

    with start_worker(real_celery, perform_ping_check=False, shutdown_timeout=30):
        drain_outbox.delay()
        wait_for(lambda: Signature.objects.get().email_attempts == 1, timeout=60, message="the refused try")
        signature.refresh_from_db()
        assert signature.email_due == "confirm" and signature.email_not_before > timezone.now()
        time_for_the_next_try()
        drain_outbox.delay()
        wait_for(lambda: len(smtp.messages) == 1, timeout=60, message="the retried email")

    assert smtp.attempts == 2
    signature.refresh_from_db()
    assert (signature.emails_sent, signature.email_due, signature.email_attempts) == (1, "", 0)
    assert signature.email_claimed_at is None and signature.send_failed_at is None


@pytest.mark.django_db
def test_it_backs_off_while_the_server_is_down_and_shows_the_failure_after_several_tries(settings, smtp):
    signature = owing_confirmation(make_campaign())
    settings.EMAIL_PORT = free_port()  # nothing listens there

    for _ in range(FAILED_AFTER):
        assert drain() == 0
        assert drain() == 0, "a row waiting for its backoff is not tried again at once"
        time_for_the_next_try()

    signature.refresh_from_db()
    assert signature.email_attempts == FAILED_AFTER
    assert signature.send_failed_at is not None
    assert signature.email_due == "confirm" and signature.emails_sent == 0

    settings.EMAIL_PORT = smtp.port
    assert drain() == 1
    signature.refresh_from_db()
    assert (signature.emails_sent, signature.email_due, signature.send_failed_at) == (1, "", None)


@pytest.mark.django_db
def test_a_550_at_rcpt_suppresses_the_address_and_a_new_sign_up_with_it_sees_the_same_page(client, smtp):
    campaign = make_campaign()
    refused = owing_confirmation(campaign, email="gone@example.org")
    fine = owing_confirmation(campaign, email="here@example.org")
    smtp.rcpt_replies["gone@example.org"] = "550 5.1.1 <gone@example.org>: no such user"

    assert drain() == 1

    assert smtp.recipients() == ["here@example.org"]
    assert Suppression.objects.get().email_canonical == "gone@example.org"
    refused.refresh_from_db()
    assert refused.undeliverable_at is not None and refused.email_due == ""
    fine.refresh_from_db()
    assert fine.undeliverable_at is None

    # Signing again with the suppressed address: the same thank-you page, and no email.
    other = make_campaign()
    response = client.post(reverse("signatures:sign", kwargs={"slug": other.slug}), sign_data(email="gone@example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("signatures:thanks", kwargs={"slug": other.slug})
    assert drain() == 0
    assert smtp.recipients() == ["here@example.org"]


# What a mail server says, and whether it means the mailbox will never take mail.
REFUSALS = [
    ("rcpt", "550 5.1.1 <{address}>: Recipient address rejected: User unknown", True),
    ("rcpt", "550 Unrouteable address", True),
    ("rcpt", "553 5.1.3 Bad recipient address syntax", True),
    ("rcpt", "550 5.2.1 Mailbox disabled for this recipient", True),
    ("rcpt", "554 5.7.1 <{address}>: Relay access denied", False),
    ("rcpt", "550 5.7.1 Service unavailable; client host blocked using Spamhaus", False),
    ("rcpt", "552 5.2.2 Mailbox full", False),
    ("rcpt", "554 Transaction failed", False),
    ("data", "550 5.1.1 The email account that you tried to reach does not exist", True),
    ("data", "554 5.7.1 Message rejected under content policy", False),
    ("data", "500 Error: internal server error", False),
    ("data", "550 Message rejected as spam", False),
    ("data", "552 5.3.4 Message size exceeds fixed limit", False),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("stage", "reply", "mailbox_gone"), REFUSALS)
def test_only_a_refusal_of_the_mailbox_itself_suppresses_any_other_is_retried(smtp, stage, reply, mailbox_gone):
    campaign = make_campaign()
    address = "ann@example.org"
    signature = owing_confirmation(campaign, email=address)
    replies = smtp.rcpt_replies if stage == "rcpt" else smtp.data_replies
    replies[address] = reply.format(address=address)

    assert drain() == 0
    signature.refresh_from_db()
    assert smtp.messages == []
    if mailbox_gone:
        assert Suppression.objects.filter(email_canonical=address).exists()
        assert signature.undeliverable_at is not None and signature.email_due == ""
        return
    assert not Suppression.objects.exists(), "a refusal that is not about the mailbox suppressed it for good"
    assert signature.undeliverable_at is None
    assert signature.email_due == "confirm" and signature.email_attempts == 1
    assert signature.email_not_before > timezone.now()

    # Once the server takes it, the email goes.
    replies.clear()
    time_for_the_next_try()
    assert drain() == 1
    assert smtp.recipients() == [address]


@pytest.mark.django_db
def test_it_reopens_a_dropped_connection_and_sends_the_rest_of_the_batch_once(smtp):
    campaign = make_campaign()
    owed = [owing_confirmation(campaign) for _ in range(5)]
    Signature.objects.update(email_requested_at=F("created_at"))
    smtp.disconnect_on = {3}

    assert drain() == 5

    assert sorted(smtp.recipients()) == sorted(signature.email for signature in owed)
    assert list(Signature.objects.values_list("emails_sent", flat=True)) == [1] * 5


@pytest.mark.django_db
def test_refusals_and_disconnects_leave_no_address_name_or_token_in_any_log(client, caplog, settings, smtp):
    caplog.set_level(logging.DEBUG)
    campaign = make_campaign()
    owed = [owing_confirmation(campaign, email=f"person{n}@example.org", last_name=f"Zebulon{n}") for n in range(4)]
    smtp.rcpt_replies["person0@example.org"] = "550 5.1.1 <person0@example.org>: no such user"
    smtp.refuse_next = 1
    smtp.disconnect_on = {3}

    drain()
    time_for_the_next_try()
    drain()
    settings.EMAIL_PORT = free_port()
    Signature.objects.update(email_due="confirm", email_not_before=None)
    drain()
    # The web side: the link pages with right and wrong tokens.
    for signature in owed:
        token = links.token_for(signature, links.CONFIRM)
        client.get(f"/en/s/confirm/{signature.pk}/{token}/")
        client.get(f"/en/s/confirm/{signature.pk}/{token}x/")

    # mail.log is the test's own SMTP server (aiosmtpd), not the platform.
    ours = [record for record in caplog.records if not record.name.startswith("mail.log")]
    logged = "\n".join(f"{record.getMessage()} {record.exc_text or ''} {record.args}" for record in ours).lower()
    assert "not sent" in logged or "refused" in logged, "the failures were not logged at all"
    for signature in owed:
        for secret in (signature.email, signature.last_name, *[links.token_for(signature, p) for p in links.PURPOSES]):
            assert secret.lower() not in logged, secret
