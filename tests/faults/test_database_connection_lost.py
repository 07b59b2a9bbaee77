"""PostgreSQL ends a connection in the middle of the work: a sent message is recorded once, a signer's request still succeeds."""

import threading

import psycopg2
import pytest
from django.db import connection
from django.db.models import F

from petition.postgres.base import nothing_to_read
from signatures import links, services, views
from signatures.models import Signature
from signatures.outbox import LEASE, drain
from tests.factories import make_campaign, make_signature, sign_data
from tests.realstack import database_url, wait_for

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


def terminate_this_connection_once(function):
    """function, whose first call is followed by the end of this thread's database connection, as pg_terminate_backend ends it."""
    calls = []

    def wrapped(*args, **kwargs):
        result = function(*args, **kwargs)
        if not calls:
            calls.append(1)
            connection.ensure_connection()
            pid = connection.connection.get_backend_pid()
            other = psycopg2.connect(database_url())
            try:
                with other.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            finally:
                other.close()
            wait_for(lambda: not nothing_to_read(connection.connection), timeout=10, interval=0.01, message="the end")
        return result

    return wrapped


def test_a_confirmation_whose_connection_is_terminated_mid_request_still_confirms(client, monkeypatch):
    campaign = make_campaign()
    signature = make_signature(campaign)
    monkeypatch.setattr(services, "find_to_confirm", terminate_this_connection_once(services.find_to_confirm))

    response = client.post(f"/en/s/confirm/{signature.pk}/{links.token_for(signature, links.CONFIRM)}/")

    assert response.status_code == 200
    signature.refresh_from_db()
    assert signature.status == Signature.Status.CONFIRMED


def test_a_signature_whose_connection_is_terminated_mid_request_is_recorded_once(client, monkeypatch):
    campaign = make_campaign()
    monkeypatch.setattr(views, "signable_campaign", terminate_this_connection_once(views.signable_campaign))

    response = client.post(f"/en/{campaign.slug}/sign/", sign_data(email="terminated@example.org"))

    assert response.status_code == 302
    assert Signature.objects.filter(email="terminated@example.org").count() == 1
