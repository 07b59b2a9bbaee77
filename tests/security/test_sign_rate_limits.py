"""Signing is limited per client address and campaign, in bursts and over the hour, behind a trusted proxy too."""

import pytest
from django.urls import reverse

from signatures.models import Signature
from tests.factories import make_campaign, sign_data

pytestmark = pytest.mark.django_db


def sign(client, campaign, **meta):
    return client.post(reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data(), **meta)


def test_it_refuses_a_burst_with_a_429_page(client, settings):
    settings.SIGN_RATE_BURST = "3/m"
    settings.SIGN_RATE_SUSTAINED = "100/h"
    campaign = make_campaign()

    statuses = [sign(client, campaign).status_code for _ in range(4)]

    assert statuses == [302, 302, 302, 429]
    assert Signature.objects.count() == 3


def test_it_refuses_beyond_the_sustained_rate(client, settings):
    settings.SIGN_RATE_BURST = "100/m"
    settings.SIGN_RATE_SUSTAINED = "2/h"
    campaign = make_campaign()

    statuses = [sign(client, campaign).status_code for _ in range(3)]

    assert statuses == [302, 302, 429]
    assert "Too many attempts" in sign(client, campaign).content.decode()


def test_it_counts_each_campaign_separately(client, settings):
    settings.SIGN_RATE_BURST = "1/m"
    first, second = make_campaign(), make_campaign()

    assert sign(client, first).status_code == 302
    assert sign(client, second).status_code == 302
    assert sign(client, first).status_code == 429


def test_it_counts_each_address_separately(client, settings):
    settings.SIGN_RATE_BURST = "1/m"
    campaign = make_campaign()

    assert sign(client, campaign, REMOTE_ADDR="198.51.100.1").status_code == 302
    assert sign(client, campaign, REMOTE_ADDR="198.51.100.2").status_code == 302
    assert sign(client, campaign, REMOTE_ADDR="198.51.100.1").status_code == 429


def test_it_limits_the_client_behind_one_trusted_proxy_not_the_proxy(client, settings):
    settings.SIGN_RATE_BURST = "1/m"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    campaign = make_campaign()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    assert sign(client, campaign, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 302
    assert sign(client, campaign, HTTP_X_FORWARDED_FOR="198.51.100.2", **proxy).status_code == 302
    assert sign(client, campaign, HTTP_X_FORWARDED_FOR="198.51.100.1", **proxy).status_code == 429


def test_it_ignores_addresses_a_client_writes_into_x_forwarded_for(client, settings):
    settings.SIGN_RATE_BURST = "1/m"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    campaign = make_campaign()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}

    assert sign(client, campaign, HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.1", **proxy).status_code == 302
    # A fresh made-up address on the left does not make a fresh client.
    assert sign(client, campaign, HTTP_X_FORWARDED_FOR="2.2.2.2, 198.51.100.1", **proxy).status_code == 429


def test_it_ignores_x_forwarded_for_when_no_proxy_is_trusted(client, settings):
    settings.SIGN_RATE_BURST = "1/m"
    settings.TRUSTED_PROXIES = []
    campaign = make_campaign()

    assert sign(client, campaign, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 302
    assert sign(client, campaign, HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 429


def test_it_stores_only_a_keyed_hash_of_the_client_address(client, settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    campaign = make_campaign()

    sign(client, campaign, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")

    signature = Signature.objects.get()
    assert len(signature.ip_hash) == 64
    values = [str(value) for value in Signature.objects.values().get().values()]
    assert not any("198.51.100.7" in value or "10.0.0.2" in value for value in values)
