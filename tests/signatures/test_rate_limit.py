import pytest
from django.urls import reverse

from signatures.models import Signature
from tests.factories import make_campaign, sign_data

pytestmark = pytest.mark.django_db


def test_it_answers_429_in_plain_language_after_the_burst_rate(client, settings):
    settings.SIGN_RATE_BURST = "3/m"
    settings.SIGN_RATE_SUSTAINED = "100/h"
    campaign = make_campaign()
    url = reverse("signatures:sign", kwargs={"slug": campaign.slug})
    statuses = [client.post(url, sign_data()).status_code for _ in range(5)]
    assert statuses == [302, 302, 302, 429, 429]
    response = client.post(url, sign_data())
    assert "Too many attempts" in response.content.decode()
    assert Signature.objects.count() == 3


def test_limits_are_per_client_address(client, settings):
    settings.SIGN_RATE_BURST = "2/m"
    campaign = make_campaign()
    url = reverse("signatures:sign", kwargs={"slug": campaign.slug})
    for _ in range(2):
        client.post(url, sign_data(), REMOTE_ADDR="192.0.2.1")
    assert client.post(url, sign_data(), REMOTE_ADDR="192.0.2.1").status_code == 429
    assert client.post(url, sign_data(), REMOTE_ADDR="192.0.2.2").status_code == 302


def test_limits_are_per_campaign(client, settings):
    settings.SIGN_RATE_BURST = "1/m"
    first, second = make_campaign(), make_campaign()
    for campaign, expected in ((first, 302), (first, 429), (second, 302)):
        url = reverse("signatures:sign", kwargs={"slug": campaign.slug})
        assert client.post(url, sign_data()).status_code == expected
