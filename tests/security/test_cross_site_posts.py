"""The sign form carries no CSRF token (its page is cached); cross-site posts are refused by the browser's own headers."""

import pytest
from django.urls import reverse

from signatures.models import Signature
from tests.factories import make_campaign, sign_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "cross-site"},
        {"HTTP_SEC_FETCH_SITE": "same-site"},
        {"HTTP_ORIGIN": "https://attacker.example"},
        {"HTTP_ORIGIN": "null"},
        {"HTTP_REFERER": "https://attacker.example/page"},
        {"HTTP_SEC_FETCH_SITE": "cross-site", "HTTP_ORIGIN": "http://testserver"},
    ],
)
def test_a_post_another_site_makes_through_a_browser_is_refused(client, headers):
    campaign = make_campaign()
    response = client.post(reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data(), **headers)
    assert response.status_code == 403
    assert "Please try again" in response.content.decode()
    assert Signature.objects.count() == 0


@pytest.mark.parametrize(
    "headers",
    [
        {"HTTP_SEC_FETCH_SITE": "same-origin"},
        {"HTTP_SEC_FETCH_SITE": "none"},
        {"HTTP_ORIGIN": "http://testserver"},
        {"HTTP_REFERER": "http://testserver/en/some-petition/"},
        {},  # no browser page at all: nothing to ride on
    ],
)
def test_a_post_from_our_own_page_or_from_no_browser_page_is_accepted(client, headers):
    campaign = make_campaign()
    response = client.post(reverse("signatures:sign", kwargs={"slug": campaign.slug}), sign_data(), **headers)
    assert response.status_code == 302
    assert Signature.objects.count() == 1


def test_the_site_url_counts_as_our_origin_behind_a_proxy(client, settings):
    settings.SITE_URL = "https://petition.example.org"
    settings.ALLOWED_HOSTS = ["internal-host", "testserver"]
    campaign = make_campaign()
    response = client.post(
        reverse("signatures:sign", kwargs={"slug": campaign.slug}),
        sign_data(),
        HTTP_HOST="internal-host",
        HTTP_ORIGIN="https://petition.example.org",
    )
    assert response.status_code == 302


def test_other_forms_keep_djangos_csrf_check(settings):
    from django.test import Client

    from tests.factories import make_signature, manage_token

    signature = make_signature(make_campaign())
    strict = Client(enforce_csrf_checks=True)
    url = reverse("signatures:withdraw", kwargs={"pk": signature.pk, "token": manage_token(signature)})
    assert strict.post(url).status_code == 403
    signature.refresh_from_db()
    assert signature.status == "pending"
