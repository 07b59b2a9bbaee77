import pytest
from django.core import mail
from django.urls import reverse

from signatures.models import Signature
from tests.factories import make_campaign, sign_data

pytestmark = pytest.mark.django_db


def sign_url(campaign):
    return reverse("signatures:sign", kwargs={"slug": campaign.slug})


def test_it_records_a_pending_signature_and_sends_the_confirmation_link(client, django_capture_on_commit_callbacks):
    campaign = make_campaign()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(sign_url(campaign), sign_data(email="Marie.Curie+petition@Example.org"))
    assert response.status_code == 302
    assert response["Location"] == reverse("signatures:thanks", kwargs={"slug": campaign.slug})
    signature = Signature.objects.get()
    assert signature.status == "pending"
    assert signature.email == "Marie.Curie+petition@Example.org"
    assert signature.email_canonical == "marie.curie@example.org"
    assert signature.country == "FR"
    assert signature.ip_hash and "127.0.0.1" not in signature.ip_hash
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["Marie.Curie+petition@Example.org"]
    assert f"/s/confirm/{signature.pk}/{signature.token}/" in message.body
    signature.refresh_from_db()
    assert signature.emails_sent == 1 and signature.email_due == "" and signature.confirmation_sent_at
