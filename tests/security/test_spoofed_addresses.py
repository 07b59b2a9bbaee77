"""The exploits of the security review, replayed: a client cannot pick its own address, nor rotate one inside a /64."""

import ipaddress

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from signatures.models import Signature
from tests.factories import make_campaign, sign_data

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"


def sign(client, campaign, number, **meta):
    data = sign_data(email=f"signer{number}@example.org")
    return client.post(reverse("signatures:sign", kwargs={"slug": campaign.slug}), data, **meta)


@pytest.mark.parametrize("trusted_proxies", [[], ["10.0.0.0/8"]], ids=["no-proxy-configured", "proxy-configured"])
def test_fifteen_signs_with_spoofed_forwarded_for_meet_a_ten_per_minute_limit(client, settings, trusted_proxies):
    settings.TRUSTED_PROXIES = trusted_proxies
    settings.SIGN_RATE_BURST = "10/m"
    campaign = make_campaign()

    statuses = [
        sign(client, campaign, n, REMOTE_ADDR=ATTACKER, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code
        for n in range(15)
    ]

    assert statuses == [302] * 10 + [429] * 5
    # The fraud view's signal is the attacker's real address, not one they chose.
    assert Signature.objects.values("ip_hash").distinct().count() == 1


def test_an_ipv6_client_cannot_rotate_addresses_inside_its_64(client, settings):
    settings.SIGN_RATE_BURST = "10/m"
    campaign = make_campaign()
    network = ipaddress.IPv6Network("2001:db8:aa:bb::/64")

    statuses = [sign(client, campaign, n, REMOTE_ADDR=str(network[n * 7919 + 1])).status_code for n in range(15)]

    assert statuses == [302] * 10 + [429] * 5
    assert Signature.objects.values("ip_hash").distinct().count() == 1


def test_neighbouring_ipv6_networks_are_counted_apart(client, settings):
    settings.SIGN_RATE_BURST = "1/m"
    campaign = make_campaign()

    assert sign(client, campaign, 1, REMOTE_ADDR="2001:db8:aa:bb::1").status_code == 302
    assert sign(client, campaign, 2, REMOTE_ADDR="2001:db8:aa:bc::1").status_code == 302
    assert sign(client, campaign, 3, REMOTE_ADDR="2001:db8:aa:bb::2").status_code == 429


def test_the_429_page_says_when_to_try_again(client, settings):
    settings.SIGN_RATE_BURST = "1/m"
    campaign = make_campaign()

    sign(client, campaign, 1)
    response = sign(client, campaign, 2)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60


def test_it_says_to_wait_for_the_longer_window_when_the_hourly_limit_is_spent(client, settings):
    settings.SIGN_RATE_BURST = "100/m"
    settings.SIGN_RATE_SUSTAINED = "1/h"
    campaign = make_campaign()

    sign(client, campaign, 1)
    response = sign(client, campaign, 2)

    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 3600


def test_admin_password_guesses_with_spoofed_forwarded_for_are_throttled(client, settings):
    settings.ADMIN_LOGIN_RATE_BURST = "5/m"
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    User.objects.create_user("staff", password="correct horse battery staple", is_staff=True)

    statuses = [
        client.post(
            reverse("admin:login"),
            {"username": f"guess{n}", "password": "wrong"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        ).status_code
        for n in range(8)
    ]

    assert statuses == [200] * 5 + [429] * 3
