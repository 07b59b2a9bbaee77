"""The whole path on real services: Redis broker, a Celery worker, an SMTP server."""

import re

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from signatures.models import Signature
from tests.factories import make_campaign, sign_data
from tests.realstack import celery_worker, smtp_port, smtp_server, text_body, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]


def test_a_signer_receives_the_email_from_a_real_worker_and_confirms_with_its_link(client, settings):
    with smtp_server() as (controller, inbox), celery_worker():
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp_port(controller)
        campaign = make_campaign()

        response = client.post(
            reverse("signatures:sign", kwargs={"slug": campaign.slug}),
            sign_data(email="grace.hopper@example.org", first_name="Grace"),
        )
        assert response.status_code == 302

        message = wait_for(lambda: inbox.messages and inbox.messages[0])
        assert message["To"] == "grace.hopper@example.org"
        body = text_body(message)
        assert "Hello Grace" in body
        link = re.search(r"http://testserver(/en/s/confirm/\d+/[\w-]+/)", body).group(1)

        assert "Confirm my signature" in client.get(link).content.decode()
        assert Signature.objects.get().status == "pending"
        confirmed = client.post(link)
        assert "your signature is confirmed" in confirmed.content.decode()
        assert Signature.objects.get().status == "confirmed"
        wait_for(lambda: Campaign.objects.get(pk=campaign.pk).signature_count == 1)
        assert len(inbox.messages) == 1
        assert Signature.objects.get().emails_sent == 1
