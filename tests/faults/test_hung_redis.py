"""A Redis that accepts connections but never answers cannot hang a request."""

import threading

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from signatures.models import Signature
from tests.factories import make_campaign, sign_data

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

# Far above the few seconds the socket timeouts allow, far below "hung".
HANG = 30


def request_in_thread(method: str, url: str, data=None):
    """Make the request in a thread, so that a hang fails the test instead of stalling the suite."""
    outcome = {}

    def run():
        try:
            outcome["response"] = getattr(Client(), method)(url, data)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(HANG)
    assert not thread.is_alive(), f"{method.upper()} {url} still waiting on Redis after {HANG} s"
    return outcome["response"]


def test_it_records_a_signature_while_redis_never_answers(blackhole, point_at_redis, real_celery):
    point_at_redis(blackhole.url)
    campaign = make_campaign()

    response = request_in_thread(
        "post", reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data(email="hung@example.org")
    )

    assert response.status_code == 302
    signature = Signature.objects.get(email="hung@example.org")
    # The enqueue timed out; the row still owes the email for the sweep to send.
    assert signature.email_due == "confirm" and signature.confirmation_sent_at is None
    assert blackhole.connections, "the request never tried Redis"


def test_it_reports_a_hung_cache_and_broker_in_the_health_check(blackhole, point_at_redis, real_celery):
    point_at_redis(blackhole.url)

    response = request_in_thread("get", "/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["cache"] == "unavailable"
    assert body["broker"].startswith("error")
