"""Concurrent submissions rely on the unique constraint, never on check-then-insert."""

import threading

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from signatures.models import Signature
from tests.factories import make_campaign, sign_data

pytestmark = pytest.mark.django_db(transaction=True)


def post_concurrently(url, bodies):
    barrier = threading.Barrier(len(bodies))
    statuses = []

    def submit(body):
        try:
            client = Client()
            barrier.wait()
            statuses.append(client.post(url, body).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_twenty_threads_signing_with_one_email_make_one_row(settings):
    settings.RATELIMIT_ENABLE = False
    campaign = make_campaign()
    url = reverse("signatures:sign", kwargs={"slug": campaign.slug})
    statuses = post_concurrently(url, [sign_data(email="same@example.org") for _ in range(20)])
    assert statuses == [302] * 20
    assert Signature.objects.filter(campaign=campaign).count() == 1
    signature = Signature.objects.get()
    # Every email that went out was one of the five allowed, and the first was a confirmation link.
    assert 1 <= signature.emails_sent <= 5 and len(mail.outbox) == signature.emails_sent


def test_fifty_threads_with_distinct_emails_make_fifty_rows(settings):
    settings.RATELIMIT_ENABLE = False
    campaign = make_campaign()
    url = reverse("signatures:sign", kwargs={"slug": campaign.slug})
    statuses = post_concurrently(url, [sign_data(email=f"person{i}@example.org") for i in range(50)])
    assert statuses == [302] * 50
    assert Signature.objects.filter(campaign=campaign).count() == 50
    assert len(mail.outbox) == 50
