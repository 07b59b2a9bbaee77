"""PostgreSQL drops the worker's connection while a message is on the wire: the message is recorded once, never sent twice."""

import threading

import pytest
from django.db import connection
from django.db.models import F

from signatures.models import Signature
from signatures.outbox import LEASE, drain
from tests.factories import make_campaign, make_signature

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

OWED = 3


def terminate_every_other_backend() -> int:
    """pg_terminate_backend on every connection to the test database but this thread's own."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return len(cursor.fetchall())


def drain_in_a_thread(results: list) -> threading.Thread:
    def run() -> None:
        try:
            results.append(drain())
        except Exception as exc:  # the test reports it
            results.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_message_sent_while_the_database_connection_is_terminated_is_marked_sent_and_not_sent_again(smtp):
    campaign = make_campaign()
    owed = [make_signature(campaign, email_due="confirm", email_requested_at=None) for _ in range(OWED)]
    Signature.objects.update(email_requested_at=F("created_at"))
    smtp.release.clear()  # the first message is held at DATA, the drain's connection idle meanwhile

    results = []
    thread = drain_in_a_thread(results)
    assert smtp.data_started.wait(timeout=30), "the drain never reached the mail server"
    assert terminate_every_other_backend() >= 1
    smtp.release.set()
    thread.join(timeout=60)

    assert results == [OWED], f"the drain did not carry on after the connection was lost: {results}"
    for signature in Signature.objects.all():
        assert (signature.email_due, signature.emails_sent) == ("", 1)
        assert signature.email_claimed_at is None and signature.confirmation_sent_at is not None

    # Whatever lease could have been left behind runs out, and the next drain (beat's) sends nothing again.
    Signature.objects.exclude(email_claimed_at=None).update(email_claimed_at=F("email_claimed_at") - LEASE)
    assert drain() == 0
    assert sorted(smtp.recipients()) == sorted(signature.email for signature in owed)
